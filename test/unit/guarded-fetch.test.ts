// Every server-side request to a URL someone else chose: private addresses
// refused, redirects handled as the fetch standard says, answers capped in size
// and time. Two local servers stand for two origins.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { guardedFetch, isPrivateAddress, mediaFetcher, type FetchRequest } from "../../lib/net/guarded-fetch";

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  cookie: string | undefined;
  contentType: string | undefined;
  body: string;
}

function server(handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const srv = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({
        method: req.method!,
        path: req.url!,
        authorization: req.headers.authorization,
        cookie: req.headers.cookie,
        contentType: req.headers["content-type"],
        body,
      });
      handle(req, res, body);
    });
  });
  return { srv, seen, url: () => `http://127.0.0.1:${(srv.address() as AddressInfo).port}` };
}

const other = server((_req, res) => res.end("other"));
const main = server((req, res) => {
  const [, status, where] = /^\/(\d{3})\/(same|other)$/.exec(req.url ?? "") ?? [];
  if (status) {
    res.writeHead(Number(status), { location: where === "same" ? "/landed" : `${other.url()}/landed` });
    return res.end();
  }
  if (req.url === "/big") return res.end(Buffer.alloc(2048));
  if (req.url === "/declared-big") {
    res.writeHead(200, { "content-length": "999999" });
    return res.write("x");
  }
  if (req.url === "/slow") return setTimeout(() => res.end("late"), 2_000);
  if (req.url === "/missing") {
    res.writeHead(404);
    return res.end();
  }
  res.writeHead(200, { "content-type": "image/png" });
  res.end("png-bytes");
});

beforeAll(async () => {
  await Promise.all([main.srv, other.srv].map((srv) => new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve))));
});
afterAll(async () => {
  await Promise.all([main.srv, other.srv].map((srv) => new Promise((resolve) => srv.close(resolve))));
});
beforeEach(() => {
  main.seen.length = 0;
  other.seen.length = 0;
});

const ALLOW = ["127.0.0.1"];
const request = (path: string, overrides: Partial<FetchRequest> = {}): FetchRequest => ({
  method: "POST",
  url: `${main.url()}${path}`,
  headers: { Authorization: "Bearer secret", Cookie: "s=1", "Content-Type": "application/json" },
  body: '{"pedido":1}',
  timeoutMs: 1_000,
  maxBytes: 1_024,
  ...overrides,
});

describe("redirects", () => {
  it("leave credentials behind when the origin changes, and keep them on the same origin", async () => {
    await guardedFetch(request("/307/other"), ALLOW);
    expect(other.seen[0]).toMatchObject({ method: "POST", authorization: undefined, cookie: undefined, body: '{"pedido":1}' });
    await guardedFetch(request("/307/same"), ALLOW);
    expect(main.seen.at(-1)).toMatchObject({ path: "/landed", method: "POST", authorization: "Bearer secret", cookie: "s=1" });
  });

  it("turn 303, and 301/302 after a POST, into a GET without a body", async () => {
    for (const status of [301, 302, 303]) {
      await guardedFetch(request(`/${status}/same`), ALLOW);
      expect(main.seen.at(-1)).toMatchObject({ path: "/landed", method: "GET", body: "", contentType: undefined });
    }
    await guardedFetch(request("/303/same", { method: "PUT" }), ALLOW);
    expect(main.seen.at(-1)).toMatchObject({ method: "GET", body: "" });
    // 308 and a 301 after a PUT keep the method and the body.
    await guardedFetch(request("/308/same"), ALLOW);
    expect(main.seen.at(-1)).toMatchObject({ method: "POST", body: '{"pedido":1}' });
    await guardedFetch(request("/301/same", { method: "PUT" }), ALLOW);
    expect(main.seen.at(-1)).toMatchObject({ method: "PUT", body: '{"pedido":1}' });
  });

  it("are checked against the guard at every hop", async () => {
    await expect(guardedFetch({ ...request("/302/other"), url: `http://localhost:${new URL(main.url()).port}/302/other` }, ["localhost"])).rejects.toThrow(
      /127\.0\.0\.1 is a private or local address/,
    );
  });
});

describe("the address guard", () => {
  it("refuses loopback in every spelling, including the IPv4-compatible IPv6 form", async () => {
    const port = new URL(main.url()).port;
    const hosts = ["127.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "[::127.0.0.1]", "[::]", "localhost", "0.0.0.0"];
    const outcomes = await Promise.all(
      hosts.map((host) =>
        guardedFetch(request("/", { url: `http://${host}:${port}/` }), []).then(
          () => "fetched",
          (err: Error) => err.message,
        ),
      ),
    );
    expect(outcomes).toEqual(hosts.map(() => expect.stringMatching(/is a private or local address/)));
    expect(main.seen).toHaveLength(0);
    expect([isPrivateAddress("::7f00:1"), isPrivateAddress("::a00:1"), isPrivateAddress("2001:4860:4860::8888")]).toEqual([true, true, false]);
  });

  it("does not reuse a connection opened for an allowed host", async () => {
    const url = `http://localhost:${new URL(main.url()).port}/`;
    expect((await guardedFetch(request("/", { url }), ["localhost"])).status).toBe(200);
    await expect(guardedFetch(request("/", { url }), [])).rejects.toThrow(/private or local/);
  });
});

describe("limits", () => {
  it("fails answers over the size cap, announced or not, and answers that take too long", async () => {
    await expect(guardedFetch(request("/big"), ALLOW)).rejects.toThrow(/larger than 1024 bytes/);
    await expect(guardedFetch(request("/declared-big"), ALLOW)).rejects.toThrow(/larger than 1024 bytes/);
    await expect(guardedFetch(request("/slow", { timeoutMs: 200 }), ALLOW)).rejects.toThrow(/took too long/);
  });
});

describe("media downloads", () => {
  it("bring the bytes and type, and fail on an error status or a private address", async () => {
    const fetchMedia = mediaFetcher({ allowHosts: ALLOW, maxBytes: 1_024, timeoutMs: 1_000 });
    expect(await fetchMedia(`${main.url()}/foto.png`)).toEqual({ data: Buffer.from("png-bytes"), mimetype: "image/png" });
    await expect(fetchMedia(`${main.url()}/missing`)).rejects.toThrow(/answered 404/);
    await expect(mediaFetcher({ allowHosts: [], maxBytes: 1_024, timeoutMs: 1_000 })(`${main.url()}/foto.png`)).rejects.toThrow(/private or local/);
  });
});

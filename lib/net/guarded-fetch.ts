// Every request the server makes to a URL someone else chose (a flow's
// http_request, a media_url to send or to simulate) goes through here: only
// public addresses unless the operator allows a host (FETCH_ALLOW_HOSTS),
// checked on the address the connection actually uses (so a name cannot
// resolve to a public address for the check and a private one for the
// request), redirects followed by hand, checked the same way and handled as
// browsers do, a time limit and a size cap on the answer.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";

const MAX_REDIRECTS = 3;

// Loopback, private, shared, link-local, benchmarking, multicast, reserved; IPv4-mapped IPv6 is checked against the IPv4 rules.
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  PRIVATE.addSubnet(network, prefix, "ipv4");
// "::/96" holds the unspecified address, loopback and the deprecated IPv4-compatible form ([::127.0.0.1]).
for (const [network, prefix] of [
  ["::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["64:ff9b::", 96],
  ["2002::", 16],
] as const) {
  PRIVATE.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? "ipv4" : "ipv6");
}

const refused = (host: string) => new Error(`${host} is a private or local address; allow it in FETCH_ALLOW_HOSTS to call it`);

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that fails when the name resolves to a private address. */
function publicLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address))) return callback(refused(hostname), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

export interface FetchRequest {
  method: string;
  url: string;
  /** Names in any case. */
  headers: Record<string, string>;
  body: string | undefined;
  timeoutMs: number;
  /** A longer answer fails the request. */
  maxBytes: number;
}

export interface FetchAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

interface Hop extends FetchAnswer {
  location: string | undefined;
}

function send(url: URL, request: Pick<FetchRequest, "method" | "headers" | "body" | "maxBytes">, allowed: boolean, deadline: number): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    // A connection of its own (agent: false): one kept alive in a shared pool, opened by other code or for an allowed host, would skip the lookup.
    const options = {
      method: request.method,
      headers: request.headers,
      agent: false,
      ...(allowed ? {} : { lookup: publicLookup }),
      timeout: Math.max(1, deadline - Date.now()),
    };
    const req = client.request(url, options, (res) => {
      const declared = Number(res.headers["content-length"] ?? 0);
      if (declared > request.maxBytes) {
        req.destroy(new Error(`The response is larger than ${request.maxBytes} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) {
          req.destroy(new Error(`The response is larger than ${request.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, contentType: res.headers["content-type"] ?? "", body: Buffer.concat(chunks) }),
      );
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("The request took too long")));
    req.on("error", reject);
    req.end(request.body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Sent only to the origin they were meant for.
const CREDENTIALS = new Set(["authorization", "cookie", "proxy-authorization"]);
const BODY_HEADERS = new Set(["content-type", "content-length", "content-encoding", "content-language", "content-location"]);

const without = (headers: Record<string, string>, names: Set<string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())));

/** The request a redirect leads to, as the fetch standard says: 303 (and 301/302 after a POST) become a GET without a body; credentials stay behind when the origin changes. */
export function redirected(
  from: URL,
  to: URL,
  status: number,
  request: Pick<FetchRequest, "method" | "headers" | "body">,
): Pick<FetchRequest, "method" | "headers" | "body"> {
  let { method, headers, body } = request;
  if ((status === 303 && method !== "GET" && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
    method = "GET";
    body = undefined;
    headers = without(headers, BODY_HEADERS);
  }
  if (to.origin !== from.origin) headers = without(headers, CREDENTIALS);
  return { method, headers, body };
}

/** The request, guarded; throws with a sentence a person can read when it is refused or fails. */
export async function guardedFetch(request: FetchRequest, allowHosts: readonly string[]): Promise<FetchAnswer> {
  const deadline = Date.now() + request.timeoutMs;
  let url = new URL(request.url);
  let current: Pick<FetchRequest, "method" | "headers" | "body"> = request;
  for (let hop = 0; ; hop += 1) {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`Only http and https URLs are allowed (${url.protocol})`);
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const allowed = allowHosts.includes(host);
    // An address written in the URL is not looked up: check it here.
    if (!allowed && isIP(host) && isPrivateAddress(host)) throw refused(host);
    const answer = await send(url, { ...current, maxBytes: request.maxBytes }, allowed, deadline);
    if (!REDIRECTS.has(answer.status) || !answer.location) return { status: answer.status, contentType: answer.contentType, body: answer.body };
    if (hop >= MAX_REDIRECTS) throw new Error(`More than ${MAX_REDIRECTS} redirects`);
    const next = new URL(answer.location, url);
    current = redirected(url, next, answer.status, current);
    url = next;
  }
}

/** A file behind a URL, as the WhatsApp providers send or receive it. */
export type MediaFetcher = (url: string) => Promise<{ data: Buffer; mimetype: string | null }>;

export function mediaFetcher(options: { allowHosts: readonly string[]; maxBytes: number; timeoutMs: number }): MediaFetcher {
  return async (url) => {
    const answer = await guardedFetch(
      { method: "GET", url, headers: {}, body: undefined, timeoutMs: options.timeoutMs, maxBytes: options.maxBytes },
      options.allowHosts,
    );
    if (answer.status < 200 || answer.status >= 300) throw new Error(`The media URL answered ${answer.status}`);
    return { data: answer.body, mimetype: answer.contentType || null };
  };
}

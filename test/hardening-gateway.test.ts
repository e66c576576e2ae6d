// What one hostile request may do to the gateway: nothing. Each case was a
// finding of the hardening review; the engine must answer in the error format
// and stay up.
import http from "node:http";
import { database } from "../lib/db/connection";
import { ADMIN, harness } from "./support/harness";

const h = harness();

/** GET /api/health answered, and how long it took. */
async function healthMs(): Promise<number> {
  const started = performance.now();
  const res = await h.request("GET", "/api/health");
  expect(res.status).toBe(200);
  return performance.now() - started;
}

const json = { "content-type": "application/json" };

describe("deeply nested or huge JSON", () => {
  it("refuses a body nested 8 000 levels deep before authentication, and stays up", async () => {
    const deep = "[".repeat(8_000) + "]".repeat(8_000);
    for (const rawBody of [deep, `{"email":${deep}}`]) {
      const res = await h.request("POST", "/api/auth/login", { rawBody, headers: json });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(Object.keys(res.body.detail).sort()).toEqual(["code", "field", "message"]);
    }
    expect(await healthMs()).toBeLessThan(50);
  });

  it("names the field that is nested too deeply", async () => {
    const admin = await h.admin();
    let metadata: unknown = 1;
    for (let i = 0; i < 40; i += 1) metadata = { a: metadata };
    const res = await h.request("POST", "/api/contacts", { token: admin.token, body: { phone_number: "+525511110000", metadata } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: expect.stringMatching(/^metadata\.a\.a/) });
    expect(await database()("contacts").where({ phone_number: "+525511110000" }).first()).toBeUndefined();
  });

  it("refuses a body with too many values", async () => {
    const res = await h.request("POST", "/api/auth/login", { rawBody: JSON.stringify({ email: new Array(60_000).fill(0), password: "x" }), headers: json });
    expect(res.status).toBe(422);
    expect(res.body.detail.message).toMatch(/Too many values/);
  });
});

describe("bodies that are not one JSON object", () => {
  it.each([
    ["an array", "[]"],
    ["an array of pairs", '[["email","x"]]'],
  ])("answers %s with 400", async (_name, rawBody) => {
    const admin = await h.admin();
    const res = await h.request("POST", "/api/queues", { token: admin.token, rawBody, headers: json });
    expect(res.status).toBe(400);
    expect(res.body.detail).toEqual({ code: "BODY_NOT_OBJECT", message: expect.any(String), field: null });
  });

  it("refuses a body that starts with a byte order mark", async () => {
    const admin = await h.admin();
    const res = await h.request("POST", "/api/queues", { token: admin.token, rawBody: `\uFEFF{"name":"Con BOM"}`, headers: json });
    expect(res.status).toBe(400);
    expect(res.body.detail.code).toBe("MALFORMED_JSON");
    expect(await database()("queues").where({ name: "Con BOM" }).first()).toBeUndefined();
  });
});

describe("NUL characters and __proto__", () => {
  it("refuses a NUL in an object key with 422 naming the field", async () => {
    const admin = await h.admin();
    const created = await admin.post("/api/contacts", { phone_number: "+525511110001", metadata: { ok: 1 } });
    const res = await h.request("PUT", `/api/contacts/${created.body.id}`, { token: admin.token, rawBody: '{"metadata":{"k\\u0000":1}}', headers: json });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: 'metadata["k\\u0000"]' });
    expect((await admin.get(`/api/contacts/${created.body.id}`)).body.metadata).toEqual({ ok: 1 });
  });

  it("refuses a __proto__ key", async () => {
    const admin = await h.admin();
    const res = await h.request("POST", "/api/contacts", {
      token: admin.token,
      rawBody: '{"phone_number":"+525511110002","__proto__":{"role":"admin"}}',
      headers: json,
    });
    expect(res.status).toBe(422);
    expect(res.body.detail.field).toBe("__proto__");
  });
});

describe("headers", () => {
  it("marks JSON answers nosniff, and login and refresh answers no-store", async () => {
    const login = await h.request("POST", "/api/auth/login", { body: ADMIN });
    expect(login.headers.get("cache-control")).toBe("no-store");
    expect(login.headers.get("x-content-type-options")).toBe("nosniff");
    const refresh = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: login.body.refresh_token } });
    expect(refresh.status).toBe(200);
    expect(refresh.headers.get("cache-control")).toBe("no-store");
    const failed = await h.request("GET", "/api/auth/me");
    expect(failed.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("keeps a short plain X-Request-ID and replaces anything else", async () => {
    const plain = await h.request("GET", "/api/health", { headers: { "x-request-id": "abc-123_X.9" } });
    expect(plain.headers.get("x-request-id")).toBe("abc-123_X.9");
    for (const forged of ["a b c", "x".repeat(65), "id\u00e9", "user=admin 200 OK", "<script>"]) {
      const res = await h.request("GET", "/api/health", { headers: { "x-request-id": forged } });
      const id = res.headers.get("x-request-id") ?? "";
      expect(id).toMatch(/^[\w.-]{1,64}$/);
      expect(id).not.toBe(forged);
    }
  });

  it("answers headers too large for the server with 431 in the error format", async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(`${h.baseUrl}/api/health?q=${"x".repeat(20_000)}`);
      const req = http.request(url, { headers: { "x-filler": "y".repeat(20_000) } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(431);
    expect(JSON.parse(body).detail).toEqual({ code: "HEADERS_TOO_LARGE", message: expect.any(String), field: null });
  });
});

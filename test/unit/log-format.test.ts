// Log lines: one JSON object each in production, with the ids a line is about,
// and never a secret or what a customer wrote, whatever object is logged.
import { jsonLine, logContext, redact, textLine } from "../../lib/log-format";

const bindings = { nodeID: "node-1", mod: "api", svc: "api" };
const at = new Date("2026-12-02T10:00:00.000Z");

describe("JSON lines", () => {
  it("carry time, level, node, service, message and the ids of the context", () => {
    const line = JSON.parse(jsonLine("info", ["GET /api/x 200", logContext({ request: "r1", user: "u1", account: "a1", conversation: "c1" })], bindings, at));
    expect(line).toEqual({
      time: "2026-12-02T10:00:00.000Z",
      level: "info",
      node: "node-1",
      service: "api",
      msg: "GET /api/x 200",
      request_id: "r1",
      user_id: "u1",
      account_id: "a1",
      conversation_id: "c1",
    });
  });

  it("leave out ids that are not known, and name the module when there is no service", () => {
    const line = JSON.parse(jsonLine("warn", ["Redis is unreachable", logContext({ request: undefined })], { nodeID: "n", mod: "BROKER" }, at));
    expect(line).toEqual({ time: at.toISOString(), level: "warn", node: "n", service: "broker", msg: "Redis is unreachable" });
  });

  it("put an error's name, message, code and stack under err, but never its data", () => {
    const err = Object.assign(new Error("boom"), { code: "E_BOOM", data: { password: "hunter2-secret" } });
    const line = JSON.parse(jsonLine("error", ["Request failed", err], bindings, at));
    expect(line.msg).toBe("Request failed");
    expect(line.err).toMatchObject({ name: "Error", message: "boom", code: "E_BOOM", stack: expect.stringContaining("boom") });
    expect(JSON.stringify(line)).not.toContain("hunter2-secret");
  });

  it("mask secrets and message bodies in logged objects, at any depth", () => {
    const logged = {
      user: { email: "a@b.c", password: "p4ss-word", refresh_token: "rt-123" },
      headers: { authorization: "Bearer abc.def" },
      odoo: { api_key: "odoo-key-999", url: "https://erp.example" },
      message: { type: "text", content: "my card is 4111", caption: "private photo" },
      creds: { noiseKey: "xyz" },
    };
    const text = jsonLine("info", ["state", logged], bindings, at);
    for (const secret of ["p4ss-word", "rt-123", "Bearer abc.def", "odoo-key-999", "4111", "private photo", "xyz"]) expect(text).not.toContain(secret);
    expect(text).toContain("a@b.c");
    expect(text).toContain("https://erp.example");
  });

  it("survive cycles and buffers", () => {
    const cyclic: Record<string, unknown> = { name: "loop", bytes: Buffer.from("secret bytes") };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: "loop", bytes: "[12 bytes]", self: "[circular]" });
  });
});

describe("text lines", () => {
  it("append the ids as key=value and the error's stack", () => {
    const line = textLine("[t] INFO  n/API:", ["GET /api/x 200", logContext({ request: "r1", user: "u1" })]);
    expect(line).toBe("[t] INFO  n/API: GET /api/x 200 req=r1 user=u1");
    const failed = textLine("[t] ERROR n/API:", ["Request failed", new Error("boom")]);
    expect(failed).toMatch(/^\[t\] ERROR n\/API: Request failed Error: boom\n\s+at /);
  });
});

// GET /api/openapi.json describes the routes really served, and the seed's endpoints are among them.
import { harness } from "./support/harness";
import { schemaOf } from "../lib/http/openapi";

const h = harness();

// Every endpoint of the seed.
const SEED = [
  "POST /api/auth/login", "POST /api/auth/refresh", "POST /api/auth/logout", "GET /api/auth/me",
  "GET /api/users", "POST /api/users", "GET /api/users/{id}", "PUT /api/users/{id}", "DELETE /api/users/{id}", "PUT /api/users/{id}/status",
  "GET /api/whatsapp/accounts", "POST /api/whatsapp/accounts", "GET /api/whatsapp/accounts/{id}/qr", "GET /api/whatsapp/accounts/{id}/status",
  "POST /api/whatsapp/accounts/{id}/disconnect", "POST /api/whatsapp/accounts/{id}/reconnect",
  "GET /api/contacts", "POST /api/contacts", "GET /api/contacts/{id}", "PUT /api/contacts/{id}", "POST /api/contacts/{id}/tags",
  "GET /api/conversations", "GET /api/conversations/{id}", "POST /api/conversations/{id}/assign", "POST /api/conversations/{id}/transfer",
  "POST /api/conversations/{id}/resolve", "POST /api/conversations/{id}/reopen",
  "GET /api/conversations/{id}/messages", "POST /api/conversations/{id}/messages", "POST /api/conversations/{id}/notes",
  "GET /api/quick-replies", "POST /api/quick-replies", "PUT /api/quick-replies/{id}", "DELETE /api/quick-replies/{id}",
  "GET /api/queues", "POST /api/queues", "GET /api/queues/{id}", "PUT /api/queues/{id}", "POST /api/queues/{id}/agents",
  "DELETE /api/queues/{id}/agents/{user_id}", "GET /api/queues/{id}/stats",
  "GET /api/flows", "POST /api/flows", "GET /api/flows/{id}", "PUT /api/flows/{id}", "POST /api/flows/{id}/duplicate",
  "PUT /api/flows/{id}/toggle", "POST /api/flows/{id}/test",
  "POST /api/contacts/{id}/sync-odoo", "POST /api/odoo/test-connection", "POST /api/odoo/sync-contacts", "GET /api/odoo/partners/search",
  "GET /api/odoo/orders", "GET /api/odoo/products/{id}/stock", "POST /api/odoo/leads",
];

type Operation = { parameters?: Array<{ name: string; in: string; required: boolean }>; requestBody?: any; security: unknown[]; "x-permissions": unknown };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe("the OpenAPI document", () => {
  let doc: Doc;
  beforeAll(async () => {
    const res = await h.request<Doc>("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    doc = res.body;
  });

  it("is OpenAPI 3.1 and lists every endpoint of the seed built so far", () => {
    expect(doc.openapi).toBe("3.1.0");
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented).toEqual(expect.arrayContaining(SEED));
  });

  it("documents only routes that are served, with their path parameters and permissions", async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        expect(op.parameters?.filter((p) => p.in === "path").map((p) => p.name) ?? []).toEqual(names);
        const url = path.replace(/\{\w+\}/g, "00000000-0000-4000-8000-000000000000");
        // Without a token a served route answers 401 (or, when public, anything but 404 for an unknown route).
        const res = await h.request(method.toUpperCase(), url, { body: method === "get" || method === "delete" ? undefined : {} });
        if (op["x-permissions"] === "public") expect(res.body?.detail?.message ?? "").not.toMatch(/not found/i);
        else expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 401]);
      }
    }
  });

  it("describes bodies and queries from the actions' own validation rules", () => {
    const send = doc.paths["/api/conversations/{id}/messages"]!.post!;
    expect(send.requestBody.content["application/json"].schema).toMatchObject({
      required: ["type"],
      properties: { type: { type: "string", enum: expect.arrayContaining(["text", "image", "buttons", "list"]) }, content: { oneOf: [{ type: "string", maxLength: 4096 }, { type: "null" }] } },
    });
    expect(send.security).toEqual([{ bearer: [] }]);
    const list = doc.paths["/api/conversations"]!.get!;
    expect(list.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "status", in: "query", required: false })]));
    expect(doc.paths["/api/auth/login"]!.post!.security).toEqual([]);
  });
});

describe("validation rules as JSON Schema", () => {
  it("converts the rules our actions use", () => {
    expect(schemaOf("uuid")).toEqual({ type: "string", format: "uuid" });
    expect(schemaOf({ type: "number", integer: true, min: 1, max: 100, default: 20 })).toEqual({ type: "integer", minimum: 1, maximum: 100, default: 20 });
    expect(schemaOf({ type: "string", pattern: /^\/x$/, nullable: true })).toEqual({ oneOf: [{ type: "string", pattern: "^\\/x$" }, { type: "null" }] });
    expect(schemaOf({ type: "array", items: { type: "string", max: 5 }, max: 3 })).toEqual({ type: "array", items: { type: "string", maxLength: 5 }, maxItems: 3 });
    expect(schemaOf({ type: "object", props: { a: "email", b: { type: "boolean", optional: true } } })).toEqual({
      type: "object",
      properties: { a: { type: "string", format: "email" }, b: { type: "boolean" } },
      required: ["a"],
    });
  });
});

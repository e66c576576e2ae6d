// GET /api/openapi.json describes the routes really served, and the seed's endpoints are among them.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { harness } from "./support/harness";
import { schemaOf } from "../lib/http/openapi";
import { sampleOf, type JsonSchema } from "./support/samples";

const h = harness();
const TYPES_FILE = path.join(__dirname, "support", "api-types.ts");
const TYPES_HEADER = "// Generated from GET /api/openapi.json by test/openapi.test.ts (UPDATE_API_TYPES=1 rewrites it); do not edit.";

// Every endpoint of the seed.
const SEED = [
  "POST /api/auth/login",
  "POST /api/auth/refresh",
  "POST /api/auth/logout",
  "GET /api/auth/me",
  "GET /api/users",
  "POST /api/users",
  "GET /api/users/{id}",
  "PUT /api/users/{id}",
  "DELETE /api/users/{id}",
  "PUT /api/users/{id}/status",
  "GET /api/whatsapp/accounts",
  "POST /api/whatsapp/accounts",
  "GET /api/whatsapp/accounts/{id}/qr",
  "GET /api/whatsapp/accounts/{id}/status",
  "POST /api/whatsapp/accounts/{id}/disconnect",
  "POST /api/whatsapp/accounts/{id}/reconnect",
  "GET /api/contacts",
  "POST /api/contacts",
  "GET /api/contacts/{id}",
  "PUT /api/contacts/{id}",
  "POST /api/contacts/{id}/tags",
  "GET /api/conversations",
  "GET /api/conversations/{id}",
  "POST /api/conversations/{id}/assign",
  "POST /api/conversations/{id}/transfer",
  "POST /api/conversations/{id}/resolve",
  "POST /api/conversations/{id}/reopen",
  "GET /api/conversations/{id}/messages",
  "POST /api/conversations/{id}/messages",
  "POST /api/conversations/{id}/notes",
  "GET /api/quick-replies",
  "POST /api/quick-replies",
  "PUT /api/quick-replies/{id}",
  "DELETE /api/quick-replies/{id}",
  "GET /api/queues",
  "POST /api/queues",
  "GET /api/queues/{id}",
  "PUT /api/queues/{id}",
  "POST /api/queues/{id}/agents",
  "DELETE /api/queues/{id}/agents/{user_id}",
  "GET /api/queues/{id}/stats",
  "GET /api/flows",
  "POST /api/flows",
  "GET /api/flows/{id}",
  "PUT /api/flows/{id}",
  "POST /api/flows/{id}/duplicate",
  "PUT /api/flows/{id}/toggle",
  "POST /api/flows/{id}/test",
  "POST /api/contacts/{id}/sync-odoo",
  "POST /api/odoo/test-connection",
  "POST /api/odoo/sync-contacts",
  "GET /api/odoo/partners/search",
  "GET /api/odoo/orders",
  "GET /api/odoo/products/{id}/stock",
  "POST /api/odoo/leads",
];

type Operation = {
  summary?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: any;
  security: unknown[];
  "x-permissions": unknown;
  responses: Record<string, { $ref?: string; description?: string; content?: Record<string, { schema: unknown }> }>;
};
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

  it("lints clean with Redocly's recommended rules", async () => {
    const file = path.join(os.tmpdir(), `charla-openapi-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, "support", "lint-openapi.mjs"), file]);
      const problems = JSON.parse(stdout) as Array<{ rule: string; severity: string; where: string }>;
      // The probes (health, readiness, the two documents) have no client error to answer with: the one warning kept.
      const probes = ["/api/health", "/api/ready", "/api/openapi.json", "/api/asyncapi.json"].map(
        (probe) => `#/paths/${probe.replace(/\//g, "~1")}/get/responses`,
      );
      expect(problems.filter((problem) => !(problem.rule === "operation-4xx-response" && probes.includes(problem.where)))).toEqual([]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("is what the tests' typed client is generated from (UPDATE_API_TYPES=1 writes it)", async () => {
    const file = path.join(os.tmpdir(), `charla-openapi-types-${process.pid}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, "support", "generate-api-types.mjs"), file], {
        maxBuffer: 16 * 1024 * 1024,
      });
      const generated = `${TYPES_HEADER}\n${stdout}`;
      if (process.env.UPDATE_API_TYPES === "1") fs.writeFileSync(TYPES_FILE, generated);
      // Out of date: run `UPDATE_API_TYPES=1 npx jest test/openapi.test.ts` and commit the file.
      expect(fs.readFileSync(TYPES_FILE, "utf8") === generated).toBe(true);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("gives every operation a summary, a tag, its success body and the statuses it answers with", () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect([where, typeof op.summary, op.tags?.length]).toEqual([where, "string", 1]);
        const success = Object.keys(op.responses).filter((status) => status.startsWith("2"));
        expect([where, success.length > 0]).toEqual([where, true]);
        for (const status of success.filter((code) => code !== "204"))
          expect([where, status, op.responses[status]!.content]).toEqual([where, status, expect.any(Object)]);
        expect([where, op.responses["503"]]).toEqual([where, { $ref: "#/components/responses/Unavailable" }]);
        if (op["x-permissions"] !== "public") expect([where, op.responses["401"], op.responses["403"]]).toEqual([where, expect.anything(), expect.anything()]);
      }
    }
    // The statuses the seed's client trips over are declared where they happen.
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path]![method]!.responses);
    expect(statuses("/api/auth/login", "post")).toEqual(expect.arrayContaining(["200", "400", "401", "413", "415", "422", "429"]));
    expect(statuses("/api/auth/logout", "post")).toContain("204");
    expect(statuses("/api/auth/logout", "post")).not.toContain("200");
    expect(statuses("/api/contacts/{id}/tags/{tag}", "delete")).toContain("200");
    expect(statuses("/api/users", "post")).toEqual(expect.arrayContaining(["201", "409"]));
    expect(statuses("/api/users", "post")).not.toContain("200");
    expect(doc.paths["/api/users/{id}"]!.delete!.responses["409"]!.description).toContain("LAST_ADMIN");
    expect(doc.paths["/api/whatsapp/accounts/{id}/qr"]!.get!.responses["409"]!.description).toContain("QR_NOT_AVAILABLE");
    expect(doc.paths["/api/conversations/{id}/reopen"]!.post!.responses["409"]!.description).toContain("CONVERSATION_OPEN");
    expect(doc.paths["/api/users"]!.get!.responses["200"]!.content!["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/UserPage" });
  });

  it("publishes the bodies as components: strict objects, with the list envelopes", () => {
    const schemas = (
      doc as unknown as {
        components: { schemas: Record<string, { additionalProperties?: boolean; required?: string[]; properties?: Record<string, unknown> }> };
      }
    ).components.schemas;
    for (const name of ["User", "Contact", "Conversation", "Message", "Flow", "Queue", "QuickReply", "Account"])
      expect([name, schemas[name]?.additionalProperties]).toEqual([name, false]);
    for (const name of ["User", "Contact", "Conversation", "Flow", "Queue", "QuickReply", "Account"])
      expect(schemas[`${name}Page`]?.required).toEqual(["items", "total", "page", "limit"]);
    expect(schemas.MessagePage!.required).toEqual(["items", "has_more", "limit"]);
    expect(schemas.NodeTypeList!.required).toEqual(["items"]);
  });

  it("describes bodies and queries from the actions' own validation rules", () => {
    const send = doc.paths["/api/conversations/{id}/messages"]!.post!;
    expect(send.requestBody.content["application/json"].schema).toMatchObject({
      required: ["type"],
      properties: {
        type: { type: "string", enum: expect.arrayContaining(["text", "image", "buttons", "list"]) },
        content: { oneOf: [{ type: "string", maxLength: 4096 }, { type: "null" }] },
      },
    });
    expect(send.security).toEqual([{ bearer: [] }]);
    const list = doc.paths["/api/conversations"]!.get!;
    expect(list.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "status", in: "query", required: false })]));
    expect(doc.paths["/api/auth/login"]!.post!.security).toEqual([]);
  });

  it("marks nullable exactly the fields whose null the API accepts", async () => {
    const admin = await h.admin();
    const checked: string[] = [];
    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const schema = op.requestBody?.content["application/json"].schema as JsonSchema | undefined;
        if (!schema) continue;
        // Unknown ids: whatever the validator lets through stops at a 404 and stores nothing.
        const url = path.replace(/\{\w+\}/g, "00000000-0000-4000-8000-000000000000");
        for (const [field, rule] of Object.entries(schema.properties ?? {})) {
          const others = Object.fromEntries(
            (schema.required ?? []).filter((name) => name !== field).map((name) => [name, sampleOf(name, schema.properties![name]!, { named: SAMPLES })]),
          );
          const res = await h.request(method.toUpperCase(), url, { token: admin.token, body: { ...others, [field]: null } });
          const refused = res.status === 422 && res.body?.detail?.field === field;
          const nullable = (rule.oneOf ?? []).some((option) => option.type === "null");
          checked.push(`${method} ${path} ${field}`);
          if (res.status >= 500 || refused === nullable)
            wrong.push(
              `${method.toUpperCase()} ${path} ${field}: null → ${res.status} ${JSON.stringify(res.body?.detail)} (documented ${nullable ? "" : "not "}nullable)`,
            );
        }
      }
    }
    expect(checked.length).toBeGreaterThan(50);
    expect(wrong).toEqual([]);
    expect(doc.paths["/api/quick-replies"]!.post!.requestBody.content["application/json"].schema.properties.queue_id.oneOf).toContainEqual({ type: "null" });
    expect(doc.paths["/api/conversations/{id}/resolve"]!.post!.requestBody.content["application/json"].schema.properties.resolution_note).toEqual({
      type: "string",
      maxLength: 2000,
    });
  });
});

// A value the rule accepts, so that the field under test is the first (and only) one refused.
const SAMPLES: Record<string, unknown> = {
  shortcut: "/muestra",
  from: "+525511223344",
  phone_number: "+525511223344",
  wa_message_id: "abcd1234",
  timezone: "America/Mexico_City",
};

describe("validation rules as JSON Schema", () => {
  it("converts the rules our actions use", () => {
    expect(schemaOf("uuid")).toEqual({ type: "string", format: "uuid" });
    expect(schemaOf({ type: "number", integer: true, min: 1, max: 100, default: 20 })).toEqual({ type: "integer", minimum: 1, maximum: 100, default: 20 });
    expect(schemaOf({ type: "string", pattern: /^\/x$/, nullable: true })).toEqual({ oneOf: [{ type: "string", pattern: "^\\/x$" }, { type: "null" }] });
    expect(schemaOf("string|min:2|optional|nullable")).toEqual({ oneOf: [{ type: "string", minLength: 2 }, { type: "null" }] });
    expect(schemaOf({ type: "string", optional: true })).toEqual({ type: "string" });
    expect(schemaOf({ type: "array", items: { type: "string", max: 5 }, max: 3 })).toEqual({
      type: "array",
      items: { type: "string", maxLength: 5 },
      maxItems: 3,
    });
    expect(schemaOf({ type: "object", props: { a: "email", b: { type: "boolean", optional: true } } })).toEqual({
      type: "object",
      properties: { a: { type: "string", format: "email" }, b: { type: "boolean" } },
      required: ["a"],
    });
  });
});

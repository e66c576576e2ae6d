// Odd values in every field of every writing endpoint: always a 4xx in the error format, never a 500.
import { database } from "../lib/db/connection";
import { harness } from "./support/harness";
import { single } from "../lib/db/tables";
const h = harness();

const weird: unknown[] = [
  null,
  0,
  -1,
  1e308,
  "",
  "x".repeat(5000),
  [],
  [1, 2],
  {},
  { a: { b: [] } },
  true,
  "00000000-0000-4000-8000-000000000000",
  "' OR 1=1 --",
  "\u0000",
  { $gt: "" },
  [{ toString: "x" }],
];

describe("null", () => {
  it("is refused for an optional field that is not nullable, naming the field, and changes nothing", async () => {
    const admin = await h.admin();
    const acc = (await admin.post("/api/whatsapp/accounts", { name: "N", provider: "simulator" })).body.id;
    const contact = (await admin.post("/api/contacts", { phone_number: "+525511220000" })).body.id;
    const { id: conversation } = single(
      await database()("conversations").insert({ contact_id: contact, whatsapp_account_id: acc }).returning("id"),
      "test row",
    );
    const accounts = await database()("whatsapp_accounts").count({ n: "*" }).first();
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ["POST", `/api/conversations/${conversation}/resolve`, { resolution_note: null }, "resolution_note"],
      ["POST", "/api/queues", { name: "Nula", assignment_method: null }, "assignment_method"],
      ["POST", "/api/whatsapp/accounts", { name: "Otra", provider: null }, "provider"],
      ["POST", `/api/simulator/accounts/${acc}/inbound`, { from: "+525511229999", type: "text", text: null }, "text"],
      ["PUT", `/api/contacts/${contact}`, { metadata: null }, "metadata"],
      ["POST", `/api/conversations/${conversation}/messages`, { type: "image", content: "x", media_url: null }, "media_url"],
    ];
    for (const [method, url, body, field] of cases) {
      const res = await h.request(method, url, { token: admin.token, body });
      expect([method, url, res.status, res.body.detail]).toEqual([method, url, 422, expect.objectContaining({ code: "VALIDATION_ERROR", field })]);
    }
    expect((await admin.get(`/api/conversations/${conversation}`)).body.status).not.toBe("resolved");
    expect(await database()("whatsapp_accounts").count({ n: "*" }).first()).toEqual(accounts);
    expect(await database()("queues").where({ name: "Nula" }).first()).toBeUndefined();
  });

  it("clears a field declared nullable", async () => {
    const admin = await h.admin();
    const reply = await admin.post("/api/quick-replies", { shortcut: "/nula", content: "Hola", queue_id: null });
    expect(reply.status).toBe(201);
    const contact = (await admin.post("/api/contacts", { phone_number: "+525511221111", email: "a@b.mx", name: "Ana" })).body.id;
    const cleared = await admin.put(`/api/contacts/${contact}`, { email: null, name: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ email: null, name: null });
  });
});

it("refuses a NUL in a path segment as in a body: 422 naming it, the row untouched", async () => {
  const admin = await h.admin();
  const contact = (await admin.post("/api/contacts", { phone_number: "+525511222222", tags: ["vip"] })).body.id;
  const res = await admin.delete(`/api/contacts/${contact}/tags/vip%00x`);
  expect(res.status).toBe(422);
  expect(res.body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: "tag" });
  expect((await admin.get(`/api/contacts/${contact}`)).body.tags).toEqual(["vip"]);
});

// Last: its odd values land in the admin's own account too.
it("never answers 500 to odd input, and always in the error format", async () => {
  const admin = await h.admin();
  const acc = (await admin.post("/api/whatsapp/accounts", { name: "F", provider: "simulator" })).body.id;
  const contact = (await admin.post("/api/contacts", { phone_number: "+525511223344" })).body.id;
  const { id: conversation } = single(await database()("conversations").insert({ contact_id: contact, whatsapp_account_id: acc }).returning("id"), "test row");
  const reply = (await admin.post("/api/quick-replies", { shortcut: "/x", content: "x" })).body.id;
  const c = `/api/conversations/${conversation}`;
  const q = `/api/queues/${(await admin.post("/api/queues", { name: "Q" })).body.id}`;
  const f = `/api/flows/${(await admin.post("/api/flows", { name: "F", trigger_type: "manual", nodes: { nodes: [{ id: "start", type: "start" }], edges: [] } })).body.id}`;
  const routes: Array<[string, string, string[]]> = [
    ["POST", "/api/auth/login", ["email", "password"]],
    ["POST", "/api/auth/refresh", ["refresh_token"]],
    ["POST", "/api/users", ["email", "password", "name", "role"]],
    ["PUT", `/api/users/${admin.user.id}`, ["email", "name", "role", "is_active", "password"]],
    ["PUT", `/api/users/${admin.user.id}/status`, ["status"]],
    ["GET", "/api/users?", ["role", "status", "page", "limit", "search"]],
    ["POST", "/api/whatsapp/accounts", ["name", "provider"]],
    ["PUT", `/api/whatsapp/accounts/${acc}`, ["name"]],
    ["POST", `/api/simulator/accounts/${acc}/scan`, ["phone_number"]],
    ["POST", `/api/simulator/accounts/${acc}/inbound`, ["from", "type", "text", "media_url", "latitude", "wa_message_id"]],
    ["POST", `/api/simulator/accounts/${acc}/receipts`, ["wa_message_id", "status"]],
    ["POST", `/api/simulator/accounts/${acc}/disconnect`, ["reason"]],
    ["POST", "/api/contacts", ["phone_number", "name", "email", "tags", "metadata"]],
    ["PUT", `/api/contacts/${contact}`, ["phone_number", "tags", "metadata", "email"]],
    ["POST", `/api/contacts/${contact}/tags`, ["tags"]],
    ["POST", "/api/quick-replies", ["shortcut", "content", "queue_id"]],
    ["GET", "/api/quick-replies?", ["queue_id", "search", "page"]],
    ["GET", "/api/contacts?", ["search", "tags", "has_odoo", "page", "limit"]],
    ["GET", "/api/conversations?", ["status", "queue_id", "assigned_to", "priority", "contact_id", "page", "limit"]],
    ["PUT", c, ["priority"]],
    ["POST", `${c}/assign`, ["user_id"]],
    ["POST", `${c}/transfer`, ["queue_id"]],
    ["POST", `${c}/resolve`, ["resolution_note"]],
    ["GET", `${c}/messages?`, ["before", "limit"]],
    ["POST", `${c}/messages`, ["type", "content", "media_url", "metadata", "idempotency_key"]],
    ["POST", `${c}/notes`, ["content"]],
    ["POST", `${c}/quick-replies/${reply}/render`, ["send"]],
    ["GET", `${c}/events?`, ["page", "limit"]],
    [
      "POST",
      "/api/queues",
      ["name", "description", "assignment_method", "max_per_agent", "sla_first_response", "business_hours", "timezone", "holidays", "fallback_flow_id"],
    ],
    ["PUT", q, ["name", "business_hours", "timezone", "holidays", "sla_resolution"]],
    ["POST", `${q}/agents`, ["user_id", "is_supervisor", "skills"]],
    ["PUT", c, ["required_skills"]],
    ["GET", "/api/queues?", ["page", "limit"]],
    ["POST", "/api/flows", ["name", "trigger_type", "trigger_value", "whatsapp_account_id", "nodes", "is_active"]],
    ["PUT", f, ["name", "trigger_type", "trigger_value", "nodes", "is_active"]],
    ["PUT", `${f}/toggle`, ["is_active"]],
    ["POST", `${f}/test`, ["phone_number", "initial_message", "replies"]],
    ["GET", "/api/flows?", ["trigger_type", "is_active", "page"]],
    ["PUT", "/api/odoo/settings", ["url", "database", "username", "api_key", "protocol", "timeout_ms"]],
    ["POST", "/api/odoo/test-connection", ["url", "database", "api_key", "protocol", "timeout_ms"]],
    ["GET", "/api/odoo/partners/search?", ["phone", "email", "name", "limit"]],
    ["GET", "/api/odoo/orders?", ["partner_id", "state", "limit"]],
    ["POST", "/api/odoo/leads", ["name", "email", "expected_revenue", "partner_id", "description"]],
  ];
  const bad: string[] = [];
  for (const [method, url, fields] of routes) {
    for (const field of fields)
      for (const value of weird) {
        const res =
          method === "GET"
            ? await h.request("GET", `${url}${field}=${encodeURIComponent(typeof value === "string" ? value : JSON.stringify(value))}`, { token: admin.token })
            : await h.request(method, url, { token: admin.token, body: { [field]: value } });
        const unformatted = res.status >= 400 && typeof res.body?.detail?.code !== "string";
        if (res.status >= 500 || unformatted)
          bad.push(`${method} ${url} ${field}=${JSON.stringify(value).slice(0, 40)} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    for (const raw of ["[]", '"text"', "123", "null"]) {
      if (method === "GET") continue;
      const res = await h.request(method, url, { token: admin.token, rawBody: raw, headers: { "content-type": "application/json" } });
      if (res.status >= 500) bad.push(`${method} ${url} raw ${raw} → ${res.status}`);
    }
  }
  // A body that claims a Content-Encoding it does not have.
  for (const encoding of ["gzip", "deflate"]) {
    const res = await h.request("POST", "/api/contacts", {
      token: admin.token,
      rawBody: "{}",
      headers: { "content-type": "application/json", "content-encoding": encoding },
    });
    if (res.status !== 400 || res.body?.detail?.code !== "MALFORMED_JSON")
      bad.push(`POST /api/contacts content-encoding ${encoding} → ${res.status} ${JSON.stringify(res.body)}`);
  }
  for (const path of [
    "/api/users/%zz",
    "/api/contacts/%E0%A4%A",
    `/api/contacts/${contact}/tags/%zz`,
    "/api/media/..%2F..%2Fetc",
    "/api/conversations/%zz/messages",
  ]) {
    const res = await h.request("GET", path, { token: admin.token });
    if (res.status >= 500) bad.push(`GET ${path} → ${res.status}`);
  }
  expect(bad).toEqual([]);
}, 120000);

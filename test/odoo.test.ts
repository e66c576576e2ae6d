// The Odoo integration against a fake Odoo that follows the external API
// contract (test/support/fake-odoo.ts), as Odoo 16, 17, 18 and 19.
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { FakeOdoo, type OdooVersion } from "./support/fake-odoo";

const h = harness({ env: { ODOO_TIMEOUT_MS: "2000" } });
let admin: Client;

beforeAll(async () => {
  admin = await h.admin();
});

const settingsFor = (odoo: FakeOdoo, extra: Record<string, unknown> = {}) => ({
  url: odoo.url,
  database: odoo.database,
  username: odoo.login,
  api_key: odoo.apiKey,
  ...extra,
});

it("is a clear 4xx until Odoo is configured", async () => {
  const res = await admin.get("/api/odoo/partners/search?name=Ana");
  expect([res.status, res.body.detail.code]).toEqual([409, "ODOO_NOT_CONFIGURED"]);
  expect((await admin.get("/api/odoo/settings")).body).toMatchObject({ configured: false, source: "none", api_key_set: false });
});

describe.each([16, 17, 18, 19] as OdooVersion[])("Odoo %i", (version) => {
  let odoo: FakeOdoo;

  beforeAll(async () => {
    odoo = new FakeOdoo({ version, denied: [] });
    await odoo.start();
    const saved = await admin.put("/api/odoo/settings", settingsFor(odoo));
    expect(saved.status).toBe(200);
  });
  afterAll(() => odoo.stop());

  it("stores the API key encrypted and never shows it", async () => {
    const view = (await admin.get("/api/odoo/settings")).body;
    expect(view).toEqual({
      configured: true,
      source: "database",
      url: odoo.url,
      database: "mydb",
      username: "bot@acme.mx",
      api_key_set: true,
      protocol: "auto",
      timeout_ms: 2000,
      updated_at: expect.any(String),
    });
    const row = await database()("odoo_settings").first();
    expect(row!.api_key_encrypted).not.toContain("KEY");
    expect(JSON.stringify(view)).not.toContain(odoo.apiKey);
    const agent = await h.as("agent");
    expect((await agent.get("/api/odoo/settings")).status).toBe(403);
    expect((await agent.put("/api/odoo/settings", settingsFor(odoo))).status).toBe(403);
  });

  it("tells a wrong URL, a wrong database and wrong credentials apart, and reports the version", async () => {
    const ok = (await admin.post("/api/odoo/test-connection")).body;
    expect(ok).toMatchObject({ ok: true, server_version: `${version}.0`, major_version: version, protocol: version >= 19 ? "json2" : "jsonrpc" });
    const wrongUrl = (await admin.post("/api/odoo/test-connection", { url: "http://127.0.0.1:9", api_key: odoo.apiKey })).body;
    expect(wrongUrl).toMatchObject({ ok: false, code: "ODOO_UNREACHABLE" });
    // The saved key is never sent to another server.
    const otherServer = await admin.post("/api/odoo/test-connection", { url: "http://127.0.0.1:9" });
    expect([otherServer.status, otherServer.body.detail.field]).toEqual([422, "api_key"]);
    const moved = await admin.put("/api/odoo/settings", { url: "http://127.0.0.1:9", database: "mydb", username: "bot@acme.mx" });
    expect([moved.status, moved.body.detail.field]).toEqual([422, "api_key"]);
    const wrongDb = (await admin.post("/api/odoo/test-connection", { url: odoo.url, database: "otra" })).body;
    expect(wrongDb).toMatchObject({ ok: false, code: "ODOO_DATABASE_NOT_FOUND" });
    const wrongKey = (await admin.post("/api/odoo/test-connection", { url: odoo.url, api_key: "nope" })).body;
    expect(wrongKey).toMatchObject({ ok: false, code: "ODOO_CREDENTIALS" });
    const xml = (await admin.post("/api/odoo/test-connection", { url: odoo.url, protocol: "xmlrpc" })).body;
    expect(xml).toMatchObject({ ok: true, protocol: "xmlrpc", uid: 7 });
  });

  it("finds partners by phone whatever the format, by email ignoring case, by name; archived ones stay hidden", async () => {
    for (const query of ["phone=5512345678", "phone=%2B52%201%2055%201234-5678", "email=ANA@ACME.MX", "name=ana p"]) {
      const res = await admin.get(`/api/odoo/partners/search?${query}`);
      expect([query, res.status, res.body.items.map((p: { id: number }) => p.id)]).toEqual([query, 200, [42]]);
    }
    const [ana] = (await admin.get("/api/odoo/partners/search?email=ana@acme.mx")).body.items;
    expect(ana).toEqual({
      id: 42,
      name: "Ana Pérez",
      email: "ana@acme.mx",
      phone: "+52 55 1234 5678",
      mobile: null,
      is_company: false,
      parent: { id: 40, name: "Acme SA de CV" },
      active: true,
      write_date: "2024-05-02T17:03:11Z",
    });
    expect((await admin.get("/api/odoo/partners/search?name=Beto")).body.items).toEqual([]);
    expect((await admin.get("/api/odoo/partners/search")).status).toBe(422);
    expect((await admin.get("/api/odoo/partners/search?phone=12")).status).toBe(422);
  });

  it("lists a company's orders with states that mean the same on every version", async () => {
    const all = (await admin.get("/api/odoo/orders?partner_id=40")).body.items;
    expect(all.map((o: { name: string; state: string; locked: boolean }) => [o.name, o.state, o.locked])).toEqual([
      ["S00014", "draft", false],
      ["S00012", "sale", false],
      ["S00013", "locked", true],
    ]);
    expect(all[1]).toMatchObject({
      amount_total: 11600,
      currency: "MXN",
      partner: { id: 42, name: "Acme SA de CV, Ana Pérez" },
      date_order: "2024-05-02T16:40:00Z",
    });
    expect((await admin.get("/api/odoo/orders?partner_id=40&state=locked")).body.items.map((o: { name: string }) => o.name)).toEqual(["S00013"]);
    expect((await admin.get("/api/odoo/orders?partner_id=40&state=sale&limit=1")).body.items).toHaveLength(1);
    expect((await admin.get("/api/odoo/orders?partner_id=x")).status).toBe(422);
    expect((await admin.get("/api/odoo/orders?partner_id=40&state=done")).status).toBe(422);
  });

  it("reads stock by code or id, per warehouse when asked", async () => {
    expect((await admin.get("/api/odoo/products/SKU-1/stock")).body).toEqual({
      id: 9,
      name: "Widget",
      default_code: "SKU-1",
      qty_available: 25,
      virtual_available: 18,
      free_qty: 20,
      warehouse_id: null,
    });
    expect((await admin.get("/api/odoo/products/SKU-1/stock?warehouse_id=2")).body).toMatchObject({ qty_available: 5, warehouse_id: 2 });
    expect((await admin.get("/api/odoo/products/10/stock")).body).toMatchObject({ name: "Gadget", qty_available: 0 });
    expect((await admin.get("/api/odoo/products/NOPE/stock")).status).toBe(404);
  });

  it("creates leads with an HTML-safe description, without overwriting a partner's email", async () => {
    const res = await admin.post("/api/odoo/leads", {
      name: "Web inquiry",
      contact_name: "Ana Pérez",
      email: "otra@x.mx",
      description: "<b>10</b> unidades\nurgente",
      expected_revenue: 15000,
      partner_id: 42,
    });
    expect(res.status).toBe(201);
    const lead = odoo.data["crm.lead"]!.find((row) => row.id === res.body.id)!;
    expect(lead).toMatchObject({
      name: "Web inquiry",
      type: "lead",
      description: "<p>&lt;b&gt;10&lt;/b&gt; unidades</p><p>urgente</p>",
      expected_revenue: 15000,
      partner_id: 42,
    });
    expect(lead.email_from).toBeUndefined();
    const bad = await admin.post("/api/odoo/leads", { name: "" });
    expect([bad.status, bad.body.detail.field]).toEqual([422, "name"]);
  });

  it("links a contact to its partner, or creates one", async () => {
    const known = (await admin.post("/api/contacts", { phone_number: `+52 55 1234 99${version}`, name: "Ana" })).body;
    // Ana's partner has another number: a partner is created for this contact.
    const res = await admin.post(`/api/contacts/${known.id}/sync-odoo`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ has_odoo: true, odoo_partner_id: expect.any(Number) });
    const created = odoo.data["res.partner"]!.find((row) => row.id === res.body.odoo_partner_id)!;
    expect(created).toMatchObject({ name: "Ana", phone: known.phone_number });
    expect((await admin.post("/api/contacts/00000000-0000-4000-8000-000000000000/sync-odoo")).status).toBe(404);
  });

  it("maps Odoo's refusals: AccessError is a permission problem, a bad key a credentials one", async () => {
    odoo.options.denied!.push("crm.lead");
    for (const protocol of version >= 19 ? ["auto", "jsonrpc", "xmlrpc"] : ["auto", "xmlrpc"]) {
      await admin.put("/api/odoo/settings", settingsFor(odoo, { protocol }));
      const denied = await admin.post("/api/odoo/leads", { name: "Sin permiso" });
      expect([protocol, denied.status, denied.body.detail.code]).toEqual([protocol, 502, "ODOO_PERMISSION"]);
    }
    odoo.options.denied!.pop();
    await admin.put("/api/odoo/settings", settingsFor(odoo, { api_key: "wrong" }));
    const res = await admin.get("/api/odoo/partners/search?name=Ana");
    expect([res.status, res.body.detail.code]).toEqual([502, "ODOO_CREDENTIALS"]);
    await admin.put("/api/odoo/settings", settingsFor(odoo));
    expect((await admin.get("/api/odoo/partners/search?name=Ana")).status).toBe(200);
  });
});

describe("contact sync", () => {
  let odoo: FakeOdoo;
  beforeAll(async () => {
    odoo = new FakeOdoo({ version: 17 });
    await odoo.start();
    await database()("contacts").update({ deleted_at: new Date() });
    await database()("odoo_settings").update({ sync_cursor: null });
    await admin.put("/api/odoo/settings", settingsFor(odoo));
  });
  afterAll(() => odoo.stop());

  const runSync = async () => {
    const started = await admin.post("/api/odoo/sync-contacts");
    expect(started.status).toBe(202);
    return eventually(async () => {
      const job = (await admin.get(`/api/odoo/sync-contacts/${started.body.job_id}`)).body;
      return job.status !== "running" && job;
    }, 10_000);
  };

  it("pulls partners with phones, pushes contacts, and does not pull its own writes back", async () => {
    const local = (await admin.post("/api/contacts", { phone_number: "+525577776666", name: "Local", email: "local@x.mx" })).body;
    const socket = await h.socket({ token: admin.token });
    const progress: Array<{ phase: string }> = [];
    socket.on("odoo_sync_progress", (p: { phase: string }) => progress.push(p));

    const first = await runSync();
    expect(first).toMatchObject({ status: "done", created: 1, pushed: 1, error: null });
    const ana = await database()("contacts").where({ odoo_partner_id: 42 }).whereNull("deleted_at").first();
    expect(ana).toMatchObject({ phone_number: "+525512345678", name: "Ana Pérez", email: "ana@acme.mx" });
    // The company has no person behind it and Beto is archived: neither became a contact.
    expect(await database()("contacts").whereIn("odoo_partner_id", [40, 44]).whereNull("deleted_at")).toEqual([]);
    const pushed = (await admin.get(`/api/contacts/${local.id}`)).body;
    expect(pushed.has_odoo).toBe(true);
    expect(odoo.data["res.partner"]!.find((row) => row.id === pushed.odoo_partner_id)).toMatchObject({ name: "Local", email: "local@x.mx" });
    await eventually(() => progress.some((p) => p.phase === "done"));

    const again = await runSync();
    expect(again).toMatchObject({ status: "done", created: 0, updated: 0, pushed: 0 });

    odoo.touch("res.partner", 42, { name: "Ana P. Gómez" });
    await admin.put(`/api/contacts/${local.id}`, { name: "Local Renombrado" });
    const third = await runSync();
    expect(third).toMatchObject({ status: "done", updated: 1, pushed: 1 });
    expect((await database()("contacts").where({ id: ana!.id }).first())!.name).toBe("Ana P. Gómez");
    expect(odoo.data["res.partner"]!.find((row) => row.id === pushed.odoo_partner_id)!.name).toBe("Local Renombrado");

    // A partner deleted in Odoo: that contact fails, the others still sync.
    odoo.data["res.partner"] = odoo.data["res.partner"]!.filter((row) => row.id !== pushed.odoo_partner_id);
    await admin.put(`/api/contacts/${local.id}`, { name: "Sin partner" });
    const other = (await admin.post("/api/contacts", { phone_number: "+525577775555", name: "Otra" })).body;
    const fourth = await runSync();
    expect(fourth).toMatchObject({
      status: "done",
      pushed: 1,
      failed: 1,
      failures: [{ record: `contact ${local.id}`, error: expect.stringContaining("does not exist") }],
    });
    expect((await admin.get(`/api/contacts/${other.id}`)).body.has_odoo).toBe(true);
  });

  it("runs one sync at a time, and a job whose node died does not block the next", async () => {
    await database()("odoo_sync_jobs").insert({ status: "running", heartbeat_at: new Date(Date.now() - 3_600_000) });
    const afterCrash = await runSync();
    expect(afterCrash.status).toBe("done");
    expect(await database()("odoo_sync_jobs").where({ error: "Interrupted: the node running it stopped" })).toHaveLength(1);
    const [a, b] = await Promise.all([admin.post("/api/odoo/sync-contacts"), admin.post("/api/odoo/sync-contacts")]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    await runSync().catch(() => undefined);
  });
});

describe("Odoo 19 without the deprecated RPC endpoints", () => {
  it("speaks JSON-2 on auto, and says so when forced onto JSON-RPC", async () => {
    const odoo = new FakeOdoo({ version: 19, legacyRpc: false });
    await odoo.start();
    try {
      await admin.put("/api/odoo/settings", settingsFor(odoo));
      expect((await admin.get("/api/odoo/partners/search?phone=5512345678")).body.items.map((p: { id: number }) => p.id)).toEqual([42]);
      expect(odoo.calls.every((call) => call.protocol === "json2")).toBe(true);
      const forced = (await admin.post("/api/odoo/test-connection", { url: odoo.url, protocol: "jsonrpc" })).body;
      expect(forced).toMatchObject({ ok: false, code: "ODOO_UNREACHABLE" });
    } finally {
      await odoo.stop();
    }
  });
});

import { harness } from "./support/harness";

const h = harness();
const MISSING = "00000000-0000-4000-8000-000000000000";

const juan = {
  phone_number: "+525551234567",
  name: "Juan Pérez",
  email: "juan@email.com",
  company: "Empresa ABC",
  tags: ["lead", "interesado"],
  metadata: { producto_interes: "Laptop Pro" },
};

describe("contacts", () => {
  it("creates with the seed's body and answers the contact", async () => {
    const agent = await h.as("agent");
    const res = await agent.post("/api/contacts", juan);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ ...juan, has_odoo: false, odoo_partner_id: null });
    expect((await agent.get(`/api/contacts/${res.body.id}`)).body).toMatchObject({ id: res.body.id, name: "Juan Pérez" });
  });

  it("treats one number however it is written as one contact", async () => {
    const admin = await h.admin();
    const first = await admin.post("/api/contacts", { phone_number: "+52 55 1234 5678", name: "Ana" });
    expect(first.status).toBe(201);
    expect(first.body.phone_number).toBe("+525512345678");
    for (const written of ["+525512345678", "5512345678", "(55) 1234-5678"]) {
      const again = await admin.post("/api/contacts", { phone_number: written, name: "Ana otra vez" });
      expect(again.status).toBe(409);
      expect(again.body.detail).toMatchObject({ code: "CONFLICT", field: "phone_number" });
    }
  });

  it("never stores two contacts for one number created at once", async () => {
    const admin = await h.admin();
    const results = await Promise.all([1, 2, 3].map(() => admin.post("/api/contacts", { phone_number: "+525598760000" })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(results.find((r) => r.status === 409)!.body.detail.field).toBe("phone_number");
  });

  it("refuses numbers that do not parse and other bad fields with 422", async () => {
    const admin = await h.admin();
    expect((await admin.post("/api/contacts", { phone_number: "123" })).body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: "phone_number" });
    expect((await admin.post("/api/contacts", { phone_number: "llámame" })).body.detail.field).toBe("phone_number");
    expect((await admin.post("/api/contacts", { name: "Sin número" })).body.detail.field).toBe("phone_number");
    expect((await admin.post("/api/contacts", { phone_number: "+525500001234", email: "nope" })).body.detail.field).toBe("email");
    expect((await admin.post("/api/contacts", { phone_number: "+525500001234", tags: "vip" })).body.detail.field).toBe("tags");
  });

  it("updates fields and the number, refusing a number taken by another contact", async () => {
    const admin = await h.admin();
    const one = (await admin.post("/api/contacts", { phone_number: "+525500002001", name: "Uno" })).body;
    const two = (await admin.post("/api/contacts", { phone_number: "+525500002002", name: "Dos" })).body;
    const updated = await admin.put(`/api/contacts/${one.id}`, { name: "Uno bis", company: "ACME", phone_number: "55 0000 2003" });
    expect(updated.body).toMatchObject({ name: "Uno bis", company: "ACME", phone_number: "+525500002003" });
    const clash = await admin.put(`/api/contacts/${one.id}`, { phone_number: two.phone_number });
    expect(clash.status).toBe(409);
    expect((await admin.put(`/api/contacts/${MISSING}`, { name: "X" })).status).toBe(404);
  });

  it("adds tags without duplicates and removes one", async () => {
    const admin = await h.admin();
    const contact = (await admin.post("/api/contacts", { phone_number: "+525500003001", tags: ["lead"] })).body;
    const added = await admin.post(`/api/contacts/${contact.id}/tags`, { tags: ["vip", "cliente", "lead", "vip"] });
    expect(added.body.tags).toEqual(["lead", "vip", "cliente"]);
    const removed = await admin.delete(`/api/contacts/${contact.id}/tags/${encodeURIComponent("vip")}`);
    expect(removed.body.tags).toEqual(["lead", "cliente"]);
    expect((await admin.post(`/api/contacts/${contact.id}/tags`, { tags: [] })).status).toBe(422);
    expect((await admin.post(`/api/contacts/${MISSING}/tags`, { tags: ["x"] })).status).toBe(404);
  });

  it("lists with search ignoring case and accents, tag and Odoo filters, and pages", async () => {
    const admin = await h.admin();
    const jose = (await admin.post("/api/contacts", { phone_number: "+525500004001", name: "José Ñúñez", email: "JOSE@Correo.mx", tags: ["vip"] })).body;
    await admin.post("/api/contacts", { phone_number: "+525500004002", name: "Otra Persona", tags: ["frio"] });
    const ids = async (query: string) => ((await admin.get(`/api/contacts?${query}`)).body.items as Array<{ id: string }>).map((c) => c.id);
    expect(await ids("search=jose%20nunez")).toContain(jose.id);
    expect(await ids("search=NÚÑEZ")).toContain(jose.id);
    expect(await ids("search=correo.mx")).toContain(jose.id);
    expect(await ids("search=0000-4001")).toEqual([jose.id]);
    expect(await ids("tags=vip")).toContain(jose.id);
    expect(await ids("tags=frio,vip")).toContain(jose.id);
    expect(await ids("tags=frio&tags=nada")).not.toContain(jose.id);
    expect(await ids("has_odoo=true")).not.toContain(jose.id);
    expect(await ids("has_odoo=false")).toContain(jose.id);
    const page = await admin.get("/api/contacts?limit=2&page=1");
    expect(page.body).toMatchObject({ page: 1, limit: 2, total: expect.any(Number) });
    expect(page.body.items).toHaveLength(2);
    expect((await admin.get("/api/contacts?limit=500")).status).toBe(422);
  });

  it("needs a signed-in user", async () => {
    expect((await h.request("GET", "/api/contacts")).status).toBe(401);
    expect((await h.request("POST", "/api/contacts", { body: juan })).status).toBe(401);
    expect((await (await h.admin()).get(`/api/contacts/${MISSING}`)).status).toBe(404);
  });
});

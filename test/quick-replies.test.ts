import { database } from "../lib/db/connection";
import { harness, type Client } from "./support/harness";
import { single } from "../lib/db/tables";

const h = harness();
const MISSING = "00000000-0000-4000-8000-000000000000";

async function queue(name: string, members: Array<{ user: Client; supervisor?: boolean }> = []): Promise<string> {
  const { id } = single(await database()("queues").insert({ name }).returning("id"), "test row");
  for (const { user, supervisor } of members)
    await database()("queue_agents").insert({ queue_id: id, user_id: user.user.id, is_supervisor: Boolean(supervisor) });
  return id;
}

describe("quick replies", () => {
  it("creates the seed's example and lists it", async () => {
    const admin = await h.admin();
    const res = await admin.post("/api/quick-replies", {
      shortcut: "/saludo",
      content: "¡Hola {{contact.name}}! Soy {{agent.name}}, ¿en qué te puedo ayudar?",
      queue_id: null,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ shortcut: "/saludo", queue_id: null, created_by: admin.user.id });
    expect((await admin.get("/api/quick-replies?search=/sal")).body.items.map((r: { id: string }) => r.id)).toContain(res.body.id);
  });

  it("keeps shortcuts unique per scope, whatever the case", async () => {
    const admin = await h.admin();
    const ventas = await queue("Ventas QR");
    await admin.post("/api/quick-replies", { shortcut: "/precio", content: "Global" });
    const again = await admin.post("/api/quick-replies", { shortcut: "/PRECIO", content: "Otra" });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatchObject({ code: "CONFLICT", field: "shortcut" });
    expect((await admin.post("/api/quick-replies", { shortcut: "/precio", content: "De ventas", queue_id: ventas })).status).toBe(201);
    expect((await admin.post("/api/quick-replies", { shortcut: "/precio", content: "Otra de ventas", queue_id: ventas })).status).toBe(409);
    const racing = await Promise.all([1, 2, 3].map(() => admin.post("/api/quick-replies", { shortcut: "/carrera", content: "x" })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    expect(racing.find((r) => r.status === 409)!.body.detail.field).toBe("shortcut");
  });

  it("validates shortcut, content and queue", async () => {
    const admin = await h.admin();
    for (const shortcut of ["saludo", "/", "/con espacio", `/${"x".repeat(41)}`]) {
      expect((await admin.post("/api/quick-replies", { shortcut, content: "x" })).body.detail.field).toBe("shortcut");
    }
    expect((await admin.post("/api/quick-replies", { shortcut: "/vacio", content: "" })).body.detail.field).toBe("content");
    expect((await admin.post("/api/quick-replies", { shortcut: "/cola", content: "x", queue_id: MISSING })).status).toBe(422);
  });

  it("shows each person the global replies and those of their queues", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    const mine = await queue("Soporte QR", [{ user: agent }]);
    const other = await queue("Cobranza QR");
    const global = (await admin.post("/api/quick-replies", { shortcut: "/hola", content: "Hola" })).body.id;
    const ofMine = (await admin.post("/api/quick-replies", { shortcut: "/soporte", content: "Soporte", queue_id: mine })).body.id;
    const ofOther = (await admin.post("/api/quick-replies", { shortcut: "/cobro", content: "Cobro", queue_id: other })).body.id;
    const seen = ((await agent.get("/api/quick-replies?limit=100")).body.items as Array<{ id: string }>).map((r) => r.id);
    expect(seen).toEqual(expect.arrayContaining([global, ofMine]));
    expect(seen).not.toContain(ofOther);
    expect(((await admin.get("/api/quick-replies?limit=100")).body.items as Array<{ id: string }>).map((r) => r.id)).toContain(ofOther);
  });

  it("lets supervisors edit global replies and their own queues' only; agents none", async () => {
    const admin = await h.admin();
    const supervisor = await h.as("supervisor");
    const agent = await h.as("agent");
    const theirs = await queue("Supervisada", [{ user: supervisor, supervisor: true }]);
    const notTheirs = await queue("Ajena");
    expect((await supervisor.post("/api/quick-replies", { shortcut: "/sup", content: "x", queue_id: theirs })).status).toBe(201);
    const refused = await supervisor.post("/api/quick-replies", { shortcut: "/sup", content: "x", queue_id: notTheirs });
    expect(refused.status).toBe(403);
    expect(refused.body.detail.field).toBe("queue_id");
    expect((await agent.post("/api/quick-replies", { shortcut: "/ag", content: "x" })).status).toBe(403);
    const reply = (await admin.post("/api/quick-replies", { shortcut: "/ajena", content: "x", queue_id: notTheirs })).body.id;
    expect((await supervisor.put(`/api/quick-replies/${reply}`, { content: "y" })).status).toBe(403);
    expect((await supervisor.delete(`/api/quick-replies/${reply}`)).status).toBe(403);
  });

  it("updates and deletes", async () => {
    const admin = await h.admin();
    const reply = (await admin.post("/api/quick-replies", { shortcut: "/editar", content: "antes" })).body.id;
    expect((await admin.put(`/api/quick-replies/${reply}`, { content: "después", shortcut: "/editado" })).body).toMatchObject({
      content: "después",
      shortcut: "/editado",
    });
    await admin.post("/api/quick-replies", { shortcut: "/ocupado", content: "x" });
    expect((await admin.put(`/api/quick-replies/${reply}`, { shortcut: "/ocupado" })).status).toBe(409);
    expect((await admin.delete(`/api/quick-replies/${reply}`)).status).toBe(204);
    expect((await admin.delete(`/api/quick-replies/${reply}`)).status).toBe(404);
    expect((await admin.put(`/api/quick-replies/${MISSING}`, { content: "x" })).status).toBe(404);
    expect((await h.request("GET", "/api/quick-replies")).status).toBe(401);
  });
});

// The two example flows of docs/flow-builder.md, end to end through the simulator:
// a sales menu that checks Odoo stock and hands off to a queue, and the queue's
// after-hours fallback that collects name and email and creates a lead.
import fs from "node:fs";
import path from "node:path";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";
import { FakeOdoo } from "./support/fake-odoo";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });
const example = (name: string) => fs.readFileSync(path.join(__dirname, "..", "docs", "flows", name), "utf8");

it("runs the sales menu, hands off to a closed queue, and its after-hours flow takes the contact's details", async () => {
  const admin: Client = await h.admin();
  const accountId = await connectedAccount(admin);
  const afterHours = await admin.post("/api/flows", JSON.parse(example("after-hours.json")));
  expect(afterHours.status).toBe(201);
  // Closed every day: the fallback flow answers.
  const queue = await admin.post("/api/queues", { name: "Ventas", assignment_method: "manual", business_hours: {}, fallback_flow_id: afterHours.body.id });
  expect(queue.body.is_open).toBe(false);
  const sales = await admin.post("/api/flows", JSON.parse(example("sales-menu.json").replace("<ventas-queue-id>", queue.body.id)));
  expect([sales.status, sales.body.warnings]).toEqual([201, []]);

  const phone = "+525599900001";
  const sent = async () =>
    ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(phone)}`)).body as Array<{ content: string }>).map(
      (m) => m.content,
    );
  const say = async (text: string, expected: number) => {
    await customerWrites(admin, accountId, phone, text, "Lucía");
    await eventually(async () => (await sent()).length >= expected, 5000);
  };
  await say("Hola", 2);
  await say("1", 3);
  await say("LAP-01", 7);
  await say("Lucía Gómez", 8);
  await say("lucia@", 9);
  await say("Lucia@Example.com", 10);
  expect(await sent()).toEqual([
    "¡Hola Lucía! Soy el asistente de ventas.",
    "¿Qué quieres hacer?",
    "Escribe el código del producto (por ejemplo LAP-01).",
    // No Odoo here: the stock check leaves by its error exit.
    "No pude consultar el inventario en este momento.",
    "Te paso con un asesor de ventas.",
    "Nuestro horario ya terminó. Déjanos tus datos y te buscamos mañana a primera hora.",
    "¿Cuál es tu nombre?",
    "¿Y tu correo electrónico?",
    "Ese correo no parece válido. ¿Lo escribes de nuevo?",
    "¡Gracias, Lucía Gómez! Te escribimos mañana.",
  ]);
  const conversation = await database()("conversations as c").join("contacts as k", "k.id", "c.contact_id").where("k.phone_number", phone).first("c.id");
  const body = (await admin.get(`/api/conversations/${conversation.id}`)).body;
  expect(body).toMatchObject({ status: "waiting", queue: { id: queue.body.id }, current_flow: null, contact: { name: "Lucía Gómez" } });
  const contact = (await admin.get(`/api/contacts/${body.contact.id}`)).body;
  expect(contact).toMatchObject({ email: "lucia@example.com", tags: ["interesado"] });
  const notes = (await admin.get(`/api/conversations/${conversation.id}/messages`)).body.items.filter((m: { type: string }) => m.type === "note");
  expect(notes).toEqual([
    expect.objectContaining({
      is_internal: true,
      sender: { type: "bot", id: null, name: null },
      content: expect.stringContaining("No se pudo crear el lead en Odoo"),
    }),
  ]);
});

it("answers from Odoo's stock when Odoo is configured", async () => {
  const odoo = new FakeOdoo({ version: 18 });
  await odoo.start();
  try {
    const admin: Client = await h.admin();
    await admin.put("/api/odoo/settings", { url: odoo.url, database: odoo.database, username: odoo.login, api_key: odoo.apiKey });
    const accountId = await connectedAccount(admin, "Con Odoo");
    const phone = "+525599900002";
    const sent = async () =>
      ((await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(phone)}`)).body as Array<{ content: string }>).map(
        (m) => m.content,
      );
    for (const [text, expected] of [
      ["Hola", 2],
      ["Ver existencias", 3],
      ["SKU-1", 5],
    ] as const) {
      await customerWrites(admin, accountId, phone, text);
      await eventually(async () => (await sent()).length >= expected, 5000);
    }
    // (The queue is closed, so its after-hours flow speaks next, as in the test above.)
    expect((await sent()).slice(3, 5)).toEqual(["Tenemos 25 de Widget.", "Te paso con un asesor de ventas."]);
    expect(odoo.calls.some((call) => call.model === "product.product" && call.method === "search_read")).toBe(true);
  } finally {
    await odoo.stop();
  }
});

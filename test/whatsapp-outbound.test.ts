import { harness, eventually, type Client } from "./support/harness";
import { database } from "../lib/db/connection";
import { connectedAccount, customerWrites } from "./support/inbox";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });

interface Setup {
  admin: Client;
  accountId: string;
  conversationId: string;
}

async function conversationWith(phone: string): Promise<Setup> {
  const admin = await h.admin();
  const accountId = await connectedAccount(admin, `Salida ${phone}`);
  const conversationId = await customerWrites(admin, accountId, phone);
  return { admin, accountId, conversationId };
}

const send = (params: Record<string, unknown>) => h.broker.call<Record<string, any>, Record<string, unknown>>("whatsapp.send", params);
const outbound = async (admin: Client, accountId: string, to?: string) =>
  (await admin.get(`/api/simulator/accounts/${accountId}/outbound${to ? `?to=${encodeURIComponent(to)}` : ""}`)).body as Array<Record<string, any>>;
const messageRow = (id: string) => database()("messages").where({ id }).first();

describe("sending", () => {
  it("stores the message pending, then the owning node sends it and records WhatsApp's id", async () => {
    const { admin, accountId, conversationId } = await conversationWith("+525511110001");
    const queued = await send({ conversation_id: conversationId, type: "text", content: "¿En qué te ayudo?" });
    expect(queued).toMatchObject({ status: "pending", direction: "outbound", sender_type: "agent" });
    await eventually(async () => (await messageRow(queued.id))!.status === "sent");
    const row = await messageRow(queued.id);
    const [received] = await outbound(admin, accountId, "+525511110001");
    expect(received).toMatchObject({ wa_message_id: row!.wa_message_id, type: "text", content: "¿En qué te ayudo?" });
  });

  it("sends every type in order, buttons and lists natively on the simulator", async () => {
    const { admin, accountId, conversationId } = await conversationWith("+525511110002");
    const messages: Array<Record<string, unknown>> = [
      { type: "text", content: "Hola" },
      { type: "image", content: "Catálogo", metadata: { media_url: "https://example.com/c.jpg" } },
      { type: "video", metadata: { media_url: "https://example.com/v.mp4" } },
      { type: "audio", metadata: { media_url: "https://example.com/a.ogg" } },
      { type: "document", metadata: { media_url: "https://example.com/q.pdf", filename: "cotizacion.pdf" } },
      { type: "location", metadata: { latitude: 19.43, longitude: -99.13, name: "Tienda" } },
      { type: "contact", metadata: { name: "Soporte", phone: "+525500000000" } },
      { type: "sticker", metadata: { media_url: "https://example.com/s.webp" } },
      { type: "reaction", content: "👍", metadata: { target_wa_message_id: "ABC" } },
      {
        type: "buttons",
        content: "¿Qué necesitas?",
        metadata: {
          buttons: [
            { id: "ventas", text: "Ventas" },
            { id: "soporte", text: "Soporte" },
          ],
        },
      },
      { type: "list", content: "Elige", metadata: { button_text: "Ver", sections: [{ title: "Productos", rows: [{ id: "laptop", title: "Laptops" }] }] } },
    ];
    for (const message of messages) await send({ conversation_id: conversationId, ...message });
    await eventually(async () => (await outbound(admin, accountId)).length === messages.length);
    const sent = await outbound(admin, accountId);
    expect(sent.map((m) => m.type)).toEqual(messages.map((m) => m.type));
    expect(sent[9]!.metadata.buttons).toHaveLength(2);
  });

  it("moves status forward with receipts, never back", async () => {
    const statuses: Array<Record<string, unknown>> = [];
    const probe = h.broker.createService({
      name: "status-probe",
      events: {
        "message.status"(ctx: { params: Record<string, unknown> }) {
          statuses.push(ctx.params);
        },
      },
    });
    const { admin, accountId, conversationId } = await conversationWith("+525511110003");
    const queued = await send({ conversation_id: conversationId, type: "text", content: "Tu pedido salió" });
    await eventually(async () => (await messageRow(queued.id))!.status === "sent");
    const wa = (await messageRow(queued.id))!.wa_message_id;
    const receipt = (status: string) => admin.post(`/api/simulator/accounts/${accountId}/receipts`, { wa_message_id: wa, status });
    expect((await receipt("delivered")).status).toBe(200);
    await eventually(async () => (await messageRow(queued.id))!.status === "delivered");
    await receipt("read");
    await eventually(async () => (await messageRow(queued.id))!.status === "read");
    await receipt("delivered");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await messageRow(queued.id)).toMatchObject({ status: "read" });
    expect(statuses.filter((s) => s.message_id === queued.id).map((s) => s.status)).toEqual(["sent", "delivered", "read"]);
    expect((await admin.post(`/api/simulator/accounts/${accountId}/receipts`, { wa_message_id: "UNKNOWN1", status: "read" })).status).toBe(404);
    await h.broker.destroyService(probe);
  });

  it("queues one message per idempotency key", async () => {
    const { admin, accountId, conversationId } = await conversationWith("+525511110004");
    const first = await send({ conversation_id: conversationId, type: "text", content: "Una vez", idempotency_key: "flow-step-1" });
    const again = await send({ conversation_id: conversationId, type: "text", content: "Una vez", idempotency_key: "flow-step-1" });
    expect(again.id).toBe(first.id);
    const racing = await Promise.all(
      [1, 2, 3].map(() => send({ conversation_id: conversationId, type: "text", content: "Carrera", idempotency_key: "flow-step-2" })),
    );
    expect(new Set(racing.map((m) => m.id)).size).toBe(1);
    await eventually(async () => (await messageRow(first.id))!.status === "sent");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await eventually(async () => (await outbound(admin, accountId)).length === 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await outbound(admin, accountId)).toHaveLength(2);
  });

  it("refuses bad messages with the field, and accounts that are off", async () => {
    const { admin, accountId, conversationId } = await conversationWith("+525511110005");
    const fails = async (params: Record<string, unknown>) => {
      try {
        await send({ conversation_id: conversationId, ...params });
      } catch (err) {
        return err as { code: number; type: string; data: any };
      }
      throw new Error("expected a refusal");
    };
    expect(await fails({ type: "text" })).toMatchObject({ code: 422, data: { field: "content" } });
    expect(await fails({ type: "image", metadata: { media_url: "ftp://x/y.jpg" } })).toMatchObject({ code: 422, data: { field: "media_url" } });
    const four = [1, 2, 3, 4].map((n) => ({ id: `b${n}`, text: `B${n}` }));
    expect(await fails({ type: "buttons", content: "x", metadata: { buttons: four } })).toMatchObject({ code: 422, data: { field: "metadata.buttons" } });
    expect(
      await fails({
        type: "buttons",
        content: "x",
        metadata: {
          buttons: [
            { id: "a", text: "A" },
            { id: "a", text: "B" },
          ],
        },
      }),
    ).toMatchObject({ data: { field: "metadata.buttons" } });
    const rows = Array.from({ length: 11 }, (_, n) => ({ id: `r${n}`, title: `R${n}` }));
    expect(await fails({ type: "list", content: "x", metadata: { button_text: "Ver", sections: [{ rows }] } })).toMatchObject({
      data: { field: "metadata.sections" },
    });
    expect(await fails({ type: "text", content: "x".repeat(4097) })).toMatchObject({ code: 422 });
    expect(await fails({ type: "text", content: "x", conversation_id: "00000000-0000-4000-8000-000000000000" })).toMatchObject({ code: 404 });

    await admin.post(`/api/whatsapp/accounts/${accountId}/disconnect`);
    expect(await fails({ type: "text", content: "¿sigues ahí?" })).toMatchObject({ code: 409, type: "NOT_CONNECTED" });
  });
});

import { applyReceipt, markSent, nextToSend, queueOutbound } from "../lib/inbox/outbound";
import { ingestMessage } from "../lib/inbox/ingest";
import { waMessageIdFor } from "../lib/whatsapp/outbound";
import { migratedDatabase } from "./support/database";

const { knex } = migratedDatabase();

async function conversation(): Promise<{ accountId: string; conversationId: string }> {
  const [{ id: accountId }] = await knex()("whatsapp_accounts").insert({ name: "Ventas", provider: "simulator", should_connect: true }).returning("id");
  const { conversationId } = await ingestMessage(knex(), accountId, {
    waMessageId: `IN${accountId.slice(0, 8)}`, fromMe: false, peer: { phone: "+525511112233", lid: "77@lid", pushName: "Ana" },
    type: "text", text: "Hola", metadata: {}, timestamp: new Date(),
  });
  return { accountId, conversationId };
}

describe("the outbound queue", () => {
  it("hands out messages oldest first, with the recipient's identities and a WhatsApp id fixed before the send", async () => {
    const { accountId, conversationId } = await conversation();
    const first = await queueOutbound(knex(), { conversationId, type: "text", content: "uno", senderType: "agent" });
    await queueOutbound(knex(), { conversationId, type: "text", content: "dos", senderType: "agent" });
    const next = await nextToSend(knex(), accountId);
    expect(next).toMatchObject({ id: first.message.id, content: "uno", to: { phone: "+525511112233", lid: "77@lid" }, waMessageId: waMessageIdFor(first.message.id) });
    expect((await knex()("messages").where({ id: first.message.id }).first()).wa_message_id).toBe(next!.waMessageId);
  });

  it("keeps what a receipt that raced the send said", async () => {
    const { accountId, conversationId } = await conversation();
    const { message } = await queueOutbound(knex(), { conversationId, type: "text", content: "rápido", senderType: "bot" });
    const next = await nextToSend(knex(), accountId);
    expect(await applyReceipt(knex(), accountId, next!.waMessageId, "delivered")).toMatchObject({ id: message.id });
    await markSent(knex(), message.id, next!.waMessageId);
    const row = await knex()("messages").where({ id: message.id }).first();
    expect(row.status).toBe("delivered");
    expect(row.sent_at).not.toBeNull();
  });

  it("refuses accounts switched off", async () => {
    const { accountId, conversationId } = await conversation();
    await knex()("whatsapp_accounts").where({ id: accountId }).update({ should_connect: false });
    await expect(queueOutbound(knex(), { conversationId, type: "text", content: "¿hola?", senderType: "agent" })).rejects.toMatchObject({ code: 409, type: "NOT_CONNECTED" });
  });
});

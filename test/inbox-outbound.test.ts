import { applyReceipt, markSent, nextToSend, queueOutbound } from "../lib/inbox/outbound";
import { ingestMessage } from "../lib/inbox/ingest";
import { migratedDatabase } from "./support/database";
import { single } from "../lib/db/tables";

const { knex } = migratedDatabase();

async function conversation(): Promise<{ accountId: string; conversationId: string }> {
  const { id: accountId } = single(
    await knex()("whatsapp_accounts").insert({ name: "Ventas", provider: "simulator", should_connect: true }).returning("id"),
    "test row",
  );
  const { conversationId } = await ingestMessage(knex(), accountId, {
    waMessageId: `IN${accountId.slice(0, 8)}`,
    fromMe: false,
    peer: { phone: "+525511112233", lid: "77@lid", pushName: "Ana" },
    type: "text",
    text: "Hola",
    metadata: {},
    timestamp: new Date(),
  });
  return { accountId, conversationId };
}

describe("the outbound queue", () => {
  it("hands out messages oldest first, with the recipient's identities and a WhatsApp id fixed before the send", async () => {
    const { accountId, conversationId } = await conversation();
    const first = await queueOutbound(knex(), { conversationId, type: "text", content: "uno", senderType: "agent" });
    const second = await queueOutbound(knex(), { conversationId, type: "text", content: "dos", senderType: "agent" });
    const [next] = (await nextToSend(knex(), [accountId], 1)).get(accountId)!;
    const waMessageId = `CH${first.message.id.replace(/-/g, "").toUpperCase()}`;
    expect(next).toMatchObject({ id: first.message.id, content: "uno", to: { phone: "+525511112233", lid: "77@lid" }, waMessageId });
    expect((await knex()("messages").where({ id: first.message.id }).first())!.wa_message_id).toBe(waMessageId);
    // Read again (the send did not happen), the same id; a batch keeps the order.
    expect((await nextToSend(knex(), [accountId], 5)).get(accountId)!.map((m) => [m.content, m.waMessageId])).toEqual([
      ["uno", waMessageId],
      ["dos", `CH${second.message.id.replace(/-/g, "").toUpperCase()}`],
    ]);
    // Several accounts' queues in one read, each on its own.
    const other = await conversation();
    await queueOutbound(knex(), { conversationId: other.conversationId, type: "text", content: "otra", senderType: "bot" });
    const heads = await nextToSend(knex(), [accountId, other.accountId], 1);
    expect([heads.get(accountId)!.map((m) => m.content), heads.get(other.accountId)!.map((m) => m.content)]).toEqual([["uno"], ["otra"]]);
  });

  it("tells who may see a message it marks sent, and its status with the version that has it", async () => {
    const { accountId, conversationId } = await conversation();
    const { message } = await queueOutbound(knex(), { conversationId, type: "text", content: "hola", senderType: "bot" });
    const [next] = (await nextToSend(knex(), [accountId], 1)).get(accountId)!;
    const audience = (await markSent(knex(), [{ id: message.id, wa_message_id: next!.waMessageId }])).get(message.id);
    const row = await knex()("messages").where({ id: message.id }).first();
    expect(audience).toEqual({ conversationId, rooms: ["role:admin"], status: "sent", version: Number(row!.change_xid) });
    expect(row).toMatchObject({ status: "sent", wa_message_id: next!.waMessageId, sent_at: expect.any(Date) });
    // Told again, it changes nothing and tells nothing.
    expect((await markSent(knex(), [{ id: message.id, wa_message_id: next!.waMessageId }])).size).toBe(0);
  });

  it("keeps what a receipt that raced the send said", async () => {
    const { accountId, conversationId } = await conversation();
    const { message } = await queueOutbound(knex(), { conversationId, type: "text", content: "rápido", senderType: "bot" });
    const [next] = (await nextToSend(knex(), [accountId], 1)).get(accountId)!;
    expect(await applyReceipt(knex(), accountId, next!.waMessageId, "delivered")).toMatchObject({ id: message.id });
    await markSent(knex(), [{ id: message.id, wa_message_id: next!.waMessageId }]);
    const row = await knex()("messages").where({ id: message.id }).first();
    expect(row!.status).toBe("delivered");
    expect(row!.sent_at).not.toBeNull();
  });

  it("refuses accounts switched off", async () => {
    const { accountId, conversationId } = await conversation();
    await knex()("whatsapp_accounts").where({ id: accountId }).update({ should_connect: false });
    await expect(queueOutbound(knex(), { conversationId, type: "text", content: "¿hola?", senderType: "agent" })).rejects.toMatchObject({
      code: 409,
      type: "NOT_CONNECTED",
    });
  });
});

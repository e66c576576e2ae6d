import { randomBytes } from "node:crypto";
import { InboundStore, ingestMessage } from "../lib/inbox/ingest";
import { findMessage } from "../lib/inbox/messages";
import type { InboundMessage } from "../lib/whatsapp/inbound";
import { migratedDatabase } from "./support/database";
import { single } from "../lib/db/tables";

const { knex } = migratedDatabase();
let accountId: string;

beforeAll(async () => {
  ({ id: accountId } = single(await knex()("whatsapp_accounts").insert({ name: "Ventas", provider: "simulator" }).returning("id"), "test row"));
});

let phoneCounter = 1000;
const newPhone = () => `+52551234${phoneCounter++}`;

function message(peer: Partial<InboundMessage["peer"]>, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    waMessageId: `WA${randomBytes(6).toString("hex")}`,
    fromMe: false,
    peer: { phone: null, lid: null, pushName: "Juan", ...peer },
    type: "text",
    text: "Hola",
    metadata: {},
    timestamp: new Date(),
    ...overrides,
  };
}

const count = async (table: string, where: Record<string, unknown>) => Number((await knex()(table).where(where).count({ n: "*" }).first())!.n);

describe("storing inbound messages", () => {
  it("creates the contact and its conversation on first contact", async () => {
    const phone = newPhone();
    const result = await ingestMessage(knex(), accountId, message({ phone, lid: "111@lid", pushName: "Juan Pérez" }));
    expect(result).toMatchObject({ duplicate: false, newConversation: true });
    const contact = await knex()("contacts").where({ id: result.contactId }).first();
    expect(contact).toMatchObject({ phone_number: phone, push_name: "Juan Pérez", name: "Juan Pérez" });
    expect(await count("contact_identities", { contact_id: result.contactId })).toBe(2);
    const conversation = await knex()("conversations").where({ id: result.conversationId }).first();
    expect(conversation).toMatchObject({ status: "bot", contact_id: result.contactId, whatsapp_account_id: accountId });
    const stored = await knex()("messages").where({ id: result.messageId }).first();
    expect(stored).toMatchObject({ direction: "inbound", status: "received", sender_type: "contact", type: "text", content: "Hola" });
  });

  it("changes nothing when WhatsApp delivers the same message again", async () => {
    const first = message({ phone: newPhone() });
    const stored = await ingestMessage(knex(), accountId, first);
    const again = await ingestMessage(knex(), accountId, { ...first, text: "otra cosa" });
    expect(again).toEqual({ ...stored, duplicate: true, newConversation: false });
    expect(await count("messages", { wa_message_id: first.waMessageId })).toBe(1);
  });

  it("keeps one conversation per contact, even for many messages at once", async () => {
    const phone = newPhone();
    const results = await Promise.all(Array.from({ length: 12 }, () => ingestMessage(knex(), accountId, message({ phone }))));
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(results.filter((r) => r.newConversation)).toHaveLength(1);
    expect(await count("messages", { conversation_id: results[0]!.conversationId })).toBe(12);
  });

  it("keeps one contact when a new number writes to two accounts at once", async () => {
    const { id: other } = single(await knex()("whatsapp_accounts").insert({ name: "Soporte", provider: "simulator" }).returning("id"), "test row");
    const phone = newPhone();
    const results = await Promise.all([accountId, other, accountId, other].map((account) => ingestMessage(knex(), account, message({ phone }))));
    expect(new Set(results.map((r) => r.contactId)).size).toBe(1);
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(2);
  });

  it("recognises a contact first seen by LID when the phone number arrives with it", async () => {
    const lid = `${randomBytes(5).readUIntBE(0, 5)}@lid`;
    const phone = newPhone();
    const byLid = await ingestMessage(knex(), accountId, message({ lid }));
    expect((await knex()("contacts").where({ id: byLid.contactId }).first())!.phone_number).toBeNull();
    const both = await ingestMessage(knex(), accountId, message({ lid, phone }));
    expect(both.contactId).toBe(byLid.contactId);
    expect((await knex()("contacts").where({ id: byLid.contactId }).first())!.phone_number).toBe(phone);
    const byPhone = await ingestMessage(knex(), accountId, message({ phone }));
    expect(byPhone.contactId).toBe(byLid.contactId);
  });

  it("stores what the phone itself sent as outbound", async () => {
    const result = await ingestMessage(knex(), accountId, message({ phone: newPhone(), pushName: null }, { fromMe: true, text: "Desde el teléfono" }));
    const stored = await knex()("messages").where({ id: result.messageId }).first();
    expect(stored).toMatchObject({ direction: "outbound", status: "sent", sender_type: "agent", metadata: expect.objectContaining({ from_phone: true }) });
  });

  it("opens a new conversation once the previous one is resolved", async () => {
    const phone = newPhone();
    const first = await ingestMessage(knex(), accountId, message({ phone }));
    await knex()("conversations").where({ id: first.conversationId }).update({ status: "resolved", resolved_at: new Date() });
    const next = await ingestMessage(knex(), accountId, message({ phone }));
    expect(next.conversationId).not.toBe(first.conversationId);
    expect(next).toMatchObject({ newConversation: true, contactId: first.contactId });
  });

  it("reopens a conversation resolved within the reopen window, back to its agent, and records it", async () => {
    const phone = newPhone();
    const first = await ingestMessage(knex(), accountId, message({ phone }));
    const { id: agentId } = single(
      await knex()("users")
        .insert({ email: `${phone}@test.local`, name: "Agente", password_hash: "x", role: "agent" })
        .returning("id"),
      "test row",
    );
    await knex()("conversations")
      .where({ id: first.conversationId })
      .update({ status: "resolved", resolved_at: new Date(), assigned_to: agentId, resolution_note: "listo" });
    const next = await ingestMessage(knex(), accountId, message({ phone }), { reopenWindowSeconds: 60 });
    expect(next).toMatchObject({
      conversationId: first.conversationId,
      newConversation: false,
      reopened: { kind: "reopened", from_status: "resolved", status: "active", assigned_to: agentId },
    });
    expect(await knex()("conversations").where({ id: first.conversationId }).first()).toMatchObject({
      status: "active",
      resolved_at: null,
      resolution_note: null,
    });
    expect(await knex()("conversation_events").where({ conversation_id: first.conversationId, kind: "reopened" }).first()).toMatchObject({
      from_status: "resolved",
      to_status: "active",
      actor_user_id: null,
      data: { source: "inbound" },
    });

    // Resolved longer ago than the window: a new conversation.
    await knex()("conversations")
      .where({ id: first.conversationId })
      .update({ status: "resolved", resolved_at: new Date(Date.now() - 120_000) });
    const later = await ingestMessage(knex(), accountId, message({ phone }), { reopenWindowSeconds: 60 });
    expect(later).toMatchObject({ newConversation: true });
    expect(later.reopened).toBeUndefined();
  });

  it("reads a typed answer to our buttons or list as the option it names", async () => {
    const phone = newPhone();
    const first = await ingestMessage(knex(), accountId, message({ phone }));
    const ask = async (type: string, metadata: Record<string, unknown>) =>
      knex()("messages").insert({
        conversation_id: first.conversationId,
        whatsapp_account_id: accountId,
        direction: "outbound",
        status: "sent",
        sender_type: "bot",
        type,
        content: "¿Qué necesitas?",
        metadata,
      });
    await ask("buttons", {
      buttons: [
        { id: "ventas", text: "Ventas" },
        { id: "soporte", text: "Soporte" },
      ],
    });
    const typed = async (text: string) => {
      const stored = await ingestMessage(knex(), accountId, message({ phone }, { text }));
      return knex()("messages").where({ id: stored.messageId }).first();
    };
    expect(await typed("2")).toMatchObject({ type: "button_reply", content: "2", metadata: expect.objectContaining({ button_id: "soporte" }) });
    await ask("list", {
      button_text: "Ver",
      sections: [
        {
          rows: [
            { id: "laptop", title: "Laptops" },
            { id: "telefono", title: "Teléfonos" },
          ],
        },
      ],
    });
    expect(await typed("telefonos")).toMatchObject({ type: "list_reply", metadata: expect.objectContaining({ row_id: "telefono" }) });
    expect(await typed("LAPTOP")).toMatchObject({ type: "list_reply", metadata: expect.objectContaining({ row_id: "laptop" }) });
    expect(await typed("7")).toMatchObject({ type: "text" });
    expect(await typed("no sé")).toMatchObject({ type: "text" });
  });

  it("stores a known contact's message to an open conversation as the first one was stored, learning what it tells", async () => {
    const phone = newPhone();
    const first = await ingestMessage(knex(), accountId, message({ phone, pushName: "Ana" }, { text: "uno" }));
    const before = await knex()("conversations").where({ id: first.conversationId }).first("last_message_at");
    const sentAt = new Date(Date.now() - 60_000);
    const later = [
      message({ phone, lid: "222@lid", pushName: "Ana María" }, { text: "dos", metadata: { quoted: "x" } }),
      message({ phone, pushName: null }, { fromMe: true, text: "desde el teléfono", timestamp: sentAt }),
    ];
    const results = [];
    for (const m of later) results.push(await ingestMessage(knex(), accountId, m));
    expect(results.map((r) => r.conversationId)).toEqual([first.conversationId, first.conversationId]);
    expect(results.every((r) => r.contactId === first.contactId && !r.duplicate && !r.newConversation)).toBe(true);

    const columns = ["direction", "status", "sender_type", "type", "content", "metadata", "media_path", "sent_at", "whatsapp_account_id"] as const;
    const [one, two, three] = await knex()("messages")
      .whereIn("id", [first.messageId, ...results.map((r) => r.messageId)])
      .orderBy("created_at")
      .select(...columns);
    expect(two).toEqual({ ...one, content: "dos", metadata: { ...one!.metadata, quoted: "x", wa_timestamp: later[0]!.timestamp.toISOString() } });
    expect(three).toMatchObject({
      direction: "outbound",
      status: "sent",
      sender_type: "agent",
      sent_at: sentAt,
      metadata: expect.objectContaining({ from_phone: true }),
    });

    expect(await knex()("contacts").where({ id: first.contactId }).first()).toMatchObject({ push_name: "Ana María", phone_number: phone });
    expect(await count("contact_identities", { contact_id: first.contactId })).toBe(2);
    const after = await knex()("conversations").where({ id: first.conversationId }).first("last_message_at");
    expect(after!.last_message_at.getTime()).toBeGreaterThan(before!.last_message_at.getTime());
    // The customer's messages wait for the flow; what the phone sent does not.
    const inbox = await knex()("flow_inbox").where({ conversation_id: first.conversationId }).pluck("message_id");
    expect(inbox.sort()).toEqual([first.messageId, results[0]!.messageId].sort());
    // What the relay tells without reading back is what a read gives.
    for (const result of results) {
      const relay = result.relay!;
      expect(relay.message).toEqual(await findMessage(knex(), result.messageId));
      expect(relay.placement).toEqual({ queue_id: null, assigned_to: null });
    }
    // Delivered again, it changes nothing.
    expect(await ingestMessage(knex(), accountId, later[0]!)).toMatchObject({ duplicate: true, messageId: results[0]!.messageId });
    expect(await count("messages", { conversation_id: first.conversationId })).toBe(3);
  });

  it("stores messages that arrive together in shared statements, in their order, each once", async () => {
    const store = new InboundStore(knex(), { retrySeconds: 5 });
    const known = newPhone();
    const first = await store.store(accountId, message({ phone: known }, { text: "antes" }));
    const stranger = newPhone();
    const chooser = newPhone();
    const asked = await store.store(accountId, message({ phone: chooser }, { text: "menú" }));
    await knex()("messages").insert({
      conversation_id: asked.conversationId,
      whatsapp_account_id: accountId,
      direction: "outbound",
      status: "sent",
      sender_type: "bot",
      type: "buttons",
      content: "¿Qué necesitas?",
      metadata: {
        buttons: [
          { id: "ventas", text: "Ventas" },
          { id: "soporte", text: "Soporte" },
        ],
      },
    });
    const repeated = message({ phone: known }, { text: "dos" });
    const batch = [
      message({ phone: known }, { text: "uno" }),
      repeated,
      message({ phone: stranger }, { text: "soy nuevo" }),
      message({ phone: known }, { text: "tres" }),
      repeated,
      message({ phone: chooser }, { text: "2" }),
      message({ phone: stranger }, { text: "¿hola?" }),
    ];
    const results = await Promise.all(batch.map((m) => store.store(accountId, m)));

    expect(results.map((r) => r.duplicate)).toEqual([false, false, false, false, true, false, false]);
    expect(results[4]!.messageId).toBe(results[1]!.messageId);
    expect(results[2]).toMatchObject({ newConversation: true });
    expect(results[6]).toMatchObject({ newConversation: false, conversationId: results[2]!.conversationId });
    const timeline = async (conversationId: string) =>
      knex()("messages")
        .where({ conversation_id: conversationId, direction: "inbound" })
        .orderBy([{ column: "created_at" }, { column: "id" }])
        .pluck("content");
    expect(await timeline(first.conversationId)).toEqual(["antes", "uno", "dos", "tres"]);
    expect(await timeline(results[2]!.conversationId)).toEqual(["soy nuevo", "¿hola?"]);
    const inbox = await knex()("flow_inbox as i")
      .join("messages as m", "m.id", "i.message_id")
      .where("i.conversation_id", first.conversationId)
      .orderBy("i.seq")
      .pluck("m.content");
    expect(inbox).toEqual(["antes", "uno", "dos", "tres"]);
    expect(await knex()("messages").where({ id: results[5]!.messageId }).first()).toMatchObject({
      type: "button_reply",
      metadata: expect.objectContaining({ button_id: "soporte" }),
    });
  });

  it("keeps every kind's details", async () => {
    const result = await ingestMessage(
      knex(),
      accountId,
      message({ phone: newPhone() }, { type: "location", text: "Zócalo", metadata: { latitude: 19.43, longitude: -99.13 } }),
    );
    const stored = await knex()("messages").where({ id: result.messageId }).first();
    expect(stored).toMatchObject({ type: "location", content: "Zócalo", metadata: expect.objectContaining({ latitude: 19.43, longitude: -99.13 }) });
  });
});

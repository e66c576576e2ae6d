// Outbound messages: queued as `pending` rows (the intent is durable before
// anything is sent), sent by the owning node one at a time, and moved forward
// by receipts — never backwards.
import type { Knex } from "knex";
import { Conflict, NotFound } from "../errors";
import type { Message, SenderType } from "../models/messages";
import { metNow, stopClock } from "../queues/sla";
import { validateOutgoing, waMessageIdFor, type OutboundType, type OutgoingMessage } from "../whatsapp/outbound";

export interface QueueRequest {
  conversationId: string;
  type: OutboundType;
  content?: string | null;
  metadata?: Record<string, unknown>;
  senderType: Exclude<SenderType, "contact">;
  senderUserId?: string | null;
  /** The same key twice queues one message (a retried request, a flow step run again). */
  idempotencyKey?: string;
}

export async function queueOutbound(knex: Knex, request: QueueRequest): Promise<{ message: Message; accountId: string; created: boolean }> {
  const metadata = request.metadata ?? {};
  validateOutgoing(request.type, request.content, metadata);
  return knex.transaction(async (trx) => {
    if (request.idempotencyKey) {
      const existing = await trx<Message>("messages").where({ idempotency_key: request.idempotencyKey }).first();
      if (existing) return { message: existing, accountId: existing.whatsapp_account_id, created: false };
    }
    const conversation = await trx("conversations as c")
      .join("whatsapp_accounts as a", "a.id", "c.whatsapp_account_id")
      .where("c.id", request.conversationId)
      .first("c.id", "c.whatsapp_account_id", "a.status", "a.should_connect", "a.deleted_at");
    if (!conversation) throw new NotFound("conversation", request.conversationId);
    // While the engine keeps the account connected (even mid-reconnect or mid-failover) the
    // message waits its turn; an account logged out, banned or switched off takes nothing.
    if (conversation.deleted_at || !conversation.should_connect) {
      const state = conversation.deleted_at ? "deleted" : conversation.status;
      throw new Conflict(undefined, `The WhatsApp account of this conversation is ${state}; connect it first`, "NOT_CONNECTED");
    }
    const [message] = await trx<Message>("messages")
      .insert({
        conversation_id: conversation.id,
        whatsapp_account_id: conversation.whatsapp_account_id,
        direction: "outbound",
        status: "pending",
        type: request.type,
        content: request.content ?? null,
        metadata,
        sender_type: request.senderType,
        sender_user_id: request.senderUserId ?? null,
        idempotency_key: request.idempotencyKey ?? null,
      })
      // Two requests with one key at the same moment: the second finds the first's row below.
      .onConflict(trx.raw("(idempotency_key) WHERE idempotency_key IS NOT NULL"))
      .ignore()
      .returning("*");
    if (!message) {
      const existing = await trx<Message>("messages").where({ idempotency_key: request.idempotencyKey }).first();
      if (!existing) throw new Error(`Message with idempotency key ${request.idempotencyKey} vanished`);
      return { message: existing, accountId: existing.whatsapp_account_id, created: false };
    }
    await trx("conversations").where({ id: conversation.id }).update({ last_message_at: trx.fn.now(), updated_at: trx.fn.now() });
    if (request.senderType === "agent") await stampFirstResponse(trx, conversation.id);
    return { message, accountId: conversation.whatsapp_account_id, created: true };
  });
}

/**
 * An agent's first reply ends the first-response clock, which runs only while
 * a person owes one (waiting or active; bot time does not count).
 */
async function stampFirstResponse(trx: Knex.Transaction, conversationId: string): Promise<void> {
  const stamped = await trx("conversations")
    .where({ id: conversationId })
    .whereNull("first_response_at")
    .whereIn("status", ["waiting", "active"])
    .update({ first_response_at: trx.fn.now(), sla_first_response_met: metNow(trx, "sla_first_response_due_at") });
  if (stamped) await stopClock(trx, conversationId, "first_response");
}

// The WhatsApp LID of contact `k`, for contacts WhatsApp only names by LID.
const lidOfContact = (knex: Knex) => knex.raw("(SELECT value FROM contact_identities i WHERE i.contact_id = k.id AND i.kind = 'lid' LIMIT 1) AS lid");

/** Who a conversation is with, as WhatsApp addresses them, and on which account. */
export async function recipientOf(knex: Knex, conversationId: string): Promise<{ accountId: string; to: OutgoingMessage["to"] } | undefined> {
  const row = await knex("conversations as c")
    .join("contacts as k", "k.id", "c.contact_id")
    .where("c.id", conversationId)
    .first("c.whatsapp_account_id", "k.phone_number", lidOfContact(knex));
  return row && { accountId: row.whatsapp_account_id, to: { phone: row.phone_number, lid: row.lid } };
}

/** The oldest message waiting to go out on an account, with its recipient and its WhatsApp id (assigned now if new). */
export async function nextToSend(knex: Knex, accountId: string): Promise<OutgoingMessage | undefined> {
  // The head of the account's queue straight from its index (however long the queue), then its recipient.
  const head = knex("messages")
    .where({ whatsapp_account_id: accountId, status: "pending" })
    .orderBy([{ column: "created_at" }, { column: "id" }])
    .limit(1)
    .select("id");
  const row = await knex("messages as m")
    .join("conversations as c", "c.id", "m.conversation_id")
    .join("contacts as k", "k.id", "c.contact_id")
    .where("m.id", knex.raw("(?)", [head]))
    .where({ "m.direction": "outbound", "m.is_internal": false })
    .first("m.id", "m.type", "m.content", "m.metadata", "k.phone_number", lidOfContact(knex));
  if (!row) return undefined;
  const waMessageId = waMessageIdFor(row.id);
  await knex("messages").where({ id: row.id }).whereNull("wa_message_id").update({ wa_message_id: waMessageId });
  return { id: row.id, waMessageId, type: row.type, content: row.content, metadata: row.metadata, to: { phone: row.phone_number, lid: row.lid } };
}

/** Sent: a receipt that raced the send may already have moved it further, which stays. */
export async function markSent(knex: Knex, messageId: string, waMessageId: string): Promise<void> {
  await knex("messages").where({ id: messageId, status: "pending" }).update({ status: "sent", wa_message_id: waMessageId, sent_at: knex.fn.now() });
  await knex("messages").where({ id: messageId }).whereNull("sent_at").update({ sent_at: knex.fn.now() });
}

export async function markFailed(knex: Knex, messageId: string, reason: string): Promise<void> {
  await knex("messages").where({ id: messageId }).whereIn("status", ["pending", "sent"]).update({ status: "failed", failure_reason: reason.slice(0, 500) });
}

const RANK: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3 };

/** Moves a sent message forward (delivered → read), never back; returns it when it changed. */
export async function applyReceipt(
  knex: Knex,
  accountId: string,
  waMessageId: string,
  status: "delivered" | "read" | "failed",
  reason?: string,
): Promise<{ id: string; conversation_id: string } | undefined> {
  const query = knex("messages").where({ whatsapp_account_id: accountId, wa_message_id: waMessageId, direction: "outbound" });
  if (status === "failed") {
    query.whereIn("status", ["pending", "sent"]).update({ status, failure_reason: reason ?? "rejected by WhatsApp" });
  } else {
    const earlier = Object.keys(RANK).filter((name) => RANK[name]! < RANK[status]!);
    query.whereIn("status", earlier).update({ status, ...(status === "delivered" ? { delivered_at: knex.fn.now() } : { read_at: knex.fn.now() }) });
  }
  const [changed] = await query.returning(["id", "conversation_id"]);
  return changed;
}

// Outbound messages: queued as `pending` rows (the intent is durable before
// anything is sent), sent by the owning node one at a time, and moved forward
// by receipts — never backwards.
import type { Knex } from "knex";
import type { ModelObject } from "objection";
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

// One round trip: the idempotency check, the account's state, the insert and the conversation's
// last_message_at, in charla_queue_outbound (migration 20261204_001).
const QUEUE_OUTBOUND = "SELECT (q.message).*, q.created FROM charla_queue_outbound(?, ?, ?, ?, ?, ?, ?) q";

/** The engine's error for what charla_queue_outbound (or a function that queues through it) refused. */
export function outboundRefusal(err: unknown, conversationId: string): unknown {
  const { code, detail } = (err ?? {}) as { code?: string; detail?: string };
  if (code === "CH404") return new NotFound("conversation", conversationId);
  if (code === "CH409") return new Conflict(undefined, `The WhatsApp account of this conversation is ${detail}; connect it first`, "NOT_CONNECTED");
  return err;
}

export async function queueOutbound(knex: Knex, request: QueueRequest): Promise<{ message: ModelObject<Message>; accountId: string; created: boolean }> {
  const metadata = request.metadata ?? {};
  validateOutgoing(request.type, request.content, metadata);
  const queue = async (db: Knex) => {
    const params = [request.conversationId, request.type, request.content ?? null, JSON.stringify(metadata), request.senderType, request.senderUserId ?? null, request.idempotencyKey ?? null];
    const { rows } = await db.raw<{ rows: Array<ModelObject<Message> & { created: boolean }> }>(QUEUE_OUTBOUND, params).catch((err: unknown) => {
      throw outboundRefusal(err, request.conversationId);
    });
    const { created, ...message } = rows[0]!;
    return { message, accountId: message.whatsapp_account_id, created };
  };
  if (request.senderType !== "agent") return queue(knex);
  return knex.transaction(async (trx) => {
    const queued = await queue(trx);
    if (queued.created) await stampFirstResponse(trx, request.conversationId);
    return queued;
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

// Outbound messages: queued as `pending` rows (the intent is durable before
// anything is sent), sent by the owning node one at a time, and moved forward
// by receipts — never backwards.
import type { Knex } from "knex";
import type { Row } from "../db/tables";
import { Conflict, NotFound } from "../errors";
import { msg } from "../i18n/message";
import type { Message, SenderType } from "../models/messages";
import { metNow, stopClock } from "../queues/sla";
import { validateOutgoing, type OutboundType, type OutgoingMessage } from "../whatsapp/outbound";
import type { SendQueue } from "../whatsapp/session-host";
import { audienceOf } from "./rooms";
import { broadcastEvent, emitEvent, type EventBus, type MessageAudience, type RelayedMessage } from "../contract/events";

/** A message just queued, for those who send it and those who show it. */
export interface QueuedMessage {
  id: string;
  conversation_id: string;
  whatsapp_account_id: string;
  /** As the inbox shows it, when its writer knew (the relay reads it otherwise). */
  relay?: RelayedMessage;
}

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
/** Messages just queued: every node hears it (the one holding the account sends), and the inbox shows them. */
export async function announceQueued(bus: EventBus, messages: QueuedMessage[]): Promise<void> {
  for (const accountId of new Set(messages.map((message) => message.whatsapp_account_id))) {
    await broadcastEvent(bus, "whatsapp.outbound.queued", { account_id: accountId });
  }
  for (const message of messages) {
    await emitEvent(bus, "message.created", {
      message_id: message.id,
      conversation_id: message.conversation_id,
      ...(message.relay ? { relay: message.relay } : {}),
    });
  }
}

export function outboundRefusal(err: unknown, conversationId: string): unknown {
  const { code, detail } = (err ?? {}) as { code?: string; detail?: string };
  if (code === "CH404") return new NotFound("conversation", conversationId);
  if (code === "CH409") return new Conflict(msg("conversations.accountNotConnected", { status: String(detail) }), "NOT_CONNECTED");
  return err;
}

export async function queueOutbound(knex: Knex, request: QueueRequest): Promise<{ message: Row<Message>; accountId: string; created: boolean }> {
  const metadata = request.metadata ?? {};
  validateOutgoing(request.type, request.content, metadata);
  const queue = async (db: Knex) => {
    const params = [
      request.conversationId,
      request.type,
      request.content ?? null,
      JSON.stringify(metadata),
      request.senderType,
      request.senderUserId ?? null,
      request.idempotencyKey ?? null,
    ];
    const { rows } = await db.raw<{ rows: Array<Row<Message> & { created: boolean }> }>(QUEUE_OUTBOUND, params).catch((err: unknown) => {
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
const LID_OF_CONTACT = "(SELECT value FROM contact_identities i WHERE i.contact_id = k.id AND i.kind = 'lid' LIMIT 1) AS lid";

/** Who a conversation is with, as WhatsApp addresses them, and on which account. */
export async function recipientOf(knex: Knex, conversationId: string): Promise<{ accountId: string; to: OutgoingMessage["to"] } | undefined> {
  const row = await knex("conversations as c")
    .join("contacts as k", "k.id", "c.contact_id")
    .where("c.id", conversationId)
    .first<{ whatsapp_account_id: string; phone_number: string | null; lid: string | null } | undefined>(
      "c.whatsapp_account_id",
      "k.phone_number",
      knex.raw(LID_OF_CONTACT),
    );
  return row && { accountId: row.whatsapp_account_id, to: { phone: row.phone_number, lid: row.lid } };
}

// The oldest messages waiting to go out on each of some accounts (straight from the queue's index, however
// long it is), each with its recipient and the WhatsApp id fixed when it was queued: one statement.
const NEXT_TO_SEND = `
SELECT a.account_id, m.id, m.type, m.content, m.metadata, m.wa_message_id, k.phone_number, ${LID_OF_CONTACT}
    FROM jsonb_array_elements_text(?::jsonb) AS a (account_id)
    CROSS JOIN LATERAL (
      SELECT id FROM messages WHERE whatsapp_account_id = a.account_id::uuid AND status = 'pending' ORDER BY created_at, id LIMIT ?) q
    JOIN messages m ON m.id = q.id
    JOIN conversations c ON c.id = m.conversation_id
    JOIN contacts k ON k.id = c.contact_id
   WHERE m.direction = 'outbound' AND NOT m.is_internal
   ORDER BY a.account_id, m.created_at, m.id`;

/** Up to `limit` messages to send next on each account, oldest first. */
export async function nextToSend(knex: Knex, accountIds: string[], limit: number): Promise<Map<string, OutgoingMessage[]>> {
  type Row = Pick<OutgoingMessage, "id" | "type" | "content" | "metadata"> & {
    account_id: string;
    wa_message_id: string;
    phone_number: string | null;
    lid: string | null;
  };
  const { rows } = await knex.raw<{ rows: Row[] }>(NEXT_TO_SEND, [JSON.stringify(accountIds), limit]);
  const byAccount = new Map<string, OutgoingMessage[]>(accountIds.map((id) => [id, []]));
  for (const row of rows) {
    byAccount.get(row.account_id)?.push({
      id: row.id,
      waMessageId: row.wa_message_id,
      type: row.type,
      content: row.content,
      metadata: row.metadata,
      to: { phone: row.phone_number, lid: row.lid },
    });
  }
  return byAccount;
}

// Sent, for many messages in one statement: a receipt that raced a send may already have moved its
// message further, which stays.
const MARK_SENT = `
UPDATE messages m
   SET status = CASE WHEN m.status = 'pending' THEN 'sent' ELSE m.status END,
       wa_message_id = CASE WHEN m.status = 'pending' THEN s.wa_message_id ELSE m.wa_message_id END,
       sent_at = coalesce(m.sent_at, now())
  FROM jsonb_to_recordset(?::jsonb) AS s (id uuid, wa_message_id text), conversations c
 WHERE m.id = s.id AND c.id = m.conversation_id AND (m.status = 'pending' OR m.sent_at IS NULL)
RETURNING m.id, m.conversation_id, m.status, m.change_xid, c.queue_id, c.assigned_to`;

/** Records sends; tells, for each message this changed, who may see it and its status now. */
export async function markSent(knex: Knex, sends: Array<{ id: string; wa_message_id: string }>): Promise<Map<string, MessageAudience>> {
  const { rows } = await knex.raw<{ rows: Array<Parameters<typeof audienceOf>[0] & { id: string }> }>(MARK_SENT, [JSON.stringify(sends)]);
  return new Map(rows.map((row) => [row.id, audienceOf(row)]));
}

export async function markFailed(knex: Knex, messageId: string, reason: string): Promise<void> {
  await knex("messages")
    .where({ id: messageId })
    .whereIn("status", ["pending", "sent"])
    .update({ status: "failed", failure_reason: reason.slice(0, 500) });
}

const RANK: Record<string, number> = { pending: 0, sent: 1, delivered: 2, read: 3 };

/** Moves a sent message forward (delivered → read), never back; returns it when it changed. */
/** The messages table as the session host's send queue. */
export const sendQueueOn = (knex: Knex): SendQueue => ({
  next: (accountIds, limit) => nextToSend(knex, accountIds, limit),
  markSent: (sends) => markSent(knex, sends),
  markFailed: (messageId, reason) => markFailed(knex, messageId, reason),
  depth: (accountIds) => pendingCounts(knex, accountIds),
});

/** Messages waiting to be sent, per account (the pending queue's partial index answers it). */
async function pendingCounts(knex: Knex, accountIds: string[]): Promise<Map<string, number>> {
  const counts = new Map(accountIds.map((id) => [id, 0]));
  if (accountIds.length === 0) return counts;
  const rows = await knex("messages")
    .select("whatsapp_account_id")
    .count<Array<{ whatsapp_account_id: string; count: string }>>("* as count")
    .where("status", "pending")
    .whereIn("whatsapp_account_id", accountIds)
    .groupBy("whatsapp_account_id");
  for (const row of rows) counts.set(row.whatsapp_account_id, Number(row.count));
  return counts;
}

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

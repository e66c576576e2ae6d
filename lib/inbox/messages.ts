// A conversation's timeline as clients read it: messages newest page first,
// each page oldest to newest, and internal notes written by agents.
import type { Knex } from "knex";
import type { Row } from "../db/tables";
import type { Caller } from "../auth/caller";
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import type { Message } from "../models/messages";
import { versionOf, whereInBatch, type Batch, type Position } from "./change-cursor";
import { whereVisibleTo } from "./conversations";
import type { Placement, RelayedMessage } from "../contract/events";
import type { Static } from "@sinclair/typebox";
import type { Message as MessageSchema, MessagePage as MessagePageSchema } from "../contract/resources";

export const DEFAULT_MESSAGE_LIMIT = 50;
export const MAX_MESSAGE_LIMIT = 200;

export type PublicMessage = Static<typeof MessageSchema>;

export type MessagePage = Static<typeof MessagePageSchema>;

type MessageRow = Row<Message> & { sender_name: string | null; contact_id: string | null; contact_name: string | null };

function present(row: MessageRow): PublicMessage {
  const fromContact = row.sender_type === "contact";
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    direction: row.direction,
    type: row.type,
    content: row.content,
    metadata: row.metadata,
    status: row.status,
    failure_reason: row.failure_reason,
    sender: {
      type: row.sender_type,
      id: fromContact ? row.contact_id : row.sender_user_id,
      name: fromContact ? row.contact_name : row.sender_name,
    },
    is_internal: row.is_internal,
    // A file we keep is served by us; one sent by its URL is where it was sent from.
    media_url: row.media_path ? `/api/media/${row.id}` : typeof row.metadata.media_url === "string" ? row.metadata.media_url : null,
    created_at: row.created_at,
    sent_at: row.sent_at,
    delivered_at: row.delivered_at,
    read_at: row.read_at,
    version: versionOf(row.change_xid),
  };
}

function timeline(knex: Knex) {
  return knex("messages as m")
    .join("conversations as c", "c.id", "m.conversation_id")
    .join("contacts as k", "k.id", "c.contact_id")
    .leftJoin("users as u", "u.id", "m.sender_user_id")
    .select<MessageRow[]>("m.*", "u.name as sender_name", "c.contact_id", knex.raw("coalesce(k.name, k.push_name) AS contact_name"));
}

/**
 * One page of a conversation, newest first by (created_at, id) and returned
 * oldest to newest. A cursor names a message, not an offset, so messages that
 * arrive meanwhile never shift the pages already read.
 */
export async function listMessages(knex: Knex, conversationId: string, before: string | undefined, limit: number): Promise<MessagePage> {
  const query = timeline(knex)
    .where("m.conversation_id", conversationId)
    .orderBy([
      { column: "m.created_at", order: "desc" },
      { column: "m.id", order: "desc" },
    ])
    .limit(limit + 1);
  if (before) {
    const cursor = await knex("messages").where({ id: before, conversation_id: conversationId }).first("created_at", "id");
    if (!cursor) throw new ValidationFailed("before", msg("messages.beforeCursor"));
    query.whereRaw("(m.created_at, m.id) < (?, ?)", [cursor.created_at, cursor.id]);
  }
  const rows = await query;
  const hasMore = rows.length > limit;
  return { items: rows.slice(0, limit).reverse().map(present), has_more: hasMore, limit };
}

/** Messages written (created or changed) in a batch of the change feed, in conversations the caller sees now, in feed order. */
export async function messagesChangedIn(knex: Knex, caller: Caller, batch: Batch, limit: number): Promise<Array<Position & { message: PublicMessage }>> {
  const query = whereInBatch(timeline(knex), "m", batch, limit);
  const rows = await whereVisibleTo(knex, query, caller);
  return rows.map((row) => ({ xid: BigInt(row.change_xid), id: row.id, message: present(row) }));
}

export async function findMessage(knex: Knex, id: string): Promise<PublicMessage | undefined> {
  return (await findMessagesAndPlacements(knex, [id])).get(id)?.message;
}

/** A message row as a statement's JSON gives it (timestamps as text), as the API shows it. */
export type MessageJson = Omit<Row<Message>, "created_at" | "sent_at" | "delivered_at" | "read_at"> &
  Record<"created_at", string> &
  Record<"sent_at" | "delivered_at" | "read_at", string | null>;

/**
 * The message a writer just wrote, as a relay tells it, from what its statement returned (no read-back).
 * For messages no person of the team wrote (a customer's, a flow's, one from the phone); `contact`, the
 * conversation's customer, names the sender of a customer's.
 */
export function relayedFromJson(row: MessageJson, placement: Placement, contact?: { id: string; name: string | null }): RelayedMessage {
  const date = (value: string | null) => (value === null ? null : new Date(value));
  const message = present({
    ...row,
    created_at: new Date(row.created_at),
    sent_at: date(row.sent_at),
    delivered_at: date(row.delivered_at),
    read_at: date(row.read_at),
    sender_name: null,
    contact_id: contact?.id ?? null,
    contact_name: contact?.name ?? null,
  });
  return { message, placement };
}

/** Messages and where their conversations sit (queue, assignee): what a realtime relay needs, in one query. */
export async function findMessagesAndPlacements(knex: Knex, ids: string[]): Promise<Map<string, RelayedMessage>> {
  const rows = await timeline(knex)
    .whereIn("m.id", ids)
    .select<Array<MessageRow & { conversation_queue_id: string | null; conversation_assigned_to: string | null }>>(
      "c.queue_id as conversation_queue_id",
      "c.assigned_to as conversation_assigned_to",
    );
  return new Map(
    rows.map((row) => [row.id, { message: present(row), placement: { queue_id: row.conversation_queue_id, assigned_to: row.conversation_assigned_to } }]),
  );
}

/** An internal note: in the timeline for the team, never sent to WhatsApp. Written by a person, or by a flow (`bot`). */
export async function addNote(
  knex: Knex,
  author: Pick<Caller, "id"> | "bot",
  conversation: { id: string; whatsapp_account_id: string },
  content: string,
): Promise<PublicMessage> {
  const [row] = await knex("messages")
    .insert({
      conversation_id: conversation.id,
      whatsapp_account_id: conversation.whatsapp_account_id,
      direction: "outbound",
      type: "note",
      content,
      status: "sent",
      sender_type: author === "bot" ? "bot" : "agent",
      sender_user_id: author === "bot" ? null : author.id,
      is_internal: true,
    })
    .returning("id");
  const note = await findMessage(knex, (row as { id: string }).id);
  if (!note) throw new Error("The note vanished after it was stored");
  return note;
}

/** Where a message's file is stored and what it is, if it has one. */
export async function mediaOf(
  knex: Knex,
  messageId: string,
): Promise<{ conversationId: string; path: string; mimetype: string | null; filename: string | null } | undefined> {
  const row = await knex("messages").where({ id: messageId }).first("conversation_id", "media_path", "metadata");
  if (!row?.media_path) return undefined;
  const metadata = row.metadata as { mimetype?: string | null; filename?: string | null };
  return { conversationId: row.conversation_id, path: row.media_path, mimetype: metadata.mimetype ?? null, filename: metadata.filename ?? null };
}

// Stores a message that arrived from WhatsApp: the message (once: a
// redelivery changes nothing), its contact (found by phone or LID, created on
// first contact) and the contact's open conversation on that account (created
// if none; the database allows only one). A known contact's message to an open
// conversation takes one statement; anything else one transaction.
import type { Knex } from "knex";
import type { MediaStore } from "../media-store";
import type { Conversation } from "../models/conversations";
import { applyChange, reopenRequest } from "./conversations";
import { enqueueForFlow } from "./flow-inbox";
import type { InboundMessage } from "../whatsapp/inbound";
import { chosenOption, optionsOf } from "../whatsapp/outbound";
import { isDatabaseUnavailable } from "../db/availability";
import { relayedFromJson, type MessageJson } from "./messages";

import { Batcher, type Outcome } from "../db/batcher";
import type { ConversationChange, Placement, RelayedMessage } from "../contract/events";

export interface IngestResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  /** The same WhatsApp message was stored before: nothing changed. */
  duplicate: boolean;
  newConversation: boolean;
  /** The message brought back a conversation resolved within the reopen window. */
  reopened?: ConversationChange;
  /** The message as the inbox shows it, when the statement that stored it told (the relay then reads nothing). */
  relay?: RelayedMessage;
}

export interface IngestOptions {
  media?: MediaStore;
  /** Seconds after a resolve during which the contact's next message reopens it (0: never). */
  reopenWindowSeconds?: number;
  /** Seconds before an inbound message no flow consumed is handed over again (FLOW_INBOX_RETRY_SECONDS). */
  retrySeconds?: number;
}

type Identity = { kind: "phone" | "lid"; value: string };

function identitiesOf(message: InboundMessage): Identity[] {
  const identities: Identity[] = [];
  if (message.peer.phone) identities.push({ kind: "phone", value: message.peer.phone });
  if (message.peer.lid) identities.push({ kind: "lid", value: message.peer.lid });
  return identities;
}

async function findOrCreateContact(trx: Knex.Transaction, message: InboundMessage, identities: Identity[]): Promise<string> {
  const known: Array<{ contact_id: string; kind: string }> = await trx("contact_identities")
    .where((q) => {
      for (const { kind, value } of identities) q.orWhere({ kind, value });
    })
    .select("contact_id", "kind");
  // The phone number is the stronger identity: a LID may belong to a contact we only knew by phone.
  let contactId: string | undefined = (known.find((row) => row.kind === "phone") ?? known[0])?.contact_id;
  if (!contactId && message.peer.phone) {
    const byPhone = await trx("contacts").where({ phone_number: message.peer.phone }).whereNull("deleted_at").first("id");
    contactId = byPhone?.id;
  }
  if (!contactId) {
    const [created] = await trx("contacts")
      .insert({ phone_number: message.peer.phone, push_name: message.peer.pushName, name: message.peer.pushName })
      .returning("id");
    contactId = (created as { id: string }).id;
  } else {
    // Learn what this message tells us: the phone behind a LID, a new profile name.
    if (message.peer.phone) {
      await trx("contacts").where({ id: contactId }).whereNull("phone_number").update({ phone_number: message.peer.phone, updated_at: trx.fn.now() });
    }
    if (message.peer.pushName) {
      await trx("contacts")
        .where({ id: contactId })
        .whereRaw("push_name IS DISTINCT FROM ?", [message.peer.pushName])
        .update({ push_name: message.peer.pushName, updated_at: trx.fn.now() });
    }
  }
  await trx("contact_identities")
    .insert(identities.map((identity) => ({ contact_id: contactId, ...identity })))
    .onConflict(["kind", "value"])
    .ignore();
  return contactId;
}

interface OpenedConversation {
  id: string;
  created: boolean;
  /** Set when a conversation resolved within the reopen window came back. */
  reopened?: ConversationChange;
}

async function findOrOpenConversation(trx: Knex.Transaction, contactId: string, accountId: string, reopenWindowSeconds: number): Promise<OpenedConversation> {
  const ofContact = () => trx<Conversation>("conversations").where({ contact_id: contactId, whatsapp_account_id: accountId });
  const existing = await ofContact().whereNot("status", "resolved").first("id");
  if (existing) return { id: existing.id, created: false };
  if (reopenWindowSeconds > 0) {
    const recent = await ofContact()
      .where("status", "resolved")
      .where("resolved_at", ">", trx.raw("now() - make_interval(secs => ?)", [reopenWindowSeconds]))
      .orderBy("resolved_at", "desc")
      .forUpdate()
      .first();
    if (recent) {
      const reopened = await applyChange(trx, recent, null, await reopenRequest(trx, recent, { source: "inbound" }));
      return { id: recent.id, created: false, reopened };
    }
  }
  const [created] = await trx("conversations").insert({ contact_id: contactId, whatsapp_account_id: accountId, status: "bot" }).returning("id");
  const id = (created as { id: string }).id;
  await trx("conversation_events").insert({ conversation_id: id, kind: "opened", to_status: "bot", data: { source: "inbound" } });
  return { id, created: true };
}

/**
 * A plain-text answer to the buttons or list we sent last becomes the choice it
 * names ("2", "Soporte", or the id): WhatsApp Web shows those as numbered text.
 */
async function asChoice(trx: Knex.Transaction, conversationId: string, message: InboundMessage): Promise<InboundMessage> {
  if (message.fromMe || message.type !== "text" || !message.text) return message;
  const asked = await trx("messages")
    .where({ conversation_id: conversationId, direction: "outbound", is_internal: false })
    .orderBy([
      { column: "created_at", order: "desc" },
      { column: "id", order: "desc" },
    ])
    .first("type", "metadata");
  if (!asked || (asked.type !== "buttons" && asked.type !== "list")) return message;
  const option = chosenOption(optionsOf({ type: asked.type, metadata: asked.metadata }), message.text);
  if (!option) return message;
  return asked.type === "buttons"
    ? { ...message, type: "button_reply", metadata: { ...message.metadata, button_id: option.id, typed: message.text } }
    : { ...message, type: "list_reply", metadata: { ...message.metadata, row_id: option.id, typed: message.text } };
}

/** The stored message's columns, but for its conversation: the same for both ways of storing it. */
function columnsOf(accountId: string, message: InboundMessage, mediaPath: string | null) {
  return {
    whatsapp_account_id: accountId,
    wa_message_id: message.waMessageId,
    // Written on the phone itself: the agents see it as ours.
    direction: message.fromMe ? ("outbound" as const) : ("inbound" as const),
    status: message.fromMe ? ("sent" as const) : ("received" as const),
    sender_type: message.fromMe ? ("agent" as const) : ("contact" as const),
    type: message.type,
    content: message.text,
    metadata: {
      ...message.metadata,
      wa_timestamp: message.timestamp.toISOString(),
      ...(message.fromMe ? { from_phone: true } : {}),
      ...(message.media ? { mimetype: message.media.mimetype ?? message.metadata.mimetype ?? null, size: message.media.data.length } : {}),
    },
    media_path: mediaPath,
    sent_at: message.fromMe ? message.timestamp : null,
  };
}

// The common case, for many messages in one statement (one round trip, no transaction, no lock): a known
// contact writes into an open conversation. It creates nothing but the messages (so it needs no lock)
// and stores them as the long way would. Whatever it does not store goes the long way: a new contact or
// conversation, a redelivery, and every message of a conversation whose last message from us was
// buttons or a list (a typed answer to them is read as the option it names, and the conversation's
// messages keep their order). Messages of one batch keep theirs: created_at and the inbox's seq follow
// the batch's order.
const STORE_KNOWN = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(?::jsonb) AS x (
    ord integer, phone text, lid text, push_name text, to_flow boolean,
    whatsapp_account_id uuid, wa_message_id text, direction text, status text, sender_type text, type text,
    content text, metadata jsonb, media_path text, sent_at timestamptz)
), conv AS (
  SELECT i.ord, c.id, c.status, c.contact_id, c.queue_id, c.assigned_to
    FROM input i
    CROSS JOIN LATERAL (
      SELECT contact_id FROM contact_identities
       WHERE (kind = 'phone' AND value = i.phone) OR (kind = 'lid' AND value = i.lid)
       ORDER BY kind = 'phone' DESC LIMIT 1) who
    CROSS JOIN LATERAL (
      SELECT id, status, contact_id, queue_id, assigned_to FROM conversations
       WHERE contact_id = who.contact_id AND whatsapp_account_id = i.whatsapp_account_id AND status <> 'resolved' LIMIT 1) c
   WHERE NOT EXISTS (
     SELECT 1 FROM (SELECT m.type FROM messages m
                     WHERE m.conversation_id = c.id AND m.direction = 'outbound' AND NOT m.is_internal
                     ORDER BY m.created_at DESC, m.id DESC LIMIT 1) last
      WHERE last.type IN ('buttons', 'list'))
), ins AS (
  INSERT INTO messages (conversation_id, whatsapp_account_id, wa_message_id, direction, status, sender_type, type,
                        content, metadata, media_path, sent_at, created_at)
  SELECT conv.id, i.whatsapp_account_id, i.wa_message_id, i.direction, i.status, i.sender_type, i.type,
         i.content, i.metadata, i.media_path, i.sent_at, now() + make_interval(secs => i.ord / 1e6)
    FROM input i JOIN conv ON conv.ord = i.ord ORDER BY i.ord
  ON CONFLICT (whatsapp_account_id, wa_message_id) WHERE wa_message_id IS NOT NULL DO NOTHING
  RETURNING *
), stored AS (
  SELECT i.ord, ins.id, ins.conversation_id, conv.contact_id, conv.status, i.to_flow, i.phone, i.lid, i.push_name,
         to_jsonb(ins.*) AS row, conv.queue_id, conv.assigned_to
    FROM ins JOIN input i ON i.whatsapp_account_id = ins.whatsapp_account_id AND i.wa_message_id = ins.wa_message_id
    JOIN conv ON conv.ord = i.ord
), touched AS (
  -- Rows locked in id order, as every batched writer of conversations does: batches never deadlock.
  UPDATE conversations c SET last_message_at = now(), updated_at = now()
    FROM (SELECT id FROM conversations WHERE id IN (SELECT conversation_id FROM stored) ORDER BY id FOR NO KEY UPDATE) l
   WHERE c.id = l.id
), inboxed AS (
  INSERT INTO flow_inbox (message_id, conversation_id, next_attempt_at)
  SELECT id, conversation_id, now() + make_interval(secs => ?::double precision) FROM stored
   WHERE to_flow AND status IN ('bot', 'waiting') ORDER BY ord
), learned AS (
  UPDATE contacts k SET phone_number = coalesce(k.phone_number, l.phone), push_name = coalesce(l.push_name, k.push_name), updated_at = now()
    FROM (SELECT contact_id, max(phone) AS phone,
                 (array_agg(push_name ORDER BY ord DESC) FILTER (WHERE push_name IS NOT NULL))[1] AS push_name
            FROM stored GROUP BY contact_id) l
   WHERE k.id = l.contact_id
     AND ((k.phone_number IS NULL AND l.phone IS NOT NULL) OR (l.push_name IS NOT NULL AND k.push_name IS DISTINCT FROM l.push_name))
), identified AS (
  INSERT INTO contact_identities (contact_id, kind, value)
  SELECT DISTINCT s.contact_id, v.kind, v.value
    FROM stored s CROSS JOIN LATERAL (VALUES ('phone', s.phone), ('lid', s.lid)) AS v (kind, value)
   WHERE v.value IS NOT NULL
  ON CONFLICT (kind, value) DO NOTHING
)
SELECT s.ord, s.id AS message_id, s.conversation_id, s.contact_id, s.row, s.queue_id, s.assigned_to,
       coalesce(k.name, s.push_name, k.push_name) AS contact_name
  FROM stored s JOIN contacts k ON k.id = s.contact_id`;

/** A message ready to store: its account, and where its media file was written (if any). */
interface Prepared {
  accountId: string;
  message: InboundMessage;
  mediaPath: string | null;
}

/** Stores the messages the common way can; undefined for each it left to the long way. */
async function storeKnown(knex: Knex, batch: Prepared[], retrySeconds: number): Promise<Array<IngestResult | undefined>> {
  const input = batch.map(({ accountId, message, mediaPath }, ord) => ({
    ord,
    phone: message.peer.phone,
    lid: message.peer.lid,
    push_name: message.peer.pushName,
    to_flow: !message.fromMe,
    ...columnsOf(accountId, message, mediaPath),
  }));
  type Row = Placement & { ord: number; message_id: string; conversation_id: string; contact_id: string; row: MessageJson; contact_name: string | null };
  const { rows } = await knex.raw<{ rows: Row[] }>(STORE_KNOWN, [JSON.stringify(input), retrySeconds]);
  const results: Array<IngestResult | undefined> = batch.map(() => undefined);
  for (const row of rows) {
    results[row.ord] = {
      messageId: row.message_id,
      conversationId: row.conversation_id,
      contactId: row.contact_id,
      duplicate: false,
      newConversation: false,
      relay: relayedFromJson(row.row, { queue_id: row.queue_id, assigned_to: row.assigned_to }, { id: row.contact_id, name: row.contact_name }),
    };
  }
  return results;
}

/** Writes the file of a message with media (files are not transactional: first, under a name a redelivery reuses). */
async function prepare(accountId: string, message: InboundMessage, media?: MediaStore): Promise<Prepared> {
  if (identitiesOf(message).length === 0) throw new Error(`Message ${message.waMessageId} has no sender identity`);
  const mediaPath = message.media && media ? await media.save(accountId, message.waMessageId, message.media.data, message.media.mimetype) : null;
  return { accountId, message, mediaPath };
}

/** Stores one message on its own (a batch of one). */
export async function ingestMessage(knex: Knex, accountId: string, message: InboundMessage, options: IngestOptions = {}): Promise<IngestResult> {
  const [outcome] = await storeMessages(knex, [await prepare(accountId, message, options.media)], options);
  if (!outcome || "error" in outcome) throw outcome?.error;
  return outcome.value;
}

/**
 * Stores messages that arrive together (many numbers, many customers) in
 * shared statements (group commit): each caller's promise settles once its
 * message is committed.
 */
export class InboundStore {
  private readonly group: Batcher<Prepared, IngestResult>;

  constructor(
    knex: Knex,
    private readonly options: IngestOptions,
  ) {
    // One batch at a time: messages are stored in the order they arrived.
    this.group = new Batcher((batch) => storeMessages(knex, batch, options), { maxBatch: 200 });
  }

  async store(accountId: string, message: InboundMessage): Promise<IngestResult> {
    return this.group.submit(await prepare(accountId, message, this.options.media));
  }
}

/** A batch: the common way for all it can take in one statement, then the rest the long way, in order. */
async function storeMessages(knex: Knex, batch: Prepared[], options: IngestOptions): Promise<Array<Outcome<IngestResult>>> {
  // A message twice in one batch (a redelivery racing the first delivery) goes the long way the second time.
  const seen = new Set<string>();
  const once = batch.filter(({ accountId, message }) => {
    const key = `${accountId}:${message.waMessageId}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  let known: Array<IngestResult | undefined>;
  try {
    known = await storeKnown(knex, once, options.retrySeconds ?? 5);
  } catch (err) {
    // A database that is away fails them all (their provider delivers again); anything else (a deadlock) is
    // worth a try one by one.
    if (isDatabaseUnavailable(err)) throw err;
    known = once.map(() => undefined);
  }
  const results = new Map(once.map((prepared, index) => [prepared, known[index]]));
  const outcomes: Array<Outcome<IngestResult>> = [];
  for (const prepared of batch) {
    const stored = results.get(prepared);
    if (stored) outcomes.push({ value: stored });
    else
      outcomes.push(
        await storeTheLongWay(knex, prepared, options).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
      );
  }
  return outcomes;
}

/** One message in one transaction, whatever it needs: a new contact, a new or reopened conversation, a typed choice. */
async function storeTheLongWay(knex: Knex, { accountId, message: received, mediaPath }: Prepared, options: IngestOptions): Promise<IngestResult> {
  const { reopenWindowSeconds = 0, retrySeconds = 5 } = options;
  let message = received;
  const identities = identitiesOf(message);
  return knex.transaction(async (trx) => {
    // Messages of one person (on any account: contacts are shared) are stored one at a time, so two
    // of them never create two contacts or two conversations. A fixed order keeps locks deadlock-free.
    for (const { kind, value } of [...identities].sort((a, b) => a.value.localeCompare(b.value))) {
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext(?))", [`contact:${kind}:${value}`]);
    }
    const stored = await trx("messages").where({ whatsapp_account_id: accountId, wa_message_id: message.waMessageId }).first("id", "conversation_id");
    if (stored) {
      const conversation = await trx("conversations").where({ id: stored.conversation_id }).first("contact_id");
      if (!conversation) throw new Error(`message ${stored.id} has no conversation`);
      return { messageId: stored.id, conversationId: stored.conversation_id, contactId: conversation.contact_id, duplicate: true, newConversation: false };
    }

    const contactId = await findOrCreateContact(trx, message, identities);
    const conversation = await findOrOpenConversation(trx, contactId, accountId, reopenWindowSeconds);
    message = await asChoice(trx, conversation.id, message);
    const [inserted] = await trx("messages")
      .insert({ conversation_id: conversation.id, ...columnsOf(accountId, message, mediaPath) })
      .returning("id");
    const messageId = (inserted as { id: string }).id;
    await trx("conversations").where({ id: conversation.id }).update({ last_message_at: trx.fn.now(), updated_at: trx.fn.now() });
    // A message a flow may answer waits in the flow inbox until the conversation's actor consumes it (see
    // flow-inbox.ts); people's conversations skip it, since no flow talks in them.
    if (!message.fromMe) await enqueueForFlow(trx, messageId, conversation.id, retrySeconds);
    return {
      messageId,
      conversationId: conversation.id,
      contactId,
      duplicate: false,
      newConversation: conversation.created,
      reopened: conversation.reopened,
    };
  });
}

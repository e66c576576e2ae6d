// Stores a message that arrived from WhatsApp: the message (once: a
// redelivery changes nothing), its contact (found by phone or LID, created on
// first contact) and the contact's open conversation on that account (created
// if none; the database allows only one). A known contact's message to an open
// conversation takes one statement; anything else one transaction.
import type { Knex } from "knex";
import type { MediaStore } from "../media-store";
import type { Conversation } from "../models/conversations";
import { applyChange, reopenRequest, type ConversationChange } from "./conversations";
import { enqueueForFlow } from "./flow-inbox";
import type { InboundMessage } from "../whatsapp/inbound";
import { chosenOption, optionsOf, type OutboundType } from "../whatsapp/outbound";

export interface IngestResult {
  messageId: string;
  conversationId: string;
  contactId: string;
  /** The same WhatsApp message was stored before: nothing changed. */
  duplicate: boolean;
  newConversation: boolean;
  /** The message brought back a conversation resolved within the reopen window. */
  reopened?: ConversationChange;
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
    .where((q) => identities.forEach(({ kind, value }) => q.orWhere({ kind, value })))
    .select("contact_id", "kind");
  // The phone number is the stronger identity: a LID may belong to a contact we only knew by phone.
  let contactId = (known.find((row) => row.kind === "phone") ?? known[0])?.contact_id;
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
    .orderBy([{ column: "created_at", order: "desc" }, { column: "id", order: "desc" }])
    .first("type", "metadata");
  if (!asked || (asked.type !== "buttons" && asked.type !== "list")) return message;
  const option = chosenOption(optionsOf({ type: asked.type as OutboundType, metadata: asked.metadata }), message.text);
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
    direction: message.fromMe ? "outbound" : "inbound",
    status: message.fromMe ? "sent" : "received",
    sender_type: message.fromMe ? "agent" : "contact",
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

// The common case in one statement (one round trip, no transaction): a known contact writes into an open
// conversation, and the message is not a typed answer to buttons or a list we sent. It creates nothing
// but the message (so it needs no lock), and stores it as the long way would. Whatever it does not
// store (the contact or conversation is new, a redelivery, a typed choice) goes the long way.
const STORE_KNOWN = `
WITH who AS (
  SELECT contact_id FROM contact_identities
   WHERE (kind = 'phone' AND value = ?::text) OR (kind = 'lid' AND value = ?::text)
   ORDER BY kind = 'phone' DESC LIMIT 1
), conv AS (
  SELECT c.id, c.status FROM conversations c JOIN who ON c.contact_id = who.contact_id
   WHERE c.whatsapp_account_id = ?::uuid AND c.status <> 'resolved' LIMIT 1
), asked AS (
  SELECT m.type FROM messages m JOIN conv ON m.conversation_id = conv.id
   WHERE ?::boolean AND m.direction = 'outbound' AND NOT m.is_internal
   ORDER BY m.created_at DESC, m.id DESC LIMIT 1
), ins AS (
  INSERT INTO messages (conversation_id, whatsapp_account_id, wa_message_id, direction, status, sender_type, type, content, metadata, media_path, sent_at)
  SELECT conv.id, ?::uuid, ?::text, ?::text, ?::text, ?::text, ?::text, ?::text, ?::jsonb, ?::text, ?::timestamptz FROM conv
   WHERE NOT EXISTS (SELECT 1 FROM asked WHERE asked.type IN ('buttons', 'list'))
  ON CONFLICT (whatsapp_account_id, wa_message_id) WHERE wa_message_id IS NOT NULL DO NOTHING
  RETURNING id, conversation_id
), touched AS (
  UPDATE conversations c SET last_message_at = now(), updated_at = now() FROM ins WHERE c.id = ins.conversation_id
), inboxed AS (
  INSERT INTO flow_inbox (message_id, conversation_id, next_attempt_at)
  SELECT ins.id, ins.conversation_id, now() + make_interval(secs => ?::double precision) FROM ins JOIN conv ON conv.id = ins.conversation_id
   WHERE ?::boolean AND conv.status IN ('bot', 'waiting')
), learned AS (
  UPDATE contacts k SET phone_number = coalesce(k.phone_number, ?::text), push_name = coalesce(?::text, k.push_name), updated_at = now()
    FROM ins, who
   WHERE k.id = who.contact_id
     AND ((k.phone_number IS NULL AND ?::text IS NOT NULL) OR (?::text IS NOT NULL AND k.push_name IS DISTINCT FROM ?::text))
), identified AS (
  INSERT INTO contact_identities (contact_id, kind, value)
  SELECT who.contact_id, i.kind, i.value FROM ins, who, (VALUES ('phone', ?::text), ('lid', ?::text)) AS i (kind, value)
   WHERE i.value IS NOT NULL
  ON CONFLICT (kind, value) DO NOTHING
)
SELECT ins.id AS message_id, ins.conversation_id, who.contact_id FROM ins, who`;

async function storeKnown(knex: Knex, message: InboundMessage, columns: ReturnType<typeof columnsOf>, retrySeconds: number): Promise<IngestResult | undefined> {
  const { phone, lid, pushName } = message.peer;
  const c = columns;
  const { rows } = await knex.raw<{ rows: Array<{ message_id: string; conversation_id: string; contact_id: string }> }>(STORE_KNOWN, [
    phone, lid,
    c.whatsapp_account_id,
    !message.fromMe && message.type === "text" && Boolean(message.text),
    c.whatsapp_account_id, c.wa_message_id, c.direction, c.status, c.sender_type, c.type, c.content, JSON.stringify(c.metadata), c.media_path, c.sent_at,
    retrySeconds, !message.fromMe,
    phone, pushName, phone, pushName, pushName,
    phone, lid,
  ]);
  const [row] = rows;
  return row && { messageId: row.message_id, conversationId: row.conversation_id, contactId: row.contact_id, duplicate: false, newConversation: false };
}

export async function ingestMessage(knex: Knex, accountId: string, message: InboundMessage, options: IngestOptions = {}): Promise<IngestResult> {
  const { media, reopenWindowSeconds = 0, retrySeconds = 5 } = options;
  const identities = identitiesOf(message);
  if (identities.length === 0) throw new Error(`Message ${message.waMessageId} has no sender identity`);
  // Files are not transactional: written first, under a name a redelivery would reuse.
  const mediaPath = message.media && media ? await media.save(accountId, message.waMessageId, message.media.data, message.media.mimetype) : null;
  const known = await storeKnown(knex, message, columnsOf(accountId, message, mediaPath), retrySeconds);
  if (known) return known;
  return knex.transaction(async (trx) => {
    // Messages of one person (on any account: contacts are shared) are stored one at a time, so two
    // of them never create two contacts or two conversations. A fixed order keeps locks deadlock-free.
    for (const { kind, value } of [...identities].sort((a, b) => a.value.localeCompare(b.value))) {
      await trx.raw("SELECT pg_advisory_xact_lock(hashtext(?))", [`contact:${kind}:${value}`]);
    }
    const stored = await trx("messages").where({ whatsapp_account_id: accountId, wa_message_id: message.waMessageId }).first("id", "conversation_id");
    if (stored) {
      const conversation = await trx("conversations").where({ id: stored.conversation_id }).first("contact_id");
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

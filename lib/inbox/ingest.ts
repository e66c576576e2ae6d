// Stores a message that arrived from WhatsApp, in one transaction: the
// message (once: a redelivery changes nothing), its contact (found by phone or
// LID, created on first contact) and the contact's open conversation on that
// account (created if none; the database allows only one).
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

export async function ingestMessage(knex: Knex, accountId: string, message: InboundMessage, options: IngestOptions = {}): Promise<IngestResult> {
  const { media, reopenWindowSeconds = 0, retrySeconds = 5 } = options;
  const identities = identitiesOf(message);
  if (identities.length === 0) throw new Error(`Message ${message.waMessageId} has no sender identity`);
  // Files are not transactional: written first, under a name a redelivery would reuse.
  const mediaPath = message.media && media ? await media.save(accountId, message.waMessageId, message.media.data, message.media.mimetype) : null;
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
      .insert({
        conversation_id: conversation.id,
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
      })
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

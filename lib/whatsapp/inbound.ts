// One shape for every message that arrives from WhatsApp, whatever the
// provider, and the translation of Baileys' messages into it.
import type { WAMessage, proto } from "@whiskeysockets/baileys";

export const INBOUND_TYPES = [
  "text",
  "image",
  "video",
  "audio",
  "document",
  "sticker",
  "location",
  "contact",
  "reaction",
  "poll_vote",
  "button_reply",
  "list_reply",
  "revoked",
  "edited",
] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

export interface InboundMessage {
  waMessageId: string;
  /** Sent from the phone that owns the number (stored as outbound). */
  fromMe: boolean;
  /** The customer: phone number (E.164) and/or LID, whichever WhatsApp gave. */
  peer: { phone: string | null; lid: string | null; pushName: string | null };
  type: InboundType;
  /** Text, caption, emoji or chosen option's title. */
  text: string | null;
  metadata: Record<string, unknown>;
  timestamp: Date;
  /** The bytes of an image, video, audio, document or sticker, when they could be fetched. */
  media?: { data: Buffer; mimetype: string | null };
}

const PHONE_SUFFIX = "@s.whatsapp.net";
const LID_SUFFIX = "@lid";
const user = (jid: string) => jid.split("@")[0]!.split(":")[0]!;

/** Phone and LID of the other side of a 1:1 chat; undefined for groups, broadcasts and newsletters. */
export function peerOf(key: { remoteJid?: string | null; remoteJidAlt?: string | null }): { phone: string | null; lid: string | null } | undefined {
  const jids = [key.remoteJid, key.remoteJidAlt].filter((jid): jid is string => Boolean(jid));
  if (!jids.some((jid) => jid.endsWith(PHONE_SUFFIX) || jid.endsWith(LID_SUFFIX))) return undefined;
  if (jids.some((jid) => jid.endsWith("@g.us") || jid.endsWith("@broadcast") || jid.endsWith("@newsletter"))) return undefined;
  const phone = jids.find((jid) => jid.endsWith(PHONE_SUFFIX));
  const lid = jids.find((jid) => jid.endsWith(LID_SUFFIX));
  return { phone: phone ? `+${user(phone)}` : null, lid: lid ? `${user(lid)}${LID_SUFFIX}` : null };
}

// Wrappers that carry the real message inside.
function unwrap(message: proto.IMessage): proto.IMessage {
  const inner =
    message.ephemeralMessage?.message ?? message.viewOnceMessage?.message ?? message.viewOnceMessageV2?.message ?? message.documentWithCaptionMessage?.message;
  return inner ? unwrap(inner) : message;
}

type Content = Pick<InboundMessage, "type" | "text" | "metadata">;

const media = (
  type: InboundType,
  m: { caption?: string | null; mimetype?: string | null; fileLength?: unknown },
  extra: Record<string, unknown> = {},
): Content => ({
  type,
  text: m.caption ?? null,
  metadata: { mimetype: m.mimetype ?? null, has_media: true, size: m.fileLength != null ? Number(m.fileLength) : null, ...extra },
});

/** The content of a Baileys message in our terms; undefined for kinds the inbox does not show. */
export function contentOf(raw: proto.IMessage): Content | undefined {
  const m = unwrap(raw);
  if (m.conversation) return { type: "text", text: m.conversation, metadata: {} };
  if (m.extendedTextMessage?.text) return { type: "text", text: m.extendedTextMessage.text, metadata: {} };
  if (m.imageMessage) return media("image", m.imageMessage);
  if (m.videoMessage) return media("video", m.videoMessage);
  if (m.audioMessage) return media("audio", m.audioMessage, { voice: Boolean(m.audioMessage.ptt) });
  if (m.documentMessage) return media("document", m.documentMessage, { filename: m.documentMessage.fileName ?? null });
  if (m.stickerMessage) return media("sticker", m.stickerMessage);
  if (m.locationMessage) {
    const l = m.locationMessage;
    return {
      type: "location",
      text: l.name ?? null,
      metadata: { latitude: l.degreesLatitude, longitude: l.degreesLongitude, name: l.name ?? null, address: l.address ?? null },
    };
  }
  if (m.contactMessage) {
    return {
      type: "contact",
      text: m.contactMessage.displayName ?? null,
      metadata: { contacts: [{ name: m.contactMessage.displayName ?? null, vcard: m.contactMessage.vcard ?? null }] },
    };
  }
  if (m.contactsArrayMessage) {
    const contacts = (m.contactsArrayMessage.contacts ?? []).map((c) => ({ name: c.displayName ?? null, vcard: c.vcard ?? null }));
    return { type: "contact", text: m.contactsArrayMessage.displayName ?? null, metadata: { contacts } };
  }
  if (m.reactionMessage) {
    // An empty emoji removes the reaction.
    return { type: "reaction", text: m.reactionMessage.text ?? "", metadata: { target_wa_message_id: m.reactionMessage.key?.id ?? null } };
  }
  if (m.buttonsResponseMessage) {
    const r = m.buttonsResponseMessage;
    return { type: "button_reply", text: r.selectedDisplayText ?? null, metadata: { button_id: r.selectedButtonId ?? null } };
  }
  if (m.templateButtonReplyMessage) {
    const r = m.templateButtonReplyMessage;
    return { type: "button_reply", text: r.selectedDisplayText ?? null, metadata: { button_id: r.selectedId ?? null } };
  }
  if (m.listResponseMessage) {
    const r = m.listResponseMessage;
    return { type: "list_reply", text: r.title ?? null, metadata: { row_id: r.singleSelectReply?.selectedRowId ?? null } };
  }
  if (m.pollUpdateMessage) {
    return { type: "poll_vote", text: null, metadata: { poll_wa_message_id: m.pollUpdateMessage.pollCreationMessageKey?.id ?? null } };
  }
  if (m.protocolMessage) {
    const p = m.protocolMessage;
    const target = p.key?.id ?? null;
    // Baileys' ProtocolMessage.Type by number (its enum lives in an ES module): 0 REVOKE, 14 MESSAGE_EDIT.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison
    if (p.type === 0) return { type: "revoked", text: null, metadata: { target_wa_message_id: target } }; // REVOKE
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-comparison
    if (p.type === 14 && p.editedMessage) {
      const edited = contentOf(p.editedMessage); // MESSAGE_EDIT
      return { type: "edited", text: edited?.text ?? null, metadata: { target_wa_message_id: target } };
    }
  }
  return undefined;
}

/** A Baileys `messages.upsert` message in the engine's shape; undefined when it is not for the inbox. */
export function normaliseBaileysMessage(message: WAMessage): InboundMessage | undefined {
  const key = message.key;
  if (!key.id || !message.message) return undefined;
  const peer = peerOf(key);
  if (!peer) return undefined;
  const content = contentOf(message.message);
  if (!content) return undefined;
  const seconds = Number(message.messageTimestamp ?? 0);
  return {
    waMessageId: key.id,
    fromMe: Boolean(key.fromMe),
    peer: { ...peer, pushName: key.fromMe ? null : (message.pushName ?? null) },
    ...content,
    timestamp: seconds > 0 ? new Date(seconds * 1000) : new Date(),
  };
}

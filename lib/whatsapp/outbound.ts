// Messages Charla sends: the types the API accepts, their validation, and how
// each one looks on WhatsApp Web (which has no buttons or lists: those become
// a numbered text menu there).
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";

export const OUTBOUND_TYPES = ["text", "image", "video", "audio", "document", "location", "contact", "sticker", "reaction", "buttons", "list"] as const;
export type OutboundType = (typeof OUTBOUND_TYPES)[number];

export const MAX_TEXT = 4096;

/** A stored outbound message, ready for a provider. */
export interface OutgoingMessage {
  id: string;
  /**
   * The WhatsApp id it goes out with, derived from its row id (charla_wa_message_id): stored before
   * the send, so a receipt that races the send finds the row, and a resend after a crash mid-send is
   * the same message to WhatsApp.
   */
  waMessageId: string;
  to: { phone: string | null; lid: string | null };
  type: OutboundType;
  content: string | null;
  metadata: Record<string, unknown>;
}

export interface Button {
  id: string;
  text: string;
}

export interface ListSection {
  title?: string;
  rows: Array<{ id: string; title: string; description?: string }>;
}

const MEDIA = new Set<OutboundType>(["image", "video", "audio", "document", "sticker"]);

function httpUrl(value: unknown, field: string): string {
  if (typeof value !== "string") throw new ValidationFailed(field, msg("common.required", { field }));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationFailed(field, msg("outbound.notAUrl", { field }));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ValidationFailed(field, msg("common.mustBeHttpUrl", { field }));
  return value;
}

function nonEmpty(value: unknown, field: string, max = 256): string {
  if (typeof value !== "string" || value.trim() === "") throw new ValidationFailed(field, msg("common.required", { field }));
  if (value.length > max) throw new ValidationFailed(field, msg("outbound.tooLong", { field, max }));
  return value;
}

function uniqueIds(ids: string[], field: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new ValidationFailed(field, msg("outbound.idTwice", { id }));
    seen.add(id);
  }
}

/** Checks a message before it is stored; the error names the offending field. */
export function validateOutgoing(type: OutboundType, content: string | null | undefined, metadata: Record<string, unknown>): void {
  if (content != null && content.length > MAX_TEXT) throw new ValidationFailed("content", msg("outbound.tooLong", { field: "content", max: MAX_TEXT }));
  if (type === "text" || type === "buttons" || type === "list") nonEmpty(content, "content", MAX_TEXT);
  if (MEDIA.has(type)) httpUrl(metadata.media_url, "media_url");
  if (type === "document") nonEmpty(metadata.filename ?? "document", "metadata.filename");
  if (type === "location") {
    const { latitude, longitude } = metadata;
    if (typeof latitude !== "number" || latitude < -90 || latitude > 90) throw new ValidationFailed("metadata.latitude", msg("outbound.latitude"));
    if (typeof longitude !== "number" || longitude < -180 || longitude > 180) throw new ValidationFailed("metadata.longitude", msg("outbound.longitude"));
  }
  if (type === "contact") {
    nonEmpty(metadata.name, "metadata.name");
    nonEmpty(metadata.phone, "metadata.phone", 32);
  }
  if (type === "reaction") {
    nonEmpty(metadata.target_wa_message_id, "metadata.target_wa_message_id");
    if (typeof content !== "string") throw new ValidationFailed("content", msg("outbound.reaction"));
  }
  if (type === "buttons") {
    const buttons = metadata.buttons;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
      throw new ValidationFailed("metadata.buttons", msg("outbound.buttons"));
    }
    buttons.forEach((button: Partial<Button>, i) => {
      nonEmpty(button?.id, `metadata.buttons[${i}].id`);
      nonEmpty(button?.text, `metadata.buttons[${i}].text`, 20);
    });
    uniqueIds(
      (buttons as Button[]).map((b) => b.id),
      "metadata.buttons",
    );
  }
  if (type === "list") {
    nonEmpty(metadata.button_text, "metadata.button_text", 20);
    const sections = metadata.sections;
    if (!Array.isArray(sections) || sections.length === 0) throw new ValidationFailed("metadata.sections", msg("outbound.sections"));
    const rows = (sections as ListSection[]).flatMap((section, s) => {
      if (!Array.isArray(section?.rows) || section.rows.length === 0) throw new ValidationFailed(`metadata.sections[${s}].rows`, msg("outbound.sectionRows"));
      section.rows.forEach((row, r) => {
        nonEmpty(row?.id, `metadata.sections[${s}].rows[${r}].id`, 200);
        nonEmpty(row?.title, `metadata.sections[${s}].rows[${r}].title`, 24);
      });
      return section.rows;
    });
    if (rows.length > 10) throw new ValidationFailed("metadata.sections", msg("common.listRows"));
    uniqueIds(
      rows.map((row) => row.id),
      "metadata.sections",
    );
  }
}

/** The options of a buttons or list message, in order: what "1", "2"… refer to. */
export function optionsOf(message: Pick<OutgoingMessage, "type" | "metadata">): Array<{ id: string; title: string; description?: string }> {
  if (message.type === "buttons") return (message.metadata.buttons as Button[]).map((b) => ({ id: b.id, title: b.text }));
  if (message.type === "list") return (message.metadata.sections as ListSection[]).flatMap((section) => section.rows);
  return [];
}

const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").trim().toLowerCase();

/**
 * Which option a reply chose: its 1-based number ("2"), its title ("soporte",
 * whatever the case and accents) or its id — so the numbered menu WhatsApp Web
 * shows works like real buttons.
 */
export function chosenOption(options: Array<{ id: string; title: string }>, reply: string): { id: string; title: string } | undefined {
  const answer = fold(reply);
  if (/^\d+$/.test(answer)) return options[Number(answer) - 1];
  return options.find((option) => fold(option.title) === answer) ?? options.find((option) => fold(option.id) === answer);
}

/** A buttons or list message as WhatsApp Web can show it: text with numbered options. */
export function numberedMenu(message: Pick<OutgoingMessage, "type" | "content" | "metadata">): string {
  const lines = optionsOf(message).map((option, i) => `${i + 1}. ${option.title}${option.description ? ` — ${option.description}` : ""}`);
  const hint = "Responde con el número de tu opción.";
  return [message.content ?? "", "", ...lines, "", hint].join("\n");
}

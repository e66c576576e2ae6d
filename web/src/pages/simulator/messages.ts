// What the simulated phone shows: the engine's messages to the customer (the
// simulator's outbound record) and the customer's own (kept by the page: the
// simulator records only what the engine sent), in one timeline.
import type { components } from "../../api/rest.gen";

export type Sent = components["schemas"]["SimulatedSendList"][number];

export interface Option {
  id: string;
  title: string;
  description?: string;
}

/** A message on the phone's screen. */
export type Bubble =
  { from: "engine"; key: string; at: string; sent: Sent } | { from: "customer"; key: string; at: string; text: string; customer: string; account: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

function option(value: unknown, title: "text" | "title"): Option | null {
  if (!isRecord(value)) return null;
  const id = text(value.id);
  const label = text(value[title]);
  return id && label ? { id, title: label, description: text(value.description) } : null;
}

/** The buttons a `buttons` message offers (metadata.buttons: `[{id, text}]`). */
export function buttonsOf(sent: Sent): Option[] {
  const buttons = sent.metadata.buttons;
  return Array.isArray(buttons) ? buttons.map((button) => option(button, "text")).filter((item): item is Option => item !== null) : [];
}

/** A `list` message's sections and rows (metadata.sections: `[{title?, rows: [{id, title, description?}]}]`) and its button's text. */
export function listOf(sent: Sent): { buttonText: string | undefined; sections: Array<{ title?: string; rows: Option[] }> } {
  const sections = Array.isArray(sent.metadata.sections) ? sent.metadata.sections.filter(isRecord) : [];
  return {
    buttonText: text(sent.metadata.button_text),
    sections: sections.map((section) => ({
      title: text(section.title),
      rows: Array.isArray(section.rows) ? section.rows.map((row) => option(row, "title")).filter((item): item is Option => item !== null) : [],
    })),
  };
}

/** A string from the message's metadata, when it has one (media_url, filename, name, phone). */
export const metaText = (sent: Sent, key: string): string | undefined => text(sent.metadata[key]);

export const metaNumber = (sent: Sent, key: string): number | undefined => {
  const value = sent.metadata[key];
  return typeof value === "number" ? value : undefined;
};

/** The same digits are the same phone, however it was typed. */
export const samePhone = (a: string | null, b: string): boolean => !!a && a.replace(/\D/g, "") === b.replace(/\D/g, "");

/** The engine's check for a phone number (the simulator's `from` and `to`), to ask only with one that can pass. */
export const PHONE = /^\+?[\d\s().-]{8,20}$/;

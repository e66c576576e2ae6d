// A message is a catalog key and its parameters, not a sentence: errors carry
// it in their `data` (which survives the trip between nodes), and it is put
// into words where the answer is written, in the language of whoever reads it.
import { CATALOG, type Catalog } from "./catalog";
import type { Param } from "./catalog/types";
import type { Language } from "./language";

export type MessageKey = keyof Catalog;
type ParamsOf<K extends MessageKey> = Catalog[K] extends (params: infer P) => string ? P : undefined;

export interface Message {
  readonly key: MessageKey;
  readonly params?: Readonly<Record<string, Param>>;
}

/** A message read back from an error's data, which may come from a node running other code. */
export interface MessageRef {
  key: string;
  params?: Record<string, unknown>;
}

/** The message `key` with the parameters its templates take (checked against the English template). */
export function msg<K extends MessageKey>(key: K, ...params: ParamsOf<K> extends undefined ? [] : [ParamsOf<K>]): Message {
  return params[0] === undefined ? { key } : { key, params: params[0] as Readonly<Record<string, Param>> };
}

function isRef(value: unknown): value is MessageRef {
  return typeof value === "object" && value !== null && typeof (value as MessageRef).key === "string";
}

/**
 * The message in words, or undefined when this node does not know it (a node
 * running newer code sent it) or its parameters do not fit the template.
 */
export function render(message: unknown, language: Language): string | undefined {
  if (!isRef(message) || !Object.hasOwn(CATALOG[language], message.key)) return undefined;
  const template = CATALOG[language][message.key as MessageKey] as string | ((params: unknown) => string);
  if (typeof template === "string") return template;
  try {
    return template(message.params ?? {});
  } catch {
    return undefined;
  }
}

/** A message of this code base in words (its templates and parameters were checked when it was built). */
export function inWords(message: Message, language: Language): string {
  return render(message, language) ?? render(message, "en") ?? message.key;
}

/** The message an error carries (its data's `i18n`, see lib/errors.ts), or undefined if it carries none. */
export function messageOf(error: unknown): MessageRef | undefined {
  const data = (error as { data?: { i18n?: unknown } } | null | undefined)?.data;
  return data && typeof data === "object" && isRef(data.i18n) ? data.i18n : undefined;
}

/** What went wrong, for a person reading `language`: the error's own message when it has no catalog key. */
export function describeError(error: unknown, language: Language): string {
  const text = render(messageOf(error), language);
  if (text !== undefined) return text;
  return error instanceof Error ? error.message : String(error);
}

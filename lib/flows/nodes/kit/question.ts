// What every ask_* node shares: it sends its prompt and waits; a reply that
// parses is stored in vars.<variable> and leaves by `next` (or by the chosen
// option); one that does not is answered with `retry_text` up to
// `max_retries` times, then leaves by `invalid`; silence leaves by `timeout`.
import { MAX_TEXT } from "../../../whatsapp/outbound";
import type { Fields } from "../../fields";
import { defineNode, type FlowInput, type NodeContext, type NodeType } from "../../node-type";

export interface QuestionData {
  text: string;
  variable: string;
  timeout_seconds?: number;
  retry_text?: string;
  max_retries?: number;
}

export const DEFAULT_RETRY_TEXT = "No entendí tu respuesta. ¿Puedes intentarlo de nuevo?";
export const DEFAULT_MAX_RETRIES = 2;

const questionFields: Fields = {
  text: { type: "string", required: true, min: 1, max: MAX_TEXT, template: true },
  variable: { type: "string", required: true, pattern: /^[A-Za-z_]\w{0,63}$/, description: "Stored as vars.<variable>" },
  timeout_seconds: { type: "number", integer: true, min: 1, max: 30 * 86_400 },
  retry_text: { type: "string", max: MAX_TEXT, template: true },
  max_retries: { type: "number", integer: true, min: 0, max: 10 },
};

interface QuestionSpec<D extends QuestionData> {
  type: string;
  description: string;
  fields?: Fields;
  /** Its exits as the builder's catalogue lists them, when they depend on the configuration. */
  catalogueHandles?: string[];
  /** The exits besides `invalid` and `timeout` (default: next). */
  choices?(data: D): string[];
  validate?: (data: D, path: string) => void;
  /** Sends the question (default: the text). */
  ask?(ctx: NodeContext, data: D): Promise<void>;
  /** The stored value (or a promise of it), or undefined when the reply does not answer. */
  parse(input: FlowInput, data: D, ctx: NodeContext): unknown;
  /** The exit a stored value leaves by (default: next). */
  handleFor?(value: unknown, data: D): string;
}

export function questionNode<D extends QuestionData>(spec: QuestionSpec<D>): NodeType {
  return defineNode<D>({
    type: spec.type,
    ...(spec.catalogueHandles ? { catalogueHandles: spec.catalogueHandles } : {}),
    category: "questions",
    description: spec.description,
    fields: { ...questionFields, ...spec.fields },
    handles: (data) => [...(spec.choices?.(data) ?? ["next"]), "invalid", "timeout"],
    validate: spec.validate,
    async run(ctx, data) {
      if (spec.ask) await spec.ask(ctx, data);
      else await ctx.effects.send({ type: "text", content: ctx.render(data.text) });
      return { waitInput: { timeoutSeconds: data.timeout_seconds ?? null } };
    },
    async answer(ctx, data, input) {
      const value = await spec.parse(input, data, ctx);
      if (value === undefined) return { reject: true };
      return { vars: { [data.variable]: value }, handle: spec.handleFor?.(value, data) ?? "next" };
    },
    retryText: (data) => data.retry_text ?? DEFAULT_RETRY_TEXT,
    maxRetries: (data) => data.max_retries ?? DEFAULT_MAX_RETRIES,
  });
}

/** The reply's text, trimmed; undefined for anything but text. */
export const textOf = (input: FlowInput): string | undefined => {
  const text = input.text?.trim();
  return text ? text : undefined;
};

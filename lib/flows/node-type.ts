// What a node type is: its configuration fields, its exits (handles) and what
// it does when the flow reaches it. Executors touch the world only through
// `FlowEffects`, so the same nodes run for real (conversation actors) and in
// the sandbox of POST /api/flows/{id}/test.
import type { Calendar } from "../queues/business-hours";
import type { OutboundType } from "../whatsapp/outbound";
import type { Fields } from "./fields";

export const CATEGORIES = ["messages", "questions", "logic", "people", "odoo"] as const;
export type Category = (typeof CATEGORIES)[number];

/** A message from the contact, as a waiting node sees it. */
export interface FlowInput {
  message_id: string;
  type: string;
  text: string | null;
  metadata: Record<string, unknown>;
  media_url: string | null;
}

export type NodeResult =
  /** Continue through this exit. */
  | { handle: string }
  /** An ask_* node sent its prompt and waits for the reply. */
  | { waitInput: { timeoutSeconds: number | null } }
  /** Continue through `handle` after this many seconds (durable). */
  | { waitTimer: { seconds: number; handle: string } }
  /** People take over: the bot's turn ends. */
  | { handoff: true }
  | { end: { resolve?: boolean; note?: string | null } }
  /** Continue at the start of another flow. */
  | { goto: { flowId: string } };

/** A reply a question node takes: the variables it sets and the exit it leaves by; or one it refuses. */
export type Answer = { vars: Record<string, unknown>; handle: string } | { reject: true };

export interface HttpResult {
  status: number;
  body: unknown;
}

export interface FlowEffects {
  /** `key` is stable for this send of this conversation's flow: sending it again is a no-op. */
  send(message: { type: OutboundType; content: string | null; metadata?: Record<string, unknown>; key?: string }): Promise<void>;
  handoff(target: { queueId: string } | { userId: string }): Promise<void>;
  addTags(tags: string[]): Promise<void>;
  removeTags(tags: string[]): Promise<void>;
  updateContact(patch: Record<string, unknown>): Promise<void>;
  setPriority(priority: string): Promise<void>;
  addNote(text: string): Promise<void>;
  setCsat(score: number): Promise<void>;
  resolve(note: string | null): Promise<void>;
  http(request: { method: string; url: string; headers: Record<string, string>; body: unknown; timeoutMs: number }): Promise<HttpResult>;
  odoo(action: string, params: Record<string, unknown>): Promise<unknown>;
  queueCalendar(queueId: string): Promise<Calendar | undefined>;
}

export interface NodeContext {
  /** The flow's variables (`vars.<name>`); nodes may change them. */
  vars: Record<string, unknown>;
  /** Renders `{{…}}` against the contact, the variables and the last message. */
  render(template: string): string;
  effects: FlowEffects;
  contact: { name: string | null; phone_number: string | null; email: string | null; company: string | null };
  now(): Date;
  random(): number;
}

export interface NodeType<D = Record<string, unknown>> {
  type: string;
  category: Category;
  description: string;
  fields: Fields;
  /** The exits this node has with this configuration. */
  handles(data: D): string[];
  /** Its exits as the builder's catalogue lists them, when they depend on the configuration ("<button id>"). */
  catalogueHandles?: string[];
  /** Checks beyond the fields (unique ids, …); throws ValidationFailed naming the path. */
  validate?(data: D, path: string): void;
  run(ctx: NodeContext, data: D): Promise<NodeResult>;
  /** Question nodes: a reply arrived while waiting here. */
  answer?(ctx: NodeContext, data: D, input: FlowInput): Answer | Promise<Answer>;
  /** Question nodes: what to say after an answer that did not validate. */
  retryText?(data: D): string;
  /** Question nodes: how many invalid answers before leaving by `invalid`. */
  maxRetries?(data: D): number;
}

/** Typed node definition; the registry holds them as NodeType<Record<string, unknown>>. */
export function defineNode<D>(node: NodeType<D>): NodeType {
  return node as unknown as NodeType;
}

export const NEXT = ["next"];

// The contract's shapes the inbox works with (from the OpenAPI document, through rest.gen.ts).
import type { components } from "../../api/rest.gen";

type Schemas = components["schemas"];

export type Conversation = Schemas["Conversation"];
export type ConversationStatus = Conversation["status"];
export type Priority = Conversation["priority"];
export type Message = Schemas["Message"];
export type MessagePage = Schemas["MessagePage"];
export type Contact = Schemas["Contact"];
export type QuickReply = Schemas["QuickReply"];
export type ChangesPage = Schemas["ChangesPage"];

export const STATUSES: readonly ConversationStatus[] = ["waiting", "active", "bot", "resolved"];
export const PRIORITIES: readonly Priority[] = ["low", "normal", "high", "urgent"];

/** The list's filters, as GET /api/conversations takes them (search narrows the loaded page: the API has no text search). */
export interface InboxFilters {
  status: ConversationStatus | null;
  queueId: string | null;
  /** A user id, or null for anyone. */
  assignedTo: string | null;
  priority: Priority | null;
  search: string;
}

export const inboxKeys = {
  all: ["inbox"] as const,
  list: (filters: Omit<InboxFilters, "search">, page: number) => ["inbox", "conversations", filters, page] as const,
  lists: ["inbox", "conversations"] as const,
  conversation: (id: string) => ["inbox", "conversation", id] as const,
  messages: (id: string) => ["inbox", "messages", id] as const,
  preview: (id: string) => ["inbox", "preview", id] as const,
  contact: (id: string) => ["inbox", "contact", id] as const,
};

import { BaseModel } from "./base";

export const CONVERSATION_STATUSES = ["bot", "waiting", "active", "resolved"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const PRIORITIES = ["low", "normal", "high", "urgent"] as const;
export type Priority = (typeof PRIORITIES)[number];

export class Conversation extends BaseModel {
  static override tableName = "conversations";
  id!: string;
  contact_id!: string;
  whatsapp_account_id!: string;
  status!: ConversationStatus;
  priority!: Priority;
  queue_id!: string | null;
  assigned_to!: string | null;
  current_flow_id!: string | null;
  current_flow_version_id!: string | null;
  required_skills!: string[];
  queued_at!: Date | null;
  assigned_at!: Date | null;
  first_response_at!: Date | null;
  sla_first_response_due_at!: Date | null;
  sla_first_response_met!: boolean | null;
  sla_resolution_due_at!: Date | null;
  sla_resolution_met!: boolean | null;
  resolved_at!: Date | null;
  resolved_by!: string | null;
  resolution_note!: string | null;
  csat!: number | null;
  last_message_at!: Date;
  created_at!: Date;
  updated_at!: Date;
  /** The transaction that last wrote the row (bigint, as text): its place in the change feed. */
  change_xid!: string;
}

/** History of a conversation's lifecycle: who moved it, when, from where to where. */
export class ConversationEvent extends BaseModel {
  static override tableName = "conversation_events";
  id!: string;
  conversation_id!: string;
  kind!: string;
  from_status!: ConversationStatus | null;
  to_status!: ConversationStatus | null;
  actor_user_id!: string | null;
  data!: Record<string, unknown>;
  created_at!: Date;
}

/** The persisted XState snapshot of a conversation actor; `version` guards against stale writers. */
export class ConversationActorSnapshot extends BaseModel {
  static override tableName = "conversation_actor_snapshots";
  static override get idColumn(): string {
    return "conversation_id";
  }
  conversation_id!: string;
  flow_version_id!: string | null;
  snapshot!: Record<string, unknown>;
  version!: number;
  owner_node!: string | null;
  updated_at!: Date;
}

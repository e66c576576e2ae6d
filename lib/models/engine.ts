import { BaseModel } from "./base";

/** A durable timer: a due time, claimed by one node, delivered once as an event. */
export class Timer extends BaseModel {
  static override tableName = "timers";
  id!: string;
  kind!: string;
  dedupe_key!: string | null;
  conversation_id!: string | null;
  whatsapp_account_id!: string | null;
  payload!: Record<string, unknown>;
  due_at!: Date;
  claimed_by!: string | null;
  claimed_until!: Date | null;
  fired_at!: Date | null;
  cancelled_at!: Date | null;
  created_at!: Date;
}

export class AuditEntry extends BaseModel {
  static override tableName = "audit_log";
  id!: string;
  actor_user_id!: string | null;
  action!: string;
  resource_type!: string | null;
  resource_id!: string | null;
  data!: Record<string, unknown>;
  ip!: string | null;
  request_id!: string | null;
  created_at!: Date;
}

/** An inbound message waiting for its conversation's actor to consume it (written with the message). */
export class FlowInboxEntry extends BaseModel {
  static override tableName = "flow_inbox";
  seq!: string;
  message_id!: string;
  conversation_id!: string;
  attempts!: number;
  next_attempt_at!: Date;
  created_at!: Date;
}

/** A secret the engine generated for itself (JWT_SECRET, SECRETS_KEY), shared by every node. */
export class EngineSecret extends BaseModel {
  static override tableName = "engine_secrets";
  name!: string;
  value!: string;
  created_at!: Date;
}

/** A conversation moving out of a queue or away from a person: the change feed tells its old watchers. */
export class ConversationDeparture extends BaseModel {
  static override tableName = "conversation_departures";
  id!: string;
  conversation_id!: string;
  queue_id!: string | null;
  assigned_to!: string | null;
  change_xid!: string;
  created_at!: Date;
}

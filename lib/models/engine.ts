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

/** A side effect recorded in the same transaction as its cause, performed once. */
export class OutboxEntry extends BaseModel {
  static override tableName = "outbox";
  id!: string;
  idempotency_key!: string;
  kind!: string;
  whatsapp_account_id!: string | null;
  message_id!: string | null;
  payload!: Record<string, unknown>;
  status!: "pending" | "processing" | "done" | "failed";
  attempts!: number;
  available_at!: Date;
  last_error!: string | null;
  created_at!: Date;
  processed_at!: Date | null;
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

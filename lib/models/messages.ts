import { BaseModel } from "./base";

export const MESSAGE_STATUSES = ["pending", "sent", "delivered", "read", "failed", "received"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type MessageDirection = "inbound" | "outbound";
export type SenderType = "contact" | "agent" | "bot" | "system";

export class Message extends BaseModel {
  static override tableName = "messages";
  id!: string;
  conversation_id!: string;
  whatsapp_account_id!: string;
  wa_message_id!: string | null;
  direction!: MessageDirection;
  type!: string;
  content!: string | null;
  metadata!: Record<string, unknown>;
  status!: MessageStatus;
  failure_reason!: string | null;
  sender_type!: SenderType;
  sender_user_id!: string | null;
  is_internal!: boolean;
  media_path!: string | null;
  idempotency_key!: string | null;
  sent_at!: Date | null;
  delivered_at!: Date | null;
  read_at!: Date | null;
  created_at!: Date;
  /** The transaction that last wrote the row (bigint, as text): its place in the change feed. */
  change_xid!: string;
}

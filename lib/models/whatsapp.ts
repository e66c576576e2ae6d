import { BaseModel } from "./base";

export const PROVIDERS = ["baileys", "simulator"] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export const ACCOUNT_STATUSES = ["disconnected", "connecting", "qr", "connected", "reconnecting", "logged_out", "banned"] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export class WhatsappAccount extends BaseModel {
  static override tableName = "whatsapp_accounts";
  id!: string;
  name!: string;
  provider!: ProviderName;
  status!: AccountStatus;
  status_reason!: string | null;
  phone_number!: string | null;
  wa_jid!: string | null;
  wa_lid!: string | null;
  should_connect!: boolean;
  owner_node!: string | null;
  last_connected_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
  deleted_at!: Date | null;
}

/** One Baileys auth record: creds (type "creds") or a signal key of any type. */
export class WhatsappAuthState extends BaseModel {
  static override tableName = "whatsapp_auth_state";
  static override get idColumn(): string[] {
    return ["account_id", "type", "key_id"];
  }
  account_id!: string;
  type!: string;
  key_id!: string;
  value!: string;
  updated_at!: Date;
}

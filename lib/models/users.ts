import { BaseModel } from "./base";

export const ROLES = ["admin", "supervisor", "agent"] as const;
export type Role = (typeof ROLES)[number];
export const USER_STATUSES = ["online", "away", "offline"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export class User extends BaseModel {
  static override tableName = "users";
  id!: string;
  email!: string;
  name!: string;
  password_hash!: string;
  role!: Role;
  status!: UserStatus;
  is_active!: boolean;
  last_seen_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
  deleted_at!: Date | null;
}

export class AuthSession extends BaseModel {
  static override tableName = "auth_sessions";
  id!: string;
  user_id!: string;
  user_agent!: string | null;
  ip!: string | null;
  created_at!: Date;
  last_used_at!: Date;
  expires_at!: Date;
  revoked_at!: Date | null;
  revoked_reason!: string | null;
}

export class RefreshToken extends BaseModel {
  static override tableName = "refresh_tokens";
  id!: string;
  session_id!: string;
  token_hash!: string;
  created_at!: Date;
  expires_at!: Date;
  used_at!: Date | null;
}

import { BaseModel } from "./base";

export class QuickReply extends BaseModel {
  static override tableName = "quick_replies";
  id!: string;
  shortcut!: string;
  content!: string;
  queue_id!: string | null;
  created_by!: string | null;
  created_at!: Date;
  updated_at!: Date;
}

/** The single row of Odoo settings; the API key is stored encrypted. */
export class OdooSettings extends BaseModel {
  static override tableName = "odoo_settings";
  id!: number;
  url!: string;
  database!: string;
  username!: string;
  api_key_encrypted!: string | null;
  protocol!: "auto" | "jsonrpc" | "xmlrpc" | "json2";
  timeout_ms!: number;
  sync_cursor!: Date | null;
  updated_by!: string | null;
  updated_at!: Date;
}

/** A contact sync with Odoo: its progress, written as it goes. */
export class OdooSyncJob extends BaseModel {
  static override tableName = "odoo_sync_jobs";
  id!: string;
  status!: "running" | "done" | "failed";
  phase!: "pull" | "push" | "done";
  total!: number;
  processed!: number;
  created!: number;
  updated!: number;
  pushed!: number;
  skipped!: number;
  failed!: number;
  failures!: Array<{ record: string; error: string }>;
  error!: string | null;
  started_by!: string | null;
  started_at!: Date;
  /** Moved forward as the job reports progress: a job silent for long died with its node. */
  heartbeat_at!: Date;
  finished_at!: Date | null;
}

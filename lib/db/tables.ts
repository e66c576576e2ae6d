// Every table's rows, for knex: `knex("users")` is typed by the User model's
// fields, so a query names only columns that exist and its rows need no cast.
// The models (lib/models) are the one definition of a row; knex is the one way
// to reach them (docs/architecture.md says why).
import type { Knex } from "knex";
import type { ModelObject } from "objection";
import type * as M from "../models";

/** A row of a model's table, as knex reads it. */
export type Row<T extends M.BaseModel> = ModelObject<T>;

declare module "knex/types/tables" {
  interface Tables {
    users: Row<M.User>;
    auth_sessions: Row<M.AuthSession>;
    refresh_tokens: Row<M.RefreshToken>;
    whatsapp_accounts: Row<M.WhatsappAccount>;
    whatsapp_auth_state: Row<M.WhatsappAuthState>;
    contacts: Row<M.Contact>;
    contact_identities: Row<M.ContactIdentity>;
    conversations: Row<M.Conversation>;
    conversation_events: Row<M.ConversationEvent>;
    conversation_actor_snapshots: Row<M.ConversationActorSnapshot>;
    conversation_departures: Row<M.ConversationDeparture>;
    messages: Row<M.Message>;
    flows: Row<M.Flow>;
    flow_versions: Row<M.FlowVersion>;
    flow_inbox: Row<M.FlowInboxEntry>;
    queues: Row<M.Queue>;
    queue_agents: Row<M.QueueAgent>;
    quick_replies: Row<M.QuickReply>;
    odoo_settings: Row<M.OdooSettings>;
    odoo_sync_jobs: Row<M.OdooSyncJob>;
    timers: Row<M.Timer>;
    audit_log: Row<M.AuditEntry>;
    engine_secrets: Row<M.EngineSecret>;
  }
}

/**
 * A value for a jsonb column. pg sends a JavaScript array as a PostgreSQL
 * array, which jsonb refuses: arrays (and anything else) go as JSON text.
 */
export const jsonb = (knex: Knex, value: unknown): Knex.Raw => knex.raw("?::jsonb", [JSON.stringify(value)]);

/** The row a statement that always writes one (an INSERT, an UPDATE of a locked row) returned. */
export function single<T>(rows: T[], what: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`${what}: the statement returned no row`);
  return row;
}

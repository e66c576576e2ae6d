// The whole schema of the seed. UUID keys, timestamptz (UTC) everywhere,
// CHECK constraints for the enumerations the API exposes.
import type { Knex } from "knex";

const id = (t: Knex.CreateTableBuilder, knex: Knex) => t.uuid("id").primary().defaultTo(knex.raw("gen_random_uuid()"));

const stamps = (t: Knex.CreateTableBuilder, knex: Knex) => {
  t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
};

const ROLES = ["admin", "supervisor", "agent"];
const USER_STATUSES = ["online", "away", "offline"];
const ACCOUNT_STATUSES = ["disconnected", "connecting", "qr", "connected", "reconnecting", "logged_out", "banned"];
const PROVIDERS = ["baileys", "simulator"];
const CONVERSATION_STATUSES = ["bot", "waiting", "active", "resolved"];
const PRIORITIES = ["low", "normal", "high", "urgent"];
const MESSAGE_STATUSES = ["pending", "sent", "delivered", "read", "failed", "received"];
const TRIGGER_TYPES = ["welcome", "keyword", "default", "manual"];
const ASSIGNMENT_METHODS = ["least_busy", "round_robin", "manual", "skills"];

export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm");
  await knex.raw("CREATE EXTENSION IF NOT EXISTS unaccent");
  // unaccent() is only STABLE; an IMMUTABLE wrapper with a fixed dictionary can be indexed.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION charla_fold(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$`);

  await knex.schema.createTable("users", (t) => {
    id(t, knex);
    t.text("email").notNullable();
    t.text("name").notNullable();
    t.text("password_hash").notNullable();
    t.text("role").notNullable().checkIn(ROLES, "users_role_check");
    t.text("status").notNullable().defaultTo("offline").checkIn(USER_STATUSES, "users_status_check");
    t.boolean("is_active").notNullable().defaultTo(true);
    t.timestamp("last_seen_at", { useTz: true });
    stamps(t, knex);
    t.timestamp("deleted_at", { useTz: true });
  });
  // Email is unique among users that exist, whatever its case; a deleted user frees it.
  await knex.raw("CREATE UNIQUE INDEX users_email_unique ON users (lower(email)) WHERE deleted_at IS NULL");
  await knex.raw("CREATE INDEX users_role_status_idx ON users (role, status) WHERE deleted_at IS NULL");

  // A session is one login: the family of refresh tokens that rotate from it.
  await knex.schema.createTable("auth_sessions", (t) => {
    id(t, knex);
    t.uuid("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.text("user_agent");
    t.text("ip");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("last_used_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("revoked_at", { useTz: true });
    t.text("revoked_reason");
    t.index(["user_id"], "auth_sessions_user_idx");
  });

  await knex.schema.createTable("refresh_tokens", (t) => {
    id(t, knex);
    t.uuid("session_id").notNullable().references("auth_sessions.id").onDelete("CASCADE");
    t.text("token_hash").notNullable().unique("refresh_tokens_hash_unique");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("used_at", { useTz: true });
    t.index(["session_id"], "refresh_tokens_session_idx");
  });

  await knex.schema.createTable("whatsapp_accounts", (t) => {
    id(t, knex);
    t.text("name").notNullable();
    t.text("provider").notNullable().checkIn(PROVIDERS, "whatsapp_accounts_provider_check");
    t.text("status").notNullable().defaultTo("disconnected").checkIn(ACCOUNT_STATUSES, "whatsapp_accounts_status_check");
    t.text("status_reason");
    t.text("phone_number");
    t.text("wa_jid");
    t.text("wa_lid");
    // Whether the engine should keep this account connected (false after logout or disconnect).
    t.boolean("should_connect").notNullable().defaultTo(true);
    t.text("owner_node");
    t.timestamp("last_connected_at", { useTz: true });
    stamps(t, knex);
    t.timestamp("deleted_at", { useTz: true });
  });

  // Baileys' creds (type "creds", key_id "") and every signal key type, one row each.
  await knex.schema.createTable("whatsapp_auth_state", (t) => {
    t.uuid("account_id").notNullable().references("whatsapp_accounts.id").onDelete("CASCADE");
    t.text("type").notNullable();
    t.text("key_id").notNullable();
    t.text("value").notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(["account_id", "type", "key_id"]);
  });

  await knex.schema.createTable("contacts", (t) => {
    id(t, knex);
    t.text("phone_number"); // E.164, null while only a LID is known
    t.text("name");
    t.text("push_name");
    t.text("email");
    t.text("company");
    t.specificType("tags", "text[]").notNullable().defaultTo("{}");
    t.jsonb("metadata").notNullable().defaultTo("{}");
    t.integer("odoo_partner_id");
    t.timestamp("odoo_synced_at", { useTz: true });
    stamps(t, knex);
    t.timestamp("deleted_at", { useTz: true });
  });
  await knex.raw("CREATE UNIQUE INDEX contacts_phone_number_unique ON contacts (phone_number) WHERE deleted_at IS NULL AND phone_number IS NOT NULL");
  await knex.raw("CREATE INDEX contacts_tags_idx ON contacts USING gin (tags)");
  await knex.raw("CREATE INDEX contacts_odoo_idx ON contacts (odoo_partner_id) WHERE odoo_partner_id IS NOT NULL");
  await knex.raw(`CREATE INDEX contacts_search_idx ON contacts USING gin (
      charla_fold(coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone_number, '')) gin_trgm_ops)`);

  // WhatsApp knows a person by phone JID and, since v7, by LID; both point at one contact.
  await knex.schema.createTable("contact_identities", (t) => {
    id(t, knex);
    t.uuid("contact_id").notNullable().references("contacts.id").onDelete("CASCADE");
    t.text("kind").notNullable().checkIn(["phone", "lid"], "contact_identities_kind_check");
    t.text("value").notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["kind", "value"], { indexName: "contact_identities_unique" });
    t.index(["contact_id"], "contact_identities_contact_idx");
  });

  await knex.schema.createTable("flows", (t) => {
    id(t, knex);
    t.text("name").notNullable();
    t.text("description");
    t.text("trigger_type").notNullable().checkIn(TRIGGER_TYPES, "flows_trigger_type_check");
    t.text("trigger_value");
    t.uuid("whatsapp_account_id").references("whatsapp_accounts.id").onDelete("SET NULL");
    t.boolean("is_active").notNullable().defaultTo(false);
    t.uuid("current_version_id");
    t.uuid("created_by").references("users.id");
    stamps(t, knex);
    t.timestamp("deleted_at", { useTz: true });
    t.index(["trigger_type", "is_active"], "flows_trigger_idx");
  });

  // Immutable: conversations stay pinned to the version they started on.
  await knex.schema.createTable("flow_versions", (t) => {
    id(t, knex);
    t.uuid("flow_id").notNullable().references("flows.id").onDelete("CASCADE");
    t.integer("version").notNullable();
    t.jsonb("graph").notNullable();
    t.uuid("created_by").references("users.id");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["flow_id", "version"], { indexName: "flow_versions_unique" });
  });
  await knex.raw(`
    CREATE FUNCTION charla_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME; END $$`);
  await knex.raw(`CREATE TRIGGER flow_versions_immutable BEFORE UPDATE ON flow_versions
    FOR EACH ROW EXECUTE FUNCTION charla_refuse_update()`);
  await knex.schema.alterTable("flows", (t) => {
    t.foreign("current_version_id", "flows_current_version_fk").references("flow_versions.id").onDelete("SET NULL");
  });

  await knex.schema.createTable("queues", (t) => {
    id(t, knex);
    t.text("name").notNullable();
    t.text("description");
    t.text("assignment_method").notNullable().defaultTo("least_busy").checkIn(ASSIGNMENT_METHODS, "queues_method_check");
    t.integer("max_per_agent").notNullable().defaultTo(5);
    t.integer("sla_first_response"); // seconds
    t.integer("sla_resolution"); // seconds
    t.jsonb("business_hours"); // null = always open
    t.text("timezone").notNullable().defaultTo("UTC");
    t.jsonb("holidays").notNullable().defaultTo("[]");
    t.uuid("fallback_flow_id").references("flows.id").onDelete("SET NULL");
    t.bigInteger("round_robin_cursor").notNullable().defaultTo(0);
    stamps(t, knex);
    t.timestamp("deleted_at", { useTz: true });
  });
  await knex.raw("CREATE UNIQUE INDEX queues_name_unique ON queues (lower(name)) WHERE deleted_at IS NULL");

  await knex.schema.createTable("queue_agents", (t) => {
    t.uuid("queue_id").notNullable().references("queues.id").onDelete("CASCADE");
    t.uuid("user_id").notNullable().references("users.id").onDelete("CASCADE");
    t.boolean("is_supervisor").notNullable().defaultTo(false);
    t.specificType("skills", "text[]").notNullable().defaultTo("{}");
    t.timestamp("last_assigned_at", { useTz: true });
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(["queue_id", "user_id"]);
    t.index(["user_id"], "queue_agents_user_idx");
  });

  await knex.schema.createTable("conversations", (t) => {
    id(t, knex);
    t.uuid("contact_id").notNullable().references("contacts.id");
    t.uuid("whatsapp_account_id").notNullable().references("whatsapp_accounts.id");
    t.text("status").notNullable().defaultTo("bot").checkIn(CONVERSATION_STATUSES, "conversations_status_check");
    t.text("priority").notNullable().defaultTo("normal").checkIn(PRIORITIES, "conversations_priority_check");
    t.uuid("queue_id").references("queues.id").onDelete("SET NULL");
    t.uuid("assigned_to").references("users.id").onDelete("SET NULL");
    t.uuid("current_flow_id").references("flows.id").onDelete("SET NULL");
    t.uuid("current_flow_version_id").references("flow_versions.id").onDelete("SET NULL");
    t.specificType("required_skills", "text[]").notNullable().defaultTo("{}");
    t.timestamp("queued_at", { useTz: true });
    t.timestamp("assigned_at", { useTz: true });
    t.timestamp("first_response_at", { useTz: true });
    t.timestamp("sla_first_response_due_at", { useTz: true });
    t.boolean("sla_first_response_met");
    t.timestamp("sla_resolution_due_at", { useTz: true });
    t.boolean("sla_resolution_met");
    t.timestamp("resolved_at", { useTz: true });
    t.uuid("resolved_by").references("users.id").onDelete("SET NULL");
    t.text("resolution_note");
    t.smallint("csat");
    t.timestamp("last_message_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    stamps(t, knex);
  });
  // One open conversation per contact per account, whatever the concurrency.
  await knex.raw(`CREATE UNIQUE INDEX conversations_one_open ON conversations (contact_id, whatsapp_account_id)
    WHERE status <> 'resolved'`);
  // Inbox lists: newest activity first, filtered by the seed's parameters.
  await knex.raw("CREATE INDEX conversations_activity_idx ON conversations (last_message_at DESC, id DESC)");
  await knex.raw("CREATE INDEX conversations_status_idx ON conversations (status, last_message_at DESC, id DESC)");
  await knex.raw("CREATE INDEX conversations_queue_idx ON conversations (queue_id, status, last_message_at DESC, id DESC)");
  await knex.raw("CREATE INDEX conversations_assignee_idx ON conversations (assigned_to, status, last_message_at DESC, id DESC)");
  await knex.raw("CREATE INDEX conversations_priority_idx ON conversations (priority, status, last_message_at DESC, id DESC)");
  await knex.raw("CREATE INDEX conversations_contact_idx ON conversations (contact_id, created_at DESC)");
  await knex.raw("CREATE INDEX conversations_resolved_idx ON conversations (queue_id, resolved_at) WHERE resolved_at IS NOT NULL");

  // Every lifecycle change: who, when, from, to.
  await knex.schema.createTable("conversation_events", (t) => {
    id(t, knex);
    t.uuid("conversation_id").notNullable().references("conversations.id").onDelete("CASCADE");
    t.text("kind").notNullable();
    t.text("from_status");
    t.text("to_status");
    t.uuid("actor_user_id").references("users.id").onDelete("SET NULL");
    t.jsonb("data").notNullable().defaultTo("{}");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["conversation_id", "created_at"], "conversation_events_conversation_idx");
  });

  await knex.schema.createTable("messages", (t) => {
    id(t, knex);
    t.uuid("conversation_id").notNullable().references("conversations.id").onDelete("CASCADE");
    t.uuid("whatsapp_account_id").notNullable().references("whatsapp_accounts.id");
    t.text("wa_message_id");
    t.text("direction").notNullable().checkIn(["inbound", "outbound"], "messages_direction_check");
    t.text("type").notNullable();
    t.text("content");
    t.jsonb("metadata").notNullable().defaultTo("{}");
    t.text("status").notNullable().checkIn(MESSAGE_STATUSES, "messages_status_check");
    t.text("failure_reason");
    t.text("sender_type").notNullable().checkIn(["contact", "agent", "bot", "system"], "messages_sender_check");
    t.uuid("sender_user_id").references("users.id").onDelete("SET NULL");
    // Internal notes live in the timeline but never reach WhatsApp.
    t.boolean("is_internal").notNullable().defaultTo(false);
    t.text("media_path");
    t.text("idempotency_key");
    t.timestamp("sent_at", { useTz: true });
    t.timestamp("delivered_at", { useTz: true });
    t.timestamp("read_at", { useTz: true });
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["conversation_id", "created_at", "id"], "messages_timeline_idx");
  });
  // A redelivered message (same account and WhatsApp id) is a no-op.
  await knex.raw(`CREATE UNIQUE INDEX messages_wa_id_unique ON messages (whatsapp_account_id, wa_message_id)
    WHERE wa_message_id IS NOT NULL`);
  await knex.raw("CREATE UNIQUE INDEX messages_idempotency_unique ON messages (idempotency_key) WHERE idempotency_key IS NOT NULL");
  await knex.raw("CREATE INDEX messages_pending_idx ON messages (whatsapp_account_id, created_at) WHERE status = 'pending'");

  // Persisted XState snapshots; `version` makes a stale writer lose.
  await knex.schema.createTable("conversation_actor_snapshots", (t) => {
    t.uuid("conversation_id").primary().references("conversations.id").onDelete("CASCADE");
    t.uuid("flow_version_id").references("flow_versions.id").onDelete("SET NULL");
    t.jsonb("snapshot").notNullable();
    t.integer("version").notNullable().defaultTo(0);
    t.text("owner_node");
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // Durable timers: claimed with FOR UPDATE SKIP LOCKED, delivered as events.
  await knex.schema.createTable("timers", (t) => {
    id(t, knex);
    t.text("kind").notNullable();
    t.text("dedupe_key");
    t.uuid("conversation_id").references("conversations.id").onDelete("CASCADE");
    t.uuid("whatsapp_account_id").references("whatsapp_accounts.id").onDelete("CASCADE");
    t.jsonb("payload").notNullable().defaultTo("{}");
    t.timestamp("due_at", { useTz: true }).notNullable();
    t.text("claimed_by");
    t.timestamp("claimed_until", { useTz: true });
    t.timestamp("fired_at", { useTz: true });
    t.timestamp("cancelled_at", { useTz: true });
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("CREATE UNIQUE INDEX timers_dedupe_unique ON timers (dedupe_key) WHERE dedupe_key IS NOT NULL AND fired_at IS NULL AND cancelled_at IS NULL");
  await knex.raw("CREATE INDEX timers_due_idx ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL");

  // Side effects of a step, written in the step's transaction, performed once.
  await knex.schema.createTable("outbox", (t) => {
    id(t, knex);
    t.text("idempotency_key").notNullable().unique("outbox_idempotency_unique");
    t.text("kind").notNullable();
    t.uuid("whatsapp_account_id").references("whatsapp_accounts.id").onDelete("CASCADE");
    t.uuid("message_id").references("messages.id").onDelete("CASCADE");
    t.jsonb("payload").notNullable().defaultTo("{}");
    t.text("status").notNullable().defaultTo("pending").checkIn(["pending", "processing", "done", "failed"], "outbox_status_check");
    t.integer("attempts").notNullable().defaultTo(0);
    t.timestamp("available_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text("last_error");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("processed_at", { useTz: true });
  });
  await knex.raw("CREATE INDEX outbox_ready_idx ON outbox (whatsapp_account_id, available_at) WHERE status IN ('pending', 'processing')");

  await knex.schema.createTable("quick_replies", (t) => {
    id(t, knex);
    t.text("shortcut").notNullable();
    t.text("content").notNullable();
    t.uuid("queue_id").references("queues.id").onDelete("CASCADE");
    t.uuid("created_by").references("users.id").onDelete("SET NULL");
    stamps(t, knex);
  });
  // A shortcut is unique within its scope: global, or one queue.
  await knex.raw("CREATE UNIQUE INDEX quick_replies_global_unique ON quick_replies (lower(shortcut)) WHERE queue_id IS NULL");
  await knex.raw("CREATE UNIQUE INDEX quick_replies_queue_unique ON quick_replies (queue_id, lower(shortcut)) WHERE queue_id IS NOT NULL");

  // A single row of settings that override the ODOO_* variables.
  await knex.schema.createTable("odoo_settings", (t) => {
    t.smallint("id").primary().defaultTo(1);
    t.text("url").notNullable();
    t.text("database").notNullable();
    t.text("username").notNullable();
    t.text("api_key_encrypted");
    t.text("protocol").notNullable().defaultTo("auto").checkIn(["auto", "jsonrpc", "xmlrpc", "json2"], "odoo_settings_protocol_check");
    t.integer("timeout_ms").notNullable().defaultTo(15_000);
    t.timestamp("sync_cursor", { useTz: true });
    t.uuid("updated_by").references("users.id").onDelete("SET NULL");
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw("ALTER TABLE odoo_settings ADD CONSTRAINT odoo_settings_single_row CHECK (id = 1)");

  await knex.schema.createTable("audit_log", (t) => {
    id(t, knex);
    t.uuid("actor_user_id").references("users.id").onDelete("SET NULL");
    t.text("action").notNullable();
    t.text("resource_type");
    t.text("resource_id");
    t.jsonb("data").notNullable().defaultTo("{}");
    t.text("ip");
    t.text("request_id");
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(["created_at"], "audit_log_created_idx");
    t.index(["resource_type", "resource_id"], "audit_log_resource_idx");
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    "audit_log",
    "odoo_settings",
    "quick_replies",
    "outbox",
    "timers",
    "conversation_actor_snapshots",
    "messages",
    "conversation_events",
    "conversations",
    "queue_agents",
    "queues",
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.schema.alterTable("flows", (t) => t.dropForeign("current_version_id", "flows_current_version_fk"));
  for (const table of [
    "flow_versions",
    "flows",
    "contact_identities",
    "contacts",
    "whatsapp_auth_state",
    "whatsapp_accounts",
    "refresh_tokens",
    "auth_sessions",
    "users",
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw("DROP FUNCTION IF EXISTS charla_refuse_update()");
  await knex.raw("DROP FUNCTION IF EXISTS charla_fold(text)");
}

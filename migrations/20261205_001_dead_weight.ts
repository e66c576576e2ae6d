// Two things the schema promised and the engine never did: an `outbox` table
// (the messages table is the send queue: a message waits there `pending` until
// its number's node sends it), and a `skills` assignment method (required
// skills filter the agents of every method, so it was least_busy by another
// name, and the API never accepted it).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.dropTable("outbox");
  await knex.raw("UPDATE queues SET assignment_method = 'least_busy' WHERE assignment_method = 'skills'");
  await knex.raw("ALTER TABLE queues DROP CONSTRAINT queues_method_check");
  await knex.raw("ALTER TABLE queues ADD CONSTRAINT queues_method_check CHECK (assignment_method IN ('least_busy', 'round_robin', 'manual'))");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("ALTER TABLE queues DROP CONSTRAINT queues_method_check");
  await knex.raw("ALTER TABLE queues ADD CONSTRAINT queues_method_check CHECK (assignment_method IN ('least_busy', 'round_robin', 'manual', 'skills'))");
  await knex.schema.createTable("outbox", (t) => {
    t.uuid("id").primary().defaultTo(knex.raw("gen_random_uuid()"));
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
}

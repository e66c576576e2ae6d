// The outbound queue is read in (created_at, id) order: an index in that very
// order gives its head at once, however many messages wait.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX messages_pending_queue_idx ON messages (whatsapp_account_id, created_at, id) WHERE status = 'pending'");
  await knex.raw("DROP INDEX messages_pending_idx");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("CREATE INDEX messages_pending_idx ON messages (whatsapp_account_id, created_at) WHERE status = 'pending'");
  await knex.raw("DROP INDEX messages_pending_queue_idx");
}

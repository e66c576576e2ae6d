// The change feed behind GET /api/changes: a client that missed socket events
// asks what changed since its cursor. Every write to a message or a
// conversation stamps the row with the id of the transaction that wrote it
// (`change_xid`), and a conversation leaving a queue or an assignee leaves a
// row in `conversation_departures`, so former watchers learn it is gone.
//
// Why transaction ids, not timestamps or a sequence: both are taken before
// commit, so a slow transaction can commit a row *below* a cursor a reader has
// already passed. A cursor that is a snapshot of which transactions had
// committed cannot be passed that way (lib/inbox/change-cursor.ts).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  // 0 for the rows already there: older than any cursor the feed will hand out.
  await knex.raw("ALTER TABLE messages ADD COLUMN change_xid bigint NOT NULL DEFAULT 0");
  await knex.raw("ALTER TABLE conversations ADD COLUMN change_xid bigint NOT NULL DEFAULT 0");
  await knex.schema.createTable("conversation_departures", (t) => {
    t.uuid("id").primary().defaultTo(knex.raw("gen_random_uuid()"));
    t.uuid("conversation_id").notNullable().references("conversations.id").onDelete("CASCADE");
    // Where it was before the move: whoever could see it there may no longer.
    t.uuid("queue_id");
    t.uuid("assigned_to");
    t.bigInteger("change_xid").notNullable().defaultTo(0);
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`
    CREATE FUNCTION charla_stamp_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.change_xid := pg_current_xact_id()::text::bigint;
      RETURN NEW;
    END $$`);
  for (const table of ["messages", "conversations", "conversation_departures"]) {
    await knex.raw(`CREATE TRIGGER ${table}_change_stamp BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION charla_stamp_change()`);
    // The feed reads each table in (change_xid, id) order from a cursor.
    await knex.raw(`CREATE INDEX ${table}_change_idx ON ${table} (change_xid, id)`);
  }
  await knex.raw(`
    CREATE FUNCTION charla_record_departure() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO conversation_departures (conversation_id, queue_id, assigned_to) VALUES (OLD.id, OLD.queue_id, OLD.assigned_to);
      RETURN NULL;
    END $$`);
  // A conversation with neither queue nor assignee was seen by admins only, who never lose sight.
  await knex.raw(`CREATE TRIGGER conversations_departure AFTER UPDATE OF queue_id, assigned_to ON conversations FOR EACH ROW
    WHEN ((OLD.queue_id IS NOT NULL OR OLD.assigned_to IS NOT NULL)
      AND (OLD.queue_id IS DISTINCT FROM NEW.queue_id OR OLD.assigned_to IS DISTINCT FROM NEW.assigned_to))
    EXECUTE FUNCTION charla_record_departure()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DROP TRIGGER conversations_departure ON conversations");
  await knex.raw("DROP FUNCTION charla_record_departure()");
  await knex.schema.dropTable("conversation_departures");
  for (const table of ["messages", "conversations"]) {
    await knex.raw(`DROP TRIGGER ${table}_change_stamp ON ${table}`);
    await knex.raw(`ALTER TABLE ${table} DROP COLUMN change_xid`);
  }
  await knex.raw("DROP FUNCTION charla_stamp_change()");
}

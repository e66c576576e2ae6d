// Odoo contact sync: its jobs (one runs at a time, any node reports its
// progress), and on each linked contact the partner's write_date Charla last
// wrote or read, so its own writes are not pulled back as news (loop guard).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("odoo_sync_jobs", (t) => {
    t.uuid("id").primary().defaultTo(knex.raw("gen_random_uuid()"));
    t.text("status").notNullable().defaultTo("running").checkIn(["running", "done", "failed"], "odoo_sync_jobs_status_check");
    t.text("phase").notNullable().defaultTo("pull");
    t.integer("total").notNullable().defaultTo(0);
    t.integer("processed").notNullable().defaultTo(0);
    t.integer("created").notNullable().defaultTo(0);
    t.integer("updated").notNullable().defaultTo(0);
    t.integer("pushed").notNullable().defaultTo(0);
    t.integer("skipped").notNullable().defaultTo(0);
    t.integer("failed").notNullable().defaultTo(0);
    // The first few records that could not be synced, and why.
    t.jsonb("failures").notNullable().defaultTo("[]");
    t.text("error");
    t.uuid("started_by").references("users.id").onDelete("SET NULL");
    t.timestamp("started_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Moved forward as the job reports progress: a job silent for long died with its node.
    t.timestamp("heartbeat_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("finished_at", { useTz: true });
  });
  // At most one job runs at a time, whatever the concurrency.
  await knex.raw("CREATE UNIQUE INDEX odoo_sync_jobs_one_running ON odoo_sync_jobs ((true)) WHERE status = 'running'");
  await knex.schema.alterTable("contacts", (t) => {
    t.text("odoo_write_date");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("contacts", (t) => t.dropColumn("odoo_write_date"));
  await knex.schema.dropTable("odoo_sync_jobs");
}

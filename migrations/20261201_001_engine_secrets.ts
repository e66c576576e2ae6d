// Secrets the engine generates for itself when the environment gives none
// (the token-signing key, the key that encrypts stored secrets): kept with the
// data, so every node on this database shares them and restarts keep sessions.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("engine_secrets", (table) => {
    table.text("name").primary();
    table.text("value").notNullable();
    table.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("engine_secrets");
}

// Runs pending migrations once per cluster: every node calls this at start,
// the first one takes a PostgreSQL advisory lock and the others wait for it,
// then find nothing left to do.
import type { Knex } from "knex";
import pg from "pg";
import { migrations } from "../../migrations";

// Any fixed 64-bit number; it names "Charla migrations" among advisory locks.
const MIGRATION_LOCK_KEY = "4242004201";

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => migrations.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = migrations.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`Unknown migration ${name}`);
    return found[1];
  },
};

export async function migrateLatest(knex: Knex, url: string): Promise<string[]> {
  // The advisory lock belongs to a session, so it lives on its own connection.
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    const [, applied] = (await knex.migrate.latest({ migrationSource: source })) as [number, string[]];
    return applied;
  } finally {
    await lock.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}

export async function rollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource: source }, true);
}

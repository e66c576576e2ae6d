// Each test file gets its own PostgreSQL database, created here and dropped after.
import { randomBytes } from "node:crypto";
import knexFactory, { type Knex } from "knex";
import pg from "pg";
import { migrateLatest } from "../../lib/db/migrate";

/** The server tests create their databases on (trust auth on this machine). */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  name: string;
  url: string;
  create(): Promise<void>;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_SERVER_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Runs one statement as the server's admin (e.g. to make a test's database refuse connections for a moment). */
export function asServerAdmin(sql: string): Promise<void> {
  return withAdmin(async (client) => void (await client.query(sql)));
}

export function testDatabase(): TestDatabase {
  const name = `charla_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    create: () => withAdmin(async (client) => void (await client.query(`CREATE DATABASE ${name}`))),
    drop: () => withAdmin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))),
  };
}

/** A fresh database with the schema, for tests of plain modules (no broker). */
export function migratedDatabase(): { db: TestDatabase; knex: () => Knex } {
  const db = testDatabase();
  let knex: Knex | undefined;
  beforeAll(async () => {
    await db.create();
    knex = knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 5 } });
    await migrateLatest(knex, db.url);
  });
  afterAll(async () => {
    await knex?.destroy();
    await db.drop();
  });
  return {
    db,
    knex: () => {
      if (!knex) throw new Error("the database is created in beforeAll");
      return knex;
    },
  };
}

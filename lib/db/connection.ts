// One knex pool per process.
import knexFactory, { type Knex } from "knex";
import { config } from "../config";
import { driverLog, noteDatabaseFailure, noteDatabaseSuccess } from "./availability";

/** Every query tells whether the database answers, so an outage is noticed, and its end, once. */
function watched(knex: Knex): Knex {
  knex.on("query-response", noteDatabaseSuccess);
  knex.on("query-error", (err: unknown) => void noteDatabaseFailure(err));
  return knex;
}

let instance: Knex | undefined;
let overrideUrl: string | undefined;
let onClose: (() => Promise<void>) | undefined;

/**
 * The embedded PostgreSQL decides its URL only once it has started; `close`
 * stops it after the last connection is gone.
 */
export function setDatabaseUrl(url: string, close?: () => Promise<void>): void {
  overrideUrl = url;
  onClose = close;
}

export function databaseUrl(): string {
  const url = overrideUrl ?? config().databaseUrl;
  if (!url) {
    throw new Error("No database: set DATABASE_URL, or run the db service on this node so it can start the embedded PostgreSQL");
  }
  return url;
}

export function database(): Knex {
  if (!instance) {
    instance = watched(
      knexFactory({
        client: "pg",
        connection: databaseUrl(),
        pool: { min: 0, max: config().databasePoolMax },
        acquireConnectionTimeout: 10_000,
        log: driverLog,
      }),
    );
  }
  return instance;
}

let sendingInstance: Knex | undefined;

/**
 * A small pool of its own for the WhatsApp sessions (sending, status): a burst
 * of incoming messages that takes every connection of the main pool does not
 * stop the replies from going out.
 */
export function sendingDatabase(): Knex {
  sendingInstance ??= watched(
    knexFactory({
      client: "pg",
      connection: databaseUrl(),
      pool: { min: 0, max: config().databaseSendPoolMax },
      acquireConnectionTimeout: 10_000,
      log: driverLog,
    }),
  );
  return sendingInstance;
}

export async function closeDatabase(): Promise<void> {
  const current = instance;
  const sending = sendingInstance;
  const close = onClose;
  instance = undefined;
  sendingInstance = undefined;
  onClose = undefined;
  if (sending) await sending.destroy();
  if (current) await current.destroy();
  if (close) await close();
}

/** One round trip: whether the database answers. */
export async function pingDatabase(): Promise<void> {
  await database().raw("SELECT 1");
}

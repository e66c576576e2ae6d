// Whether PostgreSQL answers, as this process last saw it. An outage is one
// log line when it starts and one when it ends, not a stack trace per query:
// meanwhile requests answer 503 with Retry-After (ErrorsMiddleware) and the
// background loops keep quiet and try again on their next round.

import { processMetrics } from "../metrics";

/** Seconds a client is told to wait before trying again while the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

interface OutageLog {
  info(message: string): void;
  warn(message: string): void;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  nativeError?: unknown;
  cause?: unknown;
}

// Node's socket errors, and PostgreSQL's: shutting down, starting up, too many connections.
const UNAVAILABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND", "57P01", "57P02", "57P03", "53300"]);
// What pg and knex say when a connection dies or none can be had; they carry no code.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|Timeout acquiring a connection|terminating connection|the database system is (starting up|shutting down)|is not currently accepting connections/i;

/** True when the error says the database cannot be reached (not that a query was wrong). */
export function isDatabaseUnavailable(error: unknown): boolean {
  // Objection and knex wrap the driver's error; follow the chain a few steps.
  let err: unknown = error;
  for (let depth = 0; depth < 4 && typeof err === "object" && err !== null; depth += 1) {
    const { name, code, message, nativeError, cause } = err as ErrorLike;
    if (name === "KnexTimeoutError") return true;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08"))) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.test(message)) return true;
    err = nativeError ?? cause;
  }
  return false;
}

let log: OutageLog = { info: () => undefined, warn: () => undefined };
let outage: { since: number; failures: number } | undefined;

/** Where outages are reported (the node's logger). */
export function reportOutagesTo(target: OutageLog): void {
  log = target;
}

/** Records a failure; true when it was the database being unreachable (already reported, nothing more to log). */
export function noteDatabaseFailure(err: unknown): boolean {
  if (!isDatabaseUnavailable(err)) return false;
  if (!outage) {
    outage = { since: Date.now(), failures: 0 };
    processMetrics.count("databaseOutages");
    processMetrics.set("databaseUp", 0);
    log.warn(`PostgreSQL is unreachable (${err instanceof Error ? err.message : String(err)}); requests get 503 until it is back`);
  }
  outage.failures += 1;
  processMetrics.count("databaseUnavailable");
  return true;
}

/** A query succeeded: an outage, if there was one, is over. */
export function noteDatabaseSuccess(): void {
  if (!outage) return;
  const seconds = ((Date.now() - outage.since) / 1000).toFixed(1);
  log.info(`PostgreSQL is reachable again after ${seconds} s (${outage.failures} operation(s) failed meanwhile)`);
  processMetrics.set("databaseUp", 1);
  outage = undefined;
}

/** A catch handler for background work: reports the error, unless it is the database being away (reported once). */
export function unlessDatabaseDown(report: (err: unknown) => void): (err: unknown) => void {
  return (err) => {
    if (!noteDatabaseFailure(err)) report(err);
  };
}

/**
 * knex's own log: a failed connection attempt (with its stack, once per
 * query) is part of an outage already reported once; anything else is a warning.
 */
export const driverLog = {
  warn: (message: string): void => {
    if (!message.startsWith("Acquire connection error") && !UNAVAILABLE_MESSAGES.test(message)) log.warn(message);
  },
  error: (message: string): void => log.warn(message),
  deprecate: (method: string, alternative: string): void => log.warn(`knex: ${method} is deprecated, use ${alternative}`),
  debug: (): void => undefined,
};

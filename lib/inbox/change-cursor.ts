// Cursors of the change feed. Every message and conversation row carries the
// id of the transaction that last wrote it. A cursor holds a PostgreSQL
// snapshot — which transactions had committed when it was taken — and means
// "you have every row written by those". What changed since is what was
// written by transactions committed now but not then: unlike a timestamp or a
// sequence, that set cannot miss a slow transaction that commits later with an
// older number, nor wait for a long one that has not committed yet.
//
// A batch (from the client's snapshot to the one taken when the batch began)
// is a fixed set of rows, so its pages stay stable: a cursor inside a batch
// also names the batch's end and the last row handed out.
import type { Knex } from "knex";
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";

/** pg_snapshot: transactions below xmin had ended, from xmax on had not begun, those in xip were running. */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  xip: bigint[];
}

/** A row's place in the feed: the transaction that wrote it, then its id. */
export interface Position {
  xid: bigint;
  id: string;
}

export interface Cursor {
  /** What the client has: every row written by a transaction committed in this snapshot. */
  since: Snapshot;
  /** Inside a batch: where the batch ends, and the last row of it handed out. */
  batch?: { upTo: Snapshot; after: Position };
}

const XID = "\\d{1,19}";
const SNAPSHOT = `${XID}:${XID}:(?:${XID}(?:,${XID})*)?`;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** The text of a cursor: a snapshot, or (inside a batch) two snapshots and a position, joined by `~`. */
export const CURSOR_PATTERN = new RegExp(`^${SNAPSHOT}(?:~${SNAPSHOT}~${XID}\\.${UUID})?$`);

/** PostgreSQL's bigint, where transaction ids are kept. */
const MAX_XID = 9_223_372_036_854_775_807n;

/** A snapshot as pg_current_snapshot() writes it; undefined when it is not one PostgreSQL would accept. */
export function parseSnapshot(text: string): Snapshot | undefined {
  const [xmin, xmax, list] = text.split(":");
  if (xmin === undefined || xmax === undefined || list === undefined) return undefined;
  const snapshot = { xmin: BigInt(xmin), xmax: BigInt(xmax), xip: list ? list.split(",").map(BigInt) : [] };
  const ascending = snapshot.xip.every((xid, i) => xid >= snapshot.xmin && xid < snapshot.xmax && (i === 0 || xid > snapshot.xip[i - 1]!));
  // Transaction id 0 is never valid.
  return snapshot.xmin > 0n && snapshot.xmin <= snapshot.xmax && snapshot.xmax <= MAX_XID && ascending ? snapshot : undefined;
}

export const formatSnapshot = (snapshot: Snapshot): string => `${snapshot.xmin}:${snapshot.xmax}:${snapshot.xip.join(",")}`;

export function formatCursor(cursor: Cursor): string {
  const since = formatSnapshot(cursor.since);
  if (!cursor.batch) return since;
  const { upTo, after } = cursor.batch;
  return `${since}~${formatSnapshot(upTo)}~${after.xid}.${after.id}`;
}

export function parseCursor(text: string, field = "since"): Cursor {
  const refuse = () => new ValidationFailed(field, msg("changes.cursor", { field }));
  if (!CURSOR_PATTERN.test(text)) throw refuse();
  const [sinceText, upToText, afterText] = text.split("~");
  const since = parseSnapshot(sinceText!);
  if (!since) throw refuse();
  if (upToText === undefined || afterText === undefined) return { since };
  const upTo = parseSnapshot(upToText);
  const [xid, id] = afterText.split(".") as [string, string];
  const after = { xid: BigInt(xid), id };
  // A batch ends after it begins, and its rows were written in between.
  if (!upTo || upTo.xmin < since.xmin || upTo.xmax < since.xmax || after.xid < since.xmin || after.xid >= upTo.xmax) throw refuse();
  return { since, batch: { upTo, after } };
}

/** Row ids compare as PostgreSQL compares uuids (byte by byte), which lower-case hex text does too. */
export function comparePositions(a: Position, b: Position): number {
  if (a.xid !== b.xid) return a.xid < b.xid ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A record's version for clients: the transaction that last wrote it, as a
 * number (transaction ids stay far below 2^53). Of two copies of a message or
 * a conversation, the one with the greater version is the later.
 */
export const versionOf = (xid: string | bigint): number => Number(xid);

/** The rows of a batch to read: written by transactions committed in `upTo` but not in `since`, after a position. */
export interface Batch {
  since: Snapshot;
  upTo: Snapshot;
  after?: Position;
}

/**
 * Limits a query on the table aliased `alias` to a batch's rows after its
 * position, in feed order. The bounds let the (change_xid, id) index do the
 * work; the snapshot tests decide.
 */
export function whereInBatch<Q extends Knex.QueryBuilder>(query: Q, alias: string, batch: Batch, limit: number): Q {
  const xid = `${alias}.change_xid`;
  const q = query as Knex.QueryBuilder;
  q.where(xid, ">=", batch.since.xmin.toString())
    .where(xid, "<", batch.upTo.xmax.toString())
    .whereRaw(`pg_visible_in_snapshot(${xid}::text::xid8, ?::pg_snapshot)`, [formatSnapshot(batch.upTo)])
    .whereRaw(`NOT pg_visible_in_snapshot(${xid}::text::xid8, ?::pg_snapshot)`, [formatSnapshot(batch.since)]);
  if (batch.after) q.whereRaw(`(${xid}, ${alias}.id) > (?::bigint, ?::uuid)`, [batch.after.xid.toString(), batch.after.id]);
  q.orderBy([{ column: xid }, { column: `${alias}.id` }]).limit(limit);
  return query;
}

export interface FeedPage<T> {
  items: T[];
  /** The last row handed out, when more of the batch waits. */
  last?: Position;
}

/** One page from sources that each returned their first `limit + 1` rows of the batch, in feed order. */
export function pageOf<T extends Position>(sources: T[][], limit: number): FeedPage<T> {
  const merged = sources.flat().sort(comparePositions);
  const items = merged.slice(0, limit);
  if (merged.length <= limit) return { items };
  const last = items[items.length - 1]!;
  return { items, last: { xid: last.xid, id: last.id } };
}

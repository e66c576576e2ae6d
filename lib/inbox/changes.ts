// GET /api/changes: what changed since a client's cursor, for a client that
// may have missed socket events (it was disconnected, or Redis was). Messages
// and conversations as they are now, and the conversations that moved out of
// the caller's sight, in the order they were written, within the same
// visibility rule as REST and the socket rooms.
import type { Knex } from "knex";
import type { Caller } from "../auth/caller";
import { ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { formatCursor, pageOf, parseCursor, parseSnapshot, versionOf, type Batch, type Cursor, type Position, type Snapshot } from "./change-cursor";
import { Conversations, type PublicConversation } from "./conversations";
import { messagesChangedIn, type PublicMessage } from "./messages";
import type { Static } from "@sinclair/typebox";
import type { ChangesPage as ChangesPageSchema } from "../contract/resources";

export const DEFAULT_CHANGES_LIMIT = 100;
export const MAX_CHANGES_LIMIT = 500;

interface ItemBase {
  /** The version of the message or conversation this item carries (for a departure: of the move). */
  version: number;
  conversation_id: string;
}

export type ChangeItem =
  | (ItemBase & { type: "message"; message: PublicMessage })
  | (ItemBase & { type: "conversation"; conversation: PublicConversation })
  /** It moved to a queue or a person the caller cannot see: drop it. */
  | (ItemBase & { type: "conversation_left" });

export type ChangesPage = Static<typeof ChangesPageSchema>;

type Positioned = Position & { item: ChangeItem };

/** The snapshot this (repeatable read) transaction reads in. */
async function snapshotOf(trx: Knex.Transaction): Promise<Snapshot> {
  const { rows } = await trx.raw<{ rows: Array<{ snapshot: string }> }>("SELECT pg_current_snapshot()::text AS snapshot");
  const snapshot = parseSnapshot(rows[0]!.snapshot);
  if (!snapshot) throw new Error(`PostgreSQL answered a snapshot it would not read back: ${rows[0]!.snapshot}`);
  return snapshot;
}

/**
 * The changes after `since` (none given: no changes, and the cursor of now).
 * A new batch ends at this request's snapshot; all sources are read in it.
 */
export async function readChanges(knex: Knex, caller: Caller, since: string | undefined, limit: number): Promise<ChangesPage> {
  const cursor = since === undefined ? undefined : parseCursor(since);
  return knex.transaction(
    async (trx) => {
      const now = await snapshotOf(trx);
      if (!cursor) return { items: [], cursor: formatCursor({ since: now }), has_more: false, limit };
      // Snapshots handed out are never ahead of now; one that is was not ours (or the database was restored).
      if (cursor.since.xmax > now.xmax || (cursor.batch && cursor.batch.upTo.xmax > now.xmax)) {
        throw new ValidationFailed("since", msg("changes.sinceUnknown"));
      }
      const batch: Batch = cursor.batch ? { since: cursor.since, ...cursor.batch } : { since: cursor.since, upTo: now };
      const conversations = new Conversations(trx);
      // One after another: a transaction is one connection.
      const messages = await messagesChangedIn(trx, caller, batch, limit + 1);
      const changed = await conversations.changedIn(caller, batch, limit + 1);
      const departed = await conversations.departuresIn(caller, batch, limit + 1);
      const page = pageOf<Positioned>(
        [
          messages.map(({ xid, id, message }) => ({
            xid,
            id,
            item: { type: "message", version: versionOf(xid), conversation_id: message.conversation_id, message },
          })),
          changed.map(({ xid, id, conversation }) => ({
            xid,
            id,
            item: { type: "conversation", version: versionOf(xid), conversation_id: conversation.id, conversation },
          })),
          departed.map(({ xid, id, conversation_id }) => ({ xid, id, item: { type: "conversation_left", version: versionOf(xid), conversation_id } })),
        ],
        limit,
      );
      const next: Cursor = page.last ? { since: batch.since, batch: { upTo: batch.upTo, after: page.last } } : { since: batch.upTo };
      return { items: page.items.map((row) => row.item), cursor: formatCursor(next), has_more: page.last !== undefined, limit };
    },
    { isolationLevel: "repeatable read", readOnly: true },
  );
}

// Durable timers: rows with a due time, so deadlines survive restarts and
// crashes. Any node claims due rows (FOR UPDATE SKIP LOCKED, for a while), runs
// them, and marks them fired; a claim that was never finished (the node died)
// lapses and another node runs the timer again, so handlers must be idempotent.
import type { Knex } from "knex";

export interface TimerRow {
  id: string;
  /** "<service>.<what>": the `<service>.timer` action runs it. */
  kind: string;
  dedupe_key: string | null;
  conversation_id: string | null;
  payload: Record<string, unknown>;
  due_at: Date;
}

export interface TimerRequest {
  kind: string;
  dueAt: Date;
  /** At most one pending timer per key: scheduling again replaces the pending one. */
  dedupeKey?: string;
  conversationId?: string | null;
  payload?: Record<string, unknown>;
}

const CLAIM_SECONDS = 30;

export async function scheduleTimer(knex: Knex, request: TimerRequest): Promise<void> {
  // One round trip: the pending timer of the key is cancelled where the new one is written (migration 20261204_001).
  await knex.raw("SELECT charla_schedule_timer(?, ?, ?, ?, ?)", [
    request.kind,
    request.dueAt,
    request.dedupeKey ?? null,
    request.conversationId ?? null,
    JSON.stringify(request.payload ?? {}),
  ]);
}

/** Cancels pending timers by key, or by conversation and kind prefix ("sla.first_response"). */
export async function cancelTimers(knex: Knex, which: { dedupeKey: string } | { conversationId: string; kindPrefix: string }): Promise<void> {
  if ("dedupeKey" in which) {
    await knex.raw("SELECT charla_cancel_timer(?)", [which.dedupeKey]);
    return;
  }
  await knex("timers")
    .whereNull("fired_at")
    .whereNull("cancelled_at")
    .where({ conversation_id: which.conversationId })
    .where("kind", "like", `${which.kindPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    .update({ cancelled_at: knex.fn.now() });
}

/** Claims up to `limit` due timers for this node. */
export async function claimDueTimers(knex: Knex, nodeId: string, limit: number): Promise<TimerRow[]> {
  const { rows } = await knex.raw<{ rows: TimerRow[] }>(
    `UPDATE timers SET claimed_by = ?, claimed_until = now() + make_interval(secs => ?)
      WHERE id IN (
        SELECT id FROM timers
         WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now()
           AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY due_at
         LIMIT ?
         FOR UPDATE SKIP LOCKED)
      RETURNING id, kind, dedupe_key, conversation_id, payload, due_at`,
    [nodeId, CLAIM_SECONDS, limit],
  );
  return rows;
}

export async function markTimerFired(knex: Knex, id: string): Promise<void> {
  await knex("timers").where({ id }).update({ fired_at: knex.fn.now() });
}

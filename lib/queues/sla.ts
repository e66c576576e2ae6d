// SLA clocks. First response: from the conversation's arrival in a queue (bot
// time excluded) to the first agent message. Resolution: from that arrival to
// the resolve. Both count only the queue's business hours when it has them.
// Deadlines are stored on the conversation and kept as durable timers that
// warn shortly before and mark the breach when they pass unmet.
import type { Knex } from "knex";
import type { Conversation } from "../models/conversations";
import type { SlaEvent } from "../contract/events";
import { cancelTimers, scheduleTimer, type TimerRow } from "../timers";
import type { Schedule } from "../models/queues";
import { addBusinessSeconds, type Calendar } from "./business-hours";

export const SLA_KINDS = ["first_response", "resolution"] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

export interface QueueClock {
  sla_first_response: number | null;
  sla_resolution: number | null;
  business_hours: Schedule | null;
  timezone: string;
  holidays: string[];
}

export const calendarOf = (queue: Pick<QueueClock, "business_hours" | "timezone" | "holidays">): Calendar => ({
  schedule: queue.business_hours,
  timezone: queue.timezone,
  holidays: queue.holidays,
});

async function arm(trx: Knex.Transaction, conversationId: string, kind: SlaKind, due: Date | null, now: Date, warningSeconds: number): Promise<void> {
  await cancelTimers(trx, { conversationId, kindPrefix: `sla.${kind}.` });
  if (!due) return;
  const payload = { due_at: due.toISOString() };
  const warnAt = new Date(due.getTime() - warningSeconds * 1000);
  if (warningSeconds > 0 && warnAt > now) {
    await scheduleTimer(trx, { kind: `sla.${kind}.warning`, dueAt: warnAt, conversationId, payload, dedupeKey: `sla:${conversationId}:${kind}:warning` });
  }
  await scheduleTimer(trx, { kind: `sla.${kind}.breach`, dueAt: due, conversationId, payload, dedupeKey: `sla:${conversationId}:${kind}:breach` });
}

/**
 * What a conversation arriving in a queue at `now` writes: its deadlines
 * (the first response one restarts with each new queue until it is met; the
 * resolution one runs from the first arrival), with their timers armed.
 */
export async function startClocks(
  trx: Knex.Transaction,
  conversation: Pick<Conversation, "id" | "first_response_at" | "sla_resolution_due_at">,
  queue: QueueClock,
  now: Date,
  warningSeconds: number,
): Promise<Record<string, unknown>> {
  const due = (seconds: number | null) => (seconds ? addBusinessSeconds(calendarOf(queue), now, seconds) : null);
  const patch: Record<string, unknown> = {};
  if (!conversation.first_response_at) {
    const firstResponse = due(queue.sla_first_response);
    Object.assign(patch, { sla_first_response_due_at: firstResponse, sla_first_response_met: null });
    await arm(trx, conversation.id, "first_response", firstResponse, now, warningSeconds);
  }
  if (!conversation.sla_resolution_due_at) {
    const resolution = due(queue.sla_resolution);
    Object.assign(patch, { sla_resolution_due_at: resolution, sla_resolution_met: null });
    await arm(trx, conversation.id, "resolution", resolution, now, warningSeconds);
  }
  return patch;
}

/** A queue's SLA and hours; undefined when there is no such queue (or it was deleted). */
export async function queueClock(knex: Knex, queueId: string): Promise<QueueClock | undefined> {
  return knex("queues").where({ id: queueId }).whereNull("deleted_at").first("sla_first_response", "sla_resolution", "business_hours", "timezone", "holidays");
}

/** A queue's opening hours as a calendar (business_hours nodes); undefined when there is no such queue. */
export async function queueCalendar(knex: Knex, queueId: string): Promise<Calendar | undefined> {
  const queue = await queueClock(knex, queueId);
  return queue && calendarOf(queue);
}

/** A clock that stopped (first reply, resolve) needs no warning nor breach any more. */
export function stopClock(trx: Knex.Transaction, conversationId: string, kind: SlaKind): Promise<void> {
  return cancelTimers(trx, { conversationId, kindPrefix: `sla.${kind}.` });
}

/** The SQL that decides `met` when a clock stops now: null when no deadline applied. */
export const metNow = (knex: Knex, dueColumn: string) => knex.raw(`CASE WHEN ?? IS NULL THEN NULL ELSE now() <= ?? END`, [dueColumn, dueColumn]);

const STOPPED_BY: Record<SlaKind, "first_response_at" | "resolved_at"> = { first_response: "first_response_at", resolution: "resolved_at" };

/**
 * An SLA timer come due ("sla.<kind>.<warning|breach>"): the event to tell, or
 * undefined when the deadline no longer stands (met, resolved, or replaced by
 * a newer clock). A breach marks the conversation as having missed it.
 */
export async function slaDeadline(
  knex: Knex,
  timer: Pick<TimerRow, "kind" | "conversation_id" | "payload">,
): Promise<{ phase: "warning" | "breach"; event: SlaEvent } | undefined> {
  const [, kind, phase] = timer.kind.split(".") as [string, SlaKind, "warning" | "breach"];
  const conversationId = timer.conversation_id;
  if (!SLA_KINDS.includes(kind) || !conversationId) throw new Error(`Unknown SLA timer ${timer.kind}`);
  const dueAt = String(timer.payload.due_at);
  // Still running, on this very deadline: not met, not resolved, not restarted in another queue.
  const pending = () =>
    knex("conversations")
      .where({ id: conversationId, [`sla_${kind}_due_at`]: new Date(dueAt) })
      .whereNull(STOPPED_BY[kind])
      .whereNot("status", "resolved")
      .whereNotNull("queue_id");
  const row =
    phase === "breach"
      ? (
          await pending()
            .whereNull(`sla_${kind}_met`)
            .update({ [`sla_${kind}_met`]: false })
            .returning("queue_id")
        )[0]
      : await pending().first("queue_id");
  if (!row?.queue_id) return undefined;
  return { phase, event: { conversation_id: conversationId, queue_id: row.queue_id, kind, due_at: dueAt } };
}

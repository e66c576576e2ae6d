// SLA deadlines as they come due (durable timers "sla.<kind>.<warning|breach>"):
// a breach marks the conversation and tells the queue's supervisors; a warning
// tells them shortly before. A deadline the conversation already met, or one
// replaced by a newer clock, does nothing.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { database } from "../lib/db/connection";
import { SLA_KINDS, type SlaKind } from "../lib/queues/sla";
import type { TimerRow } from "../lib/timers";
import type { SlaEvent } from "../lib/contract/events";
import { emitEvent } from "../lib/contract/events";

const STOPPED_BY: Record<SlaKind, string> = { first_response: "first_response_at", resolution: "resolved_at" };

const SlaServiceSchema: ServiceSchema<ServiceSettingSchema, Service> = {
  name: "sla",
  dependencies: ["db"],

  actions: {
    timer: {
      visibility: "public",
      params: { timer: "object" },
      async handler(this: Service, ctx: Context<{ timer: TimerRow }>) {
        const { kind: timerKind, conversation_id, payload } = ctx.params.timer;
        const [, kind, phase] = timerKind.split(".") as [string, SlaKind, "warning" | "breach"];
        if (!SLA_KINDS.includes(kind) || !conversation_id) throw new Error(`Unknown SLA timer ${timerKind}`);
        const knex = database();
        const due = `sla_${kind}_due_at`;
        // Still running, on this very deadline: not met, not resolved, not restarted in another queue.
        const pending = () =>
          knex("conversations")
            .where({ id: conversation_id, [due]: new Date(String(payload.due_at)) })
            .whereNull(STOPPED_BY[kind])
            .whereNot("status", "resolved")
            .whereNotNull("queue_id");
        let row: { queue_id: string } | undefined;
        if (phase === "breach") {
          [row] = await pending().whereNull(`sla_${kind}_met`).update({ [`sla_${kind}_met`]: false }).returning("queue_id");
        } else {
          row = await pending().first("queue_id");
        }
        if (!row) return { emitted: false };
        const event: SlaEvent = { conversation_id, queue_id: row.queue_id, kind, due_at: String(payload.due_at) };
        await emitEvent(this.broker, phase === "breach" ? "sla.breached" : "sla.warning", event);
        return { emitted: true };
      },
    },
  },
};

export default SlaServiceSchema;

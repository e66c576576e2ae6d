// SLA deadlines as they come due (durable timers "sla.<kind>.<warning|breach>"):
// a breach marks the conversation and tells the queue's supervisors; a warning
// tells them shortly before. A deadline the conversation already met, or one
// replaced by a newer clock, does nothing.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { database } from "../lib/db/connection";
import { slaDeadline } from "../lib/queues/sla";
import type { TimerRow } from "../lib/timers";
import { emitEvent } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";
import { metricsOn } from "../lib/metrics";

const SlaServiceSchema: ServiceSchema<ServiceSettingSchema, Service> = {
  name: "sla",
  mixins: [usesDatabase()],

  actions: {
    timer: {
      visibility: "public",
      params: { timer: "object" },
      async handler(this: Service, ctx: Context<{ timer: TimerRow }>) {
        const due = await slaDeadline(database(), ctx.params.timer);
        if (!due) return { emitted: false };
        metricsOn(this.broker.metrics).count(due.phase === "breach" ? "slaBreaches" : "slaWarnings");
        await emitEvent(this.broker, due.phase === "breach" ? "sla.breached" : "sla.warning", due.event);
        return { emitted: true };
      },
    },
  },
};

export default SlaServiceSchema;

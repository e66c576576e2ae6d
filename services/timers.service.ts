// Runs due durable timers (lib/timers.ts) on whichever node claims them first:
// a timer of kind "sla.first_response.breach" is handed to the `sla.timer` action.
import { unlessDatabaseDown } from "../lib/db/availability";
import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { claimDueTimers, markTimerFired, type TimerRow } from "../lib/timers";
import { usesDatabase } from "../mixins/database.mixin";
import { metricsOn } from "../lib/metrics";

interface TimersService extends Service {
  pollTimer?: NodeJS.Timeout;
  polling?: Promise<void>;
  poll(): Promise<void>;
  run(timer: TimerRow): Promise<void>;
  measure(timer: TimerRow): void;
}

const BATCH = 50;
// A timer fired later than this after its due time counts as late (the poll runs every second by default).
const LATE_SECONDS = 5;

const TimersServiceSchema: ServiceSchema<ServiceSettingSchema, TimersService> = {
  name: "timers",
  mixins: [usesDatabase()],

  methods: {
    async poll(this: TimersService) {
      for (;;) {
        const due = await claimDueTimers(database(), this.broker.nodeID, BATCH);
        await Promise.all(due.map((timer) => this.run(timer)));
        if (due.length < BATCH) return;
      }
    },

    measure(this: TimersService, timer: TimerRow) {
      const metrics = metricsOn(this.broker.metrics);
      if (!metrics.enabled) return;
      const lateSeconds = Math.max(0, (Date.now() - new Date(timer.due_at).getTime()) / 1000);
      metrics.count("timersFired", { kind: timer.kind });
      metrics.observe("timerLateness", lateSeconds);
      if (lateSeconds > LATE_SECONDS) metrics.count("timersLate", { kind: timer.kind });
    },

    async run(this: TimersService, timer: TimerRow) {
      const action = `${timer.kind.split(".")[0]}.timer`;
      try {
        await this.broker.call(action, { timer });
        await markTimerFired(database(), timer.id);
        this.measure(timer);
      } catch (err) {
        // Left claimed: the claim lapses and the timer runs again, here or elsewhere.
        this.logger.warn(`Timer ${timer.id} (${timer.kind}) failed; it will be retried`, err);
      }
    },
  },

  started(this: TimersService) {
    this.pollTimer = setInterval(() => {
      this.polling ??= this.poll()
        .catch(unlessDatabaseDown((err) => this.logger.error("Polling timers failed", err)))
        .finally(() => (this.polling = undefined));
    }, config().timerPollIntervalMs);
    return Promise.resolve();
  },

  async stopped(this: TimersService) {
    clearInterval(this.pollTimer);
    await this.polling;
  },
};

export default TimersServiceSchema;

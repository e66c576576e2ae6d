// Assignment: offers waiting conversations to agents whenever something may
// let one through — a conversation arrives in a queue, an agent frees up,
// comes online or joins a queue — and, as a safety net, every
// ASSIGNMENT_SWEEP_INTERVAL_MS. Also returns the conversations of agents who
// went away, when AGENT_AWAY_POLICY=requeue (docs/queues.md).
import { unlessDatabaseDown } from "../lib/db/availability";
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";

import { assignWaiting, queuesOfAgent, queuesWithWaiting } from "../lib/routing/assignment";
import { metricsOn } from "../lib/metrics";
import { requeueAwaitingReply } from "../lib/routing/away";
import { cancelTimers, scheduleTimer, type TimerRow } from "../lib/timers";
import { emitEvent, type ConversationChange, type EventContext } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";

interface RoutingService extends Service {
  sweepTimer?: NodeJS.Timeout;
  assign(queueIds: Array<string | null | undefined>): Promise<void>;
  queuesOf(userId: string): Promise<string[]>;
  announce(changes: ConversationChange[]): Promise<void>;
}

const awayKey = (userId: string) => `agent-away:${userId}`;

const RoutingServiceSchema: ServiceSchema<ServiceSettingSchema, RoutingService> = {
  name: "routing",
  mixins: [usesDatabase()],

  actions: {
    /** Runs assignment for one queue now (operators, tests). */
    assign: {
      visibility: "public",
      params: { queue_id: "uuid" },
      async handler(this: RoutingService, ctx: Context<{ queue_id: string }>) {
        await this.assign([ctx.params.queue_id]);
        return { ok: true };
      },
    },

    /** routing.* durable timers: an agent's away grace period ended. */
    timer: {
      visibility: "public",
      params: { timer: "object" },
      async handler(this: RoutingService, ctx: Context<{ timer: TimerRow }>) {
        const { kind, payload } = ctx.params.timer;
        if (kind !== "routing.agent_away") throw new Error(`Unknown routing timer ${kind}`);
        const changes = await requeueAwaitingReply(database(), String(payload.user_id));
        await this.announce(changes);
        await this.assign(changes.map((change) => change.queue_id));
      },
    },
  },

  events: {
    async "conversation.changed"(this: RoutingService, ctx: EventContext<"conversation.changed">) {
      const change = ctx.params;
      const arrived = change.status === "waiting" && change.queue_id;
      // An agent who lost an active conversation (resolved, transferred, reassigned) has room again.
      const freed =
        change.from_status === "active" && change.previous_assigned_to && (change.status !== "active" || change.assigned_to !== change.previous_assigned_to);
      const queues = [arrived ? change.queue_id : null, ...(freed ? await this.queuesOf(change.previous_assigned_to!) : [])];
      await this.assign(queues);
    },

    async "user.status_changed"(this: RoutingService, ctx: EventContext<"user.status_changed">) {
      const { user_id, status } = ctx.params;
      const knex = database();
      if (status === "online") {
        await cancelTimers(knex, { dedupeKey: awayKey(user_id) });
        await this.assign(await this.queuesOf(user_id));
      } else if (config().agentAwayPolicy === "requeue") {
        const dueAt = new Date(Date.now() + config().agentAwayGraceSeconds * 1000);
        await scheduleTimer(knex, { kind: "routing.agent_away", dueAt, dedupeKey: awayKey(user_id), payload: { user_id } });
      }
    },

    async "queue.membership.changed"(this: RoutingService, ctx: EventContext<"queue.membership.changed">) {
      if (ctx.params.member) await this.assign([ctx.params.queue_id]);
    },

    async "queue.changed"(this: RoutingService, ctx: EventContext<"queue.changed">) {
      await this.assign([ctx.params.queue_id]);
    },
  },

  methods: {
    async assign(this: RoutingService, queueIds: Array<string | null | undefined>) {
      for (const queueId of new Set(queueIds.filter((id): id is string => Boolean(id)))) {
        await this.announce(await assignWaiting(database(), queueId, metricsOn(this.broker.metrics)));
      }
    },

    async announce(this: RoutingService, changes: ConversationChange[]) {
      for (const change of changes) await emitEvent(this.broker, "conversation.changed", change);
    },

    async queuesOf(this: RoutingService, userId: string) {
      return queuesOfAgent(database(), userId);
    },
  },

  started(this: RoutingService) {
    this.sweepTimer = setInterval(() => {
      queuesWithWaiting(database())
        .then((queueIds) => this.assign(queueIds))
        .catch(unlessDatabaseDown((err) => this.logger.warn("Assignment sweep failed", err)));
    }, config().assignmentSweepIntervalMs);
    return Promise.resolve();
  },

  stopped(this: RoutingService) {
    clearInterval(this.sweepTimer);
    return Promise.resolve();
  },
};

export default RoutingServiceSchema;

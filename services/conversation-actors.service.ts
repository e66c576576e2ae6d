// Hosts conversation actors (lib/flows/actor-host.ts). Each conversation belongs to
// one node (lib/flows/owner.ts), so all its events are handled in order in one
// place; when nodes come or go, ownership moves, the snapshots' versions keep
// a former owner from overwriting the new one, and flows a dead node left in
// the middle of a run go on.
import { unlessDatabaseDown } from "../lib/db/availability";
import type { Context, Service, ServiceBroker, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { availableNodes, nodesRunning } from "../lib/cluster";
import { config } from "../lib/config";
import { closedQueueFallback } from "../lib/queues/store";
import { database } from "../lib/db/connection";
import { FlowActorHost, isStaleActor, type ActorEvent } from "../lib/flows/actor-host";
import { claimOverdue } from "../lib/inbox/flow-inbox";
import { ownerOf } from "../lib/flows/owner";

import type { TimerRow } from "../lib/timers";
import { emitEvent, type EventContext } from "../lib/contract/events";
import { announceQueued } from "../lib/inbox/outbound";
import { usesDatabase } from "../mixins/database.mixin";
import { logContext } from "../lib/log-format";
import { metricsOn } from "../lib/metrics";

// The nodes sharing out conversations, this one included (while it starts, the registry does not list it yet).
const ringOf = (broker: ServiceBroker) => [...new Set([...nodesRunning(broker, "conversation-actors"), broker.nodeID])].sort().join(" ");

interface ActorsService extends Service {
  actors: FlowActorHost;
  evictTimer?: NodeJS.Timeout;
  inboxTimer?: NodeJS.Timeout;
  sweepInbox(everything?: boolean): Promise<void>;
  ownerOf(conversationId: string): string;
  dispatch(conversationId: string, event: ActorEvent): Promise<void>;
  background(conversationId: string, event: ActorEvent): void;
  resumeOrphans(): void;
  ringChanged(): boolean;
  /** The nodes running conversation actors when this node last looked. */
  ring?: string;
  /** Background lookups in flight (resume, inbox sweep): a stopping node waits for them before the database closes. */
  lookups: Set<Promise<void>>;
  stopping: boolean;
  lookup(work: () => Promise<void>, failure: string): void;
}

const NAME = "conversation-actors";
const STALE_RETRIES = 8;
// How often each node looks for inbox inputs overdue for consumption.
const INBOX_SWEEP_MS = 1_000;
// From this try on, an input still not consumed is worth an operator's look.
const INBOX_WORRYING_ATTEMPTS = 4;
// Changes by which a conversation arrives in a queue (not an agent leaving it there).
const ARRIVALS = new Set(["handed_off", "transferred", "reopened"]);

const ActorsServiceSchema: ServiceSchema<ServiceSettingSchema, ActorsService> = {
  name: NAME,
  mixins: [usesDatabase()],

  actions: {
    /** Runs an event on this node's actor of the conversation (callers route it to the owner). */
    dispatch: {
      visibility: "public",
      params: { conversation_id: "uuid", event: "object" },
      async handler(this: ActorsService, ctx: Context<{ conversation_id: string; event: ActorEvent }>) {
        await this.actors.handle(ctx.params.conversation_id, ctx.params.event);
        return { ok: true };
      },
    },

    /** conversation-actors.* durable timers: a question's timeout or a wait's end. */
    timer: {
      visibility: "public",
      params: { timer: "object" },
      async handler(this: ActorsService, ctx: Context<{ timer: TimerRow }>) {
        const { conversation_id, payload } = ctx.params.timer;
        if (conversation_id) await this.dispatch(conversation_id, { kind: "timer", token: String(payload.token) });
      },
    },

    /** The actors in memory on this node (REPL `actors`). */
    list: {
      visibility: "public",
      handler(this: ActorsService) {
        return this.actors.list();
      },
    },

    /** One actor's snapshot, variables, recent trace and timers (REPL `actor <id>`). */
    inspect: {
      visibility: "public",
      params: { conversation_id: "uuid" },
      async handler(this: ActorsService, ctx: Context<{ conversation_id: string }>) {
        return { owner: this.ownerOf(ctx.params.conversation_id), ...(await this.actors.inspect(ctx.params.conversation_id)) };
      },
    },
  },

  // Handlers hand the event over and return: whoever emitted it (the WhatsApp session storing
  // messages, a flow announcing its own hand-off) must not wait for a flow to run.
  events: {
    "message.received"(this: ActorsService, ctx: EventContext<"message.received">) {
      if (ctx.params.direction !== "inbound") return;
      this.background(ctx.params.conversation_id, { kind: "inbox" });
    },

    async "conversation.changed"(this: ActorsService, ctx: EventContext<"conversation.changed">) {
      const change = ctx.params;
      // People took the conversation (or it was resolved, or handed off): the bot's flow stops where it is.
      if (change.status === "active" || change.status === "resolved" || (change.from_status === "bot" && change.status !== "bot")) {
        this.background(change.conversation_id, { kind: "stop" });
      }
      if (change.status === "waiting" && change.queue_id && ARRIVALS.has(change.kind)) {
        const flowId = await closedQueueFallback(database(), change.queue_id);
        if (flowId) this.background(change.conversation_id, { kind: "fallback", flow_id: flowId });
      }
    },

    // Ownership moves when the nodes running conversation actors change (one came, went, finished starting
    // or stopped its actors); actors this node may no longer own are dropped (reloaded on demand). Other
    // nodes coming and going (an operator's REPL, a gateway) move nothing.
    "$node.connected"(this: ActorsService) {
      this.ringChanged();
    },
    "$node.disconnected"(this: ActorsService) {
      if (this.ringChanged()) this.resumeOrphans();
    },
    "$node.updated"(this: ActorsService) {
      this.ringChanged();
    },
  },

  methods: {
    /** Drops the actors in memory when the nodes sharing out conversations changed; true when they did. */
    ringChanged(this: ActorsService) {
      const ring = ringOf(this.broker);
      if (ring === this.ring) return false;
      this.ring = ring;
      this.actors.clear();
      return true;
    },

    /**
     * Flows that a node that died (or this one, before a restart) left in the
     * middle of a run go on, each on its conversation's new owner, and messages
     * such a node had not handed to a flow are handed over now (sweepInbox).
     */
    resumeOrphans(this: ActorsService) {
      const alive = availableNodes(this.broker);
      this.lookup(async () => {
        const interrupted = await this.actors.orphaned(alive);
        if (interrupted.length) this.logger.warn(`Resuming ${interrupted.length} flow(s) interrupted on a node that is gone`);
        for (const id of interrupted) this.background(id, { kind: "resume" });
        await this.sweepInbox(true);
      }, "Could not look for interrupted flows and unconsumed messages");
    },

    lookup(this: ActorsService, work: () => Promise<void>, failure: string) {
      // A stopping node leaves the lookups to the others (its database is about to close).
      if (this.stopping) return;
      const running: Promise<void> = work()
        .catch(unlessDatabaseDown((err) => this.logger.warn(failure, err)))
        .finally(() => this.lookups.delete(running));
      this.lookups.add(running);
    },

    /**
     * Inputs whose event was lost (a node died, the transporter was down, the owner refused) go again:
     * those overdue, or all that wait when a node just left or this one just started.
     */
    async sweepInbox(this: ActorsService, everything: boolean = false) {
      for (const { conversation_id, attempts } of await claimOverdue(database(), config().flowInboxRetrySeconds, everything)) {
        if (attempts >= INBOX_WORRYING_ATTEMPTS)
          this.logger.warn(`An incoming message is still not consumed by its flow after ${attempts} tries`, logContext({ conversation: conversation_id }));
        this.background(conversation_id, { kind: "inbox" });
      }
    },

    background(this: ActorsService, conversationId: string, event: ActorEvent) {
      this.dispatch(conversationId, event).catch(
        unlessDatabaseDown((err) => this.logger.error(`Conversation actor failed on ${event.kind}`, err, logContext({ conversation: conversationId }))),
      );
    },

    ownerOf(this: ActorsService, conversationId: string) {
      const nodes = nodesRunning(this.broker, NAME);
      if (!nodes.includes(this.broker.nodeID)) nodes.push(this.broker.nodeID);
      return ownerOf(conversationId, nodes);
    },

    async dispatch(this: ActorsService, conversationId: string, event: ActorEvent) {
      // While nodes come and go the owner may move under an event; a stale writer loses and the event goes again to whoever owns it now.
      for (let attempt = 0; ; attempt += 1) {
        const owner = this.ownerOf(conversationId);
        try {
          if (owner === this.broker.nodeID) await this.actors.handle(conversationId, event);
          else await this.broker.call(`${NAME}.dispatch`, { conversation_id: conversationId, event }, { nodeID: owner });
          return;
        } catch (err) {
          if (!isStaleActor(err) || attempt >= STALE_RETRIES) throw err;
          await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
        }
      }
    },
  },

  created(this: ActorsService) {
    this.lookups = new Set();
    this.stopping = false;
  },

  started(this: ActorsService) {
    this.ring = ringOf(this.broker);
    this.actors = new FlowActorHost(database(), {
      nodeId: this.broker.nodeID,
      queued: (messages) => announceQueued(this.broker, messages),
      emit: (event, payload) => emitEvent(this.broker, event, payload),
      odoo: async (action, params) => {
        if (nodesRunning(this.broker, "odoo").length === 0) throw new Error("Odoo is not available on this installation");
        return this.broker.call(`odoo.${action}`, params);
      },
      log: (level, message, conversationId) => this.logger[level](message, logContext({ conversation: conversationId })),
      metrics: metricsOn(this.broker.metrics),
    });
    // Flows this node (before a restart) or a dead node left in the middle of a run.
    this.resumeOrphans();
    this.inboxTimer = setInterval(() => {
      if (this.lookups.size === 0) this.lookup(() => this.sweepInbox(), "Could not look for unconsumed messages");
    }, INBOX_SWEEP_MS);
    const idleMs = config().actorIdleSeconds * 1000;
    this.evictTimer = setInterval(() => this.actors.evictIdle(idleMs), Math.min(idleMs, 30_000));
    return Promise.resolve();
  },

  async stopped(this: ActorsService) {
    this.stopping = true;
    clearInterval(this.evictTimer);
    clearInterval(this.inboxTimer);
    await Promise.all(this.lookups);
    this.actors?.clear();
  },
};

export default ActorsServiceSchema;

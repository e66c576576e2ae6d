// The host of the conversations' flow actors: while the bot holds a conversation, its flow runs in an
// XState actor on one node. Events of one conversation are handled one at a
// time. The actor's snapshot is written with a version number, so a stale
// writer (an old owner) loses and a restart, a crash or a new owner resumes
// where the flow stopped. It is written once per event, with that event's
// sends, timer and consumed input (one round trip), and before any effect
// that reaches beyond the outbox (an HTTP call, a hand-off, a tag): a crash
// runs again at most the nodes after the last write, and those only queued
// sends, whose keys come from the written state, so nothing goes out twice.
// Idle actors leave memory; the next event reads them back.
import type { Knex } from "knex";
import type { Row } from "../db/tables";
import { createActor, type Actor } from "xstate";
import { conversationFlowMachine } from "./flow.machine";
import { config } from "../config";
import { Contacts } from "../contacts";
import { applyChange, handoffRequest } from "../inbox/conversations";
import { relayedFromJson, type MessageJson } from "../inbox/messages";

import type { QueuedMessage } from "../inbox/outbound";
import type { Conversation } from "../models/conversations";
import { Flows } from "./store";
import { liveFlowEffects, type ChangeBuilder, type OutboxEntry } from "./effects";
import type { FlowInput } from "./node-type";
import { consumeInput } from "../inbox/flow-inbox";
import { outboundRefusal } from "../inbox/outbound";
import { deliverInput, deliverTimer, resumeFlow, startFlow, type FlowHost, type FlowState } from "./runtime";
import { triggeredFlow } from "./triggers";
import { Batcher, type Outcome } from "../db/batcher";
import type { BrokerEvent, BrokerEvents, ConversationChange, Placement } from "../contract/events";
import type { Metrics } from "../metrics";

export type ActorEvent =
  /** Inputs wait in the conversation's flow inbox: take them, in order. */
  | { kind: "inbox" }
  | { kind: "timer"; token: string }
  | { kind: "stop" }
  /** Its node died in the middle of a run: go on from where the snapshot stopped. */
  | { kind: "resume" }
  /** The conversation arrived in a closed queue: its fallback flow talks to the contact while it waits. */
  | { kind: "fallback"; flow_id: string };

/** What one pass of an actor handles: an event, or one input taken from the inbox (undefined: not an inbound message). */
type ActorStep = Exclude<ActorEvent, { kind: "inbox" }> | { kind: "input"; input: FlowInput | undefined };

/** What becomes of the flow's timer when the state is written: replaced, or cancelled. */
type TimerChange = { kind: string; due_at: Date; payload: Record<string, unknown> } | { cancel: true };

export interface ActorDeps {
  nodeId: string;
  /** Messages the flow queued (committed with its state): the sending node and the inbox hear of them. */
  queued(messages: QueuedMessage[]): Promise<void>;
  emit<E extends BrokerEvent>(event: E, payload: BrokerEvents[E]): Promise<void>;
  odoo(action: string, params: Record<string, unknown>): Promise<unknown>;
  log(level: "info" | "warn" | "error", message: string, conversationId?: string): void;
  metrics?: Metrics;
}

type FlowActor = Actor<typeof conversationFlowMachine>;

interface Live {
  actor: FlowActor;
  /** Sends since the last write: written with the snapshot, in one transaction, or not at all. */
  outbox: OutboxEntry[];
  /** The state after the last node, while the run goes on (not written yet). */
  pending?: FlowState;
  /** The timer change since the last write. */
  timer?: TimerChange;
  /** The snapshot version this node last read or wrote; 0 when there is no row yet. */
  version: number;
  lastUsed: number;
  /** What the conversation's current_flow columns say, as last written from here. */
  currentFlow?: string;
  /** The inbox input being handled: it leaves the inbox with the first resting state written after it (see persist). */
  consuming?: string;
}

/** Another node wrote this conversation's snapshot meanwhile (ownership moved): the event must go to the owner. */
export class StaleActorError extends Error {
  // Kept across the wire, so a caller on another node recognises it.
  readonly type = "STALE_ACTOR";
}

export const isStaleActor = (err: unknown): boolean => (err as { type?: unknown } | null)?.type === "STALE_ACTOR";

const ACTIVE = new Set<FlowState["status"]>(["running", "waiting_input", "waiting_timer"]);
const timerKey = (conversationId: string) => `flow:${conversationId}`;

type ConversationRow = Row<Conversation> & {
  contact_name: string | null;
  push_name: string | null;
  phone_number: string | null;
  email: string | null;
  company: string | null;
  queue_name: string | null;
};

// The conversation as a flow sees it: with its contact and queue.
const CONVERSATION_COLUMNS = "c.*, k.name AS contact_name, k.push_name, k.phone_number, k.email, k.company, q.name AS queue_name";
const CONVERSATION_FROM = "FROM conversations c JOIN contacts k ON k.id = c.contact_id LEFT JOIN queues q ON q.id = c.queue_id";
const CONVERSATION = `SELECT ${CONVERSATION_COLUMNS} ${CONVERSATION_FROM} WHERE c.id = ?`;
// ... and in the same round trip its inbox: the waiting inputs, oldest first. For many conversations at once.
const CONVERSATIONS_AND_INBOXES = `SELECT ${CONVERSATION_COLUMNS}, (
    SELECT coalesce(json_agg(json_build_object('message_id', m.id, 'inbound', m.direction = 'inbound', 'type', m.type,
             'text', m.content, 'metadata', m.metadata, 'media_path', m.media_path) ORDER BY i.seq), '[]')
      FROM (SELECT message_id, seq FROM flow_inbox WHERE conversation_id = c.id ORDER BY seq LIMIT 50) i
      JOIN messages m ON m.id = i.message_id) AS inbox
  ${CONVERSATION_FROM} WHERE c.id IN (SELECT value::uuid FROM jsonb_array_elements_text(?::jsonb))`;

type ConversationAndInbox = ConversationRow & { inbox: InboxEntry[] };

interface InboxEntry {
  message_id: string;
  inbound: boolean;
  type: string;
  text: string | null;
  metadata: Record<string, unknown>;
  media_path: string | null;
}

const inputOf = (entry: InboxEntry): FlowInput | undefined =>
  entry.inbound
    ? {
        message_id: entry.message_id,
        type: entry.type,
        text: entry.text,
        metadata: entry.metadata,
        media_url: entry.media_path ? `/api/media/${entry.message_id}` : null,
      }
    : undefined;

/** One conversation's write, as charla_flow_write_many takes it. */
interface FlowWrite {
  conversation_id: string;
  version: number;
  snapshot: unknown;
  flow_version_id: string;
  owner_node: string;
  consuming: string | null;
  outbox: OutboxEntry[];
  timer: TimerChange | null;
  timer_key: string;
  /** null: unchanged; {}: no flow runs; else the flow that runs. */
  current_flow: { flow_id: string; flow_version_id: string } | Record<string, never> | null;
}

interface FlowWritten {
  version: number;
  queued: Array<{ id: string; conversation_id: string; whatsapp_account_id: string; row: MessageJson }>;
  placement: Placement;
}

// Writes of many conversations in one statement; each all or nothing on its own. In conversation id
// order, as every batched writer of conversations locks them: batches never deadlock.
async function writeMany(knex: Knex, writes: FlowWrite[]): Promise<Array<Outcome<FlowWritten>>> {
  const ordered = writes.map((write, index) => ({ write, index })).sort((a, b) => (a.write.conversation_id < b.write.conversation_id ? -1 : 1));
  const { rows } = await knex.raw<{ rows: Array<{ results: Array<FlowWritten | { code: string; detail: string | null; message: string }> }> }>(
    "SELECT charla_flow_write_many(?::jsonb) AS results",
    [JSON.stringify(ordered.map(({ write }) => write))],
  );
  const outcomes: Array<Outcome<FlowWritten>> = [];
  rows[0]!.results.forEach((result, position) => {
    const { write, index } = ordered[position]!;
    outcomes[index] = outcomeOf(result, write.conversation_id);
  });
  return outcomes;
}

function outcomeOf(result: FlowWritten | { code: string; detail: string | null; message: string }, conversationId: string): Outcome<FlowWritten> {
  if (!("code" in result)) return { value: result };
  if (result.code === "CH001") return { error: new StaleActorError(`Snapshot of ${conversationId} moved on elsewhere, or its input was consumed there`) };
  return { error: outboundRefusal(Object.assign(new Error(result.message), result), conversationId) };
}

export class FlowActorHost {
  private readonly live = new Map<string, Live>();
  private readonly writes: Batcher<FlowWrite, FlowWritten>;
  private readonly inboxReads: Batcher<string, ConversationAndInbox | undefined>;
  private readonly flows: Flows;
  private readonly contacts: Contacts;

  constructor(
    private readonly knex: Knex,
    private readonly deps: ActorDeps,
  ) {
    this.flows = new Flows(knex);
    this.writes = new Batcher((writes) => writeMany(knex, writes), { maxBatch: 64, concurrency: 2 });
    this.inboxReads = new Batcher(
      async (ids) => {
        const { rows } = await knex.raw<{ rows: ConversationAndInbox[] }>(CONVERSATIONS_AND_INBOXES, [JSON.stringify(ids)]);
        const byId = new Map(rows.map((row) => [row.id, row]));
        return ids.map((id) => ({ value: byId.get(id) }));
      },
      { maxBatch: 200 },
    );
    this.contacts = new Contacts(knex, config().defaultPhoneRegion);
  }

  /** Handles one event, after the conversation's earlier ones. */
  handle(conversationId: string, event: ActorEvent): Promise<void> {
    const previous = this.chains.get(conversationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.processWithRetry(conversationId, event));
    this.chains.set(conversationId, next);
    void next
      .finally(() => {
        if (this.chains.get(conversationId) === next) this.chains.delete(conversationId);
      })
      .catch(() => undefined);
    return next;
  }

  /** The last event being handled per conversation: the next one waits for it. */
  private readonly chains = new Map<string, Promise<void>>();

  /** The actors in memory on this node. */
  list(): Array<{ conversation_id: string; node: string; state: string; flow_id: string | null; step: string | null; idle_seconds: number }> {
    return [...this.live.entries()].map(([conversationId, live]) => {
      const snapshot = live.actor.getSnapshot();
      return {
        conversation_id: conversationId,
        node: this.deps.nodeId,
        state: String(snapshot.value),
        flow_id: snapshot.context.flow?.flow_id ?? null,
        step: snapshot.context.flow?.node_id ?? null,
        idle_seconds: Math.round((Date.now() - live.lastUsed) / 1000),
      };
    });
  }

  /** The whole story of one conversation's actor, from the database. */
  async inspect(conversationId: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.knex("conversation_actor_snapshots").where({ conversation_id: conversationId }).first();
    if (!row) return undefined;
    const flow = (row.snapshot as { context?: { flow?: FlowState } }).context?.flow ?? null;
    const timers = await this.knex("timers")
      .where({ conversation_id: conversationId })
      .whereNull("fired_at")
      .whereNull("cancelled_at")
      .select("kind", "due_at", "payload");
    return {
      conversation_id: conversationId,
      state: (row.snapshot as { value?: unknown }).value,
      version: row.version,
      owner_node: row.owner_node,
      in_memory_here: this.live.has(conversationId),
      current_node: flow?.node_id ?? null,
      flow_id: flow?.flow_id ?? null,
      flow_version_id: flow?.flow_version_id ?? null,
      variables: flow?.vars ?? {},
      recent_trace: flow?.trace.slice(-20) ?? [],
      error: flow?.error ?? null,
      pending_timers: timers,
      updated_at: row.updated_at,
    };
  }

  /** Conversations whose flow was mid-run on a node that is gone (or on this node before it restarted). */
  async orphaned(aliveNodes: string[]): Promise<string[]> {
    const rows: Array<{ conversation_id: string }> = await this.knex("conversation_actor_snapshots")
      .whereRaw("snapshot->>'value' = 'running'")
      .where((q) => {
        q.whereNull("owner_node").orWhereNotIn(
          "owner_node",
          aliveNodes.filter((node) => node !== this.deps.nodeId),
        );
      })
      .select("conversation_id");
    return rows.map((row) => row.conversation_id);
  }

  /** Drops actors idle longer than `idleMs` from memory (their state is in the database). */
  evictIdle(idleMs: number): number {
    let evicted = 0;
    for (const [conversationId, live] of this.live) {
      if (Date.now() - live.lastUsed > idleMs && !this.chains.has(conversationId)) {
        live.actor.stop();
        this.live.delete(conversationId);
        evicted += 1;
      }
    }
    this.deps.metrics?.count("actorsEvicted", undefined, evicted);
    this.deps.metrics?.set("actorsLive", this.live.size);
    return evicted;
  }

  /**
   * Forgets what is in memory (this node may no longer own these conversations).
   * Actors busy with an event finish it first; their next event reads the database.
   */
  clear(): void {
    for (const [conversationId, live] of this.live) {
      if (this.chains.has(conversationId)) continue;
      live.actor.stop();
      this.live.delete(conversationId);
    }
    this.deps.metrics?.set("actorsLive", this.live.size);
  }

  private async processWithRetry(conversationId: string, event: ActorEvent): Promise<void> {
    try {
      if (event.kind === "inbox") await this.drainInbox(conversationId);
      else await this.process(conversationId, event);
    } catch (err) {
      // What this node holds in memory may be ahead of what was written (a failed write) or behind
      // another node's (stale): forget it, the next event reads the database.
      if (err instanceof StaleActorError) this.deps.log("warn", "The conversation's actor was stale here; handing the event on", conversationId);
      this.live.get(conversationId)?.actor.stop();
      this.live.delete(conversationId);
      throw err;
    }
  }

  /**
   * Hands the conversation's waiting inputs to its flow, oldest first. Each
   * leaves the inbox in the transaction that writes the state its run rests in
   * (with that run's last sends), or, when no flow takes it, right after.
   */
  private async drainInbox(conversationId: string): Promise<void> {
    const row = await this.inboxReads.submit(conversationId);
    if (!row) return;
    const { inbox, ...conversation } = row;
    for (const [index, entry] of inbox.entries()) {
      const live = await this.load(conversationId);
      live.consuming = entry.message_id;
      // The conversation as read with the inbox serves its first input; a later one reads it again (the first may have changed it).
      await this.process(conversationId, { kind: "input", input: inputOf(entry) }, index === 0 ? conversation : undefined);
      if (live.consuming === entry.message_id) {
        live.consuming = undefined;
        await consumeInput(this.knex, entry.message_id);
      }
    }
  }

  private async load(conversationId: string): Promise<Live> {
    const cached = this.live.get(conversationId);
    if (cached) {
      cached.lastUsed = Date.now();
      return cached;
    }
    const row = await this.knex("conversation_actor_snapshots").where({ conversation_id: conversationId }).first("snapshot", "version");
    const actor = row
      ? // The row holds what persist() wrote: the machine's state value and context.
        createActor(conversationFlowMachine, {
          snapshot: conversationFlowMachine.resolveState(row.snapshot as Parameters<typeof conversationFlowMachine.resolveState>[0]),
        })
      : createActor(conversationFlowMachine);
    actor.start();
    const live: Live = { actor, outbox: [], version: row?.version ?? 0, lastUsed: Date.now() };
    this.live.set(conversationId, live);
    this.deps.metrics?.set("actorsLive", this.live.size);
    return live;
  }

  private async process(conversationId: string, event: ActorStep, read?: ConversationRow): Promise<void> {
    const conversation = read ?? (await this.knex.raw<{ rows: ConversationRow[] }>(CONVERSATION, [conversationId])).rows[0];
    if (!conversation) return;
    const live = await this.load(conversationId);
    const current = live.actor.getSnapshot().context.flow;
    let state: FlowState | null = current ? structuredClone<FlowState>(current) : null;
    const host = this.hostFor(conversation, live);

    if (event.kind === "stop") {
      if (state && ACTIVE.has(state.status)) {
        await host.disarmTimer();
        await host.persist({ ...state, status: "handoff", timer_token: null });
      }
      return;
    }
    // People hold it: the bot stays out. While it waits in a queue, only that queue's fallback flow talks.
    const fallbackRunning = state?.origin === "fallback" && ACTIVE.has(state.status);
    if (conversation.status === "active" || conversation.status === "resolved") return;
    if (conversation.status === "waiting" && !fallbackRunning && event.kind !== "fallback") return;
    if (state?.status === "running" && event.kind !== "resume") {
      // A run left mid-step (a failed write here, or a node that died) goes on before anything else
      // reaches the flow; the input at hand is its own matter, so the run does not take it.
      const consuming = live.consuming;
      live.consuming = undefined;
      state = await resumeFlow(host, state);
      live.consuming = consuming;
    }
    let result: FlowState | undefined;
    if (event.kind === "fallback") {
      const flow = await this.flows.loadCurrent(event.flow_id);
      if (flow) result = await startFlow(host, flow, null, "fallback");
    } else if (event.kind === "resume") {
      if (state) result = await resumeFlow(host, state);
    } else if (event.kind === "timer") {
      if (state) result = await deliverTimer(host, state, event.token);
    } else {
      const input = event.input;
      if (!input) return;
      if (state && (state.status === "waiting_input" || state.status === "waiting_timer")) {
        result = await deliverInput(host, state, input);
      } else if (!state?.consumed.includes(input.message_id)) {
        const flowId = await triggeredFlow(this.knex, {
          accountId: conversation.whatsapp_account_id,
          contactId: conversation.contact_id,
          text: input.text,
          freshConversation: !state,
        });
        const flow = flowId && (await this.flows.loadCurrent(flowId));
        if (flow) result = await startFlow(host, flow, input);
      }
    }
    // Runs rest before they return; this writes what an unusual path may have left (no-op otherwise).
    await this.write(conversationId, live);
    if (result?.status === "error") await this.afterError(conversation, result);
  }

  // A flow that failed (a loop, a broken node) leaves the conversation to people: to its queue when it has one.
  private async afterError(conversation: ConversationRow, state: FlowState): Promise<void> {
    this.deps.log("error", `Flow ${state.flow_id} stopped: ${state.error}`, conversation.id);
    if (conversation.queue_id) {
      const queueId = conversation.queue_id;
      await this.change(conversation.id, (trx, row) => handoffRequest(trx, row, queueId, { reason: "flow_error" })).catch(() => undefined);
    }
  }

  /** One change of the conversation under its row lock, announced once committed. */
  private async change(conversationId: string, build: ChangeBuilder): Promise<void> {
    const change: ConversationChange = await this.knex.transaction(async (trx) => {
      const row = await trx<Conversation>("conversations").where({ id: conversationId }).forUpdate().first();
      if (!row) throw new Error(`Conversation ${conversationId} is gone`);
      return applyChange(trx, row, null, await build(trx, row));
    });
    await this.deps.emit("conversation.changed", change);
  }

  private hostFor(conversation: ConversationRow, live: Live): FlowHost {
    const id = conversation.id;
    const effects = liveFlowEffects({
      knex: this.knex,
      conversation,
      contacts: this.contacts,
      queueSend: (send) => void live.outbox.push(send),
      // Effects that reach beyond the outbox happen after what came before them is written (see the top of the file).
      writeFirst: () => this.write(id, live),
      change: (build) => this.change(id, build),
      emit: (event, payload) => this.deps.emit(event, payload),
      odoo: (action, params) => this.deps.odoo(action, params),
    });
    return {
      effects,
      contact: {
        name: conversation.contact_name ?? conversation.push_name,
        phone_number: conversation.phone_number,
        email: conversation.email,
        company: conversation.company,
      },
      conversationId: id,
      queueName: conversation.queue_name,
      now: () => new Date(),
      random: Math.random,
      stepLimit: config().flowStepLimit,
      metrics: this.deps.metrics,
      loadFlow: (flowId) => this.flows.loadCurrent(flowId),
      loadVersion: (versionId) => this.flows.loadVersion(versionId),
      armTimer: async (token, seconds, reason) => {
        live.timer = { kind: "conversation-actors.flow", due_at: new Date(Date.now() + seconds * 1000), payload: { token, reason } };
      },
      disarmTimer: async () => {
        live.timer = { cancel: true };
      },
      persist: async (state) => {
        // A run that goes on is written when it rests, or before an effect beyond the outbox.
        if (state.status === "running") live.pending = structuredClone(state);
        else await this.write(id, live, state);
      },
    };
  }

  /**
   * Writes the flow's state (`resting`, or else the last one recorded while it
   * ran) with the sends, timer change and consumed input since the last write,
   * guarded by the snapshot's version: a node that lost the conversation to
   * another (stale) writes nothing and sends nothing. Writes of many
   * conversations share a round trip (see writeMany).
   */
  private async write(conversationId: string, live: Live, resting?: FlowState): Promise<void> {
    const state = resting ? structuredClone(resting) : live.pending;
    live.pending = undefined;
    if (!state && live.outbox.length === 0 && !live.timer) return;
    if (state) live.actor.send({ type: "STATE", flow: state });
    // The machine holds no child actors: its persisted snapshot is its state value and context.
    const { value, context } = live.actor.getSnapshot();
    const flow = context.flow;
    if (!flow) return;
    const outbox = live.outbox.splice(0);
    const timer = live.timer;
    live.timer = undefined;
    // An input leaves the inbox once its run rests (waits or ends): a run that fails midway keeps its input
    // in the inbox, and the retry finishes the run first (see process).
    const consuming = resting ? live.consuming : undefined;
    const running = ACTIVE.has(flow.status);
    const currentFlow = running ? flow.flow_version_id : "";
    const { version, queued, placement } = await this.writes.submit({
      conversation_id: conversationId,
      version: live.version,
      snapshot: { value, context },
      flow_version_id: flow.flow_version_id,
      owner_node: this.deps.nodeId,
      consuming: consuming ?? null,
      outbox,
      timer: timer ?? null,
      timer_key: timerKey(conversationId),
      current_flow: live.currentFlow === currentFlow ? null : running ? { flow_id: flow.flow_id, flow_version_id: flow.flow_version_id } : {},
    });
    live.version = version;
    live.currentFlow = currentFlow;
    if (consuming) live.consuming = undefined;
    if (queued.length) {
      await this.deps.queued(queued.map(({ row, ...message }) => ({ ...message, relay: relayedFromJson(row, placement) })));
    }
  }
}

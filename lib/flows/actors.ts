// Conversation actors: while the bot holds a conversation, its flow runs in an
// XState actor on one node. Events of one conversation are handled one at a
// time; after every node the actor's snapshot is written with a version
// number, so a stale writer (an old owner) loses and a restart, a crash or a
// new owner resumes exactly where the flow stopped. Idle actors leave memory;
// the next event reads them back.
import type { Knex } from "knex";
import { createActor, type Actor } from "xstate";
import { conversationFlowMachine } from "../../actors/conversation-flow.machine";
import { config } from "../config";
import { Contacts } from "../contacts";
import { applyChange, handoffRequest, resolveRequest, type ChangeRequest, type ConversationChange } from "../inbox/conversations";
import { addNote } from "../inbox/messages";
import type { Conversation } from "../models/conversations";
import { queueCalendar } from "../queues/sla";
import { cancelTimers, scheduleTimer } from "../timers";
import { Flows } from "./flows";
import { guardedRequest } from "./http";
import type { FlowEffects, FlowInput } from "./node-type";
import { consumeInput, pendingInputs } from "../inbox/flow-inbox";
import { queueOutbound, type QueueRequest } from "../inbox/outbound";
import { validateOutgoing } from "../whatsapp/outbound";
import { deliverInput, deliverTimer, resumeFlow, startFlow, type FlowHost, type FlowState } from "./runtime";
import { triggeredFlow } from "./triggers";

export type ActorEvent =
  /** Inputs wait in the conversation's flow inbox: take them, in order. */
  | { kind: "inbox" }
  | { kind: "timer"; token: string }
  | { kind: "stop" }
  /** Its node died in the middle of a run: go on from where the snapshot stopped. */
  | { kind: "resume" }
  /** The conversation arrived in a closed queue: its fallback flow talks to the contact while it waits. */
  | { kind: "fallback"; flow_id: string };

/** What one pass of an actor handles: an event, or one input taken from the inbox. */
type ActorStep = Exclude<ActorEvent, { kind: "inbox" }> | { kind: "input"; message_id: string };

export interface ActorDeps {
  nodeId: string;
  /** Messages the flow queued (committed with its state): the sending node and the inbox hear of them. */
  queued(messages: Array<{ id: string; conversation_id: string; whatsapp_account_id: string }>): Promise<void>;
  emit(event: string, payload: unknown): Promise<void>;
  odoo(action: string, params: Record<string, unknown>): Promise<unknown>;
  log(level: "info" | "warn" | "error", message: string): void;
}

type FlowActor = Actor<typeof conversationFlowMachine>;

interface Live {
  actor: FlowActor;
  /** Sends of the node being run: written with the snapshot, in one transaction, or not at all. */
  outbox: QueueRequest[];
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

type ConversationRow = Conversation & { contact_name: string | null; push_name: string | null; phone_number: string | null; email: string | null; company: string | null; queue_name: string | null };

export class ConversationActors {
  private readonly live = new Map<string, Live>();
  private readonly flows: Flows;
  private readonly contacts: Contacts;

  constructor(
    private readonly knex: Knex,
    private readonly deps: ActorDeps,
  ) {
    this.flows = new Flows(knex);
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
    const timers = await this.knex("timers").where({ conversation_id: conversationId }).whereNull("fired_at").whereNull("cancelled_at").select("kind", "due_at", "payload");
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
      .where((q) => q.whereNull("owner_node").orWhereNotIn("owner_node", aliveNodes.filter((node) => node !== this.deps.nodeId)))
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
  }

  private async processWithRetry(conversationId: string, event: ActorEvent): Promise<void> {
    try {
      if (event.kind === "inbox") await this.drainInbox(conversationId);
      else await this.process(conversationId, event);
    } catch (err) {
      // What this node holds in memory may be ahead of what was written (a failed write) or behind
      // another node's (stale): forget it, the next event reads the database.
      if (err instanceof StaleActorError) this.deps.log("warn", `Actor of ${conversationId} was stale here; handing the event on`);
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
    for (const messageId of await pendingInputs(this.knex, conversationId)) {
      const live = await this.load(conversationId);
      live.consuming = messageId;
      await this.process(conversationId, { kind: "input", message_id: messageId });
      if (live.consuming === messageId) {
        live.consuming = undefined;
        await consumeInput(this.knex, messageId);
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
      ? createActor(conversationFlowMachine, { snapshot: conversationFlowMachine.resolveState({ value: row.snapshot.value, context: row.snapshot.context }) })
      : createActor(conversationFlowMachine);
    actor.start();
    const live: Live = { actor, outbox: [], version: row?.version ?? 0, lastUsed: Date.now() };
    this.live.set(conversationId, live);
    return live;
  }

  private async process(conversationId: string, event: ActorStep): Promise<void> {
    const conversation: ConversationRow | undefined = await this.knex("conversations as c")
      .join("contacts as k", "k.id", "c.contact_id")
      .leftJoin("queues as q", "q.id", "c.queue_id")
      .where("c.id", conversationId)
      .first("c.*", "k.name as contact_name", "k.push_name", "k.phone_number", "k.email", "k.company", "q.name as queue_name");
    if (!conversation) return;
    const live = await this.load(conversationId);
    const current = live.actor.getSnapshot().context.flow;
    let state: FlowState | null = current ? (structuredClone(current) as FlowState) : null;
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
      const input = await this.inputOf(event.message_id);
      if (!input) return;
      if (state && (state.status === "waiting_input" || state.status === "waiting_timer")) {
        result = await deliverInput(host, state, input);
      } else if (!state?.consumed.includes(input.message_id)) {
        const flowId = await triggeredFlow(this.knex, { accountId: conversation.whatsapp_account_id, contactId: conversation.contact_id, text: input.text, freshConversation: !state });
        const flow = flowId && (await this.flows.loadCurrent(flowId));
        if (flow) result = await startFlow(host, flow, input);
      }
    }
    if (result?.status === "error") await this.afterError(conversation, result);
  }

  // A flow that failed (a loop, a broken node) leaves the conversation to people: to its queue when it has one.
  private async afterError(conversation: ConversationRow, state: FlowState): Promise<void> {
    this.deps.log("error", `Flow ${state.flow_id} stopped in conversation ${conversation.id}: ${state.error}`);
    if (conversation.queue_id) {
      const queueId = conversation.queue_id;
      await this.change(conversation.id, (trx, row) => handoffRequest(trx, row, queueId, { reason: "flow_error" })).catch(() => undefined);
    }
  }

  private async inputOf(messageId: string): Promise<FlowInput | undefined> {
    const row = await this.knex("messages").where({ id: messageId, direction: "inbound" }).first("id", "type", "content", "metadata", "media_path");
    return row && { message_id: row.id, type: row.type, text: row.content, metadata: row.metadata, media_url: row.media_path ? `/api/media/${row.id}` : null };
  }

  /** One change of the conversation under its row lock, announced once committed. */
  private async change(conversationId: string, build: (trx: Knex.Transaction, row: Conversation) => Promise<ChangeRequest> | ChangeRequest): Promise<void> {
    const change: ConversationChange = await this.knex.transaction(async (trx) => {
      const row = await trx<Conversation>("conversations").where({ id: conversationId }).forUpdate().first();
      if (!row) throw new Error(`Conversation ${conversationId} is gone`);
      return applyChange(trx, row, null, await build(trx, row));
    });
    await this.deps.emit("conversation.changed", change);
  }

  private hostFor(conversation: ConversationRow, live: Live): FlowHost {
    const id = conversation.id;
    const knex = this.knex;
    const effects: FlowEffects = {
      send: async ({ type, content, metadata, key }) => {
        // Checked now (a bad message fails its node); stored with the node's state (see persist).
        validateOutgoing(type, content, metadata ?? {});
        live.outbox.push({ conversationId: id, type, content, metadata: metadata ?? {}, senderType: "bot", ...(key ? { idempotencyKey: `flow:${id}:${key}` } : {}) });
      },
      handoff: async (target) => {
        if ("queueId" in target) {
          await this.change(id, (trx, row) => handoffRequest(trx, row, target.queueId));
          return;
        }
        const user = await knex("users").where({ id: target.userId, is_active: true }).whereNull("deleted_at").first("id");
        if (!user) throw new Error(`User ${target.userId} does not exist or is disabled`);
        await this.change(id, () => ({ kind: "assigned", event: { type: "ASSIGN", userId: target.userId }, patch: { assigned_at: knex.fn.now() }, data: { user_id: target.userId, by: "flow" } }));
      },
      addTags: async (tags) => void (await this.contacts.addTags(conversation.contact_id, tags)),
      removeTags: async (tags) => {
        for (const tag of tags) await this.contacts.removeTag(conversation.contact_id, tag);
      },
      updateContact: async (patch) => {
        const metadata = patch.metadata as Record<string, unknown> | undefined;
        const existing = metadata ? ((await knex("contacts").where({ id: conversation.contact_id }).first("metadata"))?.metadata ?? {}) : undefined;
        await this.contacts.update(conversation.contact_id, { ...patch, ...(metadata ? { metadata: { ...existing, ...metadata } } : {}) });
      },
      setPriority: (priority) => this.change(id, (_trx, row) => ({ kind: "priority_changed", patch: { priority }, data: { from: row.priority, to: priority, by: "flow" } })),
      addNote: async (text) => {
        const note = await addNote(knex, "bot", conversation, text);
        await this.deps.emit("message.created", { message_id: note.id, conversation_id: id });
      },
      setCsat: async (score) => void (await knex("conversations").where({ id }).update({ csat: score })),
      resolve: (note) => this.change(id, (trx, row) => resolveRequest(trx, row, null, note)),
      http: (request) => guardedRequest(request, config().fetchAllowHosts),
      odoo: (action, params) => this.deps.odoo(action, params),
      queueCalendar: (queueId) => queueCalendar(knex, queueId),
    };
    return {
      effects,
      contact: { name: conversation.contact_name ?? conversation.push_name, phone_number: conversation.phone_number, email: conversation.email, company: conversation.company },
      conversationId: id,
      queueName: conversation.queue_name,
      now: () => new Date(),
      random: Math.random,
      stepLimit: config().flowStepLimit,
      loadFlow: (flowId) => this.flows.loadCurrent(flowId),
      loadVersion: (versionId) => this.flows.loadVersion(versionId),
      armTimer: (token, seconds, reason) =>
        scheduleTimer(knex, { kind: "conversation-actors.flow", dedupeKey: timerKey(id), conversationId: id, payload: { token, reason }, dueAt: new Date(Date.now() + seconds * 1000) }),
      disarmTimer: () => cancelTimers(knex, { dedupeKey: timerKey(id) }),
      persist: (state) => this.persist(id, live, state),
    };
  }

  /**
   * Writes the state after a node, and the messages that node sent, in one
   * transaction guarded by the snapshot's version: a node that lost the
   * conversation to another (stale) writes nothing and sends nothing.
   */
  private async persist(conversationId: string, live: Live, state: FlowState): Promise<void> {
    live.actor.send({ type: "STATE", flow: structuredClone(state) });
    // The machine holds no child actors: its persisted snapshot is its state value and context.
    const { value, context } = live.actor.getSnapshot();
    const row = { snapshot: JSON.stringify({ value, context }), flow_version_id: state.flow_version_id, owner_node: this.deps.nodeId, updated_at: this.knex.fn.now() };
    const outbox = live.outbox.splice(0);
    // An input leaves the inbox once its run rests (waits or ends): a run that fails midway keeps its input
    // in the inbox, and the retry finishes the run first (see process).
    const consuming = state.status === "running" ? undefined : live.consuming;
    const running = ACTIVE.has(state.status);
    const currentFlow = running ? state.flow_version_id : "";
    const { version, queued } = await this.knex.transaction(async (trx) => {
      const written =
        live.version === 0
          ? await trx("conversation_actor_snapshots").insert({ conversation_id: conversationId, version: 1, ...row }).onConflict("conversation_id").ignore().returning("version")
          : await trx("conversation_actor_snapshots").where({ conversation_id: conversationId, version: live.version }).update({ ...row, version: live.version + 1 }).returning("version");
      if (written.length === 0) throw new StaleActorError(`Snapshot of ${conversationId} moved on elsewhere`);
      // Another run consumed this input meanwhile: what this one did must not be written (nor sent) twice.
      if (consuming && !(await consumeInput(trx, consuming))) throw new StaleActorError(`Input ${consuming} of ${conversationId} was consumed elsewhere`);
      const messages = [];
      for (const request of outbox) {
        const { message, created } = await queueOutbound(trx, request);
        if (created) messages.push(message);
      }
      if (live.currentFlow !== currentFlow) {
        await trx("conversations")
          .where({ id: conversationId })
          .update({ current_flow_id: running ? state.flow_id : null, current_flow_version_id: running ? state.flow_version_id : null });
      }
      return { version: (written[0] as { version: number }).version, queued: messages };
    });
    live.version = version;
    live.currentFlow = currentFlow;
    if (consuming) live.consuming = undefined;
    if (queued.length) await this.deps.queued(queued);
  }
}

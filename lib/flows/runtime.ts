// Runs a flow graph node by node. The whole progress of a conversation's flow
// is a plain `FlowState` (which node it waits at, its variables, its trace), so
// the conversation actor can persist it after every node and resume it
// anywhere. Sends carry keys derived from the state, so a node run again after
// a crash sends nothing twice.
import { randomUUID } from "node:crypto";
import type { Language } from "../i18n/language";
import { describeError, inWords, msg, type Message } from "../i18n/message";
import { renderTemplate } from "../templates";
import { handleOf, type FlowGraph, type FlowNode } from "./graph";
import type { FlowEffects, FlowInput, NodeContext, NodeResult } from "./node-type";
import { nodeType } from "./registry";
import type { Metrics } from "../metrics";

export type FlowStatus = "running" | "waiting_input" | "waiting_timer" | "completed" | "handoff" | "error";

export interface TraceEntry {
  node_id: string;
  type: string;
  handle: string | null;
}

export interface FlowState {
  /** This run of a flow in this conversation: with `seq`, it makes each send's idempotency key. */
  run_id: string;
  /** Started by a trigger, or as the fallback of a closed queue (which runs while the conversation waits). */
  origin: "trigger" | "fallback";
  flow_id: string;
  flow_version_id: string;
  status: FlowStatus;
  /** The node the flow is at (running it, or waiting there). */
  node_id: string;
  vars: Record<string, unknown>;
  /** Invalid answers so far at the current question. */
  retries: number;
  /** The exit a `wait` node leaves by when its timer fires. */
  pending_handle: string | null;
  /** Identifies the timer the flow waits for; a stale timer finds another token. */
  timer_token: string | null;
  /** Counts effects, so each send has a stable idempotency key. */
  seq: number;
  /** Inbound messages already consumed (redeliveries are ignored). */
  consumed: string[];
  last_text: string | null;
  trace: TraceEntry[];
  error: string | null;
}

export interface LoadedFlow {
  flow_id: string;
  flow_version_id: string;
  graph: FlowGraph;
}

/** What the runtime needs from its host: the world (effects), time, and persistence. */
export interface FlowHost {
  effects: FlowEffects;
  contact: NodeContext["contact"];
  conversationId: string;
  queueName?: string | null;
  now(): Date;
  random(): number;
  stepLimit: number;
  loadVersion(flowVersionId: string): Promise<LoadedFlow | undefined>;
  /** The current version of an active or manual flow (go_to_flow). */
  loadFlow(flowId: string): Promise<LoadedFlow | undefined>;
  /** Arms the one timer of this flow (replacing any earlier one). */
  armTimer(token: string, seconds: number, reason: "timeout" | "wait"): Promise<void>;
  disarmTimer(): Promise<void>;
  /** Called after every node with the new state. */
  persist(state: FlowState): Promise<void>;
  /** The language of `error` (live conversations: English, for the logs; the flow test: the tester's). */
  language?: Language;
  /** Counts the nodes run and failed, by type (live conversations; not the flow test). */
  metrics?: Metrics;
}

const TRACE_KEEP = 100;
const CONSUMED_KEEP = 50;

export function initialState(flow: LoadedFlow, vars: Record<string, unknown> = {}, origin: FlowState["origin"] = "trigger"): FlowState {
  const start = flow.graph.nodes.find((node) => node.type === "start");
  if (!start) throw new Error(`Flow version ${flow.flow_version_id} has no start node`);
  return {
    run_id: randomUUID(),
    origin,
    flow_id: flow.flow_id,
    flow_version_id: flow.flow_version_id,
    status: "running",
    node_id: start.id,
    vars,
    retries: 0,
    pending_handle: null,
    timer_token: null,
    seq: 0,
    consumed: [],
    last_text: null,
    trace: [],
    error: null,
  };
}

function contextOf(host: FlowHost, state: FlowState): NodeContext {
  // Each send gets the next number of the state: run again from the same state, it is the same send.
  const effects: FlowEffects = {
    ...host.effects,
    send: (message) => {
      state.seq += 1;
      return host.effects.send({ ...message, key: `${state.run_id}:${state.seq}` });
    },
  };
  return {
    vars: state.vars,
    effects,
    contact: host.contact,
    now: () => host.now(),
    random: () => host.random(),
    render: (template) =>
      renderTemplate(template, {
        contact: host.contact,
        vars: state.vars,
        message: { text: state.last_text },
        conversation: { id: host.conversationId },
        queue: { name: host.queueName ?? null },
        now: host.now(),
      }),
  };
}

function trace(state: FlowState, node: FlowNode, handle: string | null): void {
  state.trace.push({ node_id: node.id, type: node.type, handle });
  if (state.trace.length > TRACE_KEEP) state.trace.splice(0, state.trace.length - TRACE_KEEP);
}

/** Where an exit leads, or undefined when nothing is connected (the flow ends quietly). */
function follow(graph: FlowGraph, nodeId: string, handle: string): string | undefined {
  return graph.edges.find((edge) => edge.source === nodeId && handleOf(edge) === handle)?.target;
}

class FlowRun {
  private steps = 0;

  constructor(
    private readonly host: FlowHost,
    private state: FlowState,
    private graph: FlowGraph,
  ) {}

  /** Leaves the current node by `handle`, then runs on. */
  async leave(node: FlowNode, handle: string): Promise<FlowState> {
    trace(this.state, node, handle);
    const next = follow(this.graph, node.id, handle);
    if (!next) return this.finish("completed");
    this.state.node_id = next;
    this.state.status = "running";
    this.state.retries = 0;
    await this.host.persist(this.state);
    return this.run();
  }

  /** Runs nodes until one waits, hands off or ends. */
  async run(): Promise<FlowState> {
    for (;;) {
      if (this.steps >= this.host.stepLimit) {
        return this.fail(msg("run.stepLimit", { limit: this.host.stepLimit, node: this.state.node_id }));
      }
      this.steps += 1;
      const node = this.graph.nodes.find((candidate) => candidate.id === this.state.node_id);
      const type = node && nodeType(node.type);
      if (!node || !type) return this.fail(msg("run.nodeMissing", { node: this.state.node_id, version: this.state.flow_version_id }));
      let result: NodeResult;
      this.host.metrics?.count("flowSteps", { node_type: node.type });
      try {
        result = await type.run(contextOf(this.host, this.state), node.data);
      } catch (err) {
        this.host.metrics?.count("flowErrors", { node_type: node.type });
        return this.fail(msg("run.nodeFailed", { node: node.id, type: node.type, cause: describeError(err, this.language) }));
      }
      if ("handle" in result) {
        trace(this.state, node, result.handle);
        const next = follow(this.graph, node.id, result.handle);
        if (!next) return this.finish("completed");
        this.state.node_id = next;
        await this.host.persist(this.state);
        continue;
      }
      if ("waitInput" in result) {
        trace(this.state, node, null);
        this.state.status = "waiting_input";
        this.state.retries = 0;
        await this.arm(result.waitInput.timeoutSeconds, "timeout");
        await this.host.persist(this.state);
        return this.state;
      }
      if ("waitTimer" in result) {
        trace(this.state, node, null);
        this.state.status = "waiting_timer";
        this.state.pending_handle = result.waitTimer.handle;
        await this.arm(result.waitTimer.seconds, "wait");
        await this.host.persist(this.state);
        return this.state;
      }
      if ("goto" in result) {
        trace(this.state, node, null);
        const target = await this.host.loadFlow(result.goto.flowId);
        if (!target) return this.fail(msg("run.goToMissing", { flow: result.goto.flowId }));
        this.graph = target.graph;
        const fresh = initialState(target, this.state.vars);
        Object.assign(this.state, { flow_id: fresh.flow_id, flow_version_id: fresh.flow_version_id, node_id: fresh.node_id });
        await this.host.persist(this.state);
        continue;
      }
      trace(this.state, node, null);
      if ("handoff" in result) return this.finish("handoff");
      if (result.end.resolve) await this.host.effects.resolve(result.end.note ?? null);
      return this.finish("completed");
    }
  }

  private async arm(seconds: number | null, reason: "timeout" | "wait"): Promise<void> {
    if (!seconds) {
      this.state.timer_token = null;
      return;
    }
    this.state.seq += 1;
    this.state.timer_token = `${this.state.node_id}:${this.state.seq}`;
    await this.host.armTimer(this.state.timer_token, seconds, reason);
  }

  private get language(): Language {
    return this.host.language ?? "en";
  }

  private fail(error: Message): Promise<FlowState> {
    return this.finish("error", inWords(error, this.language));
  }

  private async finish(status: FlowStatus, error: string | null = null): Promise<FlowState> {
    this.state.status = status;
    this.state.error = error;
    this.state.timer_token = null;
    await this.host.persist(this.state);
    return this.state;
  }
}

async function graphOf(host: FlowHost, state: FlowState): Promise<FlowGraph | undefined> {
  return (await host.loadVersion(state.flow_version_id))?.graph;
}

/** Starts a flow at its start node; `input` is the message that triggered it. */
export async function startFlow(host: FlowHost, flow: LoadedFlow, input: FlowInput | null, origin: FlowState["origin"] = "trigger"): Promise<FlowState> {
  const state = initialState(flow, {}, origin);
  if (input) {
    state.last_text = input.text;
    state.consumed.push(input.message_id);
  }
  await host.persist(state);
  return new FlowRun(host, state, flow.graph).run();
}

/**
 * Runs on from the node the state is at: after its node died mid-run. The node
 * at hand runs again; its sends carry the same keys, so none goes out twice.
 */
export async function resumeFlow(host: FlowHost, state: FlowState): Promise<FlowState> {
  if (state.status !== "running") return state;
  const graph = await graphOf(host, state);
  if (!graph) return state;
  return new FlowRun(host, state, graph).run();
}

/** A message from the contact reaches the flow. */
export async function deliverInput(host: FlowHost, state: FlowState, input: FlowInput): Promise<FlowState> {
  if (state.consumed.includes(input.message_id)) return state;
  state.consumed.push(input.message_id);
  if (state.consumed.length > CONSUMED_KEEP) state.consumed.splice(0, state.consumed.length - CONSUMED_KEEP);
  state.last_text = input.text ?? state.last_text;
  const graph = await graphOf(host, state);
  const node = graph?.nodes.find((candidate) => candidate.id === state.node_id);
  const type = node && nodeType(node.type);
  if (state.status !== "waiting_input" || !graph || !node || !type?.answer) {
    // Not waiting for a reply (a `wait` runs): the message stays in the inbox, the flow goes on.
    await host.persist(state);
    return state;
  }
  const ctx = contextOf(host, state);
  const answer = await type.answer(ctx, node.data, input);
  const run = new FlowRun(host, state, graph);
  if ("vars" in answer) {
    Object.assign(state.vars, answer.vars);
    await host.disarmTimer();
    state.timer_token = null;
    return run.leave(node, answer.handle);
  }
  state.retries += 1;
  if (state.retries > (type.maxRetries?.(node.data) ?? 0)) {
    await host.disarmTimer();
    state.timer_token = null;
    return run.leave(node, "invalid");
  }
  await ctx.effects.send({ type: "text", content: ctx.render(type.retryText?.(node.data) ?? "") });
  await host.persist(state);
  return state;
}

/** A durable timer of this flow fired: a question's timeout, or the end of a `wait`. */
export async function deliverTimer(host: FlowHost, state: FlowState, token: string): Promise<FlowState> {
  if (state.timer_token !== token || (state.status !== "waiting_input" && state.status !== "waiting_timer")) return state;
  const graph = await graphOf(host, state);
  const node = graph?.nodes.find((candidate) => candidate.id === state.node_id);
  if (!graph || !node) return state;
  state.timer_token = null;
  const handle = state.status === "waiting_input" ? "timeout" : (state.pending_handle ?? "next");
  state.pending_handle = null;
  return new FlowRun(host, state, graph).leave(node, handle);
}

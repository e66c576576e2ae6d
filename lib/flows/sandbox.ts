// POST /api/flows/{id}/test: runs a flow with a pretend contact. Nothing goes
// to WhatsApp and nothing is written to the inbox; `wait` nodes pass at once,
// question timeouts never fire; HTTP calls are real (same guard as live).
import type { Language } from "../i18n/language";
import { inWords, msg } from "../i18n/message";
import type { Calendar } from "../queues/business-hours";
import type { FlowEffects, FlowInput, HttpResult } from "./node-type";
import { deliverInput, deliverTimer, startFlow, type FlowHost, type FlowState, type FlowStatus, type LoadedFlow } from "./runtime";
import type { Static } from "@sinclair/typebox";
import type { SandboxRun as SandboxRunSchema } from "../contract/resources";

export interface TranscriptEntry {
  direction: "out" | "in";
  type: string;
  content: string | null;
  metadata: Record<string, unknown>;
}

export type SandboxResult = Static<typeof SandboxRunSchema>;

export interface SandboxOptions {
  phoneNumber: string;
  initialMessage: string;
  replies: string[];
  stepLimit: number;
  /** The tester's language: of `error`, and of what the test itself says (the Odoo refusal). */
  language: Language;
  loadFlow: (flowId: string) => Promise<LoadedFlow | undefined>;
  loadVersion: (flowVersionId: string) => Promise<LoadedFlow | undefined>;
  queueCalendar(queueId: string): Promise<Calendar | undefined>;
  http(request: Parameters<FlowEffects["http"]>[0]): Promise<HttpResult>;
}

const STATUS: Record<FlowStatus, SandboxResult["status"]> = {
  running: "waiting_input",
  waiting_input: "waiting_input",
  waiting_timer: "waiting_input",
  completed: "completed",
  handoff: "handoff",
  error: "error",
};

export async function testFlow(flow: LoadedFlow, options: SandboxOptions): Promise<SandboxResult> {
  const transcript: TranscriptEntry[] = [];
  const noop = async () => undefined;
  let pendingTimer: string | null = null;
  const contact = { name: null, phone_number: options.phoneNumber, email: null, company: null };
  const effects: FlowEffects = {
    send: async ({ type, content, metadata }) => void transcript.push({ direction: "out", type, content, metadata: metadata ?? {} }),
    handoff: noop,
    addTags: noop,
    removeTags: noop,
    updateContact: async (patch) => void Object.assign(contact, Object.fromEntries(Object.entries(patch).filter(([key]) => key in contact))),
    setPriority: noop,
    addNote: noop,
    setCsat: noop,
    resolve: noop,
    http: (request) => options.http(request),
    odoo: async () => {
      throw new Error(inWords(msg("run.noOdooInTest"), options.language));
    },
    queueCalendar: (queueId) => options.queueCalendar(queueId),
  };
  const host: FlowHost = {
    effects,
    contact,
    conversationId: "test",
    now: () => new Date(),
    random: Math.random,
    stepLimit: options.stepLimit,
    language: options.language,
    loadFlow: options.loadFlow,
    loadVersion: options.loadVersion,
    armTimer: async (token, _seconds, reason) => {
      pendingTimer = reason === "wait" ? token : null;
    },
    disarmTimer: async () => {
      pendingTimer = null;
    },
    persist: noop,
  };
  let counter = 0;
  const input = (text: string): FlowInput => {
    transcript.push({ direction: "in", type: "text", content: text, metadata: {} });
    counter += 1;
    return { message_id: `test-${counter}`, type: "text", text, metadata: {}, media_url: null };
  };
  // Time passes at once in a test: a `wait` ends as soon as it starts.
  const settle = async (state: FlowState): Promise<FlowState> => {
    while (state.status === "waiting_timer" && pendingTimer) {
      const token = pendingTimer;
      pendingTimer = null;
      state = await deliverTimer(host, state, token);
    }
    return state;
  };
  let state = await settle(await startFlow(host, flow, input(options.initialMessage)));
  for (const reply of options.replies) {
    if (state.status !== "waiting_input") break;
    state = await settle(await deliverInput(host, state, input(reply)));
  }
  return { status: STATUS[state.status], transcript, variables: state.vars, trace: state.trace, error: state.error };
}

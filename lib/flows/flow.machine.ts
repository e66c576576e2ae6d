// The bot's side of a conversation as an XState actor: which phase its flow is
// in, with the whole flow state as context. The runtime (lib/flows/runtime.ts)
// does the work node by node and reports each new state with STATE; the actor's
// persisted snapshot is what the database keeps after every node.
import { assign, setup } from "xstate";
import type { FlowState } from "./runtime";

export interface FlowActorContext {
  flow: FlowState | null;
}

export type FlowActorEvent = { type: "STATE"; flow: FlowState };

const phaseIs =
  (status: FlowState["status"] | Array<FlowState["status"]>) =>
  ({ event }: { event: FlowActorEvent }) =>
    ([] as Array<FlowState["status"]>).concat(status).includes(event.flow.status);

export const conversationFlowMachine = setup({
  types: {} as { context: FlowActorContext; events: FlowActorEvent },
  actions: { store: assign({ flow: ({ event }) => event.flow }) },
  guards: {
    running: phaseIs("running"),
    waitingInput: phaseIs("waiting_input"),
    waitingTimer: phaseIs("waiting_timer"),
    handedOff: phaseIs("handoff"),
    failed: phaseIs("error"),
  },
}).createMachine({
  id: "conversationFlow",
  initial: "idle",
  context: { flow: null },
  on: {
    STATE: [
      { guard: "running", target: ".running", actions: "store" },
      { guard: "waitingInput", target: ".waiting_input", actions: "store" },
      { guard: "waitingTimer", target: ".waiting_timer", actions: "store" },
      { guard: "handedOff", target: ".handed_off", actions: "store" },
      { guard: "failed", target: ".failed", actions: "store" },
      { target: ".completed", actions: "store" },
    ],
  },
  states: {
    idle: {},
    running: {},
    waiting_input: {},
    waiting_timer: {},
    handed_off: {},
    completed: {},
    failed: {},
  },
});

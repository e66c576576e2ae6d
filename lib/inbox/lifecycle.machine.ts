// The lifecycle of a conversation: the bot holds it, it waits in a queue, an
// agent works it, it is resolved, and it may be reopened. Pure data: the
// conversation's row is the snapshot, and callers apply the transition to it
// under a row lock (lib/inbox/lifecycle.ts).
import { assign, setup } from "xstate";
import type { LifecycleStep } from "../i18n/catalog/inbox";

export interface LifecycleContext {
  queueId: string | null;
  assignedTo: string | null;
}

// Each step is one the error catalog can name ("a resolved conversation cannot be reopened").
type Step<T extends LifecycleStep, P = object> = { type: T } & P;

export type LifecycleEvent =
  | Step<"HANDOFF", { queueId: string }> // the bot hands the conversation to a queue
  | Step<"ASSIGN", { userId: string }>
  | Step<"UNASSIGN"> // back to its queue (the agent went away)
  | Step<"TRANSFER", { queueId: string }> // to a queue, unassigned
  | Step<"RESOLVE">
  | Step<"REOPEN">;

const working = {
  ASSIGN: { target: "active", actions: "toAgent" },
  TRANSFER: { target: "waiting", actions: "toQueue" },
  RESOLVE: { target: "resolved" },
} as const;

export const conversationLifecycleMachine = setup({
  types: {} as { context: LifecycleContext; events: LifecycleEvent; input: LifecycleContext },
  actions: {
    toQueue: assign(({ event }) => ({
      queueId: event.type === "HANDOFF" || event.type === "TRANSFER" ? event.queueId : null,
      assignedTo: null,
    })),
    toAgent: assign(({ event }) => ({ assignedTo: event.type === "ASSIGN" ? event.userId : null })),
    unassign: assign({ assignedTo: null }),
  },
  guards: {
    hadAgent: ({ context }) => context.assignedTo !== null,
    hadQueue: ({ context }) => context.queueId !== null,
  },
}).createMachine({
  id: "conversationLifecycle",
  initial: "bot",
  context: ({ input }) => input,
  states: {
    bot: { on: { ...working, HANDOFF: { target: "waiting", actions: "toQueue" } } },
    waiting: { on: working },
    active: { on: { ...working, UNASSIGN: { target: "waiting", actions: "unassign" } } },
    // Reopened, it goes back to whoever had it: its agent, else its queue, else the bot.
    resolved: {
      on: {
        REOPEN: [{ guard: "hadAgent", target: "active" }, { guard: "hadQueue", target: "waiting" }, { target: "bot" }],
      },
    },
  },
});

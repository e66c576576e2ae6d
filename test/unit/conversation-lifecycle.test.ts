import { nextLifecycle, type LifecycleState } from "../../lib/inbox/lifecycle";

const state = (status: LifecycleState["status"], queue_id: string | null = null, assigned_to: string | null = null): LifecycleState => ({
  status,
  queue_id,
  assigned_to,
});

describe("the conversation lifecycle", () => {
  it("hands the bot's conversation to a queue, where an agent takes it", () => {
    const waiting = nextLifecycle(state("bot"), { type: "HANDOFF", queueId: "q1" });
    expect(waiting).toEqual(state("waiting", "q1"));
    expect(nextLifecycle(waiting, { type: "ASSIGN", userId: "u1" })).toEqual(state("active", "q1", "u1"));
  });

  it("transfers to another queue, unassigned, from any open state", () => {
    for (const from of [state("bot"), state("waiting", "q1"), state("active", "q1", "u1")]) {
      expect(nextLifecycle(from, { type: "TRANSFER", queueId: "q2" })).toEqual(state("waiting", "q2"));
    }
  });

  it("returns an active conversation to its queue when unassigned", () => {
    expect(nextLifecycle(state("active", "q1", "u1"), { type: "UNASSIGN" })).toEqual(state("waiting", "q1"));
  });

  it("reopens to the agent, else the queue, else the bot", () => {
    expect(nextLifecycle(state("resolved", "q1", "u1"), { type: "REOPEN" })).toEqual(state("active", "q1", "u1"));
    expect(nextLifecycle(state("resolved", "q1"), { type: "REOPEN" })).toEqual(state("waiting", "q1"));
    expect(nextLifecycle(state("resolved"), { type: "REOPEN" })).toEqual(state("bot"));
  });

  it("refuses what cannot happen from where it is", () => {
    const refused = [
      [state("resolved"), { type: "RESOLVE" }, "A conversation that is resolved cannot be resolved"],
      [state("resolved"), { type: "ASSIGN", userId: "u1" }, "A conversation that is resolved cannot be assigned"],
      [state("bot"), { type: "REOPEN" }, "A conversation that is held by the bot cannot be reopened"],
      [state("waiting", "q1"), { type: "UNASSIGN" }, "A conversation that is waiting cannot be unassigned"],
      [state("active", "q1", "u1"), { type: "HANDOFF", queueId: "q2" }, "A conversation that is active cannot be handed off"],
    ] as const;
    for (const [from, event, message] of refused) {
      expect(() => nextLifecycle(from, event)).toThrow(expect.objectContaining({ code: 409, type: "INVALID_TRANSITION", message }));
    }
  });
});

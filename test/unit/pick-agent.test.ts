import { pickAgent, type Candidate } from "../../lib/routing/assignment";

const agent = (user_id: string, extra: Partial<Candidate> = {}): Candidate => ({
  user_id,
  online: true,
  skills: [],
  active: 0,
  last_assigned_at: null,
  ...extra,
});

describe("choosing an agent", () => {
  it("least_busy: fewest active, then longest idle", () => {
    const members = [
      agent("a", { active: 2 }),
      agent("b", { active: 1, last_assigned_at: new Date("2026-11-27T10:00:00Z") }),
      agent("c", { active: 1, last_assigned_at: new Date("2026-11-27T09:00:00Z") }),
    ];
    expect(pickAgent("least_busy", members, 5, [], 0)?.agent.user_id).toBe("c");
  });

  it("skips agents who are offline, at the cap or without the skill", () => {
    const members = [agent("off", { online: false }), agent("full", { active: 3 }), agent("plain"), agent("bilingual", { skills: ["inglés"], active: 2 })];
    expect(pickAgent("least_busy", members, 3, ["inglés"], 0)?.agent.user_id).toBe("bilingual");
    expect(pickAgent("least_busy", members, 3, ["francés"], 0)).toBeUndefined();
    expect(pickAgent("round_robin", members, 3, ["inglés"], 0)).toEqual({ agent: members[3], cursor: 4 });
  });

  it("round_robin: from the cursor on, wrapping around, past those who cannot take one", () => {
    const members = [agent("a"), agent("b", { online: false }), agent("c")];
    expect(pickAgent("round_robin", members, 5, [], 0)).toEqual({ agent: members[0], cursor: 1 });
    expect(pickAgent("round_robin", members, 5, [], 1)).toEqual({ agent: members[2], cursor: 3 });
    expect(pickAgent("round_robin", members, 5, [], 3)).toEqual({ agent: members[0], cursor: 1 });
  });
});

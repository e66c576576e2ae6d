// Two brokers over the Redis transporter assign from the same queues at once:
// no conversation goes to two agents, no agent goes past a cap.
import { database } from "../lib/db/connection";
import { harness, type Node } from "./support/harness";
import { single } from "../lib/db/tables";

const h = harness({ cluster: true, env: { ASSIGNMENT_SWEEP_INTERVAL_MS: "3600000" } });
let other: Node;

beforeAll(async () => {
  other = await h.startNode("other");
});

async function onlineAgents(count: number): Promise<string[]> {
  const rows: Array<{ id: string }> = await database()("users")
    .insert(
      Array.from({ length: count }, (_, i) => ({
        email: `race${Date.now()}-${i}-${Math.random()}@test.local`,
        name: `Race ${i}`,
        password_hash: "x",
        role: "agent",
        status: "online",
      })),
    )
    .returning("id");
  return rows.map((row) => row.id);
}

async function queueWithWaiting(agents: string[], cap: number, waiting: number): Promise<string> {
  const { id } = single(
    await database()("queues")
      .insert({ name: `Carrera ${Date.now()} ${Math.random()}`, assignment_method: "least_busy", max_per_agent: cap })
      .returning("id"),
    "test row",
  );
  await database()("queue_agents").insert(agents.map((user_id) => ({ queue_id: id, user_id })));
  const { id: accountId } = single(await database()("whatsapp_accounts").insert({ name: "Carrera", provider: "simulator" }).returning("id"), "test row");
  const contacts: Array<{ id: string }> = await database()("contacts")
    .insert(Array.from({ length: waiting }, (_, i) => ({ name: `C${i}` })))
    .returning("id");
  await database()("conversations").insert(
    contacts.map((contact, i) => ({
      contact_id: contact.id,
      whatsapp_account_id: accountId,
      queue_id: id,
      status: "waiting",
      queued_at: new Date(Date.now() - i * 1000),
    })),
  );
  return id;
}

/** Both nodes run assignment for the queues, several times each, all at once. */
async function stampede(queueIds: string[]): Promise<void> {
  const calls = [];
  for (let round = 0; round < 5; round += 1) {
    for (const [i, node] of [h.broker, other.broker].entries()) {
      const queueId = queueIds[(round + i) % queueIds.length]!;
      calls.push(node.call("routing.assign", { queue_id: queueId }, { nodeID: node.nodeID }));
    }
  }
  await Promise.all(calls);
}

const activeOf = async (userId: string) => Number((await database()("conversations").where({ assigned_to: userId, status: "active" }).count({ n: "*" }))[0]!.n);

describe("assignment under concurrency, over two brokers", () => {
  it("fills each agent up to the cap and never gives one conversation twice", async () => {
    const agents = await onlineAgents(3);
    const queueId = await queueWithWaiting(agents, 2, 20);
    await stampede([queueId]);
    for (const agent of agents) expect(await activeOf(agent)).toBe(2);
    expect(await database()("conversations").where({ queue_id: queueId, status: "waiting" }).count({ n: "*" })).toEqual([{ n: "14" }]);
    const assignments: Array<{ conversation_id: string; n: string }> = await database()("conversation_events as e")
      .join("conversations as c", "c.id", "e.conversation_id")
      .where({ "c.queue_id": queueId, "e.kind": "assigned" })
      .groupBy("e.conversation_id")
      .select("e.conversation_id", database().raw("count(*) AS n"));
    expect(assignments).toHaveLength(6);
    expect(assignments.every((row) => row.n === "1")).toBe(true);
  });

  it("keeps an agent shared by two queues under the cap while both queues assign at once", async () => {
    const [shared] = await onlineAgents(1);
    const first = await queueWithWaiting([shared!], 1, 5);
    const second = await queueWithWaiting([shared!], 1, 5);
    await stampede([first, second]);
    expect(await activeOf(shared!)).toBe(1);
  });
});

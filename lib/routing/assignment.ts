// Automatic assignment: waiting conversations go, in order (priority, then
// longest waiting), to an agent of the queue who is online, under the queue's
// cap of active conversations and holding the skills the conversation needs.
//
// Race-free across nodes: each assignment is one transaction that locks the
// queue row (one assigner per queue at a time, which also makes round robin
// fair) and then the chosen agent's user row (so two queues cannot both push
// one agent past a cap), counting the agent's load under that lock.
import type { Knex } from "knex";
import type { Row } from "../db/tables";
import type { Conversation } from "../models/conversations";
import type { AssignmentMethod } from "../models/queues";
import { applyChange } from "../inbox/conversations";
import type { ConversationChange } from "../contract/events";
import { NO_METRICS, type Metrics } from "../metrics";

export interface Candidate {
  user_id: string;
  online: boolean;
  skills: string[];
  active: number;
  /** Their latest assignment in any queue: least_busy's tie-break favours the longest idle. */
  last_assigned_at: Date | null;
}

const PRIORITY_ORDER = "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END";
// Waiting conversations are read this many at a time while looking for one an agent can take.
const LOOKAHEAD = 50;

const eligible = (candidate: Candidate, cap: number, required: string[]) =>
  candidate.online && candidate.active < cap && required.every((skill) => candidate.skills.includes(skill));

/**
 * The agent a method picks, and the round-robin position after them. Pure:
 * `members` come in the queue's stable order (when they joined).
 */
export function pickAgent(
  method: AssignmentMethod,
  members: Candidate[],
  cap: number,
  required: string[],
  cursor: number,
): { agent: Candidate; cursor: number } | undefined {
  if (method === "round_robin") {
    for (let step = 0; step < members.length; step += 1) {
      const index = (cursor + step) % members.length;
      if (eligible(members[index]!, cap, required)) return { agent: members[index]!, cursor: index + 1 };
    }
    return undefined;
  }
  const idle = (c: Candidate) => c.last_assigned_at?.getTime() ?? 0;
  const [agent] = members
    .filter((member) => eligible(member, cap, required))
    .sort((a, b) => a.active - b.active || idle(a) - idle(b) || a.user_id.localeCompare(b.user_id));
  return agent && { agent, cursor };
}

async function membersOf(trx: Knex.Transaction, queueId: string): Promise<Candidate[]> {
  const rows = await trx("queue_agents as qa")
    .join("users as u", "u.id", "qa.user_id")
    .where("qa.queue_id", queueId)
    .whereNull("u.deleted_at")
    .where("u.is_active", true)
    .orderBy([{ column: "qa.created_at" }, { column: "qa.user_id" }])
    .select(
      "qa.user_id",
      "qa.skills",
      trx.raw("u.status = 'online' AS online"),
      trx.raw("(SELECT count(*)::int FROM conversations c WHERE c.assigned_to = qa.user_id AND c.status = 'active') AS active"),
      trx.raw("(SELECT max(x.last_assigned_at) FROM queue_agents x WHERE x.user_id = qa.user_id) AS last_assigned_at"),
    );
  return rows as Candidate[];
}

interface QueueRules {
  assignment_method: AssignmentMethod;
  max_per_agent: number;
  round_robin_cursor: string;
}

/** Gives one conversation to an agent who can take it, if any; `members` learns loads found under the agents' locks. */
async function tryAssign(
  trx: Knex.Transaction,
  queueId: string,
  queue: QueueRules,
  members: Candidate[],
  conversation: Row<Conversation>,
): Promise<ConversationChange | null> {
  for (;;) {
    const choice = pickAgent(queue.assignment_method, members, queue.max_per_agent, conversation.required_skills, Number(queue.round_robin_cursor));
    if (!choice) return null;
    // Under the agent's lock, their load is what it really is: another queue may just have given them one.
    await trx.raw("SELECT 1 FROM users WHERE id = ? FOR UPDATE", [choice.agent.user_id]);
    const active = await trx("conversations").where({ assigned_to: choice.agent.user_id, status: "active" }).count({ count: "*" }).first();
    const count = Number(active?.count ?? 0);
    if (count >= queue.max_per_agent) {
      members[members.indexOf(choice.agent)] = { ...choice.agent, active: count };
      continue;
    }
    const change = await applyChange(trx, conversation, null, {
      kind: "assigned",
      event: { type: "ASSIGN", userId: choice.agent.user_id },
      patch: { assigned_at: trx.fn.now() },
      data: { user_id: choice.agent.user_id, method: queue.assignment_method },
    });
    await trx("queue_agents").where({ queue_id: queueId, user_id: choice.agent.user_id }).update({ last_assigned_at: trx.fn.now() });
    await trx("queues")
      .where({ id: queueId })
      .update({ round_robin_cursor: String(choice.cursor) });
    return change;
  }
}

/** One assignment in the queue, if any conversation and agent match (with when it entered the queue); null otherwise. */
async function assignOne(knex: Knex, queueId: string): Promise<{ change: ConversationChange; queuedAt: Date | null } | null> {
  return knex.transaction(async (trx) => {
    const queue: QueueRules | undefined = await trx("queues")
      .where({ id: queueId })
      .whereNull("deleted_at")
      .forUpdate()
      .first("assignment_method", "max_per_agent", "round_robin_cursor");
    if (!queue || queue.assignment_method === "manual") return null;
    const members = await membersOf(trx, queueId);
    if (!members.some((member) => member.online)) return null;
    // In waiting order, a page at a time: ones nobody online can take (skills) do not block those behind them.
    for (let offset = 0; ; offset += LOOKAHEAD) {
      const waiting = await trx("conversations")
        .where({ queue_id: queueId, status: "waiting" })
        .orderByRaw(PRIORITY_ORDER)
        .orderBy([{ column: "queued_at" }, { column: "id" }])
        .offset(offset)
        .limit(LOOKAHEAD)
        .forUpdate()
        .skipLocked();
      if (!waiting.length) return null;
      for (const conversation of waiting) {
        const change = await tryAssign(trx, queueId, queue, members, conversation);
        if (change) return { change, queuedAt: conversation.queued_at };
      }
    }
  });
}

/** Assigns waiting conversations of the queue while agents can take them; returns what changed. */
export async function assignWaiting(knex: Knex, queueId: string, metrics: Metrics = NO_METRICS): Promise<ConversationChange[]> {
  const changes: ConversationChange[] = [];
  for (;;) {
    const assigned = await assignOne(knex, queueId);
    if (!assigned) return changes;
    changes.push(assigned.change);
    if (assigned.queuedAt) metrics.observe("assignmentLatency", Math.max(0, Date.now() - assigned.queuedAt.getTime()) / 1000);
  }
}

/** The queues a user is a member of. */
export async function queuesOfAgent(knex: Knex, userId: string): Promise<string[]> {
  const rows = await knex("queue_agents").where({ user_id: userId }).select("queue_id");
  return rows.map((row) => row.queue_id);
}

/** The queues where conversations wait for an agent. */
export async function queuesWithWaiting(knex: Knex): Promise<string[]> {
  const rows = await knex("conversations").where({ status: "waiting" }).whereNotNull("queue_id").distinct("queue_id");
  return rows.flatMap((row) => (row.queue_id ? [row.queue_id] : []));
}

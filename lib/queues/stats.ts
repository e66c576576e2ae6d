// A queue's figures for supervisors (the seed's /stats). Every query is an
// index range — open conversations by (queue_id, status), today's resolved by
// (queue_id, resolved_at) — so it stays fast however many conversations the
// queue has had (docs/benchmarks.md).
import type { Knex } from "knex";
import { NotFound } from "../errors";
import type { UserStatus } from "../models/users";
import type { Static } from "@sinclair/typebox";
import type { QueueStats as QueueStatsSchema } from "../contract/resources";

export interface AgentStats {
  user_id: string;
  name: string;
  status: string;
  active_conversations: number;
  resolved_today: number;
}

export type QueueStats = Static<typeof QueueStatsSchema>;

interface Counts {
  waiting: number;
  active: number;
}
interface Resolved {
  resolved: number;
  avg_first_response: string | null;
  avg_resolution: string | null;
  with_sla: number;
  met: number;
}
interface PerAgent {
  assigned_to: string | null;
  n: number;
}

const round = (value: unknown, digits = 0): number | null => (value === null || value === undefined ? null : Number(Number(value).toFixed(digits)));

export async function queueStats(knex: Knex, queueId: string): Promise<QueueStats> {
  const queue = await knex("queues").where({ id: queueId }).whereNull("deleted_at").first("timezone");
  if (!queue) throw new NotFound("queue", queueId);
  // Midnight in the queue's zone, as an instant.
  const today = knex.raw("(date_trunc('day', now() AT TIME ZONE ?) AT TIME ZONE ?)", [queue.timezone, queue.timezone]);
  const resolvedToday = () => knex("conversations").where({ queue_id: queueId, status: "resolved" }).where("resolved_at", ">=", today);

  const [open, resolved, agents, perAgentActive, perAgentResolved] = await Promise.all([
    knex("conversations")
      .where({ queue_id: queueId })
      .whereIn("status", ["waiting", "active"])
      .first<Counts>(
        knex.raw("count(*) FILTER (WHERE status = 'waiting')::int AS waiting"),
        knex.raw("count(*) FILTER (WHERE status = 'active')::int AS active"),
      ),
    resolvedToday().first<Resolved>(
      knex.raw("count(*)::int AS resolved"),
      knex.raw("avg(extract(epoch FROM first_response_at - queued_at)) FILTER (WHERE first_response_at >= queued_at) AS avg_first_response"),
      knex.raw("avg(extract(epoch FROM resolved_at - queued_at)) FILTER (WHERE resolved_at >= queued_at) AS avg_resolution"),
      knex.raw("count(*) FILTER (WHERE sla_first_response_met IS NOT NULL OR sla_resolution_met IS NOT NULL)::int AS with_sla"),
      knex.raw(`count(*) FILTER (WHERE (sla_first_response_met IS NOT NULL OR sla_resolution_met IS NOT NULL)
                 AND coalesce(sla_first_response_met, true) AND coalesce(sla_resolution_met, true))::int AS met`),
    ),
    knex("queue_agents as qa")
      .join("users as u", "u.id", "qa.user_id")
      .where("qa.queue_id", queueId)
      .whereNull("u.deleted_at")
      .orderBy([{ column: "u.name" }, { column: "u.id" }])
      .select("u.id as user_id", "u.name", "u.status"),
    knex("conversations")
      .where({ queue_id: queueId, status: "active" })
      .groupBy("assigned_to")
      .select<PerAgent[]>("assigned_to", knex.raw("count(*)::int AS n")),
    resolvedToday().groupBy("assigned_to").select<PerAgent[]>("assigned_to", knex.raw("count(*)::int AS n")),
  ]);
  const countBy = (rows: PerAgent[]) => new Map(rows.map((row) => [row.assigned_to, row.n]));
  const active = countBy(perAgentActive);
  const done = countBy(perAgentResolved);
  // An aggregate without GROUP BY always has its one row.
  if (!open || !resolved) throw new Error("queue stats: an aggregate returned no row");
  return {
    waiting: open.waiting,
    active: open.active,
    resolved_today: resolved.resolved,
    avg_first_response: round(resolved.avg_first_response),
    avg_resolution: round(resolved.avg_resolution),
    sla_compliance: resolved.with_sla ? round(resolved.met / resolved.with_sla, 4) : null,
    agents: agents.map((agent: { user_id: string; name: string; status: UserStatus }) => ({
      user_id: agent.user_id,
      name: agent.name,
      status: agent.status,
      active_conversations: active.get(agent.user_id) ?? 0,
      resolved_today: done.get(agent.user_id) ?? 0,
    })),
  };
}

// Queues: where conversations wait for a person, with their assignment rules,
// capacity, SLA and opening hours, and the agents who work them.
import type { Knex } from "knex";
import { single, type Row } from "../db/tables";
import type { Caller } from "../auth/caller";
import { config } from "../config";
import { Conflict, Forbidden, NotFound, ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { WEEKDAYS, type AssignmentMethod, type Interval, type Queue, type Schedule } from "../models/queues";
import { paginate, type Page } from "../pagination";
import { isOpen, parseBusinessHours, parseHolidays, parseTimezone } from "./business-hours";
import { calendarOf } from "./sla";
import type { Static } from "@sinclair/typebox";
import type { QueueAgent as QueueAgentSchema, Queue as QueueSchema } from "../contract/resources";

export interface QueueInput {
  name: string;
  description?: string | null;
  assignment_method?: AssignmentMethod;
  max_per_agent?: number;
  sla_first_response?: number | null;
  sla_resolution?: number | null;
  business_hours?: unknown;
  timezone?: string;
  holidays?: unknown;
  fallback_flow_id?: string | null;
}

export interface AgentInput {
  user_id: string;
  is_supervisor?: boolean;
  skills?: string[];
}

export type PublicQueueAgent = Static<typeof QueueAgentSchema>;

type SeedHours = Record<string, Interval | Interval[] | null>;

export type PublicQueue = Static<typeof QueueSchema>;

/** Back to the seed's shape: one range as an object, several as a list, closed as null. */
function seedHours(schedule: Schedule | null): SeedHours | null {
  if (!schedule) return null;
  const order = [...WEEKDAYS.slice(1), WEEKDAYS[0]];
  return Object.fromEntries(
    order.map((day) => {
      const ranges = schedule[day] ?? [];
      return [day, ranges.length === 0 ? null : ranges.length === 1 ? ranges[0]! : ranges];
    }),
  );
}

/** The fallback flow of a queue that is closed now, if it has one. */
export async function closedQueueFallback(knex: Knex, queueId: string): Promise<string | undefined> {
  const queue = await knex("queues").where({ id: queueId }).whereNull("deleted_at").first("fallback_flow_id", "business_hours", "timezone", "holidays");
  if (!queue?.fallback_flow_id || isOpen(calendarOf(queue), new Date())) return undefined;
  return queue.fallback_flow_id;
}

export class Queues {
  constructor(private readonly knex: Knex) {}

  async list(page: number, limit: number): Promise<Page<PublicQueue>> {
    const result = await paginate(
      this.knex("queues")
        .whereNull("deleted_at")
        .orderBy([{ column: "name" }, { column: "id" }]),
      page,
      limit,
      (queue) => queue,
    );
    const agents = await this.agentsOf(result.items.map((queue) => queue.id));
    return { ...result, items: result.items.map((queue) => this.present(queue, agents.get(queue.id) ?? [])) };
  }

  async get(id: string): Promise<PublicQueue> {
    const queue = await this.find(id);
    return this.present(queue, (await this.agentsOf([id])).get(id) ?? []);
  }

  async create(input: QueueInput): Promise<PublicQueue> {
    const row = await this.validated(input);
    const queue = single(
      await this.knex("queues")
        .insert({ timezone: config().defaultTimezone, ...row })
        .returning("id"),
      "new queue",
    );
    return this.get(queue.id);
  }

  async update(id: string, input: Partial<QueueInput>): Promise<PublicQueue> {
    await this.find(id);
    const row = await this.validated(input);
    if (Object.keys(row).length)
      await this.knex("queues")
        .update({ ...row, updated_at: this.knex.fn.now() })
        .where({ id });
    return this.get(id);
  }

  /** Soft delete, refused while conversations wait or are worked in it. */
  async remove(id: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const queue = await trx("queues").where({ id }).whereNull("deleted_at").forUpdate().first("id");
      if (!queue) throw new NotFound("queue", id);
      const open = await trx("conversations").where({ queue_id: id }).whereIn("status", ["waiting", "active"]).first("id");
      if (open) throw new Conflict(msg("queues.notEmpty"), "QUEUE_NOT_EMPTY");
      await trx("queue_agents").where({ queue_id: id }).delete();
      // Resolved (or bot-held) conversations forget it: a reopen goes to their agent or the bot instead.
      await trx("conversations").where({ queue_id: id }).update({ queue_id: null });
      await trx("queues").where({ id }).update({ deleted_at: trx.fn.now(), updated_at: trx.fn.now() });
    });
  }

  /**
   * Adds an agent (or changes their role and skills in the queue); true when
   * they were not a member before. Left out, `is_supervisor` is false for a
   * newcomer and unchanged for a member.
   */
  async addAgent(caller: Caller, queueId: string, input: AgentInput): Promise<{ agent: PublicQueueAgent; added: boolean }> {
    await this.find(queueId);
    await this.assertManages(caller, queueId);
    const user = await this.knex("users").where({ id: input.user_id }).whereNull("deleted_at").first("id", "is_active");
    if (!user) throw new ValidationFailed("user_id", msg("common.noSuchUser", { id: input.user_id }));
    if (!user.is_active) throw new ValidationFailed("user_id", msg("common.userDisabled"));
    const skills = [...new Set((input.skills ?? []).map((skill) => skill.toLowerCase()))];
    const added = await this.knex.transaction(async (trx) => {
      const current = await trx("queue_agents").where({ queue_id: queueId, user_id: input.user_id }).forUpdate().first("is_supervisor");
      const isSupervisor = input.is_supervisor ?? current?.is_supervisor ?? false;
      this.assertMayChangeMembership(caller, input.user_id, current?.is_supervisor === true, isSupervisor);
      const upsert = trx("queue_agents")
        .insert({ queue_id: queueId, user_id: input.user_id, is_supervisor: isSupervisor, skills })
        .onConflict(["queue_id", "user_id"])
        .merge({ is_supervisor: isSupervisor, skills });
      // A membership that appeared meanwhile (no row to lock above) is changed only if the rule still allows it.
      if (caller.role !== "admin" && caller.id !== input.user_id) upsert.where("queue_agents.is_supervisor", false);
      const [row] = await upsert.returning(trx.raw("(xmax = 0) AS added"));
      if (!row) throw new Forbidden(msg("queues.onlyAdminsChangeSupervisors"));
      return Boolean((row as { added: boolean }).added);
    });
    const agents = (await this.agentsOf([queueId])).get(queueId) ?? [];
    return { agent: agents.find((agent) => agent.user_id === input.user_id)!, added };
  }

  async removeAgent(caller: Caller, queueId: string, userId: string): Promise<void> {
    await this.find(queueId);
    await this.assertManages(caller, queueId);
    await this.knex.transaction(async (trx) => {
      const current = await trx("queue_agents").where({ queue_id: queueId, user_id: userId }).forUpdate().first("is_supervisor");
      if (!current) throw new NotFound("queueAgent", userId);
      this.assertMayChangeMembership(caller, userId, current.is_supervisor === true, false);
      await trx("queue_agents").where({ queue_id: queueId, user_id: userId }).delete();
    });
  }

  /**
   * Supervision is granted by admins only. A supervisor manages the plain
   * agents of the queues they supervise, and their own membership; another
   * supervisor's membership (demoting, re-skilling, removing) is admins' too.
   */
  private assertMayChangeMembership(caller: Caller, userId: string, isSupervisorNow: boolean, willBeSupervisor: boolean): void {
    if (caller.role === "admin") return;
    if (isSupervisorNow && userId !== caller.id) throw new Forbidden(msg("queues.onlyAdminsChangeSupervisors"));
    if (willBeSupervisor && !isSupervisorNow) throw new Forbidden(msg("queues.onlyAdminsMakeSupervisors"), "is_supervisor");
  }

  private async find(id: string): Promise<Row<Queue>> {
    const queue = await this.knex("queues").where({ id }).whereNull("deleted_at").first();
    if (!queue) throw new NotFound("queue", id);
    return queue;
  }

  // Admins manage every queue; supervisors the queues they supervise.
  async assertManages(caller: Caller, queueId: string): Promise<void> {
    if (caller.role === "admin") return;
    const supervising = await this.knex("queue_agents").where({ queue_id: queueId, user_id: caller.id, is_supervisor: true }).first("user_id");
    if (caller.role !== "supervisor" || !supervising) throw new Forbidden(msg("queues.adminsAndSupervisorsOnly"));
  }

  private async validated(input: Partial<QueueInput>): Promise<Record<string, unknown>> {
    const row: Record<string, unknown> = {};
    // These cannot be cleared: null is "not given".
    for (const key of ["name", "assignment_method", "max_per_agent"] as const) {
      if (input[key] != null) row[key] = input[key];
    }
    for (const key of ["description", "sla_first_response", "sla_resolution"] as const) {
      if (input[key] !== undefined) row[key] = input[key];
    }
    if (input.business_hours !== undefined) {
      const schedule = parseBusinessHours(input.business_hours);
      row.business_hours = schedule === null ? null : JSON.stringify(schedule);
    }
    if (input.timezone != null) row.timezone = parseTimezone(input.timezone);
    if (input.holidays !== undefined) row.holidays = JSON.stringify(parseHolidays(input.holidays));
    if (input.fallback_flow_id !== undefined) {
      if (input.fallback_flow_id !== null && !(await this.knex("flows").where({ id: input.fallback_flow_id }).first("id"))) {
        throw new ValidationFailed("fallback_flow_id", msg("common.noSuchFlow", { id: input.fallback_flow_id }));
      }
      row.fallback_flow_id = input.fallback_flow_id;
    }
    return row;
  }

  private async agentsOf(queueIds: string[]): Promise<Map<string, PublicQueueAgent[]>> {
    const rows: Array<PublicQueueAgent & { queue_id: string }> = await this.knex("queue_agents as qa")
      .join("users as u", "u.id", "qa.user_id")
      .whereIn("qa.queue_id", queueIds)
      .whereNull("u.deleted_at")
      .orderBy([{ column: "u.name" }, { column: "u.id" }])
      .select("qa.queue_id", "qa.user_id", "u.name", "u.role", "u.status", "qa.is_supervisor", "qa.skills");
    const byQueue = new Map<string, PublicQueueAgent[]>();
    for (const { queue_id, ...agent } of rows) byQueue.set(queue_id, [...(byQueue.get(queue_id) ?? []), agent]);
    return byQueue;
  }

  private present(queue: Row<Queue>, agents: PublicQueueAgent[]): PublicQueue {
    return {
      id: queue.id,
      name: queue.name,
      description: queue.description,
      assignment_method: queue.assignment_method,
      max_per_agent: queue.max_per_agent,
      sla_first_response: queue.sla_first_response,
      sla_resolution: queue.sla_resolution,
      business_hours: seedHours(queue.business_hours),
      timezone: queue.timezone,
      holidays: queue.holidays,
      fallback_flow_id: queue.fallback_flow_id,
      is_open: isOpen(calendarOf(queue), new Date()),
      agents,
      created_at: queue.created_at,
      updated_at: queue.updated_at,
    };
  }
}

// /api/queues: queues, their agents and their figures (docs/queues.md).
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { database } from "../lib/db/connection";
import { ASSIGNMENT_METHODS } from "../lib/models/queues";
import { pageParams } from "../lib/pagination";
import { Queues, type AgentInput, type QueueInput } from "../lib/queues/store";
import { queueStats } from "../lib/queues/stats";
import type { QueueMembershipEvent } from "../lib/contract/events";
import { emitEvent } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";

interface QueuesService extends Service {
  queues: Queues;
}

type Ctx<P> = Context<P, RequestMeta>;
const MANAGERS = ["admin", "supervisor"] as const;
const DAY = 86_400;
const seconds = { type: "number", integer: true, min: 1, max: 30 * DAY, optional: true, nullable: true } as const;
const fields = {
  name: { type: "string", trim: true, min: 1, max: 100 },
  description: { type: "string", trim: true, max: 1000, optional: true, nullable: true },
  assignment_method: { type: "enum", values: [...ASSIGNMENT_METHODS], optional: true },
  max_per_agent: { type: "number", integer: true, min: 1, max: 1000, optional: true },
  sla_first_response: seconds,
  sla_resolution: seconds,
  // Checked by lib/queues/business-hours.ts, which names the offending day and time; null: always open.
  business_hours: { type: "object", optional: true, nullable: true },
  timezone: { type: "string", max: 64, optional: true },
  holidays: { type: "any", optional: true },
  fallback_flow_id: { type: "uuid", optional: true, nullable: true },
} as const;

const QueuesServiceSchema: ServiceSchema<ServiceSettingSchema, QueuesService> = {
  name: "queues",
  mixins: [
    usesDatabase<QueuesService>(function (knex) {
      this.queues = new Queues(knex);
    }),
  ],
  settings: { rest: "/queues" },

  actions: {
    list: {
      rest: "GET /",
      summary: "List queues",
      response: { body: "QueuePage" },
      permissions: "authenticated",
      params: { ...pageParams, $$strict: "remove" },
      handler(this: QueuesService, ctx: Ctx<{ page: number; limit: number }>) {
        return this.queues.list(ctx.params.page, ctx.params.limit);
      },
    },

    create: {
      rest: "POST /",
      summary: "Create a queue",
      response: { status: 201, body: "Queue" },
      errors: { 409: ["CONFLICT"] },
      permissions: ["admin"],
      audit: "queues.create",
      params: { ...fields, $$strict: "remove" },
      async handler(this: QueuesService, ctx: Ctx<QueueInput>) {
        const queue = await this.queues.create(ctx.params);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/queues/${queue.id}`;
        return queue;
      },
    },

    get: {
      rest: "GET /:id",
      summary: "Get a queue",
      response: { body: "Queue" },
      permissions: "authenticated",
      params: { id: "uuid" },
      handler(this: QueuesService, ctx: Ctx<{ id: string }>) {
        return this.queues.get(ctx.params.id);
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Change a queue",
      response: { body: "Queue" },
      errors: { 409: ["CONFLICT"] },
      permissions: ["admin"],
      audit: "queues.update",
      params: { id: "uuid", ...fields, name: { ...fields.name, optional: true }, $$strict: "remove" },
      async handler(this: QueuesService, ctx: Ctx<Partial<QueueInput> & { id: string }>) {
        const { id, ...input } = ctx.params;
        const queue = await this.queues.update(id, input);
        // A method or capacity change may let waiting conversations through.
        await emitEvent(this.broker, "queue.changed", { queue_id: id });
        return queue;
      },
    },

    remove: {
      rest: "DELETE /:id",
      summary: "Delete a queue",
      response: { status: 204 },
      errors: { 409: ["QUEUE_NOT_EMPTY"] },
      permissions: ["admin"],
      audit: "queues.delete",
      params: { id: "uuid" },
      async handler(this: QueuesService, ctx: Ctx<{ id: string }>) {
        await this.queues.remove(ctx.params.id);
        ctx.meta.$statusCode = 204;
        return null;
      },
    },

    addAgent: {
      rest: "POST /:id/agents",
      summary: "Add an agent to a queue (or change their membership)",
      response: { status: [200, 201], body: "QueueAgent" },
      permissions: MANAGERS,
      audit: "queues.agents.add",
      params: {
        id: "uuid",
        user_id: "uuid",
        is_supervisor: { type: "boolean", optional: true },
        skills: { type: "array", items: { type: "string", trim: true, min: 1, max: 50 }, max: 30, optional: true },
        $$strict: "remove",
      },
      async handler(this: QueuesService, ctx: Ctx<AgentInput & { id: string }>) {
        const { id, ...input } = ctx.params;
        const { agent, added } = await this.queues.addAgent(callerOf(ctx), id, input);
        const event: QueueMembershipEvent = { queue_id: id, user_id: agent.user_id, member: true, is_supervisor: agent.is_supervisor };
        await emitEvent(this.broker, "queue.membership.changed", event);
        if (added) {
          ctx.meta.$statusCode = 201;
          ctx.meta.$location = `/api/queues/${id}`;
        }
        return agent;
      },
    },

    removeAgent: {
      rest: "DELETE /:id/agents/:user_id",
      summary: "Remove an agent from a queue",
      response: { status: 204 },
      permissions: MANAGERS,
      audit: "queues.agents.remove",
      params: { id: "uuid", user_id: "uuid" },
      async handler(this: QueuesService, ctx: Ctx<{ id: string; user_id: string }>) {
        await this.queues.removeAgent(callerOf(ctx), ctx.params.id, ctx.params.user_id);
        const event: QueueMembershipEvent = { queue_id: ctx.params.id, user_id: ctx.params.user_id, member: false, is_supervisor: false };
        await emitEvent(this.broker, "queue.membership.changed", event);
        ctx.meta.$statusCode = 204;
        return null;
      },
    },

    stats: {
      rest: "GET /:id/stats",
      summary: "A queue's figures for today",
      response: { body: "QueueStats" },
      permissions: MANAGERS,
      params: { id: "uuid" },
      async handler(this: QueuesService, ctx: Ctx<{ id: string }>) {
        await this.queues.assertManages(callerOf(ctx), ctx.params.id);
        return queueStats(database(), ctx.params.id);
      },
    },
  },
};

export default QueuesServiceSchema;

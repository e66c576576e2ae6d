// /api/flows: chatbot flows, their immutable versions, the node catalogue and
// a sandbox to try them (docs/flow-builder.md).
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { Flows, type FlowDefinition, type FlowFilter } from "../lib/flows/store";
import { guardedRequest } from "../lib/flows/http";
import { catalogue } from "../lib/flows/registry";
import { testFlow } from "../lib/flows/sandbox";
import { NotFound } from "../lib/errors";
import { TRIGGER_TYPES } from "../lib/models/flows";
import { pageParams } from "../lib/pagination";
import { queueCalendar } from "../lib/queues/sla";
import { usesDatabase } from "../mixins/database.mixin";

interface FlowsService extends Service {
  flows: Flows;
}

type Ctx<P> = Context<P, RequestMeta>;
const EDITORS = ["admin", "supervisor"] as const;
const fields = {
  name: { type: "string", trim: true, min: 1, max: 200 },
  description: { type: "string", trim: true, max: 2000, optional: true, nullable: true },
  trigger_type: { type: "enum", values: [...TRIGGER_TYPES] },
  trigger_value: { type: "string", max: 2000, optional: true, nullable: true },
  whatsapp_account_id: { type: "uuid", optional: true, nullable: true },
  // The graph is checked by lib/flows/graph.ts, which names the offending node or edge.
  nodes: { type: "any" },
  is_active: { type: "boolean", optional: true },
} as const;

const FlowsServiceSchema: ServiceSchema<ServiceSettingSchema, FlowsService> = {
  name: "flows",
  mixins: [
    usesDatabase<FlowsService>(function (knex) {
      this.flows = new Flows(knex);
    }),
  ],
  settings: { rest: "/flows" },

  actions: {
    // Declared before GET /:id, so the router does not read "node-types" as an id.
    nodeTypes: {
      rest: "GET /node-types",
      summary: "The node types a flow can use, with their configuration schemas",
      response: { body: "NodeTypeList" },
      permissions: "authenticated",
      handler() {
        return { items: catalogue() };
      },
    },

    // Flows are configuration, and their nodes may hold secrets (http_request
    // headers): only those who edit them read them. The catalogue above stays open.
    list: {
      rest: "GET /",
      summary: "List flows",
      response: { body: "FlowPage" },
      permissions: EDITORS,
      params: {
        trigger_type: { type: "enum", values: [...TRIGGER_TYPES], optional: true },
        is_active: { type: "boolean", convert: true, optional: true },
        ...pageParams,
        $$strict: "remove",
      },
      handler(this: FlowsService, ctx: Ctx<FlowFilter>) {
        return this.flows.list(ctx.params);
      },
    },

    create: {
      rest: "POST /",
      summary: "Create a flow",
      response: { status: 201, body: "Flow" },
      permissions: EDITORS,
      audit: "flows.create",
      params: { ...fields, $$strict: "remove" },
      async handler(this: FlowsService, ctx: Ctx<FlowDefinition>) {
        const flow = await this.flows.create(callerOf(ctx), ctx.params);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/flows/${flow.id}`;
        return flow;
      },
    },

    get: {
      rest: "GET /:id",
      summary: "Get a flow with its graph",
      response: { body: "Flow" },
      permissions: EDITORS,
      params: { id: "uuid" },
      handler(this: FlowsService, ctx: Ctx<{ id: string }>) {
        return this.flows.get(ctx.params.id);
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Change a flow (a new graph is a new version)",
      response: { body: "Flow" },
      permissions: EDITORS,
      audit: "flows.update",
      params: {
        id: "uuid",
        ...fields,
        name: { ...fields.name, optional: true },
        trigger_type: { ...fields.trigger_type, optional: true },
        nodes: { type: "any", optional: true },
        $$strict: "remove",
      },
      handler(this: FlowsService, ctx: Ctx<Partial<FlowDefinition> & { id: string }>) {
        const { id, ...input } = ctx.params;
        return this.flows.update(callerOf(ctx), id, input);
      },
    },

    remove: {
      rest: "DELETE /:id",
      summary: "Delete a flow",
      response: { status: 204 },
      permissions: EDITORS,
      audit: "flows.delete",
      params: { id: "uuid" },
      async handler(this: FlowsService, ctx: Ctx<{ id: string }>) {
        await this.flows.remove(ctx.params.id);
        ctx.meta.$statusCode = 204;
        return null;
      },
    },

    duplicate: {
      rest: "POST /:id/duplicate",
      summary: "Copy a flow",
      response: { status: 201, body: "Flow" },
      permissions: EDITORS,
      audit: "flows.duplicate",
      params: { id: "uuid" },
      async handler(this: FlowsService, ctx: Ctx<{ id: string }>) {
        const flow = await this.flows.duplicate(callerOf(ctx), ctx.params.id);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/flows/${flow.id}`;
        return flow;
      },
    },

    toggle: {
      rest: "PUT /:id/toggle",
      summary: "Activate or deactivate a flow",
      response: { body: "Flow" },
      permissions: EDITORS,
      audit: "flows.toggle",
      params: { id: "uuid", is_active: { type: "boolean", optional: true }, $$strict: "remove" },
      handler(this: FlowsService, ctx: Ctx<{ id: string; is_active?: boolean }>) {
        return this.flows.toggle(ctx.params.id, ctx.params.is_active ?? undefined);
      },
    },

    test: {
      rest: "POST /:id/test",
      summary: "Run a flow in the sandbox",
      response: { body: "SandboxRun" },
      permissions: EDITORS,
      params: {
        id: "uuid",
        phone_number: { type: "string", trim: true, min: 3, max: 32 },
        initial_message: { type: "string", min: 1, max: 4096 },
        replies: { type: "array", items: { type: "string", max: 4096 }, max: 50, optional: true },
        $$strict: "remove",
      },
      async handler(this: FlowsService, ctx: Ctx<{ id: string; phone_number: string; initial_message: string; replies?: string[] }>) {
        const flow = await this.flows.loadCurrent(ctx.params.id);
        if (!flow) throw new NotFound("flow", ctx.params.id);
        const language = ctx.meta.language ?? config().defaultLanguage;
        ctx.meta.$responseHeaders = { ...ctx.meta.$responseHeaders, "Content-Language": language };
        return testFlow(flow, {
          phoneNumber: ctx.params.phone_number,
          initialMessage: ctx.params.initial_message,
          replies: ctx.params.replies ?? [],
          stepLimit: config().flowStepLimit,
          language,
          loadFlow: (flowId) => this.flows.loadCurrent(flowId),
          loadVersion: (versionId) => this.flows.loadVersion(versionId),
          queueCalendar: (queueId) => queueCalendar(database(), queueId),
          http: (request) => guardedRequest(request, config().fetchAllowHosts),
        });
      },
    },
  },
};

export default FlowsServiceSchema;

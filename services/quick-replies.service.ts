// /api/quick-replies: canned answers with {{placeholders}} (docs/api.md).
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { ruleMessage } from "../lib/i18n/validation";
import { pageParams } from "../lib/pagination";
import { QuickReplies, type QuickReplyFilter, type QuickReplyInput } from "../lib/quick-replies";
import { usesDatabase } from "../mixins/database.mixin";

interface QuickRepliesService extends Service {
  replies: QuickReplies;
}

const EDITORS = ["admin", "supervisor"] as const;
const shortcut = {
  type: "string",
  trim: true,
  pattern: /^\/[\p{L}\p{N}_-]{1,40}$/u,
  messages: { stringPattern: ruleMessage("quickReplies.shortcutPattern") },
} as const;
const content = { type: "string", min: 1, max: 4096 } as const;
const queueId = { type: "uuid", optional: true, nullable: true } as const;

const QuickRepliesServiceSchema: ServiceSchema<ServiceSettingSchema, QuickRepliesService> = {
  name: "quick-replies",
  mixins: [
    usesDatabase<QuickRepliesService>(function (knex) {
      this.replies = new QuickReplies(knex);
    }),
  ],
  settings: { rest: "/quick-replies" },

  actions: {
    list: {
      rest: "GET /",
      summary: "List quick replies",
      response: { body: "QuickReplyPage" },
      permissions: "authenticated",
      params: {
        queue_id: { type: "uuid", optional: true },
        search: { type: "string", trim: true, max: 41, optional: true },
        ...pageParams,
        $$strict: "remove",
      },
      handler(this: QuickRepliesService, ctx: Context<QuickReplyFilter, RequestMeta>) {
        return this.replies.list(callerOf(ctx), ctx.params);
      },
    },

    create: {
      rest: "POST /",
      summary: "Create a quick reply",
      response: { status: 201, body: "QuickReply" },
      errors: { 409: ["CONFLICT"] },
      permissions: EDITORS,
      audit: "quick-replies.create",
      params: { shortcut, content, queue_id: queueId, $$strict: "remove" },
      async handler(this: QuickRepliesService, ctx: Context<QuickReplyInput, RequestMeta>) {
        const reply = await this.replies.create(callerOf(ctx), ctx.params);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/quick-replies/${reply.id}`;
        return reply;
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Change a quick reply",
      response: { body: "QuickReply" },
      errors: { 409: ["CONFLICT"] },
      permissions: EDITORS,
      audit: "quick-replies.update",
      params: { id: "uuid", shortcut: { ...shortcut, optional: true }, content: { ...content, optional: true }, queue_id: queueId, $$strict: "remove" },
      handler(this: QuickRepliesService, ctx: Context<Partial<QuickReplyInput> & { id: string }, RequestMeta>) {
        const { id, ...input } = ctx.params;
        return this.replies.update(callerOf(ctx), id, input);
      },
    },

    remove: {
      rest: "DELETE /:id",
      summary: "Delete a quick reply",
      response: { status: 204 },
      permissions: EDITORS,
      audit: "quick-replies.delete",
      params: { id: "uuid" },
      async handler(this: QuickRepliesService, ctx: Context<{ id: string }, RequestMeta>) {
        await this.replies.remove(callerOf(ctx), ctx.params.id);
        ctx.meta.$statusCode = 204;
        return null;
      },
    },
  },
};

export default QuickRepliesServiceSchema;

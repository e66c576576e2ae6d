// /api/conversations: the inbox. Each person sees the conversations of their
// queues and those assigned to them (admins all); every lifecycle change is
// recorded and announced (docs/api.md).
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { database } from "../lib/db/connection";
import { Conversations, type ChangeResult, type ConversationFilter, type PublicConversation } from "../lib/inbox/conversations";
import { CONVERSATION_STATUSES, PRIORITIES, type Priority } from "../lib/models/conversations";
import { pageParams } from "../lib/pagination";
import { QuickReplies } from "../lib/quick-replies";
import { renderTemplate } from "../lib/templates";
import { emitEvent } from "../lib/contract/events";
import { findContact } from "../lib/contacts";
import { usesDatabase } from "../mixins/database.mixin";

interface ConversationsService extends Service {
  conversations: Conversations;
  replies: QuickReplies;
  announce(result: ChangeResult): Promise<PublicConversation>;
}

type Ctx<P> = Context<P, RequestMeta>;
const STAFF = "authenticated";
const id = { id: "uuid" } as const;

const ConversationsServiceSchema: ServiceSchema<ServiceSettingSchema, ConversationsService> = {
  name: "conversations",
  mixins: [
    usesDatabase<ConversationsService>(function (knex) {
      this.conversations = new Conversations(knex);
      this.replies = new QuickReplies(knex);
    }),
  ],
  settings: { rest: "/conversations" },

  actions: {
    list: {
      rest: "GET /",
      summary: "List conversations",
      response: { body: "ConversationPage" },
      permissions: STAFF,
      params: {
        status: { type: "enum", values: [...CONVERSATION_STATUSES], optional: true },
        queue_id: { type: "uuid", optional: true },
        assigned_to: { type: "uuid", optional: true },
        priority: { type: "enum", values: [...PRIORITIES], optional: true },
        contact_id: { type: "uuid", optional: true },
        ...pageParams,
        $$strict: "remove",
      },
      handler(this: ConversationsService, ctx: Ctx<ConversationFilter>) {
        return this.conversations.list(callerOf(ctx), ctx.params);
      },
    },

    get: {
      rest: "GET /:id",
      summary: "Get a conversation",
      response: { body: "Conversation" },
      permissions: STAFF,
      params: id,
      handler(this: ConversationsService, ctx: Ctx<{ id: string }>) {
        return this.conversations.get(callerOf(ctx), ctx.params.id);
      },
    },

    /** The lifecycle history: who moved it, when, from which status to which. */
    events: {
      rest: "GET /:id/events",
      summary: "A conversation's history of changes",
      response: { body: "ConversationEventPage" },
      permissions: STAFF,
      params: { ...id, ...pageParams, $$strict: "remove" },
      handler(this: ConversationsService, ctx: Ctx<{ id: string; page: number; limit: number }>) {
        return this.conversations.history(callerOf(ctx), ctx.params.id, ctx.params.page, ctx.params.limit);
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Change a conversation's priority or required skills",
      response: { body: "Conversation" },
      permissions: STAFF,
      params: {
        ...id,
        priority: { type: "enum", values: [...PRIORITIES], optional: true },
        required_skills: { type: "array", items: { type: "string", trim: true, min: 1, max: 50 }, max: 10, optional: true },
        $$strict: "remove",
      },
      async handler(this: ConversationsService, ctx: Ctx<{ id: string; priority?: Priority; required_skills?: string[] }>) {
        const { id: conversationId, ...input } = ctx.params;
        return this.announce(await this.conversations.update(callerOf(ctx), conversationId, input));
      },
    },

    assign: {
      rest: "POST /:id/assign",
      summary: "Assign a conversation to an agent",
      response: { body: "Conversation" },
      errors: { 409: ["INVALID_TRANSITION"] },
      permissions: STAFF,
      params: { ...id, user_id: "uuid", $$strict: "remove" },
      async handler(this: ConversationsService, ctx: Ctx<{ id: string; user_id: string }>) {
        return this.announce(await this.conversations.assign(callerOf(ctx), ctx.params.id, ctx.params.user_id));
      },
    },

    transfer: {
      rest: "POST /:id/transfer",
      summary: "Move a conversation to another queue",
      response: { body: "Conversation" },
      errors: { 409: ["INVALID_TRANSITION"] },
      permissions: STAFF,
      params: { ...id, queue_id: "uuid", $$strict: "remove" },
      async handler(this: ConversationsService, ctx: Ctx<{ id: string; queue_id: string }>) {
        return this.announce(await this.conversations.transfer(callerOf(ctx), ctx.params.id, ctx.params.queue_id));
      },
    },

    resolve: {
      rest: "POST /:id/resolve",
      summary: "Resolve a conversation",
      response: { body: "Conversation" },
      errors: { 409: ["INVALID_TRANSITION"] },
      permissions: STAFF,
      params: { ...id, resolution_note: { type: "string", trim: true, max: 2000, optional: true }, $$strict: "remove" },
      async handler(this: ConversationsService, ctx: Ctx<{ id: string; resolution_note?: string }>) {
        return this.announce(await this.conversations.resolve(callerOf(ctx), ctx.params.id, ctx.params.resolution_note || undefined));
      },
    },

    reopen: {
      rest: "POST /:id/reopen",
      summary: "Reopen a resolved conversation",
      response: { body: "Conversation" },
      errors: { 409: ["INVALID_TRANSITION", "CONVERSATION_OPEN"] },
      permissions: STAFF,
      params: id,
      async handler(this: ConversationsService, ctx: Ctx<{ id: string }>) {
        return this.announce(await this.conversations.reopen(callerOf(ctx), ctx.params.id));
      },
    },

    /** A quick reply filled in for this conversation and the calling agent; sent too when `send` is true. */
    renderQuickReply: {
      rest: "POST /:id/quick-replies/:quick_reply_id/render",
      summary: "Fill a quick reply's placeholders for a conversation (and send it)",
      response: { status: [200, 201], body: "RenderedQuickReply" },
      errors: { 409: ["CONVERSATION_RESOLVED", "NOT_CONNECTED"] },
      permissions: STAFF,
      params: { ...id, quick_reply_id: "uuid", send: { type: "boolean", optional: true, default: false }, $$strict: "remove" },
      async handler(this: ConversationsService, ctx: Ctx<{ id: string; quick_reply_id: string; send: boolean }>) {
        const caller = callerOf(ctx);
        const conversation = await this.conversations.get(caller, ctx.params.id);
        const reply = await this.replies.usable(caller, ctx.params.quick_reply_id);
        const contact = await findContact(database(), conversation.contact.id);
        const text = renderTemplate(reply.content, {
          contact: { ...contact, name: contact.name ?? contact.push_name },
          agent: { name: caller.name },
          queue: { name: conversation.queue?.name ?? null },
          conversation: { id: conversation.id },
        });
        if (!ctx.params.send) return { text, message: null };
        const message = await ctx.call<{ id: string }, Record<string, unknown>>(
          "messages.send",
          { id: conversation.id, type: "text", content: text },
          { meta: ctx.meta },
        );
        return { text, message };
      },
    },
  },

  methods: {
    async announce(this: ConversationsService, { conversation, change }: ChangeResult) {
      if (change) await emitEvent(this.broker, "conversation.changed", change);
      return conversation;
    },
  },
};

export default ConversationsServiceSchema;

// /api/conversations/{id}/messages and /notes: a conversation's timeline, what
// agents send (through the outbox, sent by the node holding the account) and
// internal notes that never leave Charla.

import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { database } from "../lib/db/connection";
import { Conflict, NotFound } from "../lib/errors";
import { msg } from "../lib/i18n/message";
import { Conversations } from "../lib/inbox/conversations";
import { addNote, DEFAULT_MESSAGE_LIMIT, findMessage, listMessages, MAX_MESSAGE_LIMIT } from "../lib/inbox/messages";
import { MAX_TEXT, OUTBOUND_TYPES, type OutboundType } from "../lib/whatsapp/outbound";
import { emitEvent } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";

interface MessagesService extends Service {
  conversations: Conversations;
}

interface SendBody {
  id: string;
  type: OutboundType;
  content?: string | null;
  media_url?: string;
  metadata?: Record<string, unknown>;
  idempotency_key?: string;
}

type Ctx<P> = Context<P, RequestMeta>;
const STAFF = "authenticated";

const MessagesServiceSchema: ServiceSchema<ServiceSettingSchema, MessagesService> = {
  name: "messages",
  mixins: [
    usesDatabase<MessagesService>(function (knex) {
      this.conversations = new Conversations(knex);
    }),
  ],
  settings: { rest: "/conversations" },

  actions: {
    list: {
      rest: "GET /:id/messages",
      summary: "A conversation's messages, newest page first",
      response: { body: "MessagePage" },
      permissions: STAFF,
      params: {
        id: "uuid",
        before: { type: "uuid", optional: true },
        limit: { type: "number", integer: true, min: 1, max: MAX_MESSAGE_LIMIT, default: DEFAULT_MESSAGE_LIMIT, convert: true },
        $$strict: "remove",
      },
      async handler(this: MessagesService, ctx: Ctx<{ id: string; before?: string; limit: number }>) {
        await this.conversations.assertVisible(callerOf(ctx), ctx.params.id);
        return listMessages(database(), ctx.params.id, ctx.params.before, ctx.params.limit);
      },
    },

    get: {
      rest: "GET /:id/messages/:message_id",
      summary: "Get one message",
      response: { body: "Message" },
      permissions: STAFF,
      params: { id: "uuid", message_id: "uuid" },
      async handler(this: MessagesService, ctx: Ctx<{ id: string; message_id: string }>) {
        await this.conversations.assertVisible(callerOf(ctx), ctx.params.id);
        const message = await findMessage(database(), ctx.params.message_id);
        if (message?.conversation_id !== ctx.params.id) throw new NotFound("message", ctx.params.message_id);
        return message;
      },
    },

    send: {
      rest: "POST /:id/messages",
      summary: "Send a message to the customer",
      response: { status: 201, body: "Message" },
      errors: { 409: ["CONVERSATION_RESOLVED", "NOT_CONNECTED"] },
      permissions: STAFF,
      params: {
        id: "uuid",
        type: { type: "enum", values: [...OUTBOUND_TYPES] },
        content: { type: "string", max: MAX_TEXT, optional: true, nullable: true },
        // The seed puts a media message's URL beside the content; it travels in the metadata.
        media_url: { type: "string", max: 2048, optional: true },
        metadata: { type: "object", optional: true },
        idempotency_key: { type: "string", min: 1, max: 100, optional: true },
        $$strict: "remove",
      },
      async handler(this: MessagesService, ctx: Ctx<SendBody>) {
        const caller = callerOf(ctx);
        const conversation = await this.conversations.assertVisible(caller, ctx.params.id);
        if (conversation.status === "resolved") {
          throw new Conflict(msg("conversations.resolvedNoWriting"), "CONVERSATION_RESOLVED");
        }
        const { media_url, metadata, idempotency_key } = ctx.params;
        const sent = await ctx.call<{ id: string }, Record<string, unknown>>("whatsapp.send", {
          conversation_id: conversation.id,
          type: ctx.params.type,
          content: ctx.params.content,
          metadata: media_url === undefined ? metadata : { ...metadata, media_url },
          sender_type: "agent",
          sender_user_id: caller.id,
          // A client's retry with the same key is the same message; keys are per person.
          idempotency_key: idempotency_key && `agent:${caller.id}:${idempotency_key}`,
        });
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/conversations/${conversation.id}/messages/${sent.id}`;
        return findMessage(database(), sent.id);
      },
    },

    note: {
      rest: "POST /:id/notes",
      summary: "Add an internal note",
      response: { status: 201, body: "Message" },
      permissions: STAFF,
      params: { id: "uuid", content: { type: "string", trim: true, min: 1, max: MAX_TEXT }, $$strict: "remove" },
      async handler(this: MessagesService, ctx: Ctx<{ id: string; content: string }>) {
        const caller = callerOf(ctx);
        const conversation = await this.conversations.assertVisible(caller, ctx.params.id);
        const note = await addNote(database(), caller, conversation, ctx.params.content);
        await emitEvent(this.broker, "message.created", { message_id: note.id, conversation_id: conversation.id });
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/conversations/${conversation.id}/messages/${note.id}`;
        return note;
      },
    },
  },
};

export default MessagesServiceSchema;

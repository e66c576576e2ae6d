// What a live flow does to the world beyond its own state: sends (queued
// with the state), hand-offs and other changes of the conversation, the
// contact, notes, HTTP and Odoo. The sandbox has its own (lib/flows/sandbox.ts).
import type { Knex } from "knex";
import type { BrokerEvent, BrokerEvents } from "../contract/events";
import { config } from "../config";
import type { Contacts } from "../contacts";
import type { Row } from "../db/tables";
import { handoffRequest, resolveRequest, type ChangeRequest } from "../inbox/conversations";
import { addNote } from "../inbox/messages";
import type { Conversation } from "../models/conversations";
import { queueCalendar } from "../queues/sla";
import { validateOutgoing } from "../whatsapp/outbound";
import { guardedRequest } from "./http";
import type { FlowEffects } from "./node-type";

/** A send of the flow, as charla_flow_write queues it. */
export interface OutboxEntry {
  type: string;
  content: string | null;
  metadata: Record<string, unknown>;
  idempotency_key: string | null;
}

/** Builds one change of a conversation from its locked row. */
export type ChangeBuilder = (trx: Knex.Transaction, row: Row<Conversation>) => Promise<ChangeRequest> | ChangeRequest;

export interface EffectsContext {
  knex: Knex;
  conversation: Row<Conversation>;
  contacts: Contacts;
  /** Queues a send, written with the flow's state (or not at all). */
  queueSend(send: OutboxEntry): void;
  /** Writes what the flow did so far: an effect beyond the outbox never runs ahead of it. */
  writeFirst(): Promise<void>;
  /** One change of the conversation under its row lock, announced once committed. */
  change(build: ChangeBuilder): Promise<void>;
  emit<E extends BrokerEvent>(event: E, payload: BrokerEvents[E]): Promise<void>;
  odoo(action: string, params: Record<string, unknown>): Promise<unknown>;
}

export function liveFlowEffects(ctx: EffectsContext): FlowEffects {
  const { knex, conversation, contacts } = ctx;
  const id = conversation.id;
  const written =
    <A extends unknown[], R>(effect: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await ctx.writeFirst();
      return effect(...args);
    };
  return {
    send: async ({ type, content, metadata, key }) => {
      // Checked now (a bad message fails its node); queued with the state (see write).
      validateOutgoing(type, content, metadata ?? {});
      ctx.queueSend({ type, content: content ?? null, metadata: metadata ?? {}, idempotency_key: key ? `flow:${id}:${key}` : null });
    },
    handoff: written(async (target) => {
      if ("queueId" in target) {
        await ctx.change((trx, row) => handoffRequest(trx, row, target.queueId));
        return;
      }
      const user = await knex("users").where({ id: target.userId, is_active: true }).whereNull("deleted_at").first("id");
      if (!user) throw new Error(`User ${target.userId} does not exist or is disabled`);
      await ctx.change(() => ({
        kind: "assigned",
        event: { type: "ASSIGN", userId: target.userId },
        patch: { assigned_at: knex.fn.now() },
        data: { user_id: target.userId, by: "flow" },
      }));
    }),
    addTags: written(async (tags) => void (await contacts.addTags(conversation.contact_id, tags))),
    removeTags: written(async (tags) => {
      for (const tag of tags) await contacts.removeTag(conversation.contact_id, tag);
    }),
    updateContact: written(async (patch) => {
      const metadata = patch.metadata as Record<string, unknown> | undefined;
      const existing = metadata ? ((await knex("contacts").where({ id: conversation.contact_id }).first("metadata"))?.metadata ?? {}) : undefined;
      await contacts.update(conversation.contact_id, { ...patch, ...(metadata ? { metadata: { ...existing, ...metadata } } : {}) });
    }),
    setPriority: written((priority) =>
      ctx.change((_trx, row) => ({ kind: "priority_changed", patch: { priority }, data: { from: row.priority, to: priority, by: "flow" } })),
    ),
    addNote: written(async (text) => {
      const note = await addNote(knex, "bot", conversation, text);
      await ctx.emit("message.created", { message_id: note.id, conversation_id: id });
    }),
    setCsat: written(async (score) => void (await knex("conversations").where({ id }).update({ csat: score }))),
    resolve: written((note) => ctx.change((trx, row) => resolveRequest(trx, row, null, note))),
    http: written((request) => guardedRequest(request, config().fetchAllowHosts)),
    odoo: written((action, params) => ctx.odoo(action, params)),
    queueCalendar: (queueId) => queueCalendar(knex, queueId),
  };
}

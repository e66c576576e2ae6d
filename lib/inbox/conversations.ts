// Conversations as agents see them: listed and read within what each person
// may see, and moved through their lifecycle (assign, transfer, resolve,
// reopen) one change at a time under a row lock, each change recorded.
import type { Knex } from "knex";
import type { ConversationChange, Placement } from "../contract/events";
import { single, type Row } from "../db/tables";
import type { Caller } from "../auth/caller";
import { Conflict, Forbidden, NotFound, ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import { Conversation, ConversationEvent, type ConversationStatus, type Priority } from "../models/conversations";
import { paginate, type Page } from "../pagination";
import { config } from "../config";
import { metNow, queueClock, SLA_KINDS, startClocks, stopClock, type QueueClock } from "../queues/sla";
import { versionOf, whereInBatch, type Batch, type Position } from "./change-cursor";
import { nextLifecycle, type LifecycleEvent } from "./lifecycle";
import type { Static } from "@sinclair/typebox";
import type { Conversation as ConversationSchema, ConversationEvent as ConversationEventSchema } from "../contract/resources";

export interface ConversationFilter {
  status?: ConversationStatus;
  queue_id?: string;
  assigned_to?: string;
  priority?: Priority;
  contact_id?: string;
  page: number;
  limit: number;
}

type Ref = { id: string; name: string } | null;

export type PublicConversation = Static<typeof ConversationSchema>;

export interface ChangeResult {
  conversation: PublicConversation;
  /** Null when the request changed nothing (assigning to the current assignee, …). */
  change: ConversationChange | null;
}

export type PublicConversationEvent = Static<typeof ConversationEventSchema>;

type ConversationRow = Conversation & {
  contact_name: string | null;
  contact_push_name: string | null;
  contact_phone: string | null;
  account_name: string;
  assignee_name: string | null;
  queue_name: string | null;
  flow_name: string | null;
};

const ref = (id: string | null, name: string | null): Ref => (id ? { id, name: name ?? "" } : null);

function present(row: ConversationRow): PublicConversation {
  return {
    id: row.id,
    contact: { id: row.contact_id, name: row.contact_name ?? row.contact_push_name, phone_number: row.contact_phone },
    whatsapp_account: { id: row.whatsapp_account_id, name: row.account_name },
    status: row.status,
    priority: row.priority,
    assigned_to: ref(row.assigned_to, row.assignee_name),
    queue: ref(row.queue_id, row.queue_name),
    current_flow: ref(row.current_flow_id, row.flow_name),
    required_skills: row.required_skills,
    sla_first_response_met: row.sla_first_response_met,
    sla_first_response_due_at: row.sla_first_response_due_at,
    sla_resolution_met: row.sla_resolution_met,
    sla_resolution_due_at: row.sla_resolution_due_at,
    queued_at: row.queued_at,
    assigned_at: row.assigned_at,
    first_response_at: row.first_response_at,
    resolved_at: row.resolved_at,
    resolution_note: row.resolution_note,
    last_message_at: row.last_message_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    version: versionOf(row.change_xid),
  };
}

type Builder = Knex.QueryBuilder | ReturnType<typeof Conversation.query>;

/**
 * Limits a query on `conversations as c` to what the caller may see: admins
 * everything; everyone else the conversations of the queues they belong to and
 * those assigned to them.
 */
export function whereVisibleTo<Q extends Builder>(knex: Knex, query: Q, caller: Caller): Q {
  if (caller.role === "admin") return query;
  const memberOf = knex("queue_agents").select("queue_id").where("user_id", caller.id);
  (query as Knex.QueryBuilder).where((q) => {
    q.where("c.assigned_to", caller.id).orWhereIn("c.queue_id", memberOf);
  });
  return query;
}

/** A conversation's current state, and what the change asks to write besides its lifecycle. */
export interface ChangeRequest {
  kind: string;
  event?: LifecycleEvent;
  patch?: Record<string, unknown>;
  data?: Record<string, unknown>;
  /** Further history entries of the same write (one request that changes two things records both). */
  alsoRecorded?: Array<{ kind: string; data: Record<string, unknown> }>;
}

/**
 * Writes one change of a locked conversation row: its lifecycle step through
 * the machine, the extra columns, and the history entry. The one place both
 * people (REST) and inbound messages (a reopen) change a conversation.
 */
export async function applyChange(trx: Knex.Transaction, row: Row<Conversation>, actorId: string | null, request: ChangeRequest): Promise<ConversationChange> {
  const next = request.event ? nextLifecycle(row, request.event) : row;
  const updated = single(
    await trx("conversations")
      .where({ id: row.id })
      .update({ ...request.patch, status: next.status, queue_id: next.queue_id, assigned_to: next.assigned_to, updated_at: trx.fn.now() })
      .returning(["status", "priority", "queue_id", "assigned_to", "change_xid"]),
    `conversation ${row.id}`,
  );
  await trx("conversation_events").insert(
    [{ kind: request.kind, data: request.data ?? {} }, ...(request.alsoRecorded ?? [])].map(({ kind, data }) => ({
      conversation_id: row.id,
      kind,
      from_status: row.status,
      to_status: updated.status,
      actor_user_id: actorId,
      data,
    })),
  );
  return {
    conversation_id: row.id,
    kind: request.kind,
    from_status: row.status,
    status: updated.status,
    priority: updated.priority,
    queue_id: updated.queue_id,
    previous_queue_id: row.queue_id,
    assigned_to: updated.assigned_to,
    previous_assigned_to: row.assigned_to,
    version: versionOf(updated.change_xid),
  };
}

/**
 * A conversation arriving in a queue (transfer, hand-off, reopen): it waits
 * from now, and its SLA clocks start by that queue's rules.
 */
async function arrivalPatch(
  trx: Knex.Transaction,
  row: Pick<Conversation, "id" | "first_response_at" | "sla_resolution_due_at">,
  queue: QueueClock | undefined,
  now: Date,
): Promise<Record<string, unknown>> {
  const clocks = queue ? await startClocks(trx, row, queue, now, config().slaWarningSeconds) : {};
  return { queued_at: now, ...clocks };
}

/**
 * A flow hands the conversation to a queue: it waits there from now, its SLA
 * clocks start. From the bot that is a hand-off; from a closed queue's
 * fallback flow (the conversation already waits) a transfer.
 */
export async function handoffRequest(
  trx: Knex.Transaction,
  row: Row<Conversation>,
  queueId: string,
  data: Record<string, unknown> = {},
): Promise<ChangeRequest> {
  const queue = await queueClock(trx, queueId);
  if (!queue) throw new Error(`There is no queue ${queueId}`);
  const event: LifecycleEvent = row.status === "bot" ? { type: "HANDOFF", queueId } : { type: "TRANSFER", queueId };
  return { kind: "handed_off", event, patch: await arrivalPatch(trx, row, queue, new Date()), data: { queue_id: queueId, ...data } };
}

/** A resolve, by a person or by a flow (no actor): its SLA clocks stop and `met` is decided. */
export async function resolveRequest(trx: Knex.Transaction, row: Row<Conversation>, actorId: string | null, note: string | null): Promise<ChangeRequest> {
  await Promise.all(SLA_KINDS.map((kind) => stopClock(trx, row.id, kind)));
  return {
    kind: "resolved",
    event: { type: "RESOLVE" },
    patch: { resolved_at: trx.fn.now(), resolved_by: actorId, resolution_note: note, sla_resolution_met: metNow(trx, "sla_resolution_due_at") },
    data: note ? { note } : {},
  };
}

/**
 * A reopen: the resolution is undone and, back in its queue, the resolution
 * clock starts again. Used by people (REST) and by the contact writing again.
 */
export async function reopenRequest(trx: Knex.Transaction, row: Conversation, data: Record<string, unknown> = {}): Promise<ChangeRequest> {
  const event: LifecycleEvent = { type: "REOPEN" };
  const next = nextLifecycle(row, event);
  const patch: Record<string, unknown> = { resolved_at: null, resolved_by: null, resolution_note: null, sla_resolution_met: null, sla_resolution_due_at: null };
  if (next.queue_id) Object.assign(patch, await arrivalPatch(trx, { ...row, sla_resolution_due_at: null }, await queueClock(trx, next.queue_id), new Date()));
  return { kind: "reopened", event, patch, data };
}

/** Where a conversation sits now (who besides admins may see it), if it exists. */
export async function placementOf(knex: Knex, conversationId: string): Promise<Placement | undefined> {
  return knex("conversations").where({ id: conversationId }).first("queue_id", "assigned_to");
}

export class Conversations {
  constructor(private readonly knex: Knex) {}

  private select() {
    return this.knex("conversations as c")
      .join("contacts as k", "k.id", "c.contact_id")
      .join("whatsapp_accounts as a", "a.id", "c.whatsapp_account_id")
      .leftJoin("users as u", "u.id", "c.assigned_to")
      .leftJoin("queues as q", "q.id", "c.queue_id")
      .leftJoin("flows as f", "f.id", "c.current_flow_id")
      .select<ConversationRow[]>(
        "c.*",
        "k.name as contact_name",
        "k.push_name as contact_push_name",
        "k.phone_number as contact_phone",
        "a.name as account_name",
        "u.name as assignee_name",
        "q.name as queue_name",
        "f.name as flow_name",
      );
  }

  async list(caller: Caller, filter: ConversationFilter): Promise<Page<PublicConversation>> {
    const filtered = <Q extends Builder>(query: Q): Q => {
      whereVisibleTo(this.knex, query, caller);
      for (const key of ["status", "queue_id", "assigned_to", "priority", "contact_id"] as const) {
        if (filter[key]) (query as Knex.QueryBuilder).where(`c.${key}`, filter[key]);
      }
      return query;
    };
    // Counted without the joins: each conversation has exactly one contact and one account.
    const [rows, counted] = await Promise.all([
      filtered(this.select())
        .orderBy([
          { column: "c.last_message_at", order: "desc" },
          { column: "c.id", order: "desc" },
        ])
        .limit(filter.limit)
        .offset((filter.page - 1) * filter.limit),
      filtered(this.knex("conversations as c")).count({ total: "*" }).first<{ total: string } | undefined>(),
    ]);
    return { items: rows.map(present), total: Number(counted?.total ?? 0), page: filter.page, limit: filter.limit };
  }

  async get(caller: Caller, id: string): Promise<PublicConversation> {
    await this.assertVisible(caller, id);
    return this.present(id);
  }

  /** 404 when there is no such conversation, 403 when the caller may not see it. */
  async assertVisible(caller: Caller, id: string, knex: Knex = this.knex): Promise<Conversation> {
    const row = await knex<Conversation>("conversations").where({ id }).first();
    if (!row) throw new NotFound("conversation", id);
    if (!(await this.mayView(caller, row, knex))) throw new Forbidden(msg("conversations.notVisible"));
    return row;
  }

  async mayView(caller: Caller, row: Pick<Conversation, "assigned_to" | "queue_id">, knex: Knex = this.knex): Promise<boolean> {
    if (caller.role === "admin" || row.assigned_to === caller.id) return true;
    if (!row.queue_id) return false;
    return Boolean(await knex("queue_agents").where({ queue_id: row.queue_id, user_id: caller.id }).first("queue_id"));
  }

  /** Conversations written in a batch of the change feed that the caller sees now, in feed order. */
  async changedIn(caller: Caller, batch: Batch, limit: number): Promise<Array<Position & { conversation: PublicConversation }>> {
    const query = whereInBatch(this.select(), "c", batch, limit);
    const rows = await whereVisibleTo(this.knex, query, caller);
    return rows.map((row) => ({ xid: BigInt(row.change_xid), id: row.id, conversation: present(row) }));
  }

  /**
   * Conversations that, in a batch of the change feed, moved away from where
   * the caller could see them and are out of their sight now. Admins see every
   * conversation, so nothing ever leaves them.
   */
  async departuresIn(caller: Caller, batch: Batch, limit: number): Promise<Array<Position & { conversation_id: string }>> {
    if (caller.role === "admin") return [];
    const mine = this.knex("queue_agents").select("queue_id").where("user_id", caller.id);
    const departures = this.knex("conversation_departures as d").join("conversations as c", "c.id", "d.conversation_id");
    const rows: Array<{ id: string; conversation_id: string; change_xid: string }> = await whereInBatch(departures, "d", batch, limit)
      .where((q) => {
        q.where("d.assigned_to", caller.id).orWhereIn("d.queue_id", mine);
      })
      // Null-safe: an unassigned conversation in no queue of theirs is out of sight too.
      .whereRaw("c.assigned_to IS DISTINCT FROM ?", [caller.id])
      .where((q) => {
        q.whereNull("c.queue_id").orWhereNotIn("c.queue_id", mine);
      })
      .select("d.id", "d.conversation_id", "d.change_xid");
    return rows.map((row) => ({ xid: BigInt(row.change_xid), id: row.id, conversation_id: row.conversation_id }));
  }

  async history(caller: Caller, id: string, page: number, limit: number): Promise<Page<PublicConversationEvent>> {
    await this.assertVisible(caller, id);
    const query = this.knex("conversation_events as e")
      .leftJoin("users as u", "u.id", "e.actor_user_id")
      .where("e.conversation_id", id)
      .select<Array<Row<ConversationEvent> & { actor_name: string | null }>>("e.*", "u.name as actor_name")
      .orderBy([{ column: "e.created_at" }, { column: "e.id" }]);
    return paginate(query, page, limit, (event) => {
      return {
        id: event.id,
        kind: event.kind,
        from_status: event.from_status,
        to_status: event.to_status,
        actor: ref(event.actor_user_id, event.actor_name),
        data: event.data,
        created_at: event.created_at,
      };
    });
  }

  async assign(caller: Caller, id: string, userId: string): Promise<ChangeResult> {
    if (caller.role === "agent" && userId !== caller.id) throw new Forbidden(msg("conversations.agentsSelfOnly"), "user_id");
    const user = await this.knex("users").where({ id: userId }).whereNull("deleted_at").first("id", "is_active");
    if (!user) throw new ValidationFailed("user_id", msg("common.noSuchUser", { id: userId }));
    if (!user.is_active) throw new ValidationFailed("user_id", msg("common.userDisabled"));
    return this.change(caller, id, (row) => {
      if (row.status === "active" && row.assigned_to === userId) return null;
      if (caller.role === "agent" && row.assigned_to && row.assigned_to !== caller.id) {
        throw new Forbidden(msg("conversations.assignedElsewhere"));
      }
      return { kind: "assigned", event: { type: "ASSIGN", userId }, patch: { assigned_at: this.knex.fn.now() }, data: { user_id: userId } };
    });
  }

  async transfer(caller: Caller, id: string, queueId: string): Promise<ChangeResult> {
    const queue = await queueClock(this.knex, queueId);
    if (!queue) throw new ValidationFailed("queue_id", msg("common.noSuchQueue", { id: queueId }));
    return this.change(caller, id, async (row, trx) => {
      if (row.status === "waiting" && row.queue_id === queueId) return null;
      return {
        kind: "transferred",
        event: { type: "TRANSFER", queueId },
        patch: { ...(await arrivalPatch(trx, row, queue, new Date())), assigned_at: null },
        data: { queue_id: queueId, from_queue_id: row.queue_id, from_user_id: row.assigned_to },
      };
    });
  }

  async resolve(caller: Caller, id: string, note: string | undefined): Promise<ChangeResult> {
    return this.change(caller, id, (row, trx) => resolveRequest(trx, row, caller.id, note ?? null));
  }

  async reopen(caller: Caller, id: string): Promise<ChangeResult> {
    return this.change(caller, id, async (row, trx) => {
      if (row.status !== "resolved") throw new Conflict(msg("conversations.notResolved", { status: row.status }), "INVALID_TRANSITION");
      const open = await trx("conversations")
        .where({ contact_id: row.contact_id, whatsapp_account_id: row.whatsapp_account_id })
        .whereNot("status", "resolved")
        .first("id");
      if (open) throw new Conflict(msg("conversations.openExists", { id: open.id }), "CONVERSATION_OPEN");
      return reopenRequest(trx, row);
    });
  }

  /** Priority and the skills an agent needs to take it (both order and filter automatic assignment). */
  async update(caller: Caller, id: string, input: { priority?: Priority; required_skills?: string[] }): Promise<ChangeResult> {
    return this.change(caller, id, (row) => {
      // null is "not given", as for every field that cannot be cleared.
      const skills = input.required_skills ? [...new Set(input.required_skills.map((skill) => skill.toLowerCase()))].sort() : undefined;
      const priorityChanged = input.priority != null && input.priority !== row.priority;
      const skillsChanged = skills !== undefined && skills.join() !== [...row.required_skills].sort().join();
      if (!priorityChanged && !skillsChanged) return null;
      const recorded = [
        ...(priorityChanged ? [{ kind: "priority_changed", data: { from: row.priority, to: input.priority } }] : []),
        ...(skillsChanged ? [{ kind: "skills_changed", data: { required_skills: skills } }] : []),
      ];
      return {
        ...recorded[0]!,
        alsoRecorded: recorded.slice(1),
        patch: { ...(priorityChanged ? { priority: input.priority } : {}), ...(skillsChanged ? { required_skills: skills } : {}) },
      };
    });
  }

  private async change(
    caller: Caller,
    id: string,
    decide: (row: Conversation, trx: Knex.Transaction) => ChangeRequest | null | Promise<ChangeRequest | null>,
  ): Promise<ChangeResult> {
    const change = await this.knex.transaction(async (trx) => {
      const row = await trx<Conversation>("conversations").where({ id }).forUpdate().first();
      if (!row) throw new NotFound("conversation", id);
      if (!(await this.mayView(caller, row, trx))) throw new Forbidden(msg("conversations.notVisible"));
      const request = await decide(row, trx);
      return request ? applyChange(trx, row, caller.id, request) : null;
    });
    // The caller sees the outcome even when it moved the conversation out of their sight.
    return { conversation: await this.present(id), change };
  }

  private async present(id: string): Promise<PublicConversation> {
    const row = await this.select().where("c.id", id).first();
    if (!row) throw new NotFound("conversation", id);
    return present(row);
  }
}

// Quick replies: canned answers agents pick by shortcut ("/saludo"), global or
// for one queue. Each person sees the global ones and those of their queues.
import type { Knex } from "knex";
import { single, type Row } from "./db/tables";
import type { Caller } from "./auth/caller";
import { Conflict, Forbidden, NotFound } from "./errors";
import { msg } from "./i18n/message";
import { QuickReply } from "./models/settings";
import { paginate, type Page } from "./pagination";

export interface QuickReplyInput {
  shortcut: string;
  content: string;
  queue_id?: string | null;
}

export interface QuickReplyFilter {
  queue_id?: string;
  search?: string;
  page: number;
  limit: number;
}

export type PublicQuickReply = Pick<QuickReply, "id" | "shortcut" | "content" | "queue_id" | "created_by" | "created_at" | "updated_at">;

const present = (reply: Row<QuickReply>): PublicQuickReply => ({
  id: reply.id,
  shortcut: reply.shortcut,
  content: reply.content,
  queue_id: reply.queue_id,
  created_by: reply.created_by,
  created_at: reply.created_at,
  updated_at: reply.updated_at,
});

export class QuickReplies {
  constructor(private readonly knex: Knex) {}

  async list(caller: Caller, filter: QuickReplyFilter): Promise<Page<PublicQuickReply>> {
    const query = this.knex("quick_replies").orderBy([{ column: "shortcut" }, { column: "id" }]);
    if (caller.role !== "admin") {
      const queues = await this.queuesOf(caller.id);
      query.where((q) => {
        q.whereNull("queue_id").orWhereIn("queue_id", queues);
      });
    }
    if (filter.queue_id)
      query.where((q) => {
        q.whereNull("queue_id").orWhere("queue_id", filter.queue_id!);
      });
    if (filter.search) query.whereRaw("lower(shortcut) LIKE lower(?)", [`${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
    return paginate(query, filter.page, filter.limit, present);
  }

  async create(caller: Caller, input: QuickReplyInput): Promise<PublicQuickReply> {
    await this.assertMayEdit(caller, input.queue_id ?? null);
    await this.assertShortcutFree(input.shortcut, input.queue_id ?? null);
    const reply = single(
      await this.knex("quick_replies")
        .insert({ shortcut: input.shortcut, content: input.content, queue_id: input.queue_id ?? null, created_by: caller.id })
        .returning("*"),
      "new quick reply",
    );
    return present(reply);
  }

  async update(caller: Caller, id: string, input: Partial<QuickReplyInput>): Promise<PublicQuickReply> {
    const reply = await this.find(id);
    await this.assertMayEdit(caller, reply.queue_id);
    const queueId = input.queue_id === undefined ? reply.queue_id : input.queue_id;
    if (queueId !== reply.queue_id) await this.assertMayEdit(caller, queueId);
    const shortcut = input.shortcut ?? reply.shortcut;
    if (shortcut.toLowerCase() !== reply.shortcut.toLowerCase() || queueId !== reply.queue_id) await this.assertShortcutFree(shortcut, queueId, id);
    await this.knex("quick_replies")
      .update({ shortcut, content: input.content ?? reply.content, queue_id: queueId, updated_at: this.knex.fn.now() })
      .where("id", id);
    return present(await this.find(id));
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const reply = await this.find(id);
    await this.assertMayEdit(caller, reply.queue_id);
    await this.knex("quick_replies").where({ id: id }).delete();
  }

  /** A reply the caller may use: global, of one of their queues, or any for admins. */
  async usable(caller: Caller, id: string): Promise<PublicQuickReply> {
    const reply = await this.find(id);
    if (caller.role !== "admin" && reply.queue_id && !(await this.queuesOf(caller.id)).includes(reply.queue_id)) {
      throw new Forbidden(msg("quickReplies.notYourQueue"));
    }
    return present(reply);
  }

  private async find(id: string): Promise<Row<QuickReply>> {
    const reply = await this.knex("quick_replies").where({ id: id }).first();
    if (!reply) throw new NotFound("quickReply", id);
    return reply;
  }

  private async queuesOf(userId: string, supervising = false): Promise<string[]> {
    const query = this.knex("queue_agents").where({ user_id: userId });
    if (supervising) query.where({ is_supervisor: true });
    return (await query.select("queue_id")).map((row: { queue_id: string }) => row.queue_id);
  }

  // Admins edit any; supervisors the global ones and those of queues they supervise.
  private async assertMayEdit(caller: Caller, queueId: string | null): Promise<void> {
    if (caller.role === "admin" || queueId === null) return;
    if (!(await this.queuesOf(caller.id, true)).includes(queueId)) {
      throw new Forbidden(msg("quickReplies.onlySupervised"), "queue_id");
    }
  }

  private async assertShortcutFree(shortcut: string, queueId: string | null, exceptId?: string): Promise<void> {
    const query = this.knex("quick_replies").whereRaw("lower(shortcut) = lower(?)", [shortcut]);
    if (queueId) query.where("queue_id", queueId);
    else query.whereNull("queue_id");
    if (exceptId) query.whereNot("id", exceptId);
    if (await query.first()) throw new Conflict(msg("quickReplies.shortcutTaken", { shortcut, inQueue: queueId !== null }), "CONFLICT", "shortcut");
  }
}

// An agent who went offline or away and did not come back within the grace
// period: the conversations in which the customer waits for their reply go
// back to the queue, keeping their place in line (their original queued_at).
import type { Knex } from "knex";
import { applyChange } from "../inbox/conversations";
import type { Conversation } from "../models/conversations";
import type { ConversationChange } from "../contract/events";

export async function requeueAwaitingReply(knex: Knex, userId: string): Promise<ConversationChange[]> {
  const user = await knex("users").where({ id: userId }).first("status");
  if (!user || user.status === "online") return [];
  const waitingForReply: Array<{ id: string }> = await knex("conversations as c")
    .where({ "c.assigned_to": userId, "c.status": "active" })
    .whereNotNull("c.queue_id")
    .whereRaw(
      `(SELECT m.direction FROM messages m WHERE m.conversation_id = c.id AND NOT m.is_internal
         ORDER BY m.created_at DESC, m.id DESC LIMIT 1) = 'inbound'`,
    )
    .select("c.id");
  const changes: ConversationChange[] = [];
  for (const { id } of waitingForReply) {
    const change = await knex.transaction(async (trx) => {
      const row = await trx<Conversation>("conversations").where({ id, assigned_to: userId, status: "active" }).forUpdate().first();
      if (!row) return null;
      return applyChange(trx, row, null, {
        kind: "unassigned",
        event: { type: "UNASSIGN" },
        patch: { assigned_at: null },
        data: { user_id: userId, reason: "agent_away" },
      });
    });
    if (change) changes.push(change);
  }
  return changes;
}

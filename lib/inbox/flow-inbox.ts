// The flow inbox (table flow_inbox): inbound messages waiting for their
// conversation's flow. A message enters in the transaction that stores it and
// leaves in the one that records what the flow did with it, so every stored
// message reaches its flow exactly once, in order, whatever fails in between.
import type { Knex } from "knex";

// Further tries of an input nobody consumed wait twice as long each time, up to this.
const MAX_RETRY_SECONDS = 300;

/** Puts a stored inbound message in its conversation's flow inbox, unless people hold the conversation. */
export async function enqueueForFlow(trx: Knex.Transaction, messageId: string, conversationId: string, retrySeconds: number): Promise<void> {
  // One statement: the status is read where the row is written. Only bot conversations (a flow may run)
  // and waiting ones (a closed queue's fallback flow may run) are ever answered by a flow.
  await trx.raw(
    `INSERT INTO flow_inbox (message_id, conversation_id, next_attempt_at)
     SELECT ?, id, now() + make_interval(secs => ?) FROM conversations WHERE id = ? AND status IN ('bot', 'waiting')`,
    [messageId, retrySeconds, conversationId],
  );
}

/** Takes the input out of the inbox; false when it was not there (consumed already). */
export async function consumeInput(knex: Knex | Knex.Transaction, messageId: string): Promise<boolean> {
  return (await knex("flow_inbox").where({ message_id: messageId }).delete()) > 0;
}

/**
 * Conversations with inputs overdue for consumption — or, with `everything`,
 * any input still waiting (a node just left, taking the events it was passing
 * on with it) — each claimed for one more try (its next one pushed back), so
 * that of several nodes sweeping at once only one hands each over.
 */
export async function claimOverdue(
  knex: Knex,
  retrySeconds: number,
  everything = false,
  limit = 500,
): Promise<Array<{ conversation_id: string; attempts: number }>> {
  const { rows } = await knex.raw<{ rows: Array<{ conversation_id: string; attempts: number }> }>(
    `UPDATE flow_inbox i
        SET attempts = i.attempts + 1,
            next_attempt_at = now() + make_interval(secs => least(?, ? * power(2, i.attempts + 1)))
       FROM (SELECT seq FROM flow_inbox WHERE (? OR next_attempt_at <= now()) ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED) due
      WHERE i.seq = due.seq
  RETURNING i.conversation_id, i.attempts`,
    [MAX_RETRY_SECONDS, retrySeconds, everything, limit],
  );
  const byConversation = new Map<string, number>();
  for (const row of rows) byConversation.set(row.conversation_id, Math.max(row.attempts, byConversation.get(row.conversation_id) ?? 0));
  return [...byConversation].map(([conversation_id, attempts]) => ({ conversation_id, attempts }));
}

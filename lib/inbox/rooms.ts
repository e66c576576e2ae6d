// Socket.IO rooms, and which of them may hear about a conversation: the same
// rule as the REST visibility (admins, the members of its queue, its assignee).
import type { Knex } from "knex";
import type { MessageAudience, Placement } from "../contract/events";
import type { MessageStatus } from "../models/messages";
import { versionOf } from "./change-cursor";

export const userRoom = (userId: string): string => `user:${userId}`;
export const roleRoom = (role: string): string => `role:${role}`;
export const queueRoom = (queueId: string): string => `queue:${queueId}`;
/** The supervisors of a queue (SLA warnings and breaches). */
export const supervisorsRoom = (queueId: string): string => `supervisors:${queueId}`;
export const conversationRoom = (conversationId: string): string => `conversation:${conversationId}`;
/** The conversation a room is about, if it is a conversation's room. */
export const conversationOfRoom = (room: string): string | undefined => (room.startsWith("conversation:") ? room.slice("conversation:".length) : undefined);

/** The rooms of everyone who may see a conversation placed in any of these ways (before and after a move). */
export function audienceRooms(...placements: Placement[]): string[] {
  const rooms = new Set([roleRoom("admin")]);
  for (const { queue_id, assigned_to } of placements) {
    if (queue_id) rooms.add(queueRoom(queue_id));
    if (assigned_to) rooms.add(userRoom(assigned_to));
  }
  return [...rooms];
}

/** A message's audience from its row joined with its conversation's placement. */
export const audienceOf = (row: Placement & { conversation_id: string; status: MessageStatus; change_xid: string }): MessageAudience => ({
  conversationId: row.conversation_id,
  rooms: audienceRooms(row),
  status: row.status,
  version: versionOf(row.change_xid),
});

/** The conversation of a message, the rooms of everyone who may see it, and its status now, in one query. */
export async function messageAudience(knex: Knex, messageId: string): Promise<MessageAudience | undefined> {
  const row = await knex("messages as m")
    .join("conversations as c", "c.id", "m.conversation_id")
    .where("m.id", messageId)
    .first<(Placement & { conversation_id: string; status: MessageStatus; change_xid: string }) | undefined>(
      "m.conversation_id",
      "c.queue_id",
      "c.assigned_to",
      "m.status",
      "m.change_xid",
    );
  return row && audienceOf(row);
}

/** The rooms of a membership: the queue's, and its supervisors' for a supervisor. */
export const membershipRooms = (queueId: string, isSupervisor: boolean): string[] =>
  isSupervisor ? [queueRoom(queueId), supervisorsRoom(queueId)] : [queueRoom(queueId)];

/** The queue rooms a user's sockets belong in. */
export async function queueRoomsOf(knex: Knex, userId: string): Promise<string[]> {
  const rows: Array<{ queue_id: string; is_supervisor: boolean }> = await knex("queue_agents").where({ user_id: userId }).select("queue_id", "is_supervisor");
  return rows.flatMap((row) => membershipRooms(row.queue_id, row.is_supervisor));
}

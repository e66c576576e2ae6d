// Inbox and number news to the sockets that may hear it. Broker events are
// balanced, so one gateway node hears each and fans it out through the Redis
// adapter to the sockets of every node: each socket receives it once. Who hears
// what is lib/inbox/rooms.ts; what is said is lib/contract/events.ts.
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { ranServices } from "../lib/cluster";
import { toSockets, type EventContext, type RelayedMessage } from "../lib/contract/events";
import { Batcher } from "../lib/db/batcher";
import { database } from "../lib/db/connection";
import { placementOf } from "../lib/inbox/conversations";
import { findMessagesAndPlacements } from "../lib/inbox/messages";
import { audienceRooms, conversationOfRoom, conversationRoom, membershipRooms, messageAudience, roleRoom, supervisorsRoom, userRoom } from "../lib/inbox/rooms";
import { callerOfSocket, type SocketGateway } from "./socket-gateway.mixin";

const MANAGERS = [roleRoom("admin"), roleRoom("supervisor")];

export interface RealtimeFanout extends SocketGateway {
  /** Tells a new message to those who may see it: as its writer told it, or as read now. */
  relayMessage(messageId: string, told?: RelayedMessage): Promise<void>;
  relayReads?: Batcher<string, RelayedMessage | undefined>;
}

export const RealtimeFanoutMixin: Partial<ServiceSchema<ServiceSettingSchema, RealtimeFanout>> = {
  events: {
    // A node that died may have stored messages whose events it never sent, and one that stopped may have
    // had events routed to it (its own work's, mostly) after its gateway closed: this node's sockets,
    // though connected all along, catch up (docs/api.md).
    "$node.disconnected"(this: RealtimeFanout, ctx: Context<{ node: unknown }>) {
      if (!this.stopping && ranServices(ctx.params.node)) toSockets(this.io.local, "catch_up", { reason: "node_lost" });
    },

    // A node let its numbers' leases lapse (dead or hung) before the cluster noticed: the same, sooner.
    "whatsapp.holder_lost"(this: RealtimeFanout) {
      if (!this.stopping) toSockets(this.io.local, "catch_up", { reason: "node_lost" });
    },

    // WhatsApp connection news is for the people who manage numbers.
    // (Not while this node stops: its sockets are gone, and other gateway nodes fan out to theirs.)
    "whatsapp.status"(this: RealtimeFanout, ctx: EventContext<"whatsapp.status">) {
      if (this.stopping) return;
      const { account_id, status, reason } = ctx.params;
      toSockets(this.io.to(MANAGERS), "connection_status", { account_id, status, reason });
    },

    "whatsapp.qr"(this: RealtimeFanout, ctx: EventContext<"whatsapp.qr">) {
      if (this.stopping) return;
      toSockets(this.io.to(MANAGERS), "qr_code", { account_id: ctx.params.account_id, qr_code: ctx.params.qr_code });
    },

    "whatsapp.quota"(this: RealtimeFanout, ctx: EventContext<"whatsapp.quota">) {
      if (this.stopping) return;
      toSockets(this.io.to(MANAGERS), "whatsapp_quota", ctx.params);
    },

    async "message.received"(this: RealtimeFanout, ctx: EventContext<"message.received">) {
      if (!this.stopping) await this.relayMessage(ctx.params.message_id, ctx.params.relay);
    },

    async "message.created"(this: RealtimeFanout, ctx: EventContext<"message.created">) {
      if (!this.stopping) await this.relayMessage(ctx.params.message_id, ctx.params.relay);
    },

    async "message.status"(this: RealtimeFanout, ctx: EventContext<"message.status">) {
      if (this.stopping) return;
      const { message_id } = ctx.params;
      // The status as stored, with its version (a pair clients merge safely): as its writer saw it, or read now.
      const audience = ctx.params.audience ?? (await messageAudience(database(), message_id));
      if (!audience) return;
      const { conversationId, status, version } = audience;
      toSockets(this.io.to(audience.rooms), "message_status", { message_id, conversation_id: conversationId, status, version });
    },

    async "conversation.changed"(this: RealtimeFanout, ctx: EventContext<"conversation.changed">) {
      if (this.stopping) return;
      const change = ctx.params;
      const before = { queue_id: change.previous_queue_id, assigned_to: change.previous_assigned_to };
      // Those who could see it before learn that it moved away from them too.
      const rooms = audienceRooms(before, change);
      const { conversation_id, status, priority, queue_id, assigned_to, kind, version } = change;
      toSockets(this.io.to(rooms), "conversation_updated", { conversation_id, status, priority, queue_id, assigned_to, change: kind, version });
      if (assigned_to !== change.previous_assigned_to) toSockets(this.io.to(rooms), "conversation_assigned", { conversation_id, assigned_to, version });
      // Sockets watching it that may no longer see it stop hearing its typing.
      const room = conversationRoom(conversation_id);
      for (const socket of await this.io.in(room).fetchSockets()) {
        if (!(await this.conversations().mayView(callerOfSocket(socket), change))) socket.leave(room);
      }
    },

    async "queue.membership.changed"(this: RealtimeFanout, ctx: EventContext<"queue.membership.changed">) {
      if (this.stopping) return;
      const { queue_id, user_id, member, is_supervisor } = ctx.params;
      const sockets = this.io.in(userRoom(user_id));
      sockets.socketsLeave(membershipRooms(queue_id, true));
      if (member) {
        sockets.socketsJoin(membershipRooms(queue_id, is_supervisor));
        return;
      }
      // Out of the queue: conversations of it they watched are no longer theirs to watch.
      for (const socket of await sockets.fetchSockets()) {
        for (const room of socket.rooms) {
          const conversationId = conversationOfRoom(room);
          if (!conversationId) continue;
          const row = await placementOf(database(), conversationId);
          if (!row || !(await this.conversations().mayView(callerOfSocket(socket), row))) socket.leave(room);
        }
      }
    },

    "sla.warning"(this: RealtimeFanout, ctx: EventContext<"sla.warning">) {
      if (this.stopping) return;
      const { conversation_id, queue_id, kind, due_at } = ctx.params;
      toSockets(this.io.to([roleRoom("admin"), supervisorsRoom(queue_id)]), "sla_warning", { conversation_id, kind, due_at });
    },

    "sla.breached"(this: RealtimeFanout, ctx: EventContext<"sla.breached">) {
      if (this.stopping) return;
      const { conversation_id, queue_id, kind } = ctx.params;
      toSockets(this.io.to([roleRoom("admin"), supervisorsRoom(queue_id)]), "sla_breached", { conversation_id, kind });
    },

    "odoo.sync.progress"(this: RealtimeFanout, ctx: EventContext<"odoo.sync.progress">) {
      if (!this.stopping) toSockets(this.io.to(roleRoom("admin")), "odoo_sync_progress", ctx.params);
    },

    async "user.role_changed"(this: RealtimeFanout, ctx: EventContext<"user.role_changed">) {
      if (this.stopping) return;
      for (const socket of this.io.of("/").sockets.values()) {
        const caller = callerOfSocket(socket);
        if (caller.id !== ctx.params.user_id || caller.role === ctx.params.role) continue;
        await socket.leave(roleRoom(caller.role));
        caller.role = ctx.params.role;
        await socket.join(roleRoom(caller.role));
      }
    },

    "auth.sessions.revoked"(this: RealtimeFanout, ctx: EventContext<"auth.sessions.revoked">) {
      if (this.stopping) return;
      const revoked = new Set(ctx.params.session_ids);
      for (const socket of this.io.of("/").sockets.values()) {
        if (revoked.has(callerOfSocket(socket).sessionId)) {
          toSockets(socket, "session_revoked", { reason: "session_ended" });
          socket.disconnect(true);
        }
      }
    },
  },

  methods: {
    async relayMessage(this: RealtimeFanout, messageId: string, told?: RelayedMessage) {
      // Messages relayed together are read together (built on first use: the database may start after the gateway).
      this.relayReads ??= new Batcher(
        async (ids) => {
          const found = await findMessagesAndPlacements(database(), ids);
          return ids.map((id) => ({ value: found.get(id) }));
        },
        { maxBatch: 200 },
      );
      const found = told ?? (await this.relayReads.submit(messageId));
      if (found)
        toSockets(this.io.to(audienceRooms(found.placement)), "new_message", { conversation_id: found.message.conversation_id, message: found.message });
    },
  },
};

// Socket.IO on the gateway's port: sockets authenticate with the access token
// in `auth.token` ("Bearer " accepted), join their user's room, drive presence,
// and are dropped the moment their session is revoked.
import { createAdapter } from "@socket.io/redis-adapter";
import type { Server as HttpServer } from "node:http";
import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Server, Socket } from "socket.io";
import type { Caller } from "../lib/auth/caller";
import { config } from "../lib/config";
import { createRedis } from "../lib/redis";
import type { SessionsRevoked } from "../services/auth.service";
import type { AccountQrEvent, AccountQuotaEvent, AccountStatusEvent } from "../services/whatsapp-sessions.service";
import { toErrorResponse } from "../lib/http/error-response";

export const userRoom = (userId: string): string => `user:${userId}`;
export const roleRoom = (role: string): string => `role:${role}`;

const MANAGERS = [roleRoom("admin"), roleRoom("supervisor")];

export interface SocketGateway extends Service {
  io: Server;
  /** moleculer-web's HTTP server, shared with Socket.IO. */
  server: HttpServer;
  closeAdapter?: () => Promise<void>;
  offlineTimers: Map<string, NodeJS.Timeout>;
  stopping: boolean;
}

type SocketNext = (err?: Error & { data?: unknown }) => void;

function callerOfSocket(socket: Socket): Caller {
  return (socket.data as { caller: Caller }).caller;
}

export const SocketGatewayMixin: Partial<ServiceSchema<ServiceSettingSchema, SocketGateway>> = {
  settings: {
    io: {
      namespaces: {
        "/": {
          // Handshake check: no valid token, no connection.
          middlewares: [
            async function authenticateSocket(this: SocketGateway, socket: Socket, next: SocketNext) {
              const auth = socket.handshake.auth as { token?: unknown };
              const token = typeof auth?.token === "string" ? auth.token : "";
              try {
                if (!token) throw Object.assign(new Error("Authentication required"), { code: 401, type: "TOKEN_MISSING" });
                const caller = await this.broker.call<Caller, { token: string }>("auth.authenticate", { token });
                socket.data = { caller };
                next();
              } catch (err) {
                const { body } = toErrorResponse(err);
                next(Object.assign(new Error(body.detail.message), { data: body }));
              }
            },
          ],
          events: {
            // moleculer-io's generic "call" event would reach any action and skip the gateway's
            // permission checks; clients use the REST API and the named events below instead.
            call(...args: unknown[]) {
              const respond = args[args.length - 1];
              if (typeof respond === "function") {
                respond({ detail: { code: "NOT_FOUND", message: "Unknown socket event", field: null } });
              }
            },
          },
        },
      },
    },
  },

  events: {
    // WhatsApp connection news is for the people who manage numbers.
    // (Not while this node stops: its sockets are gone, and other gateway nodes fan out to theirs.)
    "whatsapp.status"(this: SocketGateway, ctx: { params: AccountStatusEvent }) {
      if (this.stopping) return;
      const { account_id, status, reason } = ctx.params;
      this.io.to(MANAGERS).emit("connection_status", { account_id, status, reason });
    },

    "whatsapp.qr"(this: SocketGateway, ctx: { params: AccountQrEvent }) {
      if (this.stopping) return;
      this.io.to(MANAGERS).emit("qr_code", { account_id: ctx.params.account_id, qr_code: ctx.params.qr_code });
    },

    "whatsapp.quota"(this: SocketGateway, ctx: { params: AccountQuotaEvent }) {
      if (this.stopping) return;
      this.io.to(MANAGERS).emit("whatsapp_quota", ctx.params);
    },

    async "user.role_changed"(this: SocketGateway, ctx: { params: { user_id: string; role: Caller["role"] } }) {
      if (this.stopping) return;
      for (const socket of this.io.of("/").sockets.values()) {
        const caller = callerOfSocket(socket);
        if (caller.id !== ctx.params.user_id || caller.role === ctx.params.role) continue;
        await socket.leave(roleRoom(caller.role));
        caller.role = ctx.params.role;
        await socket.join(roleRoom(caller.role));
      }
    },

    "auth.sessions.revoked"(this: SocketGateway, ctx: { params: SessionsRevoked }) {
      if (this.stopping) return;
      const revoked = new Set(ctx.params.session_ids);
      for (const socket of this.io.of("/").sockets.values()) {
        if (revoked.has(callerOfSocket(socket).sessionId)) {
          socket.emit("session_revoked", { reason: "session_ended" });
          socket.disconnect(true);
        }
      }
    },
  },

  methods: {
    async onSocketConnected(this: SocketGateway, socket: Socket) {
      const caller = callerOfSocket(socket);
      await socket.join([userRoom(caller.id), roleRoom(caller.role)]);
      const pending = this.offlineTimers.get(caller.id);
      if (pending) {
        clearTimeout(pending);
        this.offlineTimers.delete(caller.id);
      }
      socket.on("disconnect", () => this.onSocketDisconnected(caller));
      await this.broker.call("users.markPresence", { user_id: caller.id, connected: true }).catch((err: unknown) =>
        this.logger.warn("Could not mark user online", err),
      );
    },

    // Offline only after a grace period with no socket left anywhere, so a page reload is not a logout.
    onSocketDisconnected(this: SocketGateway, caller: Caller) {
      // A node going down is not its users going offline; other nodes may still hold their sockets.
      if (this.stopping) return;
      const previous = this.offlineTimers.get(caller.id);
      if (previous) clearTimeout(previous);
      const timer = setTimeout(async () => {
        this.offlineTimers.delete(caller.id);
        try {
          const remaining = await this.io.in(userRoom(caller.id)).fetchSockets();
          if (remaining.length === 0) await this.broker.call("users.markPresence", { user_id: caller.id, connected: false });
        } catch (err) {
          this.logger.warn("Could not mark user offline", err);
        }
      }, config().presenceGraceSeconds * 1000);
      timer.unref();
      this.offlineTimers.set(caller.id, timer);
    },
  },

  created(this: SocketGateway) {
    this.offlineTimers = new Map();
    this.stopping = false;
  },

  async started(this: SocketGateway) {
    const { redisUrl } = config();
    if (redisUrl) {
      // Emits and room queries reach the sockets of every gateway node.
      const pub = createRedis(redisUrl, "socket-pub");
      const sub = createRedis(redisUrl, "socket-sub");
      this.io.adapter(createAdapter(pub, sub, { key: `${config().redisKeyPrefix}socket.io` }));
      this.closeAdapter = async () => {
        await Promise.all([pub.quit(), sub.quit()]);
      };
    }
    this.io.of("/").on("connection", (socket: Socket) => {
      this.onSocketConnected(socket).catch((err: unknown) => this.logger.error("Socket setup failed", err));
    });
  },

  async stopped(this: SocketGateway) {
    this.stopping = true;
    for (const timer of this.offlineTimers.values()) clearTimeout(timer);
    this.offlineTimers.clear();
    // Close the sockets and the adapter before the Redis connections under them, and only
    // once: moleculer-io closes the server too if it still finds it, and a second adapter
    // close would fire commands at the Redis connections quit here. In-flight requests are
    // drained by then, so idle keep-alive connections would only hold the HTTP server open.
    this.server.closeIdleConnections();
    await this.io.close();
    (this as { io?: Server }).io = undefined;
    await this.closeAdapter?.();
  },
};

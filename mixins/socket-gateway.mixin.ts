// Socket.IO on the gateway's port: sockets authenticate with the access token
// in `auth.token` ("Bearer " accepted), join their user's, role's and queues'
// rooms, drive presence, and are dropped the moment their session is revoked.
// Refusals (at the handshake and in acks) are worded in the language of the
// handshake's Accept-Language, as REST errors are. What sockets hear of the
// engine's news is the realtime fan-out (realtime-fanout.mixin.ts).
import { createAdapter } from "@socket.io/redis-adapter";
import type { Server as HttpServer } from "node:http";
import type { Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { Server, Socket } from "socket.io";
import type { Caller } from "../lib/auth/caller";
import { config } from "../lib/config";
import { createPublisher, createRedis } from "../lib/redis";
import { toErrorResponse } from "../lib/http/error-response";
import { findInputProblem, type InputProblem } from "../lib/http/input-guard";
import { database } from "../lib/db/connection";
import { AppError, ValidationFailed, Forbidden, Unauthorized } from "../lib/errors";
import { chooseLanguage, type Language } from "../lib/i18n/language";
import { msg } from "../lib/i18n/message";
import { Conversations } from "../lib/inbox/conversations";
import { conversationRoom, queueRoomsOf, roleRoom, userRoom } from "../lib/inbox/rooms";
import { toSockets } from "../lib/contract/events";
import { metricsOn } from "../lib/metrics";

// WhatsApp shows "typing…" for about 25 seconds; telling it more often is noise.
const TYPING_PRESENCE_EVERY_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Ack = (response: unknown) => void;

export interface SocketGateway extends Service {
  io: Server;
  /** moleculer-web's HTTP server, shared with Socket.IO. */
  server: HttpServer;
  closeAdapter?: () => Promise<void>;
  offlineTimers: Map<string, NodeJS.Timeout>;
  stopping: boolean;
  conversationsLib?: Conversations;
  /** Built on first use: on a single node the embedded database starts after the gateway. */
  conversations(): Conversations;
  onClientEvents(socket: Socket): void;
  joinConversation(socket: Socket, payload: unknown): Promise<{ conversation_id: string }>;
  relayTyping(socket: Socket, payload: unknown): Promise<{ conversation_id: string }>;
  onSocketConnected(socket: Socket): Promise<void>;
  onSocketDisconnected(caller: Caller): void;
}

type SocketNext = (err?: Error & { data?: unknown }) => void;

interface SocketData {
  caller: Caller;
  /** What the client reads, from the handshake's Accept-Language. */
  language: Language;
  /** Looked up before the connection is accepted, so joining them needs no wait (see onSocketConnected). */
  rooms: string[];
  /** When this socket last showed the contact of a conversation "typing…". */
  typingShown?: Map<string, number>;
}

export function callerOfSocket(socket: { data: unknown }): Caller {
  return (socket.data as SocketData).caller;
}

function languageOfHandshake(socket: Socket): Language {
  return chooseLanguage(socket.handshake.headers["accept-language"], config().defaultLanguage);
}

/** A refusal as an acknowledgement: `{ok: false, detail}`, worded for the socket's client. */
function refusal(err: unknown, language: Language) {
  return { ok: false, ...toErrorResponse(err, language).body };
}

function conversationIdOf(payload: unknown): string {
  const id = (payload as { conversation_id?: unknown } | null)?.conversation_id;
  if (typeof id !== "string" || !UUID.test(id)) throw new ValidationFailed("conversation_id", msg("common.mustBeUuid", { field: "conversation_id" }));
  return id;
}

/** The acknowledgement callback is always the last argument, whatever the client sent before it. */
function ackOf(args: unknown[]): Ack {
  const last = args[args.length - 1];
  return typeof last === "function" ? (last as Ack) : () => undefined;
}

/** Runs a client event's handler and answers its acknowledgement, when the client asked for one. */
function answering(language: Language, handler: (payload: unknown) => Promise<unknown>) {
  return (...args: unknown[]) => {
    const respond = ackOf(args);
    const payload = typeof args[0] === "function" ? undefined : args[0];
    handler(payload).then(
      (result) => respond({ ok: true, ...(result as object) }),
      (err: unknown) => respond(refusal(err, language)),
    );
  };
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
              const language = languageOfHandshake(socket);
              try {
                if (!token) throw new Unauthorized("TOKEN_MISSING");
                const caller = await this.broker.call<Caller, { token: string }>("auth.authenticate", { token });
                const data: SocketData = {
                  caller,
                  language,
                  rooms: [userRoom(caller.id), roleRoom(caller.role), ...(await queueRoomsOf(database(), caller.id))],
                };
                socket.data = data;
                next();
              } catch (err) {
                const { body } = toErrorResponse(err, language);
                next(Object.assign(new Error(body.detail.message), { data: body }));
              }
            },
          ],
          events: {
            // moleculer-io's generic "call" event would reach any action and skip the gateway's
            // permission checks; clients use the REST API and the named events below instead.
            call(this: Socket, ...args: unknown[]) {
              ackOf(args)(refusal(new AppError(404, "NOT_FOUND", msg("socket.unknownEvent")), (this.data as SocketData).language));
            },
          },
        },
      },
    },
  },

  methods: {
    conversations(this: SocketGateway) {
      this.conversationsLib ??= new Conversations(database());
      return this.conversationsLib;
    },

    // Registered as the socket connects, so an event sent right after connecting is not missed.
    onClientEvents(this: SocketGateway, socket: Socket) {
      const { language } = socket.data as SocketData;
      // Every client event's payload passes the same check as a REST body before any handler walks it.
      socket.use((packet, next) => {
        const args = packet.slice(1);
        const problem = args.reduce<InputProblem | undefined>(
          (found, arg) => found ?? (typeof arg === "function" ? undefined : findInputProblem(arg, "payload")),
          undefined,
        );
        if (!problem) return next();
        ackOf(args)(refusal(new ValidationFailed(problem.field, problem.message), language));
      });
      socket.on(
        "join_conversation",
        answering(language, (payload) => this.joinConversation(socket, payload)),
      );
      socket.on(
        "leave_conversation",
        answering(language, async (payload) => {
          const conversation_id = conversationIdOf(payload);
          await socket.leave(conversationRoom(conversation_id));
          return { conversation_id };
        }),
      );
      socket.on(
        "typing",
        answering(language, (payload) => this.relayTyping(socket, payload)),
      );
    },

    async joinConversation(this: SocketGateway, socket: Socket, payload: unknown) {
      const conversation_id = conversationIdOf(payload);
      await this.conversations().assertVisible(callerOfSocket(socket), conversation_id);
      await socket.join(conversationRoom(conversation_id));
      return { conversation_id };
    },

    /** To the others watching the conversation, and (now and then) to the contact on WhatsApp. */
    async relayTyping(this: SocketGateway, socket: Socket, payload: unknown) {
      const conversation_id = conversationIdOf(payload);
      const room = conversationRoom(conversation_id);
      if (!socket.rooms.has(room)) throw new Forbidden(msg("socket.joinBeforeTyping"));
      const caller = callerOfSocket(socket);
      toSockets(socket.to(room), "typing", { conversation_id, user: { id: caller.id, name: caller.name } });
      const data = socket.data as SocketData;
      data.typingShown ??= new Map();
      const last = data.typingShown.get(conversation_id) ?? 0;
      if (Date.now() - last >= TYPING_PRESENCE_EVERY_MS) {
        data.typingShown.set(conversation_id, Date.now());
        await this.broker
          .call("whatsapp.typing", { conversation_id })
          .catch((err: unknown) => this.logger.debug(`Could not show typing on WhatsApp for ${conversation_id}`, err));
      }
      return { conversation_id };
    },

    async onSocketConnected(this: SocketGateway, socket: Socket) {
      const caller = callerOfSocket(socket);
      this.onClientEvents(socket);
      // In its rooms before anything is awaited, so before the client hears `connect`: a client that
      // then asks GET /api/changes what it missed gets every later event live (docs/api.md).
      await socket.join((socket.data as SocketData).rooms);
      const pending = this.offlineTimers.get(caller.id);
      if (pending) {
        clearTimeout(pending);
        this.offlineTimers.delete(caller.id);
      }
      // An access token is short-lived: its socket closes when it expires, telling the client to refresh and reconnect.
      const expiry = setTimeout(
        () => {
          toSockets(socket, "token_expired", { reason: "token_expired" });
          socket.disconnect(true);
        },
        Math.max(0, caller.tokenExpiresAt - Date.now()),
      );
      socket.on("disconnect", () => {
        clearTimeout(expiry);
        this.onSocketDisconnected(caller);
      });
      await this.broker
        .call("users.markPresence", { user_id: caller.id, connected: true })
        .catch((err: unknown) => this.logger.warn("Could not mark user online", err));
    },

    // Offline only after a grace period with no socket left anywhere, so a page reload is not a logout.
    onSocketDisconnected(this: SocketGateway, caller: Caller) {
      // A node going down is not its users going offline; other nodes may still hold their sockets.
      if (this.stopping) return;
      const previous = this.offlineTimers.get(caller.id);
      if (previous) clearTimeout(previous);
      const timer = setTimeout(() => {
        this.offlineTimers.delete(caller.id);
        this.io
          .in(userRoom(caller.id))
          .fetchSockets()
          .then((remaining) => (remaining.length === 0 ? this.broker.call("users.markPresence", { user_id: caller.id, connected: false }) : undefined))
          .catch((err: unknown) => this.logger.warn("Could not mark user offline", err));
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
      const pub = createPublisher(redisUrl, "socket-pub", this.logger);
      const sub = createRedis(redisUrl, "socket-sub", this.logger);
      this.io.adapter(createAdapter(pub, sub, { key: `${config().redisKeyPrefix}socket.io` }));
      // While the subscriber was away, news published by other nodes never reached this node's
      // sockets (they stayed connected, so they cannot tell): once it is back, they catch up.
      let subscribedBefore = false;
      sub.on("ready", () => {
        if (subscribedBefore && !this.stopping) toSockets(this.io.local, "catch_up", { reason: "realtime_interrupted" });
        subscribedBefore = true;
      });
      this.closeAdapter = async () => {
        await Promise.all([pub.quit(), sub.quit()]);
      };
    }
    const metrics = metricsOn(this.broker.metrics);
    const countSockets = () => metrics.set("socketsConnected", this.io.of("/").sockets.size);
    this.io.of("/").on("connection", (socket: Socket) => {
      countSockets();
      socket.on("disconnect", countSockets);
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

// Runs the WhatsApp connections this node owns (see lib/whatsapp/session-host.ts)
// and answers, for those accounts, the calls the whatsapp service routes here.
import { unlessDatabaseDown } from "../lib/db/availability";
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import QRCode from "qrcode";
import { configuredMediaStore, MAX_MEDIA_BYTES, type MediaStore } from "../lib/media-store";
import { mediaFetcher } from "../lib/net/guarded-fetch";
import { nodesRunning } from "../lib/cluster";
import { config } from "../lib/config";
import { database, sendingDatabase } from "../lib/db/connection";
import { Conflict } from "../lib/errors";
import { msg } from "../lib/i18n/message";
import { MemoryLeaseStore, RedisLeaseStore, type LeaseStore } from "../lib/leases";
import { createRedis, type RedisLog } from "../lib/redis";
import { BaileysProvider } from "../lib/whatsapp/baileys-provider";
import { SessionHost } from "../lib/whatsapp/session-host";
import { SimulatorProvider, type SimulatedDisconnect, type SimulatedInbound } from "../lib/whatsapp/simulator";
import { InboundStore } from "../lib/inbox/ingest";
import { applyReceipt, sendQueueOn } from "../lib/inbox/outbound";
import { broadcastEvent, emitEvent, inBackground, type EventContext, type MessageReceivedEvent } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";
import { logContext } from "../lib/log-format";
import { metricsOn } from "../lib/metrics";

interface SessionsService extends Service {
  host: SessionHost;
  media: MediaStore;
  /** Stores incoming messages, many in one statement when they arrive together. */
  inboundStore: InboundStore;
  simulator: SimulatorProvider;
  tickTimer?: NodeJS.Timeout;
  closeLeases?: () => Promise<void>;
  qrImages: Map<string, { qr: string; image: Promise<string> }>;
  qrImage(accountId: string, qr: string): Promise<string>;
  sessionOf(accountId: string): NonNullable<ReturnType<SessionHost["snapshot"]>>;
  tickSoon(): void;
}

function createLeaseStore(log: RedisLog): { store: LeaseStore; close?: () => Promise<void> } {
  const { redisUrl, redisKeyPrefix, transporter } = config();
  if (!redisUrl) {
    // Memory leases only see this process: two nodes would both connect every account.
    if (transporter) throw new Error("WhatsApp sessions in a cluster need REDIS_URL for their leases");
    return { store: new MemoryLeaseStore() };
  }
  const redis = createRedis(redisUrl, "leases", log);
  return { store: new RedisLeaseStore(redis, redisKeyPrefix), close: async () => void (await redis.quit()) };
}

// A media file to send (or to simulate) may be large; a stalled server must not hold a send for long.
const MEDIA_FETCH_TIMEOUT_MS = 60_000;

const accountParam = { account_id: "uuid" } as const;

const WhatsappSessionsSchema: ServiceSchema<ServiceSettingSchema, SessionsService> = {
  name: "whatsapp-sessions",
  mixins: [usesDatabase()],

  actions: {
    /** Status and current QR of an account this node owns. */
    state: {
      visibility: "public",
      params: accountParam,
      async handler(this: SessionsService, ctx: Context<{ account_id: string }>) {
        const snapshot = this.sessionOf(ctx.params.account_id);
        return {
          status: snapshot.status,
          reason: snapshot.reason,
          qr_code: snapshot.qr ? await this.qrImage(ctx.params.account_id, snapshot.qr) : null,
        };
      },
    },

    connect: {
      visibility: "public",
      params: accountParam,
      /** Answers with the session's state once it has acted (what a reconnect is doing now). */
      async handler(this: SessionsService, ctx: Context<{ account_id: string }>) {
        if (!this.host.connect(ctx.params.account_id)) await this.host.tick();
        // No session here yet (this node's tick just took the account, or another node will): it is connecting.
        const snapshot = this.host.snapshot(ctx.params.account_id);
        return { ok: true, status: snapshot?.status ?? "connecting", reason: snapshot?.reason ?? null };
      },
    },

    logout: {
      visibility: "public",
      params: accountParam,
      async handler(this: SessionsService, ctx: Context<{ account_id: string }>) {
        await this.host.logout(ctx.params.account_id);
        return { ok: true };
      },
    },

    typing: {
      visibility: "public",
      params: { ...accountParam, phone: { type: "string", nullable: true }, lid: { type: "string", nullable: true } },
      async handler(this: SessionsService, ctx: Context<{ account_id: string; phone: string | null; lid: string | null }>) {
        return { shown: await this.host.typing(ctx.params.account_id, { phone: ctx.params.phone, lid: ctx.params.lid }) };
      },
    },

    /** The accounts this node holds, with their live status (the REPL's `accounts`). */
    held: {
      visibility: "public",
      handler(this: SessionsService) {
        return this.host.held();
      },
    },

    simulatorScan: {
      visibility: "public",
      params: { ...accountParam, phone_number: "string" },
      async handler(this: SessionsService, ctx: Context<{ account_id: string; phone_number: string }>) {
        await this.simulator.scan(ctx.params.account_id, ctx.params.phone_number);
        return { ok: true };
      },
    },

    simulatorInbound: {
      visibility: "public",
      params: { ...accountParam, message: "object" },
      async handler(this: SessionsService, ctx: Context<{ account_id: string; message: SimulatedInbound }>) {
        return { wa_message_id: await this.simulator.inbound(ctx.params.account_id, ctx.params.message) };
      },
    },

    simulatorOutbound: {
      visibility: "public",
      params: { ...accountParam, to: { type: "string", optional: true } },
      handler(this: SessionsService, ctx: Context<{ account_id: string; to?: string }>) {
        return this.simulator.outbound(ctx.params.account_id, ctx.params.to);
      },
    },

    simulatorReceipt: {
      visibility: "public",
      params: { ...accountParam, wa_message_id: "string", status: { type: "enum", values: ["delivered", "read"] } },
      async handler(this: SessionsService, ctx: Context<{ account_id: string; wa_message_id: string; status: "delivered" | "read" }>) {
        await this.simulator.receipt(ctx.params.account_id, ctx.params.wa_message_id, ctx.params.status);
        return { ok: true };
      },
    },

    simulatorDisconnect: {
      visibility: "public",
      params: { ...accountParam, reason: "string" },
      async handler(this: SessionsService, ctx: Context<{ account_id: string; reason: SimulatedDisconnect }>) {
        await this.simulator.disconnect(ctx.params.account_id, ctx.params.reason);
        return { ok: true };
      },
    },
  },

  events: {
    // Something was queued for an account: if it is ours, send it now.
    "whatsapp.outbound.queued"(this: SessionsService, ctx: EventContext<"whatsapp.outbound.queued">) {
      this.host.kick(ctx.params.account_id);
    },

    // An account was created, deleted or asked to (re)connect somewhere: look now, not at the next tick.
    "whatsapp.accounts.changed"(this: SessionsService) {
      this.tickSoon();
    },

    // A node left: its numbers' leases were released (or lapse soon), and a fair share is larger now.
    "$node.disconnected"(this: SessionsService) {
      this.tickSoon();
    },
  },

  methods: {
    /** Reconciles the sessions now, in the background; a failure is logged (a database outage once). */
    tickSoon(this: SessionsService) {
      this.host.tick().catch(unlessDatabaseDown((err) => this.logger.error("WhatsApp session tick failed", err)));
    },

    sessionOf(this: SessionsService, accountId: string) {
      const snapshot = this.host.snapshot(accountId);
      if (!snapshot) throw new Conflict(msg("whatsapp.sessionMoved"), "SESSION_MOVED");
      return snapshot;
    },

    // A QR rotates every ~20 s and is asked for by many screens: render each one once.
    qrImage(this: SessionsService, accountId: string, qr: string) {
      const cached = this.qrImages.get(accountId);
      if (cached?.qr === qr) return cached.image;
      const image = QRCode.toDataURL(qr, { margin: 1, width: 320 });
      this.qrImages.set(accountId, { qr, image });
      return image;
    },
  },

  created(this: SessionsService) {
    this.qrImages = new Map();
  },

  async started(this: SessionsService) {
    const settings = config();
    const metrics = metricsOn(this.broker.metrics);
    const { store, close } = createLeaseStore(this.logger);
    this.closeLeases = close;
    this.media = configuredMediaStore();
    this.inboundStore = new InboundStore(database(), {
      media: this.media,
      reopenWindowSeconds: settings.conversationReopenWindowSeconds,
      retrySeconds: settings.flowInboxRetrySeconds,
    });
    const fetchMedia = mediaFetcher({ allowHosts: settings.fetchAllowHosts, maxBytes: MAX_MEDIA_BYTES, timeoutMs: MEDIA_FETCH_TIMEOUT_MS });
    this.simulator = new SimulatorProvider(database(), { qrIntervalMs: settings.simulatorQrIntervalMs, fetchMedia });
    this.host = new SessionHost(
      sendingDatabase(),
      store,
      sendQueueOn(sendingDatabase()),
      {
        simulator: this.simulator,
        baileys: new BaileysProvider(database(), (level, message) => this.logger[level](message), fetchMedia),
      },
      {
        nodeId: this.broker.nodeID,
        leaseTtlMs: settings.whatsappLeaseTtlMs,
        maxQrCodes: settings.whatsappMaxQrCodes,
        maxReconnectAttempts: settings.whatsappMaxReconnectAttempts,
        reconnectBaseMs: settings.whatsappReconnectBaseMs,
        reconnectMaxMs: settings.whatsappReconnectMaxMs,
        sendIntervalMs: settings.whatsappSendIntervalMs,
        peers: () => Math.max(1, nodesRunning(this.broker, "whatsapp-sessions").length),
        alive: (nodeId) => nodesRunning(this.broker, "whatsapp-sessions").includes(nodeId),
      },
      {
        status: ({ accountId, status, reason }) => {
          if (status !== "qr") this.qrImages.delete(accountId);
          inBackground(emitEvent(this.broker, "whatsapp.status", { account_id: accountId, status, reason }), this.logger);
        },
        qr: (accountId, qr) => {
          this.qrImage(accountId, qr)
            .then((image) => {
              return emitEvent(this.broker, "whatsapp.qr", { account_id: accountId, qr_code: image });
            })
            .catch((err: unknown) => this.logger.error("Could not render a QR code", err));
        },
        inbound: async (accountId, messages) => {
          // All of them at once, so they share statements; told in their order once stored.
          const outcomes = await Promise.allSettled(messages.map((message) => this.inboundStore.store(accountId, message)));
          for (const [index, outcome] of outcomes.entries()) {
            if (outcome.status === "rejected") throw outcome.reason;
            const stored = outcome.value;
            const message = messages[index]!;
            if (!stored.duplicate && !message.fromMe) metrics.count("inboundMessages", { type: message.type });
            // A redelivery is told again: its first delivery may have been stored by a node that died before
            // telling (a statement it sent commits without it), and clients keep one copy of a message by its
            // id and version; its flow takes it once (flow inbox).
            const event: MessageReceivedEvent = {
              message_id: stored.messageId,
              conversation_id: stored.conversationId,
              contact_id: stored.contactId,
              account_id: accountId,
              type: message.type,
              direction: message.fromMe ? "outbound" : "inbound",
              new_conversation: stored.newConversation,
              ...(stored.relay ? { relay: stored.relay } : {}),
            };
            if (stored.reopened) await emitEvent(this.broker, "conversation.changed", stored.reopened);
            await emitEvent(this.broker, "message.received", event);
          }
        },
        receipts: async (accountId, receipts) => {
          for (const receipt of receipts) {
            const changed = await applyReceipt(database(), accountId, receipt.waMessageId, receipt.status, receipt.reason);
            if (changed) {
              metrics.count("receipts", { status: receipt.status });
              await emitEvent(this.broker, "message.status", { message_id: changed.id, conversation_id: changed.conversation_id, status: receipt.status });
            }
          }
        },
        quota: (accountId, warning) => {
          this.logger.warn(
            `WhatsApp quota warning: ${warning.used ?? "?"}/${warning.total ?? "?"} (${warning.status ?? "unknown"})`,
            logContext({ account: accountId }),
          );
          const event = { account_id: accountId, used: warning.used, total: warning.total, status: warning.status, cycle_ends_at: warning.cycleEndsAt };
          inBackground(emitEvent(this.broker, "whatsapp.quota", event), this.logger);
        },
        sent: (_accountId, messageId, status, audience) => {
          inBackground(emitEvent(this.broker, "message.status", { message_id: messageId, status, ...(audience ? { audience } : {}) }), this.logger);
        },
        log: (level, message, err, accountId) => this.logger[level](message, ...(err ? [err] : []), logContext({ account: accountId })),
        // The cluster will declare it gone only at the heartbeat timeout; the sockets need not wait that long.
        holderLost: (nodeId) => inBackground(broadcastEvent(this.broker, "whatsapp.holder_lost", { node_id: nodeId }), this.logger),
      },
      metrics,
    );
    // Renew well within the lease, so a slow tick never lets a lease lapse.
    this.tickTimer = setInterval(
      () => {
        this.tickSoon();
      },
      Math.max(200, Math.floor(settings.whatsappLeaseTtlMs / 3)),
    );
    await this.host.tick();
  },

  async stopped(this: SessionsService) {
    clearInterval(this.tickTimer);
    await this.host?.stop();
    await this.closeLeases?.();
  },
};

export default WhatsappSessionsSchema;

// /api/whatsapp/accounts: the numbers connected to Charla. Connection work
// happens on the node that owns each account (whatsapp-sessions); this service
// stores the intent and routes the calls there.
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import type { RequestMeta } from "../lib/auth/request-meta";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { AppError, ValidationFailed } from "../lib/errors";
import { msg } from "../lib/i18n/message";
import type { Row } from "../lib/db/tables";
import { PROVIDERS, type ProviderName, type WhatsappAccount } from "../lib/models/whatsapp";
import { pageParams } from "../lib/pagination";
import { Accounts, presentAccount, type PublicAccount } from "../lib/whatsapp/accounts";
import { wipeAuthState } from "../lib/whatsapp/auth-state";
import { announceQueued, queueOutbound, recipientOf } from "../lib/inbox/outbound";
import { MAX_TEXT, OUTBOUND_TYPES, type OutboundType } from "../lib/whatsapp/outbound";
import { broadcastEvent } from "../lib/contract/events";
import { AccountOwnerMixin, type AccountOwnerCaller } from "../mixins/account-owner.mixin";
import { usesDatabase } from "../mixins/database.mixin";

interface WhatsappService extends AccountOwnerCaller {
  accounts: Accounts;
  statusOf(account: Row<WhatsappAccount>): Record<string, unknown>;
  present(ctx: Context, account: Row<WhatsappAccount>): Promise<PublicAccount>;
}

interface SendParams {
  conversation_id: string;
  type: OutboundType;
  content?: string | null;
  metadata?: Record<string, unknown>;
  sender_type: "agent" | "bot" | "system";
  sender_user_id?: string | null;
  idempotency_key?: string;
}

const id = { id: "uuid" } as const;

const name = { type: "string", trim: true, min: 1, max: 100 } as const;
const READERS = ["admin", "supervisor"] as const;

const WhatsappServiceSchema: ServiceSchema<ServiceSettingSchema, WhatsappService> = {
  name: "whatsapp",
  // moleculer's typings cannot express mixins whose `this` is a richer service type.
  mixins: [
    AccountOwnerMixin as Partial<ServiceSchema>,
    usesDatabase<WhatsappService>(function (knex) {
      this.accounts = new Accounts(knex);
    }),
  ],
  settings: { rest: "/whatsapp/accounts" },

  actions: {
    list: {
      rest: "GET /",
      summary: "List WhatsApp numbers",
      response: { body: "AccountPage" },
      permissions: READERS,
      params: { ...pageParams, $$strict: "remove" },
      async handler(this: WhatsappService, ctx: Context<{ page: number; limit: number }>) {
        const page = await this.accounts.list(ctx.params.page, ctx.params.limit);
        return { ...page, items: await Promise.all(page.items.map((account) => this.present(ctx, account))) };
      },
    },

    create: {
      rest: "POST /",
      summary: "Add a WhatsApp number (starts pairing)",
      response: { status: 201, body: "Account" },
      permissions: ["admin"],
      audit: "whatsapp.create",
      params: { name, provider: { type: "enum", values: [...PROVIDERS], optional: true }, $$strict: "remove" },
      async handler(this: WhatsappService, ctx: Context<{ name: string; provider?: ProviderName }, RequestMeta>) {
        const provider = ctx.params.provider ?? config().whatsappProvider;
        if (provider === "simulator" && !config().simulatorEnabled) {
          throw new ValidationFailed("provider", msg("whatsapp.simulatorDisabled"));
        }
        const account = await this.accounts.create(ctx.params.name, provider);
        // Whichever node has room takes the account and starts pairing.
        await broadcastEvent(this.broker, "whatsapp.accounts.changed", { account_id: account.id });
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/whatsapp/accounts/${account.id}`;
        return account;
      },
    },

    get: {
      rest: "GET /:id",
      summary: "Get a WhatsApp number",
      response: { body: "Account" },
      permissions: READERS,
      params: id,
      async handler(this: WhatsappService, ctx: Context<{ id: string }>) {
        return this.present(ctx, await this.accounts.find(ctx.params.id));
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Rename a WhatsApp number",
      response: { body: "Account" },
      permissions: ["admin"],
      audit: "whatsapp.update",
      params: { ...id, name, $$strict: "remove" },
      handler(this: WhatsappService, ctx: Context<{ id: string; name: string }>) {
        return this.accounts.rename(ctx.params.id, ctx.params.name);
      },
    },

    remove: {
      rest: "DELETE /:id",
      summary: "Remove a WhatsApp number (unlinks the device)",
      response: { status: 204 },
      permissions: ["admin"],
      audit: "whatsapp.delete",
      params: id,
      async handler(this: WhatsappService, ctx: Context<{ id: string }, RequestMeta>) {
        const account = await this.accounts.find(ctx.params.id);
        // Unlink the device from the phone too, not just from Charla.
        if (!(await this.onOwner(ctx, account, "logout"))) await wipeAuthState(database(), account.id);
        await this.accounts.remove(account.id);
        await broadcastEvent(this.broker, "whatsapp.accounts.changed", { account_id: account.id });
        ctx.meta.$statusCode = 204;
        return null;
      },
    },

    qr: {
      rest: "GET /:id/qr",
      summary: "The QR code to scan",
      response: { body: "QrCode" },
      errors: { 409: ["QR_NOT_AVAILABLE", "SESSION_MOVED"] },
      permissions: READERS,
      params: id,
      async handler(this: WhatsappService, ctx: Context<{ id: string }>) {
        const account = await this.accounts.find(ctx.params.id);
        const state = await this.onOwner<{ status: string; qr_code: string | null }>(ctx, account, "state");
        if (!state?.qr_code) {
          throw new AppError(409, "QR_NOT_AVAILABLE", msg("whatsapp.noQr", { status: state?.status ?? account.status }));
        }
        return { qr_code: state.qr_code };
      },
    },

    status: {
      rest: "GET /:id/status",
      summary: "A number's connection status",
      response: { body: "AccountStatus" },
      permissions: READERS,
      params: id,
      async handler(this: WhatsappService, ctx: Context<{ id: string }>) {
        return this.statusOf(await this.accounts.find(ctx.params.id));
      },
    },

    disconnect: {
      rest: "POST /:id/disconnect",
      summary: "Disconnect and log out a number",
      response: { body: "AccountStatus" },
      permissions: ["admin"],
      audit: "whatsapp.disconnect",
      params: id,
      async handler(this: WhatsappService, ctx: Context<{ id: string }>) {
        const account = await this.accounts.setShouldConnect(ctx.params.id, false);
        if (!(await this.onOwner(ctx, account, "logout"))) {
          await wipeAuthState(database(), account.id);
          await this.accounts.markDisconnected(account.id, "logged_out_by_operator");
        }
        return this.statusOf(await this.accounts.find(account.id));
      },
    },

    /**
     * The send API of agents and flows: the message is stored `pending` and the
     * node holding the account sends it, paced, in order. Idempotent by key.
     */
    send: {
      visibility: "public",
      params: {
        conversation_id: "uuid",
        type: { type: "enum", values: [...OUTBOUND_TYPES] },
        content: { type: "string", max: MAX_TEXT, optional: true, nullable: true },
        metadata: { type: "object", optional: true },
        sender_type: { type: "enum", values: ["agent", "bot", "system"], default: "agent" },
        sender_user_id: { type: "uuid", optional: true, nullable: true },
        idempotency_key: { type: "string", min: 1, max: 200, optional: true },
      },
      async handler(this: WhatsappService, ctx: Context<SendParams>) {
        const p = ctx.params;
        const { message, accountId, created } = await queueOutbound(database(), {
          conversationId: p.conversation_id,
          type: p.type,
          content: p.content,
          metadata: p.metadata,
          senderType: p.sender_type,
          senderUserId: p.sender_user_id,
          idempotencyKey: p.idempotency_key,
        });
        if (created) await announceQueued(this.broker, [{ id: message.id, conversation_id: message.conversation_id, whatsapp_account_id: accountId }]);
        return message;
      },
    },

    /** Shows the contact of a conversation that an agent is writing (best effort: nothing when not connected). */
    typing: {
      visibility: "public",
      params: { conversation_id: "uuid" },
      async handler(this: WhatsappService, ctx: Context<{ conversation_id: string }>) {
        const recipient = await recipientOf(database(), ctx.params.conversation_id);
        if (!recipient) return { shown: false };
        const account = await this.accounts.find(recipient.accountId);
        const result = await this.onOwner<{ shown: boolean }>(ctx, account, "typing", { ...recipient.to });
        return { shown: result?.shown ?? false };
      },
    },

    reconnect: {
      rest: "POST /:id/reconnect",
      summary: "Connect a number again",
      response: { body: "AccountStatus" },
      permissions: ["admin"],
      audit: "whatsapp.reconnect",
      params: id,
      async handler(this: WhatsappService, ctx: Context<{ id: string }>) {
        const account = await this.accounts.setShouldConnect(ctx.params.id, true);
        // What is happening now, not the row from before: the holder's live state once it has acted; with no
        // holder yet, a node is about to take the account and connect it.
        const live = await this.onOwner<{ status: string; reason: string | null }>(ctx, account, "connect");
        if (!live) await broadcastEvent(this.broker, "whatsapp.accounts.changed", { account_id: account.id });
        const row = this.statusOf(await this.accounts.find(account.id));
        return live ? { ...row, status: live.status, status_reason: live.reason } : { ...row, status: "connecting", status_reason: null };
      },
    },
  },

  methods: {
    /** An account as the API shows it: while it waits for a scan, with the QR code the node holding it shows. */
    async present(this: WhatsappService, ctx: Context, account: Row<WhatsappAccount>) {
      if (account.status !== "qr") return presentAccount(account);
      // A holder that is away for a moment (its lease moves) leaves the code out rather than failing the read.
      const state = await this.onOwner<{ qr_code: string | null }>(ctx, account, "state").catch(() => undefined);
      return presentAccount(account, state?.qr_code ?? null);
    },

    statusOf(account: Row<WhatsappAccount>) {
      return {
        account_id: account.id,
        status: account.status,
        status_reason: account.status_reason,
        phone_number: account.phone_number,
        last_connected_at: account.last_connected_at,
      };
    },
  },
};

export default WhatsappServiceSchema;

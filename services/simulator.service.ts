// /api/simulator/accounts/{id}/…: drives the in-process WhatsApp simulator for
// development, tests and demos (admins only; 404 unless SIMULATOR_ENABLED).
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { AppError, Conflict, ValidationFailed } from "../lib/errors";
import { msg } from "../lib/i18n/message";
import { Accounts } from "../lib/whatsapp/accounts";
import { SIMULATED_INBOUND_TYPES, simulatedMessage, type SimulatedInbound } from "../lib/whatsapp/simulator";
import { AccountOwnerMixin, type AccountOwnerCaller } from "../mixins/account-owner.mixin";
import { usesDatabase } from "../mixins/database.mixin";

interface SimulatorService extends AccountOwnerCaller {
  simulatedAccount(ctx: Context<{ id: string }>): ReturnType<Accounts["find"]>;
}

const phone = { type: "string", trim: true, pattern: /^\+?[\d\s().-]{8,20}$/ } as const;

const SimulatorServiceSchema: ServiceSchema<ServiceSettingSchema, SimulatorService> = {
  name: "simulator",
  mixins: [AccountOwnerMixin as Partial<ServiceSchema>, usesDatabase()],
  settings: { rest: "/simulator/accounts" },

  actions: {
    /** A phone scans the account's QR code. */
    scan: {
      rest: "POST /:id/scan",
      summary: "Simulator: scan the QR code with the pretend phone",
      response: { body: "Done" },
      errors: { 409: ["NOT_WAITING_FOR_SCAN", "SESSION_MOVED"] },
      permissions: ["admin"],
      params: { id: "uuid", phone_number: phone, $$strict: "remove" },
      async handler(this: SimulatorService, ctx: Context<{ id: string; phone_number: string }>) {
        const account = await this.simulatedAccount(ctx);
        const done = await this.onOwner(ctx, account, "simulatorScan", { phone_number: ctx.params.phone_number });
        if (!done) throw new Conflict(msg("whatsapp.notShowingQr"), "NOT_WAITING_FOR_SCAN");
        return { ok: true };
      },
    },

    /** A customer writes to the account. Re-posting a `wa_message_id` simulates WhatsApp delivering it again. */
    inbound: {
      rest: "POST /:id/inbound",
      summary: "Simulator: a customer writes",
      response: { body: "SimulatedDelivery" },
      errors: { 409: ["NOT_CONNECTED", "SESSION_MOVED"] },
      permissions: ["admin"],
      params: {
        id: "uuid",
        from: phone,
        name: { type: "string", trim: true, max: 100, optional: true },
        type: { type: "enum", values: [...SIMULATED_INBOUND_TYPES] },
        text: { type: "string", max: 4096, optional: true },
        media_url: { type: "url", optional: true },
        latitude: { type: "number", min: -90, max: 90, optional: true },
        longitude: { type: "number", min: -180, max: 180, optional: true },
        button_id: { type: "string", max: 256, optional: true },
        row_id: { type: "string", max: 200, optional: true },
        wa_message_id: { type: "string", pattern: /^[A-Za-z0-9_-]{4,128}$/, optional: true },
        $$strict: "remove",
      },
      async handler(this: SimulatorService, ctx: Context<SimulatedInbound & { id: string }>) {
        const account = await this.simulatedAccount(ctx);
        const { id: _id, ...message } = ctx.params;
        // Checked here too, so a bad payload is a 422 even when no node holds the account.
        simulatedMessage(message);
        const sent = await this.onOwner<{ wa_message_id: string }>(ctx, account, "simulatorInbound", { message });
        if (!sent) throw new Conflict(msg("whatsapp.notConnected"), "NOT_CONNECTED");
        return sent;
      },
    },

    /** What the engine sent on the account, oldest first (`?to=` one number). */
    outbound: {
      rest: "GET /:id/outbound",
      summary: "Simulator: what the engine sent",
      response: { body: "SimulatedSendList" },
      errors: { 409: ["SESSION_MOVED"] },
      permissions: ["admin"],
      params: { id: "uuid", to: { ...phone, optional: true }, $$strict: "remove" },
      async handler(this: SimulatorService, ctx: Context<{ id: string; to?: string }>) {
        const account = await this.simulatedAccount(ctx);
        return (await this.onOwner(ctx, account, "simulatorOutbound", { to: ctx.params.to })) ?? [];
      },
    },

    /** The recipient's phone reports a sent message delivered or read. */
    receipts: {
      rest: "POST /:id/receipts",
      summary: "Simulator: the customer's phone reports delivered or read",
      response: { body: "Done" },
      errors: { 409: ["NOT_CONNECTED", "SESSION_MOVED"] },
      permissions: ["admin"],
      params: { id: "uuid", wa_message_id: { type: "string", min: 1, max: 128 }, status: { type: "enum", values: ["delivered", "read"] }, $$strict: "remove" },
      async handler(this: SimulatorService, ctx: Context<{ id: string; wa_message_id: string; status: string }>) {
        const account = await this.simulatedAccount(ctx);
        const done = await this.onOwner(ctx, account, "simulatorReceipt", { wa_message_id: ctx.params.wa_message_id, status: ctx.params.status });
        if (!done) throw new Conflict(msg("whatsapp.notConnected"), "NOT_CONNECTED");
        return { ok: true };
      },
    },

    /** WhatsApp drops the connection, logs the device out, or bans the number. */
    disconnect: {
      rest: "POST /:id/disconnect",
      summary: "Simulator: WhatsApp drops the connection",
      response: { body: "Done" },
      errors: { 409: ["NOT_CONNECTED", "SESSION_MOVED"] },
      permissions: ["admin"],
      params: { id: "uuid", reason: { type: "enum", values: ["connection_lost", "logged_out", "banned"] }, $$strict: "remove" },
      async handler(this: SimulatorService, ctx: Context<{ id: string; reason: string }>) {
        const account = await this.simulatedAccount(ctx);
        const done = await this.onOwner(ctx, account, "simulatorDisconnect", { reason: ctx.params.reason });
        if (!done) throw new Conflict(msg("whatsapp.noConnection"), "NOT_CONNECTED");
        return { ok: true };
      },
    },
  },

  methods: {
    async simulatedAccount(this: SimulatorService, ctx: Context<{ id: string }>) {
      if (!config().simulatorEnabled) throw new AppError(404, "NOT_FOUND", msg("gateway.notFound"));
      const account = await new Accounts(database()).find(ctx.params.id);
      if (account.provider !== "simulator") throw new ValidationFailed("id", msg("whatsapp.notSimulated"));
      return account;
    },
  },
};

export default SimulatorServiceSchema;

// /api/simulator/accounts/{id}/…: drives the in-process WhatsApp simulator for
// development, tests and demos (admins only; 404 unless SIMULATOR_ENABLED).
import type { Context, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { AppError, Conflict, ValidationFailed } from "../lib/errors";
import { Accounts } from "../lib/whatsapp/accounts";
import { AccountOwnerMixin, type AccountOwnerCaller } from "../mixins/account-owner.mixin";

interface SimulatorService extends AccountOwnerCaller {
  simulatedAccount(ctx: Context<{ id: string }>): ReturnType<Accounts["find"]>;
}

const SimulatorServiceSchema: ServiceSchema<ServiceSettingSchema, SimulatorService> = {
  name: "simulator",
  mixins: [AccountOwnerMixin as Partial<ServiceSchema>],
  dependencies: ["db"],
  settings: { rest: "/simulator/accounts" },

  actions: {
    /** A phone scans the account's QR code. */
    scan: {
      rest: "POST /:id/scan",
      permissions: ["admin"],
      params: { id: "uuid", phone_number: { type: "string", trim: true, pattern: /^\+?[\d\s().-]{8,20}$/ }, $$strict: "remove" },
      async handler(this: SimulatorService, ctx: Context<{ id: string; phone_number: string }>) {
        const account = await this.simulatedAccount(ctx);
        const done = await this.onOwner(ctx, account, "simulatorScan", { phone_number: ctx.params.phone_number });
        if (!done) throw new Conflict(undefined, "The account is not showing a QR code", "NOT_WAITING_FOR_SCAN");
        return { ok: true };
      },
    },

    /** WhatsApp drops the connection, logs the device out, or bans the number. */
    disconnect: {
      rest: "POST /:id/disconnect",
      permissions: ["admin"],
      params: { id: "uuid", reason: { type: "enum", values: ["connection_lost", "logged_out", "banned"] }, $$strict: "remove" },
      async handler(this: SimulatorService, ctx: Context<{ id: string; reason: string }>) {
        const account = await this.simulatedAccount(ctx);
        const done = await this.onOwner(ctx, account, "simulatorDisconnect", { reason: ctx.params.reason });
        if (!done) throw new Conflict(undefined, "The account has no open connection", "NOT_CONNECTED");
        return { ok: true };
      },
    },
  },

  methods: {
    async simulatedAccount(this: SimulatorService, ctx: Context<{ id: string }>) {
      if (!config().simulatorEnabled) throw new AppError(404, "NOT_FOUND", "Not found");
      const account = await new Accounts(database()).find(ctx.params.id);
      if (account.provider !== "simulator") throw new ValidationFailed("id", "This account does not use the simulator provider");
      return account;
    },
  },
};

export default SimulatorServiceSchema;

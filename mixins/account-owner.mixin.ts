// Calls reach a WhatsApp account's live session on the node that owns it.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { ServiceUnavailable } from "../lib/errors";
import { msg } from "../lib/i18n/message";
import type { Row } from "../lib/db/tables";
import type { WhatsappAccount } from "../lib/models/whatsapp";

export interface AccountOwnerCaller extends Service {
  onOwner<T>(ctx: Context, account: Row<WhatsappAccount>, action: string, params?: Record<string, unknown>): Promise<T | undefined>;
}

const UNREACHABLE = new Set(["SERVICE_NOT_FOUND", "SERVICE_NOT_AVAILABLE", "REQUEST_TIMEOUT"]);

export const AccountOwnerMixin: Partial<ServiceSchema<ServiceSettingSchema, AccountOwnerCaller>> = {
  methods: {
    /** Calls `whatsapp-sessions.<action>` on the account's owning node; undefined when no node owns it. */
    async onOwner<T>(this: AccountOwnerCaller, ctx: Context, account: Row<WhatsappAccount>, action: string, params: Record<string, unknown> = {}) {
      if (!account.owner_node) return undefined;
      try {
        return await ctx.call<T, Record<string, unknown>>(`whatsapp-sessions.${action}`, { account_id: account.id, ...params }, { nodeID: account.owner_node });
      } catch (err) {
        // The owner went away after we read it: its lease lapses and another node takes over.
        if (UNREACHABLE.has((err as { type?: string }).type ?? "")) {
          throw new ServiceUnavailable(msg("cluster.accountNodeUnreachable"));
        }
        throw err;
      }
    },
  },
};

// WhatsApp accounts as the API shows them: CRUD on the rows. Connecting and
// disconnecting happen in the session host of the node that owns the account.
import type { Knex } from "knex";
import { single, type Row } from "../db/tables";
import { NotFound } from "../errors";
import { WhatsappAccount, type ProviderName } from "../models/whatsapp";
import { paginate, type Page } from "../pagination";
import type { Static } from "@sinclair/typebox";
import type { Account as AccountSchema } from "../contract/resources";

export type PublicAccount = Static<typeof AccountSchema>;

export function presentAccount(account: Row<WhatsappAccount>, qrCode: string | null = null): PublicAccount {
  return {
    id: account.id,
    name: account.name,
    provider: account.provider,
    status: account.status,
    status_reason: account.status_reason,
    phone_number: account.phone_number,
    qr_code: qrCode,
    last_connected_at: account.last_connected_at,
    created_at: account.created_at,
    updated_at: account.updated_at,
  };
}

export class Accounts {
  constructor(private readonly knex: Knex) {}

  /** The rows (their owner_node says where a QR code is), for the caller to present. */
  list(page: number, limit: number): Promise<Page<Row<WhatsappAccount>>> {
    const query = this.knex("whatsapp_accounts")
      .whereNull("deleted_at")
      .orderBy([{ column: "created_at" }, { column: "id" }]);
    return paginate(query, page, limit, (row) => row);
  }

  async find(id: string): Promise<Row<WhatsappAccount>> {
    const account = await this.knex("whatsapp_accounts").where({ id: id }).whereNull("deleted_at").first();
    if (!account) throw new NotFound("whatsappAccount", id);
    return account;
  }

  /** Creating an account asks for its connection: the QR code follows within seconds. */
  async create(name: string, provider: ProviderName): Promise<PublicAccount> {
    return presentAccount(
      single(await this.knex("whatsapp_accounts").insert({ name: name.trim(), provider, should_connect: true }).returning("*"), "new account"),
    );
  }

  async rename(id: string, name: string): Promise<PublicAccount> {
    await this.find(id);
    await this.knex("whatsapp_accounts").update({ name: name.trim(), updated_at: this.knex.fn.now() }).where("id", id);
    return presentAccount(await this.find(id));
  }

  async setShouldConnect(id: string, shouldConnect: boolean): Promise<Row<WhatsappAccount>> {
    await this.find(id);
    await this.knex("whatsapp_accounts").update({ should_connect: shouldConnect, updated_at: this.knex.fn.now() }).where("id", id);
    return this.find(id);
  }

  /** For accounts no node holds: the status a live session would have written. */
  async markDisconnected(id: string, reason: string): Promise<void> {
    await this.knex("whatsapp_accounts").update({ status: "disconnected", status_reason: reason, updated_at: this.knex.fn.now() }).where("id", id);
  }

  /** Soft delete: messages and conversations keep their account. */
  async remove(id: string): Promise<void> {
    await this.find(id);
    await this.knex("whatsapp_accounts")
      .update({ deleted_at: this.knex.fn.now(), should_connect: false, status: "disconnected", updated_at: this.knex.fn.now() })
      .where("id", id);
  }
}

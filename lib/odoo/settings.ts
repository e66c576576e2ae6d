// Where Charla finds Odoo: the settings an admin saved (the API key encrypted
// at rest, never returned), else the ODOO_* environment, else nowhere.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { config } from "../config";
import { engineSecrets } from "../secrets";
import { AppError, ValidationFailed } from "../errors";
import { msg } from "../i18n/message";
import type { OdooConnectionSettings } from "./client";
import type { Static } from "@sinclair/typebox";
import type { OdooSettings as OdooSettingsSchema } from "../contract/resources";

export interface OdooSettingsInput {
  url: string;
  database: string;
  username: string;
  api_key?: string;
  protocol?: OdooConnectionSettings["protocol"];
  timeout_ms?: number;
}

export type OdooSettingsView = Static<typeof OdooSettingsSchema>;

const keyOf = (secret: string) => createHash("sha256").update(`charla:secrets:${secret}`).digest();

export function encryptSecret(plain: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyOf(secret), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), data.toString("base64")].join(":");
}

export function decryptSecret(sealed: string, secret: string): string {
  const [version, iv, tag, data] = sealed.split(":");
  if (version !== "v1" || !iv || !tag || !data) throw new Error("Unknown secret format");
  const decipher = createDecipheriv("aes-256-gcm", keyOf(secret), Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
}

export class NotConfigured extends AppError {
  constructor() {
    super(409, "ODOO_NOT_CONFIGURED", msg("odoo.notConfigured"));
  }
}

export class OdooSettingsStore {
  constructor(private readonly knex: Knex) {}

  /** The settings to connect with; undefined when Odoo is not configured. */
  async current(): Promise<OdooConnectionSettings | undefined> {
    const row = await this.knex("odoo_settings").where({ id: 1 }).first();
    if (row) {
      if (!row.api_key_encrypted) return undefined;
      let apiKey: string;
      try {
        apiKey = decryptSecret(row.api_key_encrypted, (await engineSecrets(this.knex)).secretsKey);
      } catch {
        throw new AppError(409, "ODOO_KEY_UNREADABLE", msg("odoo.keyUnreadable"));
      }
      return { url: row.url, database: row.database, username: row.username, apiKey, protocol: row.protocol, timeoutMs: row.timeout_ms };
    }
    const env = config().odoo;
    if (!env.url || !env.database || !env.username || !env.apiKey) return undefined;
    return { url: env.url, database: env.database, username: env.username, apiKey: env.apiKey, protocol: env.protocol, timeoutMs: env.timeoutMs };
  }

  async view(): Promise<OdooSettingsView> {
    const row = await this.knex("odoo_settings").where({ id: 1 }).first();
    const env = config().odoo;
    if (row) {
      return {
        configured: Boolean(row.api_key_encrypted),
        source: "database",
        url: row.url,
        database: row.database,
        username: row.username,
        api_key_set: Boolean(row.api_key_encrypted),
        protocol: row.protocol,
        timeout_ms: row.timeout_ms,
        updated_at: row.updated_at,
      };
    }
    const configured = Boolean(env.url && env.database && env.username && env.apiKey);
    return {
      configured,
      source: configured ? "environment" : "none",
      url: env.url ?? null,
      database: env.database ?? null,
      username: env.username ?? null,
      api_key_set: Boolean(env.apiKey),
      protocol: env.protocol,
      timeout_ms: env.timeoutMs,
      updated_at: null,
    };
  }

  async save(input: OdooSettingsInput, userId: string): Promise<OdooSettingsView> {
    const existing = await this.knex("odoo_settings").where({ id: 1 }).first("api_key_encrypted", "url");
    const url = input.url.replace(/\/+$/, "");
    // The stored key goes only to the server it was saved for: a new URL needs the key again.
    if (!input.api_key && existing && existing.url !== url) throw new ValidationFailed("api_key", msg("odoo.keyForNewUrl"));
    const sealed = input.api_key ? encryptSecret(input.api_key, (await engineSecrets(this.knex)).secretsKey) : existing?.api_key_encrypted;
    if (!sealed) throw new ValidationFailed("api_key", msg("odoo.keyFirstTime"));
    const row = {
      id: 1,
      url,
      database: input.database,
      username: input.username,
      api_key_encrypted: sealed,
      protocol: input.protocol ?? "auto",
      timeout_ms: input.timeout_ms ?? config().odoo.timeoutMs,
      updated_by: userId,
      updated_at: this.knex.fn.now(),
    };
    await this.knex("odoo_settings").insert(row).onConflict("id").merge();
    return this.view();
  }
}

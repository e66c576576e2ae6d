// WhatsApp credentials and signal keys in PostgreSQL, never in files: one row
// per (account, type, id), creds as type "creds". The key store has the shape
// Baileys expects ({ get(type, ids), set({ type: { id: value | null } }) });
// how values become text is the codec's business (Baileys' BufferJSON for the
// Baileys provider), so this module stays free of provider imports.
import type { Knex } from "knex";

const CREDS_TYPE = "creds";
const CREDS_ID = "";

export interface AuthCodec {
  encode(value: unknown): string;
  decode(type: string, text: string): unknown;
}

export interface KeyStore {
  get(type: string, ids: string[]): Promise<Record<string, unknown>>;
  /** `null` deletes. The whole batch is written in one transaction. */
  /** A null value deletes the key. */
  set(data: Record<string, Record<string, unknown> | undefined>): Promise<void>;
  clear(): Promise<void>;
}

export interface StoredAuth {
  /** The stored creds, or undefined for an account never paired (or logged out). */
  creds: unknown;
  keys: KeyStore;
  saveCreds(creds: unknown): Promise<void>;
}

const TABLE = "whatsapp_auth_state";

async function upsert(db: Knex, rows: Array<{ account_id: string; type: string; key_id: string; value: string }>): Promise<void> {
  if (rows.length === 0) return;
  await db(TABLE)
    .insert(rows.map((row) => ({ ...row, updated_at: db.fn.now() })))
    .onConflict(["account_id", "type", "key_id"])
    .merge(["value", "updated_at"]);
}

export async function loadAuthState(knex: Knex, accountId: string, codec: AuthCodec): Promise<StoredAuth> {
  const credsRow = await knex(TABLE).where({ account_id: accountId, type: CREDS_TYPE, key_id: CREDS_ID }).first("value");

  const keys: KeyStore = {
    async get(type, ids) {
      if (ids.length === 0) return {};
      const rows: Array<{ key_id: string; value: string }> = await knex(TABLE)
        .where({ account_id: accountId, type })
        .whereIn("key_id", ids)
        .select("key_id", "value");
      return Object.fromEntries(rows.map((row) => [row.key_id, codec.decode(type, row.value)]));
    },

    async set(data) {
      await knex.transaction(async (trx) => {
        for (const [type, entries] of Object.entries(data)) {
          if (!entries) continue;
          const removed = Object.keys(entries).filter((id) => entries[id] === null || entries[id] === undefined);
          const written = Object.keys(entries)
            .filter((id) => entries[id] !== null && entries[id] !== undefined)
            .map((id) => ({ account_id: accountId, type, key_id: id, value: codec.encode(entries[id]) }));
          if (removed.length) await trx(TABLE).where({ account_id: accountId, type }).whereIn("key_id", removed).delete();
          await upsert(trx, written);
        }
      });
    },

    async clear() {
      await knex(TABLE).where({ account_id: accountId }).whereNot({ type: CREDS_TYPE }).delete();
    },
  };

  return {
    creds: credsRow ? codec.decode(CREDS_TYPE, credsRow.value) : undefined,
    keys,
    saveCreds: (creds) => upsert(knex, [{ account_id: accountId, type: CREDS_TYPE, key_id: CREDS_ID, value: codec.encode(creds) }]),
  };
}

/** Forgets an account's pairing: after a logout the next connection starts with a QR code. */
export async function wipeAuthState(knex: Knex, accountId: string): Promise<void> {
  await knex(TABLE).where({ account_id: accountId }).delete();
}

/**
 * JSON that keeps binary values, in the same shape as Baileys' BufferJSON
 * ({"type": "Buffer", "data": "<base64>"}), so rows written by either read back alike.
 */
export const bufferJsonCodec: AuthCodec = {
  encode: (value) =>
    JSON.stringify(value, (_key, item: unknown) => {
      if (item instanceof Uint8Array) return { type: "Buffer", data: Buffer.from(item).toString("base64") };
      const maybe = item as { type?: unknown; data?: unknown } | null;
      if (maybe && maybe.type === "Buffer" && Array.isArray(maybe.data)) {
        return { type: "Buffer", data: Buffer.from(maybe.data as number[]).toString("base64") };
      }
      return item;
    }),
  decode: (_type, text): unknown =>
    JSON.parse(text, (_key, item: unknown): unknown => {
      const maybe = item as { type?: unknown; data?: unknown } | null;
      if (maybe && typeof maybe === "object" && maybe.type === "Buffer" && typeof maybe.data === "string") {
        return Buffer.from(maybe.data, "base64");
      }
      return item;
    }),
};

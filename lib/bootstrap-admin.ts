// First run: on a database with no users, create the first admin so someone can log in.
import { randomBytes } from "node:crypto";
import type { Knex } from "knex";
import { hashPassword } from "./auth/passwords";

export interface AdminSeed {
  email: string | undefined;
  password: string | undefined;
  name: string;
}

export const DEFAULT_ADMIN_EMAIL = "admin@charla.local";
const BOOTSTRAP_LOCK_KEY = "4242004202";

export interface BootstrapResult {
  email: string;
  /** Set only when the password was generated: it is shown once and never stored in clear. */
  generatedPassword?: string;
}

export async function ensureFirstAdmin(knex: Knex, seed: AdminSeed): Promise<BootstrapResult | undefined> {
  return knex.transaction(async (trx) => {
    // Several nodes may start on an empty database together; one creates the admin.
    await trx.raw("SELECT pg_advisory_xact_lock(?)", [BOOTSTRAP_LOCK_KEY]);
    const existing = await trx("users").select("id").first();
    if (existing) return undefined;
    const email = seed.email ?? DEFAULT_ADMIN_EMAIL;
    const password = seed.password ?? randomBytes(12).toString("base64url");
    await trx("users").insert({ email, name: seed.name, role: "admin", password_hash: await hashPassword(password) });
    return seed.password ? { email } : { email, generatedPassword: password };
  });
}

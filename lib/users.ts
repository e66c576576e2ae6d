// Users: the people who sign in. Admins manage them; everyone else may read
// and change only themselves (see docs/permissions.md).
import type { Knex } from "knex";
import type { Caller } from "./auth/caller";
import { assertSelfOrAdmin } from "./auth/permissions";
import { hashPassword, verifyPassword } from "./auth/passwords";
import { Conflict, Forbidden, NotFound, TooManyRequests, ValidationFailed } from "./errors";
import { msg } from "./i18n/message";
import { single, type Row } from "./db/tables";
import type { Role, User, UserStatus } from "./models/users";
import { paginate, type Page } from "./pagination";
import type { RateLimiter } from "./rate-limit";
import type { Static } from "@sinclair/typebox";
import type { User as UserSchema } from "./contract/resources";

export type PublicUser = Static<typeof UserSchema>;

export interface UserFilter {
  role?: Role;
  status?: UserStatus;
  search?: string;
  page: number;
  limit: number;
}

export interface NewUser {
  email: string;
  password: string;
  name: string;
  role: Role;
}

export interface UserChanges {
  email?: string;
  password?: string;
  /** Needed to change one's own password. */
  current_password?: string;
  name?: string;
  role?: Role;
  is_active?: boolean;
}

export function presentUser(user: Row<User>): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    status: user.status,
    is_active: user.is_active,
    last_seen_at: user.last_seen_at,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}

const EMAIL_TAKEN = () => new Conflict(msg("users.emailTaken"), "CONFLICT", "email");

/** A wrong current password when changing one's own: a 422 on the field, and worth an audit row. */
export class WrongCurrentPassword extends ValidationFailed {
  constructor() {
    super("current_password", msg("users.wrongCurrentPassword"));
  }
}

/** Bounds the guesses at one's current password, as logins are bounded per account. */
export interface PasswordGuard {
  limiter: RateLimiter;
  maxAttempts: number;
  windowSeconds: number;
}

/** A user who has not been deleted, as the API shows them; 404 otherwise. */
export async function activeUser(knex: Knex, id: string): Promise<PublicUser> {
  const user = await knex("users").where({ id }).whereNull("deleted_at").first();
  if (!user) throw new NotFound("user", id);
  return presentUser(user);
}

export class Users {
  constructor(
    private readonly knex: Knex,
    /** Ends a user's sessions (all, or all but one) — owned by the auth side. */
    private readonly revokeSessions: (userId: string, reason: string, keepSessionId?: string) => Promise<unknown>,
    private readonly guard?: PasswordGuard,
  ) {}

  list(filter: UserFilter): Promise<Page<PublicUser>> {
    const query = this.knex("users")
      .whereNull("deleted_at")
      .orderBy([{ column: "name" }, { column: "id" }]);
    if (filter.role) query.where("role", filter.role);
    if (filter.status) query.where("status", filter.status);
    if (filter.search) {
      const term = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.where((q) => {
        q.whereRaw("charla_fold(name) LIKE charla_fold(?)", [term]).orWhereRaw("lower(email) LIKE lower(?)", [term]);
      });
    }
    return paginate(query, filter.page, filter.limit, presentUser);
  }

  async get(caller: Caller, id: string): Promise<PublicUser> {
    if (caller.role === "agent") assertSelfOrAdmin(caller, id);
    return activeUser(this.knex, id);
  }

  async create(input: NewUser): Promise<PublicUser> {
    const email = input.email.trim().toLowerCase();
    const taken = await this.knex("users").whereRaw("lower(email) = ?", [email]).whereNull("deleted_at").first("id");
    if (taken) throw EMAIL_TAKEN();
    const user = single(
      await this.knex("users")
        .insert({ email, name: input.name.trim(), role: input.role, password_hash: await hashPassword(input.password) })
        .returning("*"),
      "new user",
    );
    return presentUser(user);
  }

  async update(caller: Caller, id: string, changes: UserChanges): Promise<PublicUser> {
    assertSelfOrAdmin(caller, id);
    // A field sent as null is a field not changed: none of them can be emptied.
    if (caller.role !== "admin") {
      for (const field of ["role", "is_active", "email"] as const) {
        if (changes[field] != null) throw new Forbidden(msg("users.adminOnlyField", { field }), field);
      }
    }
    // A stolen token alone must not be enough to take the account over: one's
    // own new password needs the current one (an admin resetting another's does not).
    if (changes.password != null && caller.id === id) await this.assertCurrentPassword(id, changes.current_password);
    const patch: Partial<Row<User>> = {};
    if (changes.name != null) patch.name = changes.name.trim();
    if (changes.email != null) patch.email = changes.email.trim().toLowerCase();
    if (changes.role != null) patch.role = changes.role;
    if (changes.is_active != null) patch.is_active = changes.is_active;
    if (changes.password != null) patch.password_hash = await hashPassword(changes.password);

    await this.knex.transaction(async (trx) => {
      const user = await this.find(trx, id);
      const demoted = patch.role !== undefined && patch.role !== "admin";
      // The field the request changed that would take the last admin away.
      if (user.role === "admin" && (demoted || patch.is_active === false)) await this.assertAnotherAdmin(trx, id, demoted ? "role" : "is_active");
      if (patch.email && patch.email !== user.email) {
        const taken = await trx("users").whereRaw("lower(email) = ?", [patch.email]).whereNull("deleted_at").whereNot("id", id).first("id");
        if (taken) throw EMAIL_TAKEN();
      }
      if (Object.keys(patch).length > 0)
        await trx("users")
          .update({ ...patch, updated_at: trx.fn.now() })
          .where("id", id);
    });

    // A new password or a disabled account ends other sessions (the caller's own stays).
    if (patch.is_active === false) await this.revokeSessions(id, "user_disabled");
    else if (patch.password_hash) await this.revokeSessions(id, "password_changed", caller.id === id ? caller.sessionId : undefined);
    return presentUser(await this.find(this.knex, id));
  }

  async remove(id: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const user = await this.find(trx, id);
      if (user.role === "admin") await this.assertAnotherAdmin(trx, id);
      // Soft delete keeps the user's messages, assignments and audit trail pointing somewhere.
      await trx("users").update({ deleted_at: trx.fn.now(), is_active: false, status: "offline", updated_at: trx.fn.now() }).where("id", id);
    });
    await this.revokeSessions(id, "user_deleted");
  }

  async setStatus(caller: Caller, id: string, status: UserStatus): Promise<PublicUser> {
    assertSelfOrAdmin(caller, id);
    await this.find(this.knex, id);
    await this.knex("users").update({ status, last_seen_at: this.knex.fn.now(), updated_at: this.knex.fn.now() }).where("id", id);
    return presentUser(await this.find(this.knex, id));
  }

  /**
   * Presence from sockets: connecting turns an offline user online (an "away"
   * user stays away), the last disconnect turns them offline. Returns the new
   * status when it changed.
   */
  async markPresence(id: string, connected: boolean): Promise<UserStatus | undefined> {
    const status: UserStatus = connected ? "online" : "offline";
    const query = this.knex("users")
      .update({ status, last_seen_at: this.knex.fn.now(), updated_at: this.knex.fn.now() })
      .where("id", id)
      .whereNull("deleted_at");
    if (connected) query.where("status", "offline");
    else query.whereNot("status", "offline");
    return (await query) > 0 ? status : undefined;
  }

  private async assertCurrentPassword(id: string, current: string | undefined): Promise<void> {
    if (current == null) throw new ValidationFailed("current_password", msg("users.currentPasswordNeeded"));
    const key = `password:user:${id}`;
    if (this.guard) {
      const hit = await this.guard.limiter.hit(key, this.guard.maxAttempts, this.guard.windowSeconds);
      if (!hit.allowed) throw new TooManyRequests(hit.retryAfterSeconds, msg("users.tooManyWrongPasswords"));
    }
    const user = await this.find(this.knex, id);
    if (!(await verifyPassword(current, user.password_hash))) throw new WrongCurrentPassword();
    await this.guard?.limiter.reset(key);
  }

  private async find(db: Knex, id: string): Promise<Row<User>> {
    const user = await db("users").where({ id }).whereNull("deleted_at").first();
    if (!user) throw new NotFound("user", id);
    return user;
  }

  // Locks the active admins so two admins cannot demote each other at the same time.
  /** `field`: the request's field that would take the last admin away (none for a deletion). */
  private async assertAnotherAdmin(trx: Knex.Transaction, exceptId: string, field?: "role" | "is_active"): Promise<void> {
    const admins = await trx("users").select("id").where({ role: "admin", is_active: true }).whereNull("deleted_at").forUpdate();
    if (!admins.some((admin) => admin.id !== exceptId)) {
      throw new Conflict(msg("users.lastAdmin"), "LAST_ADMIN", field);
    }
  }
}

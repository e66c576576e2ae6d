// /api/users: the people who sign in, and their presence status.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { recordAudit } from "../lib/audit";
import { callerOf } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { ROLES, USER_STATUSES, type UserStatus } from "../lib/models/users";
import { pageParams } from "../lib/pagination";
import { configuredRateLimiter } from "../lib/rate-limit";
import { Users, WrongCurrentPassword, type NewUser, type UserChanges, type UserFilter } from "../lib/users";
import { broadcastEvent, emitEvent } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";

interface UsersService extends Service {
  users: Users;
  closeLimiter?: () => Promise<void>;
}

// Counts wrong current passwords; in Redis, so every node shares the count.
const email = { type: "email", normalize: true, max: 254 } as const;
const password = { type: "string", min: 8, max: 200 } as const;
const name = { type: "string", trim: true, min: 1, max: 120 } as const;
const role = { type: "enum", values: [...ROLES] } as const;
const status = { type: "enum", values: [...USER_STATUSES] } as const;

const UsersServiceSchema: ServiceSchema<ServiceSettingSchema, UsersService> = {
  name: "users",
  dependencies: ["auth"],
  mixins: [usesDatabase()],
  settings: { rest: "/users" },

  actions: {
    list: {
      rest: "GET /",
      summary: "List users",
      response: { body: "UserPage" },
      permissions: ["admin", "supervisor"],
      params: {
        role: { ...role, optional: true },
        status: { ...status, optional: true },
        search: { type: "string", trim: true, max: 100, optional: true },
        ...pageParams,
        $$strict: "remove",
      },
      handler(this: UsersService, ctx: Context<UserFilter>) {
        return this.users.list(ctx.params);
      },
    },

    create: {
      rest: "POST /",
      summary: "Create a user",
      response: { status: 201, body: "User" },
      errors: { 409: ["CONFLICT"] },
      permissions: ["admin"],
      audit: "users.create",
      params: { email, password, name, role, $$strict: "remove" },
      async handler(this: UsersService, ctx: Context<NewUser, RequestMeta>) {
        const user = await this.users.create(ctx.params);
        ctx.meta.$statusCode = 201;
        ctx.meta.$location = `/api/users/${user.id}`;
        return user;
      },
    },

    get: {
      rest: "GET /:id",
      summary: "Get a user",
      response: { body: "User" },
      permissions: "authenticated",
      params: { id: "uuid" },
      handler(this: UsersService, ctx: Context<{ id: string }, RequestMeta>) {
        return this.users.get(callerOf(ctx), ctx.params.id);
      },
    },

    update: {
      rest: "PUT /:id",
      summary: "Change a user",
      response: { body: "User" },
      errors: { 409: ["CONFLICT", "LAST_ADMIN"], 429: ["RATE_LIMITED"] },
      permissions: "authenticated",
      audit: "users.update",
      params: {
        id: "uuid",
        email: { ...email, optional: true },
        password: { ...password, optional: true },
        current_password: { type: "string", min: 1, max: 200, optional: true },
        name: { ...name, optional: true },
        role: { ...role, optional: true },
        is_active: { type: "boolean", optional: true },
        $$strict: "remove",
      },
      async handler(this: UsersService, ctx: Context<UserChanges & { id: string }, RequestMeta>) {
        const { id, ...changes } = ctx.params;
        const user = await this.users.update(callerOf(ctx), id, changes).catch(async (err: unknown) => {
          // A wrong current password is audited like a failed login (the audit middleware records successes).
          if (err instanceof WrongCurrentPassword) {
            await recordAudit({
              actorUserId: ctx.meta.caller?.id ?? null,
              action: "users.password_rejected",
              resourceType: "users",
              resourceId: id,
              ip: ctx.meta.clientIp ?? null,
              requestId: ctx.requestID ?? null,
            });
          }
          throw err;
        });
        // Open sockets move to the new role's rooms (REST requests read the role afresh anyway).
        if (changes.role != null) await broadcastEvent(this.broker, "user.role_changed", { user_id: user.id, role: user.role });
        return user;
      },
    },

    remove: {
      rest: "DELETE /:id",
      summary: "Delete a user",
      response: { status: 204 },
      errors: { 409: ["LAST_ADMIN"] },
      permissions: ["admin"],
      audit: "users.delete",
      params: { id: "uuid" },
      async handler(this: UsersService, ctx: Context<{ id: string }, RequestMeta>) {
        await this.users.remove(ctx.params.id);
        ctx.meta.$statusCode = 204;
        return null;
      },
    },

    setStatus: {
      rest: "PUT /:id/status",
      summary: "Set a user's presence status",
      response: { body: "User" },
      errors: { 404: ["NOT_FOUND"] },
      permissions: "authenticated",
      audit: "users.status",
      params: { id: "uuid", status, $$strict: "remove" },
      async handler(this: UsersService, ctx: Context<{ id: string; status: UserStatus }, RequestMeta>) {
        const user = await this.users.setStatus(callerOf(ctx), ctx.params.id, ctx.params.status);
        await emitEvent(this.broker, "user.status_changed", { user_id: user.id, status: user.status });
        return user;
      },
    },

    /** Presence from the realtime gateway: first socket in → online, last socket out → offline. */
    markPresence: {
      visibility: "public",
      params: { user_id: "uuid", connected: "boolean" },
      async handler(this: UsersService, ctx: Context<{ user_id: string; connected: boolean }>) {
        const status = await this.users.markPresence(ctx.params.user_id, ctx.params.connected);
        if (status) await emitEvent(this.broker, "user.status_changed", { user_id: ctx.params.user_id, status });
        return { status: status ?? null };
      },
    },
  },

  started(this: UsersService) {
    const { limiter, close } = configuredRateLimiter(this.logger);
    this.closeLimiter = close;
    const { loginMaxPerAccount, loginAccountWindowSeconds } = config();
    this.users = new Users(
      database(),
      (userId, reason, keepSessionId) => this.broker.call("auth.revokeUserSessions", { user_id: userId, reason, keep_session_id: keepSessionId }),
      { limiter, maxAttempts: loginMaxPerAccount, windowSeconds: loginAccountWindowSeconds },
    );
    return Promise.resolve();
  },

  async stopped(this: UsersService) {
    await this.closeLimiter?.();
  },
};

export default UsersServiceSchema;

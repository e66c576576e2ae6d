// Sign-in, token refresh, sign-out and "who am I", plus the token check the
// gateway runs for every request and socket.
import type { Context, Service, ServiceSchema, ServiceSettingSchema } from "moleculer";
import { callerOf, type Caller } from "../lib/auth/caller";
import type { RequestMeta } from "../lib/auth/request-meta";
import { Sessions } from "../lib/auth/sessions";
import { config } from "../lib/config";
import { database } from "../lib/db/connection";
import { configuredRateLimiter } from "../lib/rate-limit";
import { engineSecrets } from "../lib/secrets";
import { recordAudit } from "../lib/audit";
import { AppError } from "../lib/errors";
import { activeUser } from "../lib/users";
import { broadcastEvent, inBackground } from "../lib/contract/events";
import { usesDatabase } from "../mixins/database.mixin";

interface AuthService extends Service {
  sessions: Sessions;
  closeLimiter?: () => Promise<void>;
}

// Tokens must not be kept by browsers or proxies.
const NO_STORE = { "Cache-Control": "no-store" };

const AuthServiceSchema: ServiceSchema<ServiceSettingSchema, AuthService> = {
  name: "auth",
  mixins: [usesDatabase()],
  settings: { rest: "/auth" },

  actions: {
    login: {
      rest: "POST /login",
      summary: "Sign in with email and password",
      response: { body: "Tokens" },
      errors: { 401: ["INVALID_CREDENTIALS"], 429: ["RATE_LIMITED"] },
      permissions: "public",
      audit: "auth.login",
      params: {
        email: { type: "string", trim: true, min: 3, max: 254 },
        password: { type: "string", min: 1, max: 200 },
        $$strict: "remove",
      },
      async handler(this: AuthService, ctx: Context<{ email: string; password: string }, RequestMeta>) {
        ctx.meta.$responseHeaders = NO_STORE;
        try {
          return await this.sessions.login(ctx.params.email, ctx.params.password, { ip: ctx.meta.clientIp, userAgent: ctx.meta.userAgent });
        } catch (err) {
          // Wrong credentials are audited; refusals by the rate limit are not (a flood would fill the log).
          if (err instanceof AppError && err.type === "INVALID_CREDENTIALS") {
            await recordAudit({
              actorUserId: null,
              action: "auth.login_failed",
              resourceType: "auth",
              data: { email: ctx.params.email.toLowerCase() },
              ip: ctx.meta.clientIp ?? null,
              requestId: ctx.requestID ?? null,
            });
          }
          throw err;
        }
      },
    },

    refresh: {
      rest: "POST /refresh",
      summary: "Trade a refresh token for new tokens",
      response: { body: "Tokens" },
      errors: { 401: ["REFRESH_TOKEN_INVALID", "REFRESH_TOKEN_REUSED", "SESSION_REVOKED"] },
      permissions: "public",
      params: {
        refresh_token: { type: "string", min: 10, max: 200 },
        $$strict: "remove",
      },
      handler(this: AuthService, ctx: Context<{ refresh_token: string }, RequestMeta>) {
        ctx.meta.$responseHeaders = NO_STORE;
        return this.sessions.refresh(ctx.params.refresh_token);
      },
    },

    logout: {
      rest: "POST /logout",
      summary: "End this session",
      response: { status: 204 },
      permissions: "authenticated",
      audit: "auth.logout",
      async handler(this: AuthService, ctx: Context<unknown, RequestMeta>) {
        await this.sessions.revokeSession(callerOf(ctx), "logout");
        ctx.meta.$statusCode = 204;
        return null;
      },
    },

    me: {
      rest: "GET /me",
      summary: "The signed-in user",
      response: { body: "User" },
      permissions: "authenticated",
      async handler(ctx: Context<unknown, RequestMeta>) {
        return activeUser(database(), callerOf(ctx).id);
      },
    },

    /** The gateway's token check, for REST requests and socket handshakes alike. */
    authenticate: {
      visibility: "public",
      params: { token: "string" },
      handler(this: AuthService, ctx: Context<{ token: string }>): Promise<Caller> {
        return this.sessions.authenticate(ctx.params.token);
      },
    },

    revokeUserSessions: {
      visibility: "public",
      params: { user_id: "uuid", reason: "string", keep_session_id: { type: "uuid", optional: true } },
      handler(this: AuthService, ctx: Context<{ user_id: string; reason: string; keep_session_id?: string }>) {
        return this.sessions.revokeUserSessions(ctx.params.user_id, ctx.params.reason, ctx.params.keep_session_id);
      },
    },
  },

  // Built at start, not at creation: the database may only exist once the db service has started.
  async started(this: AuthService) {
    const { jwtSecret } = await engineSecrets(database());
    const { limiter, close } = configuredRateLimiter(this.logger);
    this.closeLimiter = close;
    this.sessions = new Sessions(database(), { ...config(), jwtSecret }, limiter, (userId, sessionIds) => {
      // Every gateway node closes the sockets of these sessions.
      inBackground(broadcastEvent(this.broker, "auth.sessions.revoked", { user_id: userId, session_ids: sessionIds }), this.logger);
    });
  },

  async stopped(this: AuthService) {
    await this.closeLimiter?.();
  },
};

export default AuthServiceSchema;

// Logins, refresh-token rotation and session revocation.
//
// A session is one login. Each refresh hands out a new refresh token and marks
// the old one used; presenting a used token again means it was stolen (or
// replayed), so the whole session is revoked. Access tokens name their session
// and stop working the moment it is revoked.
import type { Knex } from "knex";
import { Unauthorized, TooManyRequests } from "../errors";
import { msg } from "../i18n/message";
import { single, type Row } from "../db/tables";
import type { Role, User } from "../models/users";
import type { RateLimiter } from "../rate-limit";
import type { Caller } from "./caller";
import { decoyHash, verifyPassword } from "./passwords";
import { hashRefreshToken, newRefreshToken, readAccessToken, signAccessToken } from "./tokens";
import type { Static } from "@sinclair/typebox";
import type { Tokens as TokensSchema } from "../contract/resources";

export interface AuthSettings {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  loginMaxPerAccount: number;
  loginAccountWindowSeconds: number;
  loginMaxPerIp: number;
  loginIpWindowSeconds: number;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export type TokenResponse = Static<typeof TokensSchema>;

/** Told after a session is revoked, so live sockets of that session can be closed. */
export type RevocationListener = (userId: string, sessionIds: string[]) => void;

type Rotation = { tokens: TokenResponse } | { error: Unauthorized; revoked?: { userId: string; sessionId: string } };

const INVALID_CREDENTIALS = () => new Unauthorized("INVALID_CREDENTIALS", msg("auth.invalidCredentials"));
const INVALID_REFRESH = () => new Unauthorized("REFRESH_TOKEN_INVALID", msg("auth.refreshInvalid"));

export class Sessions {
  constructor(
    private readonly knex: Knex,
    private readonly settings: AuthSettings,
    private readonly limiter: RateLimiter,
    private readonly onRevoked: RevocationListener = () => undefined,
  ) {}

  async login(email: string, password: string, client: ClientInfo): Promise<TokenResponse> {
    const normalised = email.trim().toLowerCase();
    await this.throttle(`login:ip:${client.ip ?? "unknown"}`, this.settings.loginMaxPerIp, this.settings.loginIpWindowSeconds);
    const accountKey = `login:account:${normalised}`;
    await this.throttle(accountKey, this.settings.loginMaxPerAccount, this.settings.loginAccountWindowSeconds);

    const user = await this.knex("users").whereRaw("lower(email) = ?", [normalised]).whereNull("deleted_at").first();
    // Unknown emails cost the same hash as wrong passwords, so timing tells nothing.
    const valid = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
    if (!user || !valid || !user.is_active) throw INVALID_CREDENTIALS();

    await this.limiter.reset(accountKey);
    return this.knex.transaction(async (trx) => {
      const session = single(
        await trx("auth_sessions")
          .insert({ user_id: user.id, ip: client.ip ?? null, user_agent: client.userAgent?.slice(0, 500) ?? null, expires_at: this.refreshExpiry() })
          .returning("id"),
        "new session",
      );
      return this.issue(trx, user, session.id);
    });
  }

  async refresh(token: string): Promise<TokenResponse> {
    // A failure may still have to commit (revoking a family on reuse), so the
    // transaction returns it and it is thrown only after the commit.
    const rotation = await this.rotate(token);
    if ("tokens" in rotation) return rotation.tokens;
    if (rotation.revoked) this.onRevoked(rotation.revoked.userId, [rotation.revoked.sessionId]);
    throw rotation.error;
  }

  private rotate(token: string): Promise<Rotation> {
    return this.knex.transaction(async (trx): Promise<Rotation> => {
      const stored = await trx("refresh_tokens").where("token_hash", hashRefreshToken(token)).forUpdate().first();
      if (!stored) return { error: INVALID_REFRESH() };
      const session = await trx("auth_sessions").where({ id: stored.session_id }).forUpdate().first();
      if (!session || session.revoked_at) return { error: new Unauthorized("SESSION_REVOKED", msg("auth.sessionEnded")) };

      if (stored.used_at) {
        await this.revokeWith(trx, [session.id], "refresh_token_reused");
        return {
          error: new Unauthorized("REFRESH_TOKEN_REUSED", msg("auth.refreshReused")),
          revoked: { userId: session.user_id, sessionId: session.id },
        };
      }
      const now = new Date();
      if (stored.expires_at <= now || session.expires_at <= now) {
        return { error: new Unauthorized("REFRESH_TOKEN_EXPIRED", msg("auth.refreshExpired")) };
      }
      const user = await trx("users").where({ id: session.user_id }).first();
      if (!user || user.deleted_at || !user.is_active) {
        await this.revokeWith(trx, [session.id], "user_disabled");
        return { error: INVALID_REFRESH(), revoked: { userId: session.user_id, sessionId: session.id } };
      }

      await trx("refresh_tokens").update({ used_at: now }).where("id", stored.id);
      await trx("auth_sessions").update({ last_used_at: now, expires_at: this.refreshExpiry() }).where("id", session.id);
      return { tokens: await this.issue(trx, user, session.id) };
    });
  }

  /** Turns an access token into the caller it belongs to, checking that its session is still alive. */
  async authenticate(token: string): Promise<Caller> {
    const claims = readAccessToken(token, this.settings.jwtSecret);
    const row = await this.knex("auth_sessions as s")
      .join("users as u", "u.id", "s.user_id")
      .where("s.id", claims.sid)
      .andWhere("u.id", claims.sub)
      .first<
        | { id: string; role: Role; name: string; email: string; is_active: boolean; deleted_at: Date | null; revoked_at: Date | null; expires_at: Date }
        | undefined
      >("u.id", "u.role", "u.name", "u.email", "u.is_active", "u.deleted_at", "s.revoked_at", "s.expires_at");
    if (!row || row.revoked_at || row.expires_at <= new Date()) {
      throw new Unauthorized("SESSION_REVOKED", msg("auth.sessionEnded"));
    }
    if (!row.is_active || row.deleted_at) throw new Unauthorized("USER_DISABLED", msg("auth.userDisabled"));
    return { id: row.id, role: row.role, name: row.name, email: row.email, sessionId: claims.sid, tokenExpiresAt: claims.expiresAt };
  }

  async revokeSession(caller: Caller, reason: string): Promise<void> {
    await this.revokeWith(this.knex, [caller.sessionId], reason);
    this.onRevoked(caller.id, [caller.sessionId]);
  }

  /** Ends every live session of a user (optionally but one); returns the ids ended. */
  async revokeUserSessions(userId: string, reason: string, keepSessionId?: string): Promise<string[]> {
    const query = this.knex("auth_sessions").select("id").where("user_id", userId).whereNull("revoked_at");
    if (keepSessionId) query.whereNot("id", keepSessionId);
    const ids = (await query).map((session) => session.id);
    await this.revokeWith(this.knex, ids, reason);
    if (ids.length > 0) this.onRevoked(userId, ids);
    return ids;
  }

  private async revokeWith(db: Knex, sessionIds: string[], reason: string): Promise<void> {
    if (sessionIds.length === 0) return;
    await db("auth_sessions").update({ revoked_at: new Date(), revoked_reason: reason }).whereIn("id", sessionIds).whereNull("revoked_at");
  }

  private async issue(trx: Knex.Transaction, user: Row<User>, sessionId: string): Promise<TokenResponse> {
    const refreshToken = newRefreshToken();
    await trx("refresh_tokens").insert({
      session_id: sessionId,
      token_hash: hashRefreshToken(refreshToken),
      expires_at: this.refreshExpiry(),
    });
    return {
      access_token: signAccessToken({ sub: user.id, sid: sessionId }, this.settings.jwtSecret, this.settings.accessTokenTtlSeconds),
      token_type: "bearer",
      expires_in: this.settings.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      user: { id: user.id, email: user.email, name: user.name, role: user.role },
    };
  }

  private refreshExpiry(): Date {
    return new Date(Date.now() + this.settings.refreshTokenTtlSeconds * 1000);
  }

  private async throttle(key: string, limit: number, windowSeconds: number): Promise<void> {
    const result = await this.limiter.hit(key, limit, windowSeconds);
    if (!result.allowed) throw new TooManyRequests(result.retryAfterSeconds, msg("auth.tooManyLogins"));
  }
}

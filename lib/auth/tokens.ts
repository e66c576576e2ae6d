// Access tokens are short-lived JWTs naming the user and the session; refresh
// tokens are opaque random strings of which only a hash is stored.
import { createHash, randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import { Unauthorized } from "../errors";
import { msg } from "../i18n/message";

export interface AccessClaims {
  sub: string;
  sid: string;
}

/** What a verified access token says, with when it stops being valid (ms since the epoch). */
export interface VerifiedAccess extends AccessClaims {
  expiresAt: number;
}

const ISSUER = "charla";

export function signAccessToken(claims: AccessClaims, secret: string, ttlSeconds: number): string {
  return jwt.sign({ sid: claims.sid }, secret, {
    subject: claims.sub,
    expiresIn: ttlSeconds,
    issuer: ISSUER,
    algorithm: "HS256",
  });
}

/** Accepts the token with or without its "Bearer " prefix. */
export function readAccessToken(token: string, secret: string): VerifiedAccess {
  const raw = token.replace(/^Bearer\s+/i, "").trim();
  if (!raw) throw new Unauthorized("TOKEN_MISSING");
  try {
    const payload = jwt.verify(raw, secret, { issuer: ISSUER, algorithms: ["HS256"] });
    if (typeof payload === "string" || typeof payload.sub !== "string" || typeof payload.sid !== "string" || typeof payload.exp !== "number") {
      throw new Unauthorized("TOKEN_INVALID", msg("gateway.tokenInvalid"));
    }
    return { sub: payload.sub, sid: payload.sid, expiresAt: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new Unauthorized("TOKEN_EXPIRED", msg("auth.tokenExpired"));
    if (err instanceof Unauthorized) throw err;
    throw new Unauthorized("TOKEN_INVALID", msg("gateway.tokenInvalid"));
  }
}

export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

import { database } from "../lib/db/connection";
import jwt from "jsonwebtoken";
import { ADMIN, expiredCopyOf, harness } from "./support/harness";

const h = harness({
  env: { LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: "5", LOGIN_MAX_ATTEMPTS_PER_IP: "8", CORS_ORIGINS: "https://inbox.example" },
});

describe("login", () => {
  it("answers with the seed's shape plus refresh_token and expires_in", async () => {
    const res = await h.request("POST", "/api/auth/login", { body: { email: ADMIN.email, password: ADMIN.password } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token_type", "user"]);
    expect(res.body.token_type).toBe("bearer");
    expect(res.body.expires_in).toBe(900);
    expect(Object.keys(res.body.user).sort()).toEqual(["email", "id", "name", "role"]);
    expect(res.body.user).toMatchObject({ email: ADMIN.email, role: "admin" });
  });

  it("accepts the email in any case", async () => {
    const res = await h.request("POST", "/api/auth/login", { body: { email: ADMIN.email.toUpperCase(), password: ADMIN.password } });
    expect(res.status).toBe(200);
  });

  it("gives the same error for an unknown email and a wrong password", async () => {
    const wrong = await h.request("POST", "/api/auth/login", { body: { email: ADMIN.email, password: "not-it" } });
    const unknown = await h.request("POST", "/api/auth/login", { body: { email: "nobody@test.local", password: "not-it" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.detail).toEqual({ code: "INVALID_CREDENTIALS", message: expect.any(String), field: null });
  });

  it("validates the body with 422 and the field", async () => {
    const res = await h.request("POST", "/api/auth/login", { body: { password: "x" } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatchObject({ code: "VALIDATION_ERROR", field: "email" });
  });

  it("answers malformed JSON with 400 and never a stack trace", async () => {
    const res = await h.request("POST", "/api/auth/login", {
      rawBody: '{"email": "a@b.c", ',
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatchObject({ code: "MALFORMED_JSON", field: null });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it("refuses bodies that are not JSON with 415", async () => {
    const res = await h.request("POST", "/api/auth/login", {
      rawBody: "email=a@b.c&password=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(415);
    expect(res.body.detail.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses oversized bodies with 413", async () => {
    const res = await h.request("POST", "/api/auth/login", {
      body: { email: ADMIN.email, password: "x".repeat(2 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.detail.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses deactivated and deleted users with the same error", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    await admin.put(`/api/users/${agent.user.id}`, { is_active: false });
    const disabled = await h.request("POST", "/api/auth/login", { body: { email: agent.user.email, password: "password-123" } });
    expect(disabled.status).toBe(401);
    expect(disabled.body.detail.code).toBe("INVALID_CREDENTIALS");

    const other = await h.as("agent");
    await admin.delete(`/api/users/${other.user.id}`);
    const deleted = await h.request("POST", "/api/auth/login", { body: { email: other.user.email, password: "password-123" } });
    expect(deleted.status).toBe(401);
  });

  it("limits attempts per account with 429 and Retry-After, and a success resets the count", async () => {
    const agent = await h.as("agent");
    const attempt = (password: string) => h.request("POST", "/api/auth/login", { body: { email: agent.user.email, password } });
    for (let i = 0; i < 4; i += 1) expect((await attempt("wrong")).status).toBe(401);
    expect((await attempt("password-123")).status).toBe(200);
    for (let i = 0; i < 5; i += 1) expect((await attempt("wrong")).status).toBe(401);
    const limited = await attempt("password-123");
    expect(limited.status).toBe(429);
    expect(limited.body.detail.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("limits attempts per client address", async () => {
    const ip = "192.0.2.77";
    const attempt = () =>
      h.request("POST", "/api/auth/login", {
        body: { email: `someone${Math.random()}@test.local`, password: "x" },
        headers: { "x-forwarded-for": ip },
      });
    for (let i = 0; i < 8; i += 1) expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
  });
});

describe("me", () => {
  it("returns the caller", async () => {
    const admin = await h.admin();
    const res = await admin.get("/api/auth/me");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: admin.user.id, email: ADMIN.email, role: "admin", status: expect.any(String) });
    expect(res.body.password_hash).toBeUndefined();
  });

  it("needs a token", async () => {
    const res = await h.request("GET", "/api/auth/me");
    expect(res.status).toBe(401);
    expect(res.body.detail).toEqual({ code: "TOKEN_MISSING", message: expect.any(String), field: null });
  });

  it("refuses a forged token", async () => {
    const forged = jwt.sign({ sid: "x" }, "another-secret", { subject: "y", issuer: "charla" });
    const res = await h.request("GET", "/api/auth/me", { token: forged });
    expect(res.status).toBe(401);
    expect(res.body.detail.code).toBe("TOKEN_INVALID");
    const garbage = await h.request("GET", "/api/auth/me", { token: "garbage" });
    expect(garbage.body.detail.code).toBe("TOKEN_INVALID");
  });

  it("refuses an expired token", async () => {
    const admin = await h.admin();
    const expired = expiredCopyOf(admin.token);
    const res = await h.request("GET", "/api/auth/me", { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.detail.code).toBe("TOKEN_EXPIRED");
  });
});

describe("refresh", () => {
  it("rotates: a new pair each time, answered like login", async () => {
    const admin = await h.admin();
    const res = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: admin.refreshToken } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "bearer", expires_in: 900, user: { id: admin.user.id } });
    expect(res.body.refresh_token).not.toBe(admin.refreshToken);
    const me = await h.request("GET", "/api/auth/me", { token: res.body.access_token });
    expect(me.status).toBe(200);
  });

  it("revokes the whole family when a used refresh token comes back", async () => {
    const admin = await h.admin();
    const first = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: admin.refreshToken } });
    expect(first.status).toBe(200);

    const replay = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: admin.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.detail.code).toBe("REFRESH_TOKEN_REUSED");

    // The legitimate descendant and every access token of the session stop working too.
    const descendant = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: first.body.refresh_token } });
    expect(descendant.status).toBe(401);
    expect((await h.request("GET", "/api/auth/me", { token: first.body.access_token })).status).toBe(401);
    expect((await admin.get("/api/auth/me")).status).toBe(401);
  });

  it("refuses unknown tokens with 401 and missing ones with 422", async () => {
    const unknown = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: "x".repeat(43) } });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail.code).toBe("REFRESH_TOKEN_INVALID");
    const missing = await h.request("POST", "/api/auth/refresh", { body: {} });
    expect(missing.status).toBe(422);
    expect(missing.body.detail.field).toBe("refresh_token");
  });
});

describe("logout", () => {
  it("ends the session: the access token and the refresh token stop working", async () => {
    const admin = await h.admin();
    const res = await admin.post("/api/auth/logout");
    expect(res.status).toBe(204);
    const me = await admin.get("/api/auth/me");
    expect(me.status).toBe(401);
    expect(me.body.detail.code).toBe("SESSION_REVOKED");
    const refresh = await h.request("POST", "/api/auth/refresh", { body: { refresh_token: admin.refreshToken } });
    expect(refresh.status).toBe(401);
  });

  it("leaves the user's other sessions alone", async () => {
    const first = await h.admin();
    const second = await h.admin();
    await first.post("/api/auth/logout");
    expect((await second.get("/api/auth/me")).status).toBe(200);
  });

  it("needs a token", async () => {
    const res = await h.request("POST", "/api/auth/logout", { body: {} });
    expect(res.status).toBe(401);
  });
});

describe("gateway", () => {
  it("serves liveness and readiness without a token", async () => {
    expect((await h.request("GET", "/api/health")).body).toEqual({ status: "ok" });
    const ready = await h.request("GET", "/api/ready");
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: "ready", checks: { routes: "ok", database: "ok", redis: "ok" } });
  });

  it("answers unknown routes with 404 in the error format", async () => {
    const res = await h.request("GET", "/api/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.detail).toMatchObject({ code: "NOT_FOUND", field: null });
  });

  it("checks the token before the body: no token and a bad body is 401, not 422", async () => {
    const res = await h.request("POST", "/api/users", { body: { email: "not-an-email" } });
    expect(res.status).toBe(401);
  });

  it("answers CORS preflights for the configured origins only", async () => {
    const preflight = (origin: string) =>
      h.request("OPTIONS", "/api/auth/login", {
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
    const allowed = await preflight("https://inbox.example");
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://inbox.example");
    const other = await preflight("https://evil.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("echoes the request id", async () => {
    const res = await h.request("GET", "/api/health", { headers: { "x-request-id": "req-123" } });
    expect(res.headers.get("x-request-id")).toBe("req-123");
  });

  it("records logins and logouts in the audit log", async () => {
    const admin = await h.admin();
    await admin.post("/api/auth/logout");
    const rows: Array<{ action: string }> = await database()("audit_log").where({ actor_user_id: admin.user.id }).select("action");
    expect(rows.map((row) => row.action)).toEqual(expect.arrayContaining(["auth.login", "auth.logout"]));
  });

  it("records failed logins with the email tried and the client address", async () => {
    const res = await h.request("POST", "/api/auth/login", {
      body: { email: "Nobody-Here@test.local", password: "wrong" },
      headers: { "x-forwarded-for": "10.9.8.7" },
    });
    expect(res.status).toBe(401);
    const row = await database()("audit_log").where({ action: "auth.login_failed" }).orderBy("created_at", "desc").first();
    expect(row).toMatchObject({ actor_user_id: null, ip: "10.9.8.7", data: { email: "nobody-here@test.local" } });
    expect(row!.request_id).toEqual(expect.any(String));
  });
});

import { database } from "../lib/db/connection";
import { ADMIN, harness } from "./support/harness";

const h = harness();
const MISSING = "00000000-0000-4000-8000-000000000000";

describe("creating users", () => {
  it("lets an admin create a user, answering 201 without the password", async () => {
    const admin = await h.admin();
    const res = await admin.post("/api/users", { email: "Nuevo@Empresa.com", password: "password123", name: "Nuevo Usuario", role: "agent" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: "nuevo@empresa.com", name: "Nuevo Usuario", role: "agent", status: "offline", is_active: true });
    expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.password).toBeUndefined();
    expect(res.body.password_hash).toBeUndefined();
  });

  it("refuses an email already used, whatever its case, with 409 on the email field", async () => {
    const admin = await h.admin();
    await admin.post("/api/users", { email: "dup@test.local", password: "password123", name: "A", role: "agent" });
    const res = await admin.post("/api/users", { email: "DUP@test.local", password: "password123", name: "B", role: "agent" });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatchObject({ code: "CONFLICT", field: "email" });
  });

  it("never creates two users for one email under concurrency", async () => {
    const admin = await h.admin();
    const body = { email: "race@test.local", password: "password123", name: "Race", role: "agent" };
    const results = await Promise.all([1, 2, 3, 4].map(() => admin.post("/api/users", body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const rows = await database()("users").whereRaw("lower(email) = ?", ["race@test.local"]);
    expect(rows).toHaveLength(1);
  });

  it.each([
    [{ password: "password123", name: "X", role: "agent" }, "email"],
    [{ email: "not-an-email", password: "password123", name: "X", role: "agent" }, "email"],
    [{ email: "a@test.local", password: "short", name: "X", role: "agent" }, "password"],
    [{ email: "a@test.local", password: "password123", name: "", role: "agent" }, "name"],
    [{ email: "a@test.local", password: "password123", name: "X", role: "owner" }, "role"],
  ])("validates %j with 422 on %s", async (body, field) => {
    const admin = await h.admin();
    const res = await admin.post("/api/users", body);
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatchObject({ code: "VALIDATION_ERROR", field });
  });

  it("is for admins only", async () => {
    const body = { email: "x@test.local", password: "password123", name: "X", role: "agent" };
    for (const role of ["supervisor", "agent"] as const) {
      const res = await (await h.as(role)).post("/api/users", body);
      expect(res.status).toBe(403);
      expect(res.body.detail.code).toBe("FORBIDDEN");
    }
    expect((await h.request("POST", "/api/users", { body })).status).toBe(401);
  });
});

describe("listing users", () => {
  it("pages with items, total, page and limit, 20 by default", async () => {
    const admin = await h.admin();
    const res = await admin.get("/api/users");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, limit: 20, total: expect.any(Number), items: expect.any(Array) });
    const small = await admin.get("/api/users?limit=1&page=2");
    expect(small.body.items).toHaveLength(1);
    expect(small.body).toMatchObject({ page: 2, limit: 1, total: res.body.total });
  });

  it("filters by role and status", async () => {
    const admin = await h.admin();
    const supervisor = await h.as("supervisor");
    await supervisor.put(`/api/users/${supervisor.user.id}/status`, { status: "away" });
    const byRole = await admin.get("/api/users?role=supervisor");
    expect(byRole.body.items.length).toBeGreaterThan(0);
    expect(byRole.body.items.every((u: { role: string }) => u.role === "supervisor")).toBe(true);
    const byStatus = await admin.get("/api/users?status=away");
    expect(byStatus.body.items.map((u: { id: string }) => u.id)).toContain(supervisor.user.id);
    expect(byStatus.body.items.every((u: { status: string }) => u.status === "away")).toBe(true);
  });

  it.each([
    ["limit=101", "limit"],
    ["limit=0", "limit"],
    ["page=0", "page"],
    ["page=abc", "page"],
    ["role=owner", "role"],
    ["status=busy", "status"],
  ])("refuses ?%s with 422", async (query, field) => {
    const res = await (await h.admin()).get(`/api/users?${query}`);
    expect(res.status).toBe(422);
    expect(res.body.detail.field).toBe(field);
  });

  it("lets supervisors read and refuses agents", async () => {
    expect((await (await h.as("supervisor")).get("/api/users")).status).toBe(200);
    expect((await (await h.as("agent")).get("/api/users")).status).toBe(403);
    expect((await h.request("GET", "/api/users")).status).toBe(401);
  });
});

describe("reading one user", () => {
  it("lets admins and supervisors read anyone, agents only themselves", async () => {
    const agent = await h.as("agent");
    const other = await h.as("agent");
    expect((await (await h.admin()).get(`/api/users/${agent.user.id}`)).status).toBe(200);
    expect((await (await h.as("supervisor")).get(`/api/users/${agent.user.id}`)).status).toBe(200);
    expect((await agent.get(`/api/users/${agent.user.id}`)).body).toMatchObject({ id: agent.user.id });
    expect((await agent.get(`/api/users/${other.user.id}`)).status).toBe(403);
  });

  it("answers 404 for an unknown id and 422 for a malformed one", async () => {
    const admin = await h.admin();
    const missing = await admin.get(`/api/users/${MISSING}`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail.code).toBe("NOT_FOUND");
    const malformed = await admin.get("/api/users/not-a-uuid");
    expect(malformed.status).toBe(422);
    expect(malformed.body.detail.field).toBe("id");
  });
});

describe("updating users", () => {
  it("lets an admin change role, name and email", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    const res = await admin.put(`/api/users/${agent.user.id}`, { role: "supervisor", name: "Promoted", email: "promoted@test.local" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: "supervisor", name: "Promoted", email: "promoted@test.local" });
    // The new role applies to the user's existing token at once.
    expect((await agent.get("/api/users")).status).toBe(200);
  });

  it("lets users change their own name and password, not their role", async () => {
    const agent = await h.as("agent");
    expect((await agent.put(`/api/users/${agent.user.id}`, { name: "Me" })).body.name).toBe("Me");
    const role = await agent.put(`/api/users/${agent.user.id}`, { role: "admin" });
    expect(role.status).toBe(403);
    expect(role.body.detail.field).toBe("role");
    const active = await agent.put(`/api/users/${agent.user.id}`, { is_active: false });
    expect(active.status).toBe(403);
  });

  it("refuses changes to somebody else unless admin", async () => {
    const agent = await h.as("agent");
    const supervisor = await h.as("supervisor");
    expect((await agent.put(`/api/users/${supervisor.user.id}`, { name: "X" })).status).toBe(403);
    expect((await supervisor.put(`/api/users/${agent.user.id}`, { name: "X" })).status).toBe(403);
  });

  it("ends the user's other sessions when the password changes", async () => {
    const agent = await h.as("agent");
    const elsewhere = await h.login(agent.user.email, "password-123");
    const res = await agent.put(`/api/users/${agent.user.id}`, { password: "new-password-456", current_password: "password-123" });
    expect(res.status).toBe(200);
    expect((await agent.get("/api/auth/me")).status).toBe(200);
    expect((await elsewhere.get("/api/auth/me")).status).toBe(401);
    await h.login(agent.user.email, "new-password-456");
  });

  it("asks for the current password to change one's own, and audits a wrong one", async () => {
    const agent = await h.as("agent");
    const url = `/api/users/${agent.user.id}`;
    const without = await agent.put(url, { password: "new-password-456", name: "Sin clave" });
    expect([without.status, without.body.detail]).toEqual([422, expect.objectContaining({ code: "VALIDATION_ERROR", field: "current_password" })]);
    const wrong = await agent.put(url, { password: "new-password-456", current_password: "not-my-password" });
    expect([wrong.status, wrong.body.detail]).toEqual([422, expect.objectContaining({ code: "VALIDATION_ERROR", field: "current_password" })]);
    const audited = await database()("audit_log").where({ action: "users.password_rejected", resource_id: agent.user.id }).first();
    expect(audited).toMatchObject({ actor_user_id: agent.user.id, resource_type: "users" });
    // Nothing changed: not the password, not the name sent with it.
    expect((await agent.get(url)).body.name).not.toBe("Sin clave");
    await h.login(agent.user.email, "password-123");
    expect((await agent.put(url, { password: "new-password-456", current_password: "password-123" })).status).toBe(200);
    await h.login(agent.user.email, "new-password-456");
  });

  it("asks an admin for their own current password, not for somebody else's", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    const own = await admin.put(`/api/users/${admin.user.id}`, { password: "new-admin-password" });
    expect([own.status, own.body.detail?.field]).toEqual([422, "current_password"]);
    const wrong = await admin.put(`/api/users/${admin.user.id}`, { password: "new-admin-password", current_password: "not-it-at-all" });
    expect([wrong.status, wrong.body.detail?.field]).toEqual([422, "current_password"]);
    await h.login(ADMIN.email, ADMIN.password);
    expect((await admin.put(`/api/users/${agent.user.id}`, { password: "reset-by-admin" })).status).toBe(200);
    await h.login(agent.user.email, "reset-by-admin");
  });

  it("stops guessing the current password after a few wrong tries", async () => {
    const agent = await h.as("agent");
    const url = `/api/users/${agent.user.id}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await agent.put(url, { password: "new-password-456", current_password: `guess-${i}-guess` })).status);
    expect(statuses).toEqual([422, 422, 422, 422, 422, 429]);
    const right = await agent.put(url, { password: "new-password-456", current_password: "password-123" });
    expect([right.status, right.body.detail?.code]).toEqual([429, "RATE_LIMITED"]);
  });

  it("refuses an email another user has with 409", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    const res = await admin.put(`/api/users/${agent.user.id}`, { email: ADMIN.email.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body.detail.field).toBe("email");
  });

  it("validates fields and ids", async () => {
    const admin = await h.admin();
    expect((await admin.put(`/api/users/${admin.user.id}`, { role: "boss" })).status).toBe(422);
    expect((await admin.put(`/api/users/${admin.user.id}`, { password: "short" })).body.detail.field).toBe("password");
    expect((await admin.put(`/api/users/${MISSING}`, { name: "X" })).status).toBe(404);
  });

  it("never demotes or disables the last active admin", async () => {
    const admin = await h.admin();
    // Make this admin the only one, whatever earlier tests created.
    const others = await admin.get("/api/users?role=admin&limit=100");
    for (const other of others.body.items.filter((u: { id: string }) => u.id !== admin.user.id)) {
      await admin.delete(`/api/users/${other.id}`);
    }
    const demote = await admin.put(`/api/users/${admin.user.id}`, { role: "agent" });
    expect(demote.status).toBe(409);
    expect(demote.body.detail).toMatchObject({ code: "LAST_ADMIN", field: "role" });
    expect((await admin.put(`/api/users/${admin.user.id}`, { is_active: false })).status).toBe(409);

    // With a second admin, the first may step down.
    const second = await h.as("admin");
    expect((await admin.put(`/api/users/${admin.user.id}`, { role: "supervisor" })).status).toBe(200);
    expect((await second.put(`/api/users/${admin.user.id}`, { role: "admin" })).status).toBe(200);
    await second.delete(`/api/users/${second.user.id}`);
  });
});

describe("deleting users", () => {
  it("soft-deletes: the user disappears from the API, their sessions end, their row stays", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    const res = await admin.delete(`/api/users/${agent.user.id}`);
    expect(res.status).toBe(204);
    expect((await admin.get(`/api/users/${agent.user.id}`)).status).toBe(404);
    expect((await agent.get("/api/auth/me")).status).toBe(401);
    const row = await database()("users").where({ id: agent.user.id }).first();
    expect(row!.deleted_at).not.toBeNull();
    // The email is free again.
    const again = await admin.post("/api/users", { email: agent.user.email, password: "password123", name: "Again", role: "agent" });
    expect(again.status).toBe(201);
  });

  it("refuses to delete the last admin", async () => {
    const admin = await h.admin();
    const res = await admin.delete(`/api/users/${admin.user.id}`);
    expect(res.status).toBe(409);
    expect(res.body.detail.code).toBe("LAST_ADMIN");
    // A deletion has no field that could be blamed.
    expect(res.body.detail.field).toBeNull();
    // Switching the last admin off names the field that would do it.
    const off = await admin.put(`/api/users/${admin.user.id}`, { is_active: false });
    expect(off.status).toBe(409);
    expect(off.body.detail).toMatchObject({ code: "LAST_ADMIN", field: "is_active" });
  });

  it("is for admins only, and answers 404 for unknown users", async () => {
    const agent = await h.as("agent");
    const supervisor = await h.as("supervisor");
    expect((await supervisor.delete(`/api/users/${agent.user.id}`)).status).toBe(403);
    expect((await agent.delete(`/api/users/${agent.user.id}`)).status).toBe(403);
    expect((await (await h.admin()).delete(`/api/users/${MISSING}`)).status).toBe(404);
  });

  it("is recorded in the audit log with the actor", async () => {
    const admin = await h.admin();
    const agent = await h.as("agent");
    await admin.delete(`/api/users/${agent.user.id}`);
    const entry = await database()("audit_log").where({ action: "users.delete", resource_id: agent.user.id }).first();
    expect(entry).toMatchObject({ actor_user_id: admin.user.id, resource_type: "users" });
  });
});

describe("user status", () => {
  it("lets users set their own status", async () => {
    const agent = await h.as("agent");
    const res = await agent.put(`/api/users/${agent.user.id}/status`, { status: "away" });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("away");
  });

  it("lets admins set anyone's, refuses others", async () => {
    const agent = await h.as("agent");
    const other = await h.as("agent");
    const supervisor = await h.as("supervisor");
    expect((await (await h.admin()).put(`/api/users/${agent.user.id}/status`, { status: "online" })).body.status).toBe("online");
    expect((await other.put(`/api/users/${agent.user.id}/status`, { status: "away" })).status).toBe(403);
    expect((await supervisor.put(`/api/users/${agent.user.id}/status`, { status: "away" })).status).toBe(403);
  });

  it("validates the status", async () => {
    const agent = await h.as("agent");
    const res = await agent.put(`/api/users/${agent.user.id}/status`, { status: "busy" });
    expect(res.status).toBe(422);
    expect(res.body.detail.field).toBe("status");
    expect((await agent.put(`/api/users/${agent.user.id}/status`, {})).status).toBe(422);
  });
});

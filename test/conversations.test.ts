// /api/conversations: the lifecycle, its history, who sees what, and what is refused.
import { database } from "../lib/db/connection";
import { harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";

const h = harness({ env: { WHATSAPP_SEND_INTERVAL_MS: "0" } });
let admin: Client;
let accountId: string;
let phones = 0;
const newPhone = () => `+5255700${String(++phones).padStart(5, "0")}`;

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
});

describe("a conversation's lifecycle", () => {
  it("goes bot → waiting → active → resolved → reopened, each step in its history with who, from and to", async () => {
    const agent = await h.as("agent", "María García");
    const queue = await queueWith([{ id: agent.user.id }], "Ventas");
    const phone = newPhone();
    const id = await customerWrites(admin, accountId, phone, "Hola", "Juan Pérez");

    const fresh = await admin.get(`/api/conversations/${id}`);
    expect(fresh.status).toBe(200);
    expect(fresh.body).toEqual({
      id,
      contact: { id: expect.any(String), name: "Juan Pérez", phone_number: phone },
      whatsapp_account: { id: accountId, name: "Ventas" },
      status: "bot",
      priority: "normal",
      assigned_to: null,
      queue: null,
      current_flow: null,
      required_skills: [],
      sla_first_response_met: null,
      sla_first_response_due_at: null,
      sla_resolution_met: null,
      sla_resolution_due_at: null,
      queued_at: null,
      assigned_at: null,
      first_response_at: null,
      resolved_at: null,
      resolution_note: null,
      last_message_at: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
      version: expect.any(Number),
    });

    const transferred = await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });
    expect(transferred.body).toMatchObject({ status: "waiting", queue: { id: queue, name: "Ventas" }, assigned_to: null });
    const assigned = await agent.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ status: "active", assigned_to: { id: agent.user.id, name: "María García" } });
    const resolved = await agent.post(`/api/conversations/${id}/resolve`, { resolution_note: "Problema resuelto" });
    expect(resolved.body).toMatchObject({ status: "resolved", resolution_note: "Problema resuelto", resolved_at: expect.any(String) });
    const reopened = await agent.post(`/api/conversations/${id}/reopen`);
    expect(reopened.body).toMatchObject({ status: "active", assigned_to: { id: agent.user.id }, resolved_at: null, resolution_note: null });

    const history = await agent.get(`/api/conversations/${id}/events`);
    expect(history.body.items.map((e: { kind: string; from_status: string; to_status: string }) => [e.kind, e.from_status, e.to_status])).toEqual([
      ["opened", null, "bot"],
      ["transferred", "bot", "waiting"],
      ["assigned", "waiting", "active"],
      ["resolved", "active", "resolved"],
      ["reopened", "resolved", "active"],
    ]);
    expect(history.body.items[1].actor).toEqual({ id: admin.user.id, name: expect.any(String) });
    expect(history.body.items[3]).toMatchObject({ actor: { id: agent.user.id, name: "María García" }, data: { note: "Problema resuelto" } });
  });

  it("changes nothing, and records nothing, when asked for what already is", async () => {
    const agent = await h.as("agent");
    const id = await customerWrites(admin, accountId, newPhone());
    await admin.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id });
    const again = await admin.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id });
    expect(again.status).toBe(200);
    expect(await database()("conversation_events").where({ conversation_id: id, kind: "assigned" }).count()).toEqual([{ count: "1" }]);
  });

  it("refuses steps the lifecycle does not allow", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const reopenOpen = await admin.post(`/api/conversations/${id}/reopen`);
    expect(reopenOpen.status).toBe(409);
    expect(reopenOpen.body.detail.code).toBe("INVALID_TRANSITION");
    await admin.post(`/api/conversations/${id}/resolve`, {});
    const resolveTwice = await admin.post(`/api/conversations/${id}/resolve`, {});
    expect(resolveTwice.status).toBe(409);
    expect(resolveTwice.body.detail).toMatchObject({ code: "INVALID_TRANSITION", message: "A conversation that is resolved cannot be resolved" });
    expect((await admin.post(`/api/conversations/${id}/assign`, { user_id: admin.user.id })).status).toBe(409);
  });

  it("will not reopen a conversation while the contact has another open one on the account", async () => {
    const phone = newPhone();
    const first = await customerWrites(admin, accountId, phone);
    await admin.post(`/api/conversations/${first}/resolve`, {});
    const second = await customerWrites(admin, accountId, phone, "Otra pregunta");
    expect(second).not.toBe(first);
    const res = await admin.post(`/api/conversations/${first}/reopen`);
    expect(res.status).toBe(409);
    expect(res.body.detail.code).toBe("CONVERSATION_OPEN");
    expect((await admin.get(`/api/conversations/${first}`)).body.status).toBe("resolved");
  });

  it("changes the priority and filters by it", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const res = await admin.put(`/api/conversations/${id}`, { priority: "urgent" });
    expect(res.body.priority).toBe("urgent");
    const urgent = await admin.get("/api/conversations?priority=urgent");
    expect(urgent.body.items.map((c: { id: string }) => c.id)).toEqual([id]);
    const history = await admin.get(`/api/conversations/${id}/events`);
    expect(history.body.items.at(-1)).toMatchObject({ kind: "priority_changed", data: { from: "normal", to: "urgent" } });
    // Priority and skills together: both are recorded.
    const both = await admin.put(`/api/conversations/${id}`, { priority: "low", required_skills: ["Facturación"] });
    expect(both.body).toMatchObject({ priority: "low", required_skills: ["facturación"] });
    const after = (await admin.get(`/api/conversations/${id}/events`)).body.items as Array<{ kind: string; data: unknown }>;
    // Written at the same moment, in either order.
    expect(after.slice(-2)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "priority_changed", data: { from: "urgent", to: "low" } }),
        expect.objectContaining({ kind: "skills_changed", data: { required_skills: ["facturación"] } }),
      ]),
    );
  });
});

describe("the conversation list", () => {
  it("filters by status, queue and assignee, newest activity first, paginated", async () => {
    const agent = await h.as("agent");
    const queue = await queueWith([]);
    const older = await customerWrites(admin, accountId, newPhone());
    const newer = await customerWrites(admin, accountId, newPhone());
    await admin.post(`/api/conversations/${older}/transfer`, { queue_id: queue });
    await admin.post(`/api/conversations/${newer}/transfer`, { queue_id: queue });
    await admin.post(`/api/conversations/${newer}/assign`, { user_id: agent.user.id });
    // The older one gets a new message: it comes first now.
    await database()("conversations")
      .where({ id: older })
      .update({ last_message_at: new Date(Date.now() + 60_000) });

    const inQueue = await admin.get(`/api/conversations?queue_id=${queue}`);
    expect(inQueue.body).toMatchObject({ total: 2, page: 1 });
    expect(inQueue.body.items.map((c: { id: string }) => c.id)).toEqual([older, newer]);
    expect(inQueue.body.items[0]).toHaveProperty("contact.phone_number");
    const waiting = await admin.get(`/api/conversations?queue_id=${queue}&status=waiting`);
    expect(waiting.body.items.map((c: { id: string }) => c.id)).toEqual([older]);
    const mine = await admin.get(`/api/conversations?assigned_to=${agent.user.id}`);
    expect(mine.body.items.map((c: { id: string }) => c.id)).toEqual([newer]);
    const page2 = await admin.get(`/api/conversations?queue_id=${queue}&limit=1&page=2`);
    expect(page2.body.items.map((c: { id: string }) => c.id)).toEqual([newer]);
  });
});

describe("who sees what", () => {
  it("shows agents and supervisors their queues' conversations and their own, admins everything", async () => {
    const member = await h.as("agent");
    const outsider = await h.as("agent");
    const supervisor = await h.as("supervisor");
    const queue = await queueWith([{ id: member.user.id }, { id: supervisor.user.id, supervisor: true }]);
    const queued = await customerWrites(admin, accountId, newPhone());
    const unqueued = await customerWrites(admin, accountId, newPhone());
    const outsiders = await customerWrites(admin, accountId, newPhone());
    await admin.post(`/api/conversations/${queued}/transfer`, { queue_id: queue });
    await admin.post(`/api/conversations/${outsiders}/assign`, { user_id: outsider.user.id });

    const ids = async (client: Client) => ((await client.get("/api/conversations?limit=100")).body.items as Array<{ id: string }>).map((c) => c.id);
    expect(await ids(member)).toEqual([queued]);
    expect(await ids(supervisor)).toEqual([queued]);
    expect(await ids(outsider)).toEqual([outsiders]);
    expect(await ids(admin)).toEqual(expect.arrayContaining([queued, unqueued, outsiders]));

    for (const [client, id] of [
      [member, unqueued],
      [outsider, queued],
      [supervisor, outsiders],
    ] as const) {
      for (const res of [
        await client.get(`/api/conversations/${id}`),
        await client.get(`/api/conversations/${id}/events`),
        await client.get(`/api/conversations/${id}/messages`),
        await client.post(`/api/conversations/${id}/resolve`, {}),
        await client.post(`/api/conversations/${id}/notes`, { content: "x" }),
      ]) {
        expect(res.status).toBe(403);
        expect(res.body.detail.code).toBe("FORBIDDEN");
      }
    }
    expect((await member.get(`/api/conversations/${queued}`)).status).toBe(200);
  });

  it("lets agents take only unassigned conversations for themselves; supervisors assign anyone", async () => {
    const agent = await h.as("agent");
    const colleague = await h.as("agent");
    const supervisor = await h.as("supervisor");
    const queue = await queueWith([{ id: agent.user.id }, { id: colleague.user.id }, { id: supervisor.user.id, supervisor: true }]);
    const id = await customerWrites(admin, accountId, newPhone());
    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });

    const toOther = await agent.post(`/api/conversations/${id}/assign`, { user_id: colleague.user.id });
    expect(toOther.status).toBe(403);
    expect(toOther.body.detail.field).toBe("user_id");
    expect((await agent.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id })).status).toBe(200);
    const takeOver = await colleague.post(`/api/conversations/${id}/assign`, { user_id: colleague.user.id });
    expect(takeOver.status).toBe(403);
    expect((await supervisor.post(`/api/conversations/${id}/assign`, { user_id: colleague.user.id })).body.assigned_to.id).toBe(colleague.user.id);
    // The agent who lost it still sees it: it is in their queue.
    expect((await agent.get(`/api/conversations/${id}`)).status).toBe(200);
  });

  it("asks for a token", async () => {
    expect((await h.request("GET", "/api/conversations")).status).toBe(401);
    expect((await h.request("POST", "/api/conversations/00000000-0000-4000-8000-000000000000/resolve", { body: {} })).status).toBe(401);
  });
});

describe("bad requests", () => {
  it("names the field, and changes nothing", async () => {
    const id = await customerWrites(admin, accountId, newPhone());
    const disabled = await h.as("agent");
    await admin.put(`/api/users/${disabled.user.id}`, { is_active: false });
    const cases: Array<[string, string, unknown, string]> = [
      ["POST", `/api/conversations/${id}/assign`, { user_id: "00000000-0000-4000-8000-000000000000" }, "user_id"],
      ["POST", `/api/conversations/${id}/assign`, { user_id: disabled.user.id }, "user_id"],
      ["POST", `/api/conversations/${id}/assign`, { user_id: "nope" }, "user_id"],
      ["POST", `/api/conversations/${id}/assign`, {}, "user_id"],
      ["POST", `/api/conversations/${id}/transfer`, { queue_id: "00000000-0000-4000-8000-000000000000" }, "queue_id"],
      ["POST", `/api/conversations/${id}/resolve`, { resolution_note: "x".repeat(2001) }, "resolution_note"],
      ["PUT", `/api/conversations/${id}`, { priority: "whenever" }, "priority"],
      ["GET", "/api/conversations?status=open", undefined, "status"],
      ["GET", "/api/conversations?queue_id=1", undefined, "queue_id"],
      ["GET", "/api/conversations?limit=1000", undefined, "limit"],
    ];
    for (const [method, url, body, field] of cases) {
      const res = await h.request(method, url, { token: admin.token, body });
      expect([res.status, res.body.detail.field]).toEqual([422, field]);
    }
    expect((await admin.get(`/api/conversations/${id}`)).body).toMatchObject({ status: "bot", assigned_to: null, priority: "normal" });
    const missing = await admin.get("/api/conversations/00000000-0000-4000-8000-000000000000");
    expect([missing.status, missing.body.detail.code]).toEqual([404, "NOT_FOUND"]);
  });
});

describe("quick replies in a conversation", () => {
  it("renders for the conversation and the agent, and sends when asked", async () => {
    const agent = await h.as("agent", "Laura");
    const queue = await queueWith([{ id: agent.user.id }], `Soporte ${Date.now()}`);
    const otherQueue = await queueWith([]);
    const id = await customerWrites(admin, accountId, newPhone(), "Hola", "Pedro");
    await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queue });
    const reply = (await admin.post("/api/quick-replies", { shortcut: "/hola", content: "Hola {{contact.name}}, soy {{agent.name}} de {{queue.name}}." })).body;
    const hidden = (await admin.post("/api/quick-replies", { shortcut: "/otra", content: "x", queue_id: otherQueue })).body;

    const rendered = await agent.post(`/api/conversations/${id}/quick-replies/${reply.id}/render`, {});
    expect(rendered.status).toBe(200);
    expect(rendered.body).toEqual({ text: expect.stringMatching(/^Hola Pedro, soy Laura de Soporte \d+\.$/), message: null });
    const sent = await agent.post(`/api/conversations/${id}/quick-replies/${reply.id}/render`, { send: true });
    expect(sent.body.message).toMatchObject({ type: "text", content: rendered.body.text, sender: { type: "agent", id: agent.user.id } });

    expect((await agent.post(`/api/conversations/${id}/quick-replies/${hidden.id}/render`, {})).status).toBe(403);
    expect((await agent.post(`/api/conversations/${id}/quick-replies/00000000-0000-4000-8000-000000000000/render`, {})).status).toBe(404);
    expect((await agent.post(`/api/conversations/${id}/quick-replies/${reply.id}/render`, { send: "sí" })).status).toBe(422);
  });
});

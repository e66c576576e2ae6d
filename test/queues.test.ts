// /api/queues and what queues do: automatic assignment, SLA clocks, stats.
import type { ServiceSchema } from "moleculer";
import type { Socket } from "socket.io-client";
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites } from "./support/inbox";
import TimersSchema from "../services/timers.service";

const h = harness({
  env: { WHATSAPP_SEND_INTERVAL_MS: "0", TIMER_POLL_INTERVAL_MS: "100", SLA_WARNING_SECONDS: "1", DEFAULT_TIMEZONE: "America/Mexico_City" },
});
let admin: Client;
let accountId: string;
let phones = 0;
const newPhone = () => `+5255720${String(++phones).padStart(5, "0")}`;
let queues = 0;

const SEED_HOURS = {
  monday: { start: "09:00", end: "18:00" },
  tuesday: { start: "09:00", end: "18:00" },
  wednesday: { start: "09:00", end: "18:00" },
  thursday: { start: "09:00", end: "18:00" },
  friday: { start: "09:00", end: "17:00" },
  saturday: { start: "10:00", end: "14:00" },
  sunday: null,
};

beforeAll(async () => {
  admin = await h.admin();
  accountId = await connectedAccount(admin);
});

async function queue(body: Record<string, unknown> = {}): Promise<string> {
  const res = await admin.post("/api/queues", { name: `Cola ${++queues}`, ...body });
  if (res.status !== 201) throw new Error(`queue: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function onlineAgent(queueId: string, extra: Record<string, unknown> = {}): Promise<Client> {
  const agent = await h.as("agent");
  await admin.put(`/api/users/${agent.user.id}/status`, { status: "online" });
  await admin.post(`/api/queues/${queueId}/agents`, { user_id: agent.user.id, ...extra });
  return agent;
}

async function waitingIn(queueId: string, priority?: string): Promise<string> {
  const id = await customerWrites(admin, accountId, newPhone());
  if (priority) await admin.put(`/api/conversations/${id}`, { priority });
  await admin.post(`/api/conversations/${id}/transfer`, { queue_id: queueId });
  return id;
}

const conversation = async (id: string) => (await admin.get(`/api/conversations/${id}`)).body;
const assigneeOf = async (id: string) => (await conversation(id)).assigned_to?.id as string | undefined;

describe("queues over REST", () => {
  it("creates the seed's queue and gives it back in the same shape", async () => {
    const res = await admin.post("/api/queues", {
      name: "Ventas",
      description: "Cola de atención de ventas",
      assignment_method: "least_busy",
      max_per_agent: 8,
      sla_first_response: 180,
      sla_resolution: 3600,
      business_hours: SEED_HOURS,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/queues/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: "Ventas",
      assignment_method: "least_busy",
      max_per_agent: 8,
      sla_first_response: 180,
      sla_resolution: 3600,
      business_hours: SEED_HOURS,
      timezone: "America/Mexico_City",
      holidays: [],
      fallback_flow_id: null,
      is_open: expect.any(Boolean),
      agents: [],
    });
    const overnight = await admin.put(`/api/queues/${res.body.id}`, {
      business_hours: {
        monday: [
          { start: "08:00", end: "12:00" },
          { start: "22:00", end: "06:00", overnight: true },
        ],
      },
      timezone: "Europe/Madrid",
      holidays: ["2026-12-25"],
    });
    expect(overnight.body).toMatchObject({
      timezone: "Europe/Madrid",
      holidays: ["2026-12-25"],
      business_hours: {
        monday: [
          { start: "08:00", end: "12:00" },
          { start: "22:00", end: "06:00", overnight: true },
        ],
        tuesday: null,
      },
    });
    // null clears the hours: open at all times again.
    const always = await admin.put(`/api/queues/${res.body.id}`, { business_hours: null });
    expect(always.status).toBe(200);
    expect(always.body).toMatchObject({ business_hours: null, is_open: true, holidays: ["2026-12-25"] });
    expect((await admin.post("/api/queues", { name: "ventas" })).status).toBe(409);
  });

  it("names the offending field of bad input, and stores nothing", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ business_hours: { funday: null } }, "business_hours.funday"],
      [{ business_hours: { monday: { start: "25:00", end: "26:00" } } }, "business_hours.monday.start"],
      [{ business_hours: { monday: { start: "18:00", end: "09:00" } } }, "business_hours.monday.end"],
      [{ timezone: "Mars/Olympus" }, "timezone"],
      [{ holidays: ["mañana"] }, "holidays[0]"],
      [{ assignment_method: "random" }, "assignment_method"],
      [{ max_per_agent: 0 }, "max_per_agent"],
      [{ sla_first_response: -5 }, "sla_first_response"],
      [{ fallback_flow_id: "00000000-0000-4000-8000-000000000000" }, "fallback_flow_id"],
      [{ name: "" }, "name"],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post("/api/queues", { name: `Mala ${field}`, ...body });
      expect([res.status, res.body.detail?.field]).toEqual([422, field]);
    }
    expect(await database()("queues").where("name", "like", "Mala%").count()).toEqual([{ count: "0" }]);
  });

  it("lets admins configure, supervisors manage their queues' agents, and everyone read", async () => {
    const id = await queue();
    const supervisor = await h.as("supervisor");
    const otherSupervisor = await h.as("supervisor");
    const agent = await h.as("agent");
    expect((await supervisor.post("/api/queues", { name: "Nope" })).status).toBe(403);
    expect((await agent.put(`/api/queues/${id}`, { name: "Nope" })).status).toBe(403);
    expect((await agent.get(`/api/queues/${id}`)).status).toBe(200);
    expect((await agent.get("/api/queues")).body.total).toBeGreaterThan(0);

    const added = await admin.post(`/api/queues/${id}/agents`, { user_id: supervisor.user.id, is_supervisor: true });
    expect([added.status, added.body]).toEqual([201, expect.objectContaining({ user_id: supervisor.user.id, is_supervisor: true, skills: [] })]);
    const byItsSupervisor = await supervisor.post(`/api/queues/${id}/agents`, { user_id: agent.user.id, skills: ["Ventas", "inglés", "ventas"] });
    expect([byItsSupervisor.status, byItsSupervisor.body.skills]).toEqual([201, ["ventas", "inglés"]]);
    expect((await supervisor.post(`/api/queues/${id}/agents`, { user_id: agent.user.id, skills: [] })).status).toBe(200);
    expect((await otherSupervisor.post(`/api/queues/${id}/agents`, { user_id: otherSupervisor.user.id })).status).toBe(403);
    expect((await agent.post(`/api/queues/${id}/agents`, { user_id: agent.user.id })).status).toBe(403);
    expect((await otherSupervisor.get(`/api/queues/${id}/stats`)).status).toBe(403);
    expect((await supervisor.get(`/api/queues/${id}/stats`)).status).toBe(200);
    expect((await admin.post(`/api/queues/${id}/agents`, { user_id: "00000000-0000-4000-8000-000000000000" })).body.detail.field).toBe("user_id");

    expect((await supervisor.delete(`/api/queues/${id}/agents/${agent.user.id}`)).status).toBe(204);
    expect((await supervisor.delete(`/api/queues/${id}/agents/${agent.user.id}`)).status).toBe(404);
    expect((await h.request("GET", "/api/queues")).status).toBe(401);
  });

  it("leaves granting supervision to admins: a supervisor adds plain agents and cannot touch another supervisor", async () => {
    const id = await queue();
    const supervisor = await h.as("supervisor");
    const colleague = await h.as("supervisor");
    const agent = await h.as("agent");
    const newcomer = await h.as("agent");
    for (const user of [supervisor, colleague]) {
      expect((await admin.post(`/api/queues/${id}/agents`, { user_id: user.user.id, is_supervisor: true })).status).toBe(201);
    }
    expect((await supervisor.post(`/api/queues/${id}/agents`, { user_id: agent.user.id })).status).toBe(201);
    const membership = async (userId: string) =>
      (await database()("queue_agents").where({ queue_id: id, user_id: userId }).first("is_supervisor"))?.is_supervisor;

    // Making a newcomer, or a member, a supervisor.
    for (const user of [newcomer, agent]) {
      const res = await supervisor.post(`/api/queues/${id}/agents`, { user_id: user.user.id, is_supervisor: true });
      expect([res.status, res.body.detail?.code, res.body.detail?.field]).toEqual([403, "FORBIDDEN", "is_supervisor"]);
    }
    expect(await membership(newcomer.user.id)).toBeUndefined();
    expect(await membership(agent.user.id)).toBe(false);

    // Demoting, re-skilling or removing another supervisor.
    for (const body of [{ is_supervisor: false }, { skills: ["ventas"] }, {}]) {
      const res = await supervisor.post(`/api/queues/${id}/agents`, { user_id: colleague.user.id, ...body });
      expect([body, res.status, res.body.detail?.code]).toEqual([body, 403, "FORBIDDEN"]);
    }
    const removal = await supervisor.delete(`/api/queues/${id}/agents/${colleague.user.id}`);
    expect([removal.status, removal.body.detail?.code]).toEqual([403, "FORBIDDEN"]);
    expect(await membership(colleague.user.id)).toBe(true);

    // Their own membership stays theirs: new skills keep them a supervisor (is_supervisor left out keeps it).
    const own = await supervisor.post(`/api/queues/${id}/agents`, { user_id: supervisor.user.id, skills: ["ventas"] });
    expect([own.status, own.body.is_supervisor, own.body.skills]).toEqual([200, true, ["ventas"]]);

    // Admins do all of it.
    expect((await admin.post(`/api/queues/${id}/agents`, { user_id: agent.user.id, is_supervisor: true })).status).toBe(200);
    expect((await admin.post(`/api/queues/${id}/agents`, { user_id: colleague.user.id, is_supervisor: false })).body.is_supervisor).toBe(false);
    expect((await admin.delete(`/api/queues/${id}/agents/${agent.user.id}`)).status).toBe(204);
  });

  it("refuses to delete a queue with open conversations", async () => {
    const id = await queue({ assignment_method: "manual" });
    const waiting = await waitingIn(id);
    const refused = await admin.delete(`/api/queues/${id}`);
    expect([refused.status, refused.body.detail.code]).toEqual([409, "QUEUE_NOT_EMPTY"]);
    await admin.post(`/api/conversations/${waiting}/resolve`, {});
    expect((await admin.delete(`/api/queues/${id}`)).status).toBe(204);
    expect((await admin.get(`/api/queues/${id}`)).status).toBe(404);
  });
});

describe("automatic assignment", () => {
  it("least_busy: the online agent with the fewest active conversations; offline agents skipped", async () => {
    const id = await queue({ assignment_method: "least_busy" });
    const busy = await onlineAgent(id);
    const first = await waitingIn(id);
    await eventually(async () => (await assigneeOf(first)) === busy.user.id);
    const free = await onlineAgent(id);
    const offline = await h.as("agent");
    await admin.post(`/api/queues/${id}/agents`, { user_id: offline.user.id });
    const second = await waitingIn(id);
    await eventually(async () => (await assigneeOf(second)) === free.user.id);
    const history = (await admin.get(`/api/conversations/${second}/events`)).body.items;
    expect(history.at(-1)).toMatchObject({ kind: "assigned", actor: null, data: { method: "least_busy", user_id: free.user.id } });
  });

  it("round_robin: takes turns", async () => {
    const id = await queue({ assignment_method: "round_robin" });
    const a = await onlineAgent(id);
    const b = await onlineAgent(id);
    const assigned: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const conversationId = await waitingIn(id);
      assigned.push(await eventually(() => assigneeOf(conversationId)));
    }
    expect(assigned).toEqual([a.user.id, b.user.id, a.user.id, b.user.id]);
  });

  it("manual: conversations wait for a person to assign them", async () => {
    const id = await queue({ assignment_method: "manual" });
    await onlineAgent(id);
    const waiting = await waitingIn(id);
    await h.broker.call("routing.assign", { queue_id: id });
    expect((await conversation(waiting)).status).toBe("waiting");
  });

  it("respects the cap, serves urgent first then longest waiting, and assigns the moment capacity frees", async () => {
    const id = await queue({ assignment_method: "least_busy", max_per_agent: 1, name: `Tope ${Date.now()}` });
    const agent = await h.as("agent");
    await admin.post(`/api/queues/${id}/agents`, { user_id: agent.user.id });
    const older = await waitingIn(id);
    const newer = await waitingIn(id);
    const urgent = await waitingIn(id, "urgent");
    // Nobody is online: all wait.
    expect((await admin.get(`/api/conversations?queue_id=${id}&status=waiting`)).body.total).toBe(3);
    await admin.put(`/api/users/${agent.user.id}/status`, { status: "online" });
    await eventually(async () => (await assigneeOf(urgent)) === agent.user.id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await assigneeOf(older)).toBeUndefined();
    await agent.post(`/api/conversations/${urgent}/resolve`, {});
    await eventually(async () => (await assigneeOf(older)) === agent.user.id);
    expect(await assigneeOf(newer)).toBeUndefined();
  });

  it("gives a conversation that needs a skill to an agent who has it, and to an agent who joins the queue", async () => {
    const id = await queue();
    await onlineAgent(id);
    const conversationId = await customerWrites(admin, accountId, newPhone());
    await admin.put(`/api/conversations/${conversationId}`, { required_skills: ["Inglés"] });
    await admin.post(`/api/conversations/${conversationId}/transfer`, { queue_id: id });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await assigneeOf(conversationId)).toBeUndefined();
    const speaker = await onlineAgent(id, { skills: ["inglés"] });
    await eventually(async () => (await assigneeOf(conversationId)) === speaker.user.id);
  });
});

describe("SLA clocks", () => {
  let supervisorSocket: Socket;
  const heard: Array<[string, any]> = [];

  beforeAll(async () => {
    const supervisor = await h.as("supervisor");
    const id = await queue({ name: "SLA", assignment_method: "manual", sla_first_response: 2, sla_resolution: 3600 });
    await admin.post(`/api/queues/${id}/agents`, { user_id: supervisor.user.id, is_supervisor: true });
    supervisorSocket = await h.socket({ token: supervisor.token });
    supervisorSocket.onAny((event: string, payload: unknown) => {
      if (event.startsWith("sla_")) heard.push([event, payload]);
    });
  });

  const slaQueue = async () => (await database()("queues").where({ name: "SLA" }).first("id"))!.id;

  it("warns, then marks the breach and tells the queue's supervisors", async () => {
    const id = await waitingIn(await slaQueue());
    const fresh = await conversation(id);
    expect(new Date(fresh.sla_first_response_due_at).getTime() - new Date(fresh.queued_at).getTime()).toBe(2000);
    expect(new Date(fresh.sla_resolution_due_at).getTime() - new Date(fresh.queued_at).getTime()).toBe(3_600_000);
    await eventually(() => heard.some(([event, p]) => event === "sla_breached" && p.conversation_id === id), 6000);
    const events = heard.filter(([, p]) => p.conversation_id === id && p.kind === "first_response").map(([event]) => event);
    expect(events).toEqual(["sla_warning", "sla_breached"]);
    expect((await conversation(id)).sla_first_response_met).toBe(false);
  });

  it("is met by an agent's reply in time, and then never breaches", async () => {
    const id = await waitingIn(await slaQueue());
    await admin.post(`/api/conversations/${id}/assign`, { user_id: admin.user.id });
    await admin.post(`/api/conversations/${id}/messages`, { type: "text", content: "¡Hola!" });
    expect((await conversation(id)).sla_first_response_met).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(heard.filter(([, p]) => p.conversation_id === id)).toEqual([]);
    await admin.post(`/api/conversations/${id}/resolve`, {});
    expect((await conversation(id)).sla_resolution_met).toBe(true);
  });

  it("fires deadlines that came due while no node was running timers", async () => {
    const timers = h.broker.getLocalService("timers");
    await h.broker.destroyService(timers);
    const id = await waitingIn(await slaQueue());
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(heard.filter(([, p]) => p.conversation_id === id)).toEqual([]);
    // The timer service comes back (as after a restart): the deadline that passed meanwhile fires.
    h.broker.createService(TimersSchema as unknown as ServiceSchema);
    await eventually(() => heard.some(([event, p]) => event === "sla_breached" && p.conversation_id === id), 6000);
    expect((await conversation(id)).sla_first_response_met).toBe(false);
  });
});

describe("queue stats", () => {
  it("counts today's work in the queue's time zone and averages it", async () => {
    const id = await queue({ assignment_method: "manual", timezone: "UTC" });
    const a = await onlineAgent(id);
    const b = await h.as("agent", "Beto");
    await admin.post(`/api/queues/${id}/agents`, { user_id: b.user.id });
    const contacts: Array<{ id: string }> = await database()("contacts")
      .insert(Array.from({ length: 5 }, (_, i) => ({ name: `Stats ${i}` })))
      .returning("id");
    let next = 0;
    const now = Date.now();
    const minutesAgo = (m: number) => new Date(now - m * 60_000);
    const row = (status: "waiting" | "active" | "resolved", extra: Record<string, unknown>) => ({
      contact_id: contacts[next++]!.id,
      whatsapp_account_id: accountId,
      queue_id: id,
      status,
      ...extra,
    });
    await database()("conversations").insert([
      row("waiting", { queued_at: minutesAgo(5) }),
      row("active", { queued_at: minutesAgo(5), assigned_to: a.user.id }),
      // Resolved today: first reply after 60 s and 120 s, resolved after 600 s and 1200 s; one met its SLA, one did not.
      row("resolved", {
        queued_at: minutesAgo(20),
        first_response_at: new Date(now - 19 * 60_000),
        resolved_at: minutesAgo(10),
        assigned_to: a.user.id,
        sla_first_response_met: true,
        sla_resolution_met: true,
      }),
      row("resolved", {
        queued_at: minutesAgo(25),
        first_response_at: new Date(now - 23 * 60_000),
        resolved_at: minutesAgo(5),
        assigned_to: b.user.id,
        sla_first_response_met: false,
      }),
      // Yesterday's does not count.
      row("resolved", { queued_at: new Date(now - 2 * 86_400_000), resolved_at: new Date(now - 2 * 86_400_000 + 1000), assigned_to: a.user.id }),
    ]);
    // Runs after midnight UTC would split "today"; the fixture stays within the last 25 minutes.
    const midnight = new Date(now).setUTCHours(0, 0, 0, 0);
    const stats = (await admin.get(`/api/queues/${id}/stats`)).body;
    const todayCount = [minutesAgo(10), minutesAgo(5)].filter((d) => d.getTime() >= midnight).length;
    expect(stats).toMatchObject({ waiting: 1, active: 1, resolved_today: todayCount });
    if (todayCount === 2) {
      expect(stats).toMatchObject({ avg_first_response: 90, avg_resolution: 900, sla_compliance: 0.5 });
      expect(stats.agents).toHaveLength(2);
      expect(stats.agents).toEqual(
        expect.arrayContaining([
          { user_id: b.user.id, name: "Beto", status: "offline", active_conversations: 0, resolved_today: 1 },
          { user_id: a.user.id, name: a.user.name, status: "online", active_conversations: 1, resolved_today: 1 },
        ]),
      );
    }
    expect((await admin.get("/api/queues/00000000-0000-4000-8000-000000000000/stats")).status).toBe(404);
  });
});

// What an operator watches: the node's Prometheus metrics (METRICS_PORT) move
// with real traffic — a number connected, a customer writing, a flow running
// and handing off, an agent getting the conversation and answering — and its
// JSON log lines carry the ids they are about, but never a password, a token,
// an API key or what a customer or an agent wrote, even at debug level.
import { database } from "../lib/db/connection";
import { eventually, harness, type Client } from "./support/harness";
import { connectedAccount, customerWrites, queueWith } from "./support/inbox";
import { menuFlow } from "./fixtures/flows";
import { metricsUrl, scrape as metricsScrape, valueOf } from "./support/metrics";

const h = harness({ env: { METRICS_PORT: "0", LOG_FORMAT: "json", LOG_LEVEL: "debug", WHATSAPP_SEND_INTERVAL_MS: "0" } });
const lines: string[] = [];
const SECRETS = {
  customerText: "Mi tarjeta es 4111-SECRET-BODY",
  agentText: "Tu clave es AGENT-SECRET-REPLY",
  userPassword: "user-SECRET-password-9",
  odooKey: "ODOO-SECRET-API-KEY-123",
};
let admin: Client;

const scrape = () => metricsScrape(metricsUrl(h.broker));

beforeAll(async () => {
  for (const method of ["log", "info", "warn", "error"] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
  admin = await h.admin();
});

afterAll(() => jest.restoreAllMocks());

it("counts a conversation from the customer's first message to the agent's reply", async () => {
  const agent = await h.login(
    (await admin.post("/api/users", { email: "ana@test.local", password: SECRETS.userPassword, name: "Ana", role: "agent" })).body.email,
    SECRETS.userPassword,
  );
  const queueId = await queueWith([{ id: agent.user.id }], "Ventas");
  await database()("queues").where({ id: queueId }).update({ assignment_method: "round_robin" });
  const socket = await h.socket({ token: agent.token });
  const accountId = await connectedAccount(admin);
  expect((await admin.post("/api/flows", { name: "Menú", trigger_type: "welcome", nodes: menuFlow(queueId), is_active: true })).status).toBe(201);

  const phone = "+525588800777";
  const conversationId = await customerWrites(admin, accountId, phone, "Hola", "Juan");
  await eventually(async () => (await admin.get(`/api/conversations/${conversationId}`)).body.current_flow !== null);
  await admin.api.post("/api/simulator/accounts/{id}/inbound", {
    path: { id: accountId },
    body: { from: phone, type: "text", text: "Ventas" },
  });
  await eventually(async () => (await admin.get(`/api/conversations/${conversationId}`)).body.assigned_to?.id === agent.user.id);
  await admin.api.post("/api/simulator/accounts/{id}/inbound", { path: { id: accountId }, body: { from: phone, type: "text", text: SECRETS.customerText } });
  expect((await agent.post(`/api/conversations/${conversationId}/messages`, { type: "text", content: SECRETS.agentText })).status).toBe(201);
  await eventually(async () => (await admin.get(`/api/simulator/accounts/${accountId}/outbound?to=${encodeURIComponent(phone)}`)).body.length >= 4);
  expect((await admin.put("/api/odoo/settings", { url: "http://127.0.0.1:9", database: "odoo", username: "bot", api_key: SECRETS.odooKey })).status).toBe(200);

  const text = await eventually(async () => {
    const scraped = await scrape();
    return valueOf(scraped, "charla_messages_outbound_total", { type: "text", status: "sent" }) === 3 && scraped;
  });
  // The greeting, the hand-off's message and the agent's reply; the menu went out as buttons.
  expect(valueOf(text, "charla_messages_outbound_total", { type: "buttons", status: "sent" })).toBe(1);
  expect(valueOf(text, "charla_messages_inbound_total", { type: "text" })).toBe(3);
  expect(valueOf(text, "charla_whatsapp_sessions", { state: "connected" })).toBe(1);
  expect(valueOf(text, "charla_whatsapp_sessions", { state: "qr" })).toBe(0);
  expect(valueOf(text, "charla_whatsapp_send_queue_depth", { account: accountId })).toBe(0);
  expect(valueOf(text, "charla_flow_steps_total", { node_type: "send_text" })).toBe(1);
  expect(valueOf(text, "charla_flow_steps_total", { node_type: "transfer_to_queue" })).toBe(1);
  expect(valueOf(text, "charla_conversation_actors_live")).toBeGreaterThanOrEqual(1);
  expect(valueOf(text, "charla_sockets_connected")).toBe(1);
  expect(valueOf(text, "charla_assignment_latency_seconds_bucket", { le: "+Inf" })).toBe(1);
  expect(valueOf(text, "charla_http_requests_total", { method: "POST", route: "/api/auth/login", status: "200" })).toBe(2);
  expect(valueOf(text, "charla_http_requests_total", { method: "GET", route: "/api/conversations/:id", status: "200" })).toBeGreaterThanOrEqual(2);
  expect(valueOf(text, "charla_http_request_duration_seconds_bucket", { method: "POST", route: "/api/auth/login", le: "+Inf" })).toBe(2);
  expect(valueOf(text, "charla_database_up")).toBe(1);
  expect(valueOf(text, "moleculer_request_total", { action: "auth.login" })).toBe(2);
  expect(valueOf(text, "moleculer_event_emit_total", { event: "message.received" })).toBeGreaterThanOrEqual(3);
  socket.disconnect();
  await eventually(async () => valueOf(await scrape(), "charla_sockets_connected") === 0);
}, 60_000);

it("counts a promise rejection nobody handled, and the node goes on", async () => {
  const before = valueOf(await scrape(), "charla_unhandled_rejections_total") ?? 0;
  // As Node reports one (a real one would also fail this test under the test runner).
  process.emit("unhandledRejection", new Error("a bug nobody caught"), Promise.resolve());
  await eventually(async () => valueOf(await scrape(), "charla_unhandled_rejections_total") === before + 1);
  expect((await admin.get("/api/health")).status).toBe(200);
});

it("writes JSON lines with node, service and the ids they are about, and no secret or message body", async () => {
  await eventually(async () => lines.length > 0);
  const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  for (const line of parsed)
    expect(line).toMatchObject({ time: expect.any(String), level: expect.any(String), node: h.broker.nodeID, service: expect.any(String) });
  expect(parsed).toContainEqual(
    expect.objectContaining({ service: "api", msg: expect.stringMatching(/^POST \/api\/auth\/login 200/), request_id: expect.any(String) }),
  );
  expect(parsed).toContainEqual(expect.objectContaining({ service: "api", msg: expect.stringMatching(/^GET \/api\/conversations\//), user_id: admin.user.id }));
  expect(parsed).toContainEqual(expect.objectContaining({ service: "whatsapp-sessions", account_id: expect.any(String) }));
  expect(parsed.some((line) => line.level === "debug")).toBe(true);
  const everything = lines.join("\n");
  for (const secret of [...Object.values(SECRETS), admin.token, admin.refreshToken, "admin-password-1"]) expect(everything).not.toContain(secret);
});

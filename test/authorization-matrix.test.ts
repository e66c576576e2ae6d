// The authorization matrix: every REST route and every Socket.IO interaction,
// tried by six people placed around one conversation, against the table in
// docs/permissions.md — the one place that says who may do what. Each request
// is valid in all but who sends it, so only authorization decides the answer.
// A route the gateway serves without a row in the table, or a row for a route
// it does not serve, fails the file.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import jwt from "jsonwebtoken";
import type { RedisAdapter } from "@socket.io/redis-adapter";
import type { Server } from "socket.io";
import type { Socket } from "socket.io-client";
import { database } from "../lib/db/connection";
import { FakeOdoo } from "./support/fake-odoo";
import { ADMIN, eventually, harness, type Client, type HttpResult } from "./support/harness";
import { customerWrites } from "./support/inbox";

const h = harness({
  env: {
    // The file server below, for a received photo.
    FETCH_ALLOW_HOSTS: "127.0.0.1",
    WHATSAPP_SEND_INTERVAL_MS: "0",
    // One QR code per account for the whole file: drawing one costs the event loop about half a second.
    SIMULATOR_QR_INTERVAL_MS: "600000",
    TIMER_POLL_INTERVAL_MS: "100",
    SLA_WARNING_SECONDS: "1",
    ODOO_TIMEOUT_MS: "2000",
  },
});

// ---------------------------------------------------------------------------
// The table

const PERSONAS = [
  { key: "anonymous", column: "anonymous" },
  { key: "agentOfQueue", column: "agent of the queue" },
  { key: "agentOfOther", column: "agent of another queue" },
  { key: "supervisorOfQueue", column: "supervisor of the queue" },
  { key: "supervisorOfOther", column: "supervisor of another queue" },
  { key: "admin", column: "admin" },
] as const;
type PersonaKey = (typeof PERSONAS)[number]["key"];

interface Row {
  /** "GET /api/users/{id}", or a Socket.IO interaction: "io connect", "io emit typing", "io on new_message". */
  route: string;
  cells: Record<PersonaKey, string>;
}

const DOC = path.join(__dirname, "..", "docs", "permissions.md");
const MIXINS = ["socket-gateway.mixin.ts", "realtime-fanout.mixin.ts"].map((file) => path.join(__dirname, "..", "mixins", file));

function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split("|")
    .map((cell) => cell.trim());
}

/** The table of docs/permissions.md whose first column is "route": one row per route (or several, split by <br>). */
function readMatrix(): Row[] {
  const lines = fs.readFileSync(DOC, "utf8").split("\n");
  const start = lines.findIndex((line) => /^\|\s*route\s*\|/.test(line));
  if (start < 0) throw new Error(`${DOC} has no table whose first column is "route"`);
  const header = cellsOf(lines[start]!);
  const index = Object.fromEntries(
    PERSONAS.map(({ key, column }) => {
      const at = header.indexOf(column);
      if (at < 0) throw new Error(`The permissions table has no column "${column}"`);
      return [key, at];
    }),
  ) as Record<PersonaKey, number>;
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.trim().startsWith("|")) break;
    const cells = cellsOf(line);
    const outcome = Object.fromEntries(PERSONAS.map(({ key }) => [key, (cells[index[key]] ?? "").replace(/`/g, "")])) as Record<PersonaKey, string>;
    for (const route of cells[0]!.split(/<br\s*\/?>/)) {
      rows.push({ route: route.replace(/`/g, "").replace(/\s+/g, " ").trim(), cells: outcome });
    }
  }
  return rows;
}

const MATRIX = readMatrix();
const isSocketRow = (row: Row) => row.route.startsWith("io ");
const REST_ROWS = MATRIX.filter((row) => !isSocketRow(row));
const SOCKET_ROWS = MATRIX.filter(isSocketRow);

// ---------------------------------------------------------------------------
// The people and the things around them

/** h.as() gives every user it creates this password. */
const PASSWORD = "password-123";

interface Persona {
  key: PersonaKey;
  column: string;
  /** Null for the anonymous caller. */
  client: Client | null;
}

interface Fixtures {
  admin: Client;
  /** Another agent of Q1: the target of the /api/users/{id} routes. */
  target: Client;
  q1: string;
  q2: string;
  accountId: string;
  /** An account that shows its QR code and is never scanned. */
  pairingAccountId: string;
  /** The conversation under test: waiting in Q1, assigned to nobody. */
  conversationId: string;
  conversationPhone: string;
  contactId: string;
  inboundMessageId: string;
  mediaMessageId: string;
  /** An answer the engine sent to the customer, as the phone knows it. */
  outboundWaMessageId: string;
  globalReplyId: string;
  queueReplyId: string;
  flowId: string;
  syncJobId: string;
  /** A conversation of Q1 whose first-response deadline comes while the sockets listen. */
  slaConversationId: string;
  odoo: FakeOdoo;
}

const personas: Persona[] = PERSONAS.map(({ key, column }) => ({ key, column, client: null }));
const persona = (key: PersonaKey): Persona => personas.find((p) => p.key === key)!;
const f = {} as Fixtures;
let fileServer: http.Server | undefined;
let fileUrl = "";
let serial = 0;
const next = () => ++serial;
const newPhone = () => `+5255${String(70_000_000 + next())}`;

function ok<T>(res: HttpResult<T>, what: string, status = 200): T {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const SIMPLE_FLOW = {
  nodes: [
    { id: "start", type: "start", data: {} },
    { id: "hello", type: "send_text", data: { text: "Hola" } },
  ],
  edges: [{ id: "e1", source: "start", target: "hello" }],
};

const settingsFor = (odoo: FakeOdoo) => ({ url: odoo.url, database: odoo.database, username: odoo.login, api_key: odoo.apiKey });

async function accountStatus(id: string): Promise<string> {
  return (await f.admin.get<{ status: string }>(`/api/whatsapp/accounts/${id}/status`)).body.status;
}

/** A new simulated account, showing its QR code (its session runs). */
async function freshAccount(): Promise<string> {
  const { id } = ok(await f.admin.post<{ id: string }>("/api/whatsapp/accounts", { name: `Cuenta ${next()}`, provider: "simulator" }), "account", 201);
  await eventually(async () => (await accountStatus(id)) === "qr", 20_000);
  return id;
}

/** Fresh accounts made ahead, all at once (see the scene). */
const accountStock: Array<Promise<string>> = [];

/** The rows whose requests use an account up; with the account "io on connection_status" connects, they size the stock. */
const USING_UP_ACCOUNTS = [
  "DELETE /api/whatsapp/accounts/{id}",
  "POST /api/whatsapp/accounts/{id}/disconnect",
  "POST /api/whatsapp/accounts/{id}/reconnect",
  "POST /api/simulator/accounts/{id}/scan",
  "POST /api/simulator/accounts/{id}/disconnect",
];
const isSuccess = (cell: string) => /^2\d\d$/.test(cell);
const ACCOUNTS_NEEDED =
  1 +
  MATRIX.filter((row) => USING_UP_ACCOUNTS.includes(row.route)).reduce((sum, row) => sum + PERSONAS.filter(({ key }) => isSuccess(row.cells[key])).length, 0);

/**
 * An account a request may use up (delete, disconnect, scan, …). A request the
 * table expects to succeed gets a fresh one; a refused one aims at the account
 * waiting for its scan, which it would use up just the same if it were let through.
 */
async function accountFor(allowed: boolean): Promise<string> {
  if (!allowed) return f.pairingAccountId;
  return (await accountStock.shift()) ?? freshAccount();
}

/** A new customer's conversation, waiting in Q1 and assigned to nobody. */
async function freshConversation(): Promise<string> {
  const id = await customerWrites(f.admin, f.accountId, newPhone());
  ok(await f.admin.post(`/api/conversations/${id}/transfer`, { queue_id: f.q1 }), "transfer to Q1");
  return id;
}

async function freshUser(): Promise<string> {
  const n = next();
  const body = { email: `fresh${n}-${Date.now()}@test.local`, password: PASSWORD, name: `Fresh ${n}`, role: "agent" };
  return ok(await f.admin.post<{ id: string }>("/api/users", body), "user", 201).id;
}

async function freshMemberOfQ1(): Promise<string> {
  const id = await freshUser();
  ok(await f.admin.post(`/api/queues/${f.q1}/agents`, { user_id: id }), "member of Q1", 201);
  return id;
}

async function noSyncRunning(): Promise<void> {
  await eventually(async () => !(await database()("odoo_sync_jobs").where({ status: "running" }).first("id")), 15_000);
}

function credentialsOf(who: Persona): { email: string; password: string } {
  if (!who.client) return { email: f.target.user.email, password: PASSWORD };
  return { email: who.client.user.email, password: who.key === "admin" ? ADMIN.password : PASSWORD };
}

// ---------------------------------------------------------------------------
// One valid request per REST route

interface Call {
  url: string;
  body?: unknown;
  /** Another token than the persona's own (a fresh session); null for none. */
  token?: string | null;
}

/**
 * Builds the request. `self` asks for the caller's own user as the target
 * (cells "self"); `allowed` says whether the table expects it to succeed.
 */
type Factory = (who: Persona, target: { self: boolean; allowed: boolean }) => Call | Promise<Call>;

const userTarget = (who: Persona, { self }: { self: boolean }) => (self && who.client ? who.client.user.id : f.target.user.id);

const REQUESTS: Record<string, Factory> = {
  "POST /api/auth/login": (who) => ({ url: "/api/auth/login", body: credentialsOf(who) }),
  "POST /api/auth/refresh": async (who) => {
    const { email, password } = credentialsOf(who);
    return { url: "/api/auth/refresh", body: { refresh_token: (await h.login(email, password)).refreshToken } };
  },
  "POST /api/auth/logout": async (who) => {
    if (!who.client) return { url: "/api/auth/logout", token: null };
    const { email, password } = credentialsOf(who);
    return { url: "/api/auth/logout", token: (await h.login(email, password)).token };
  },
  "GET /api/auth/me": () => ({ url: "/api/auth/me" }),

  "GET /api/users": () => ({ url: "/api/users" }),
  "POST /api/users": () => {
    const n = next();
    return { url: "/api/users", body: { email: `new${n}-${Date.now()}@test.local`, password: PASSWORD, name: `New ${n}`, role: "agent" } };
  },
  "GET /api/users/{id}": (who, target) => ({ url: `/api/users/${userTarget(who, target)}` }),
  "PUT /api/users/{id}": (who, target) => ({ url: `/api/users/${userTarget(who, target)}`, body: { name: `Nombre ${next()}` } }),
  "DELETE /api/users/{id}": async () => ({ url: `/api/users/${await freshMemberOfQ1()}` }),
  "PUT /api/users/{id}/status": (who, target) => ({ url: `/api/users/${userTarget(who, target)}/status`, body: { status: "online" } }),

  "GET /api/whatsapp/accounts": () => ({ url: "/api/whatsapp/accounts" }),
  "POST /api/whatsapp/accounts": () => ({ url: "/api/whatsapp/accounts", body: { name: `Nueva ${next()}`, provider: "simulator" } }),
  "GET /api/whatsapp/accounts/{id}": () => ({ url: `/api/whatsapp/accounts/${f.accountId}` }),
  "PUT /api/whatsapp/accounts/{id}": () => ({ url: `/api/whatsapp/accounts/${f.pairingAccountId}`, body: { name: `Emparejando ${next()}` } }),
  "DELETE /api/whatsapp/accounts/{id}": async (_who, { allowed }) => ({ url: `/api/whatsapp/accounts/${await accountFor(allowed)}` }),
  "GET /api/whatsapp/accounts/{id}/qr": () => ({ url: `/api/whatsapp/accounts/${f.pairingAccountId}/qr` }),
  "GET /api/whatsapp/accounts/{id}/status": () => ({ url: `/api/whatsapp/accounts/${f.accountId}/status` }),
  "POST /api/whatsapp/accounts/{id}/disconnect": async (_who, { allowed }) => ({ url: `/api/whatsapp/accounts/${await accountFor(allowed)}/disconnect` }),
  "POST /api/whatsapp/accounts/{id}/reconnect": async (_who, { allowed }) => ({ url: `/api/whatsapp/accounts/${await accountFor(allowed)}/reconnect` }),

  "POST /api/simulator/accounts/{id}/scan": async (_who, { allowed }) => ({
    url: `/api/simulator/accounts/${await accountFor(allowed)}/scan`,
    body: { phone_number: newPhone() },
  }),
  "POST /api/simulator/accounts/{id}/inbound": () => ({
    url: `/api/simulator/accounts/${f.accountId}/inbound`,
    body: { from: newPhone(), type: "text", text: "Hola" },
  }),
  "GET /api/simulator/accounts/{id}/outbound": () => ({ url: `/api/simulator/accounts/${f.accountId}/outbound` }),
  "POST /api/simulator/accounts/{id}/receipts": () => ({
    url: `/api/simulator/accounts/${f.accountId}/receipts`,
    body: { wa_message_id: f.outboundWaMessageId, status: "delivered" },
  }),
  "POST /api/simulator/accounts/{id}/disconnect": async (_who, { allowed }) => ({
    url: `/api/simulator/accounts/${await accountFor(allowed)}/disconnect`,
    body: { reason: "connection_lost" },
  }),

  "GET /api/media/{id}": () => ({ url: `/api/media/${f.mediaMessageId}` }),

  "GET /api/contacts": () => ({ url: "/api/contacts" }),
  "POST /api/contacts": () => ({ url: "/api/contacts", body: { phone_number: newPhone(), name: "Nuevo contacto" } }),
  "GET /api/contacts/{id}": () => ({ url: `/api/contacts/${f.contactId}` }),
  "PUT /api/contacts/{id}": () => ({ url: `/api/contacts/${f.contactId}`, body: { company: `Empresa ${next()}` } }),
  "POST /api/contacts/{id}/tags": () => ({ url: `/api/contacts/${f.contactId}/tags`, body: { tags: ["vip"] } }),
  "DELETE /api/contacts/{id}/tags/{tag}": () => ({ url: `/api/contacts/${f.contactId}/tags/vip` }),
  // A contact of its own for each call: pushes of one contact would race each other in Odoo.
  "POST /api/contacts/{id}/sync-odoo": async () => {
    const contact = ok(await f.admin.post<{ id: string }>("/api/contacts", { phone_number: newPhone(), name: "Para Odoo" }), "contact", 201);
    return { url: `/api/contacts/${contact.id}/sync-odoo` };
  },

  "GET /api/conversations": () => ({ url: "/api/conversations" }),
  "GET /api/conversations/{id}": () => ({ url: `/api/conversations/${f.conversationId}` }),
  "GET /api/conversations/{id}/events": () => ({ url: `/api/conversations/${f.conversationId}/events` }),
  "PUT /api/conversations/{id}": () => ({ url: `/api/conversations/${f.conversationId}`, body: { priority: "high" } }),
  "POST /api/conversations/{id}/assign": async (who) => ({
    url: `/api/conversations/${await freshConversation()}/assign`,
    body: { user_id: who.client?.user.id ?? persona("agentOfQueue").client!.user.id },
  }),
  "POST /api/conversations/{id}/transfer": async () => ({ url: `/api/conversations/${await freshConversation()}/transfer`, body: { queue_id: f.q2 } }),
  "POST /api/conversations/{id}/resolve": async () => ({ url: `/api/conversations/${await freshConversation()}/resolve`, body: {} }),
  "POST /api/conversations/{id}/reopen": async () => {
    const id = await freshConversation();
    ok(await f.admin.post(`/api/conversations/${id}/resolve`, {}), "resolve");
    return { url: `/api/conversations/${id}/reopen` };
  },
  "POST /api/conversations/{id}/quick-replies/{quick_reply_id}/render": () => ({
    url: `/api/conversations/${f.conversationId}/quick-replies/${f.globalReplyId}/render`,
    body: {},
  }),
  "GET /api/conversations/{id}/messages": () => ({ url: `/api/conversations/${f.conversationId}/messages` }),
  "GET /api/conversations/{id}/messages/{message_id}": () => ({ url: `/api/conversations/${f.conversationId}/messages/${f.inboundMessageId}` }),
  "POST /api/conversations/{id}/messages": () => ({
    url: `/api/conversations/${f.conversationId}/messages`,
    body: { type: "text", content: "¿En qué te ayudo?" },
  }),
  "POST /api/conversations/{id}/notes": () => ({ url: `/api/conversations/${f.conversationId}/notes`, body: { content: "Nota interna" } }),

  "GET /api/changes": () => ({ url: "/api/changes" }),

  "GET /api/quick-replies": () => ({ url: "/api/quick-replies" }),
  "POST /api/quick-replies": () => ({ url: "/api/quick-replies", body: { shortcut: `/r${next()}`, content: "Hola", queue_id: f.q1 } }),
  "PUT /api/quick-replies/{id}": () => ({ url: `/api/quick-replies/${f.queueReplyId}`, body: { content: `Texto ${next()}` } }),
  "DELETE /api/quick-replies/{id}": async () => {
    const reply = ok(await f.admin.post<{ id: string }>("/api/quick-replies", { shortcut: `/d${next()}`, content: "Adiós", queue_id: f.q1 }), "reply", 201);
    return { url: `/api/quick-replies/${reply.id}` };
  },

  "GET /api/queues": () => ({ url: "/api/queues" }),
  "POST /api/queues": () => ({ url: "/api/queues", body: { name: `Cola ${next()}` } }),
  "GET /api/queues/{id}": () => ({ url: `/api/queues/${f.q1}` }),
  "PUT /api/queues/{id}": () => ({ url: `/api/queues/${f.q1}`, body: { description: `Descripción ${next()}` } }),
  "DELETE /api/queues/{id}": async () => {
    const queue = ok(await f.admin.post<{ id: string }>("/api/queues", { name: `Vacía ${next()}` }), "queue", 201);
    return { url: `/api/queues/${queue.id}` };
  },
  "POST /api/queues/{id}/agents": async () => ({ url: `/api/queues/${f.q1}/agents`, body: { user_id: await freshUser(), is_supervisor: false } }),
  "DELETE /api/queues/{id}/agents/{user_id}": async () => ({ url: `/api/queues/${f.q1}/agents/${await freshMemberOfQ1()}` }),
  "GET /api/queues/{id}/stats": () => ({ url: `/api/queues/${f.q1}/stats` }),

  "GET /api/flows/node-types": () => ({ url: "/api/flows/node-types" }),
  "GET /api/flows": () => ({ url: "/api/flows" }),
  "POST /api/flows": () => ({ url: "/api/flows", body: { name: `Flujo ${next()}`, trigger_type: "manual", nodes: SIMPLE_FLOW } }),
  "GET /api/flows/{id}": () => ({ url: `/api/flows/${f.flowId}` }),
  "PUT /api/flows/{id}": () => ({ url: `/api/flows/${f.flowId}`, body: { description: `Descripción ${next()}` } }),
  "DELETE /api/flows/{id}": async () => {
    const flow = ok(await f.admin.post<{ id: string }>("/api/flows", { name: `Borrable ${next()}`, trigger_type: "manual", nodes: SIMPLE_FLOW }), "flow", 201);
    return { url: `/api/flows/${flow.id}` };
  },
  "POST /api/flows/{id}/duplicate": () => ({ url: `/api/flows/${f.flowId}/duplicate` }),
  "PUT /api/flows/{id}/toggle": () => ({ url: `/api/flows/${f.flowId}/toggle`, body: { is_active: false } }),
  "POST /api/flows/{id}/test": () => ({ url: `/api/flows/${f.flowId}/test`, body: { phone_number: "+525551234567", initial_message: "Hola" } }),

  "GET /api/odoo/settings": () => ({ url: "/api/odoo/settings" }),
  "PUT /api/odoo/settings": () => ({ url: "/api/odoo/settings", body: settingsFor(f.odoo) }),
  "POST /api/odoo/test-connection": () => ({ url: "/api/odoo/test-connection", body: {} }),
  "POST /api/odoo/sync-contacts": async () => {
    await noSyncRunning();
    return { url: "/api/odoo/sync-contacts", body: {} };
  },
  "GET /api/odoo/sync-contacts/{id}": () => ({ url: `/api/odoo/sync-contacts/${f.syncJobId}` }),
  "GET /api/odoo/partners/search": () => ({ url: "/api/odoo/partners/search?name=Ana" }),
  "GET /api/odoo/orders": () => ({ url: "/api/odoo/orders?partner_id=42" }),
  "GET /api/odoo/products/{id}/stock": () => ({ url: "/api/odoo/products/SKU-1/stock" }),
  "POST /api/odoo/leads": () => ({ url: "/api/odoo/leads", body: { name: `Interesado ${next()}` } }),

  "GET /api/health": () => ({ url: "/api/health" }),
  "GET /api/ready": () => ({ url: "/api/ready" }),
  "GET /api/openapi.json": () => ({ url: "/api/openapi.json" }),
  "GET /api/asyncapi.json": () => ({ url: "/api/asyncapi.json" }),
};

async function send(route: string, who: Persona, target: { self: boolean; allowed: boolean }): Promise<HttpResult> {
  const [method] = route.split(" ");
  const call = await REQUESTS[route]!(who, target);
  const token = call.token === undefined ? who.client?.token : (call.token ?? undefined);
  const body = call.body ?? (method === "POST" || method === "PUT" ? {} : undefined);
  return h.request(method!, call.url, { token, body });
}

/** What went differently from the cell, one line per person (and target): empty when all agree. */
async function checkRestRow(row: Row): Promise<string[]> {
  const problems: string[] = [];
  await Promise.all(
    personas.map(async (who) => {
      const cell = row.cells[who.key];
      const checks: Array<{ self: boolean; want: number; label: string }> =
        cell === "self"
          ? [
              { self: true, want: 200, label: " (own user)" },
              { self: false, want: 403, label: " (the target user)" },
            ]
          : [{ self: false, want: Number(cell), label: "" }];
      for (const { self, want, label } of checks) {
        const res = await send(row.route, who, { self, allowed: want < 300 });
        if (res.status !== want) {
          const detail = (res.body as { detail?: { code?: string; message?: string } } | null)?.detail;
          problems.push(`${row.route} — ${who.column}${label}: expected ${want}, got ${res.status}${detail ? ` ${detail.code}: ${detail.message}` : ""}`);
        }
      }
    }),
  );
  return problems.sort();
}

// ---------------------------------------------------------------------------
// Socket.IO

type Payload = Record<string, unknown>;
type Heard = Array<[string, Payload]>;

const sockets = new Map<PersonaKey, Socket>();
const ears = new Map<PersonaKey, Heard>();
let targetSocket: Socket;
let anonymousRefused = false;

function listen(socket: Socket): Heard {
  const heard: Heard = [];
  socket.onAny((event: string, payload: unknown) => heard.push([event, (payload ?? {}) as Payload]));
  return heard;
}

/** Emits a client event with an acknowledgement; resolves with its arguments, or "no answer" after 3 s. */
function ask(socket: Socket, event: string, ...args: unknown[]): Promise<unknown[] | "no answer"> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve("no answer"), 3_000);
    socket.emit(event, ...args, (...reply: unknown[]) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

async function acknowledged(socket: Socket, event: string, payload: unknown): Promise<"ok" | "refused"> {
  const reply = await ask(socket, event, payload);
  return reply !== "no answer" && (reply[0] as { ok?: unknown } | undefined)?.ok === true ? "ok" : "refused";
}

async function connectOutcome(auth: Record<string, unknown>): Promise<"ok" | "refused"> {
  try {
    (await h.socket(auth)).disconnect();
    return "ok";
  } catch {
    return "refused";
  }
}

const conversationRef = () => ({ conversation_id: f.conversationId });

/** Client events (and the connection itself): what one person's socket gets. */
const CLIENT_EVENTS: Record<string, (socket: Socket) => Promise<string>> = {
  "io emit join_conversation": (socket) => acknowledged(socket, "join_conversation", conversationRef()),
  "io emit leave_conversation": (socket) => acknowledged(socket, "leave_conversation", conversationRef()),
  "io emit typing": async (socket) => {
    await acknowledged(socket, "join_conversation", conversationRef());
    return acknowledged(socket, "typing", conversationRef());
  },
  // moleculer-io answers its generic "call" as (error, result).
  "io emit call": async (socket) => {
    const reply = await ask(socket, "call", "users.list", {});
    return reply !== "no answer" && reply[0] == null && reply[1] !== undefined ? "ok" : "refused";
  },
};

type Matcher = (payload: Payload) => boolean;

interface Broadcast {
  event: string;
  /**
   * Makes the event happen; resolves with what identifies it, and who must hear
   * it for the trigger to count as fired (by default the admin).
   */
  trigger(): Promise<Matcher | { matches: Matcher; sentinel: Heard }>;
  /** Count what was heard since the sockets opened, not only since the trigger. */
  fromStart?: boolean;
  timeoutMs?: number;
}

const BROADCASTS: Record<string, Broadcast> = {
  "io on new_message": {
    event: "new_message",
    async trigger() {
      const text = `Otra vez ${next()}`;
      await customerWrites(f.admin, f.accountId, f.conversationPhone, text);
      return (p) => p.conversation_id === f.conversationId && (p.message as Payload | undefined)?.content === text;
    },
  },
  "io on message_status": {
    event: "message_status",
    async trigger() {
      const message = ok(
        await f.admin.post<{ id: string }>(`/api/conversations/${f.conversationId}/messages`, { type: "text", content: "Un momento" }),
        "send",
        201,
      );
      return (p) => p.message_id === message.id;
    },
  },
  "io on conversation_updated": {
    event: "conversation_updated",
    async trigger() {
      const current = (await f.admin.get<{ priority: string }>(`/api/conversations/${f.conversationId}`)).body.priority;
      ok(await f.admin.put(`/api/conversations/${f.conversationId}`, { priority: current === "urgent" ? "low" : "urgent" }), "priority");
      return (p) => p.conversation_id === f.conversationId && p.change === "priority_changed";
    },
  },
  "io on conversation_assigned": {
    event: "conversation_assigned",
    async trigger() {
      const id = await freshConversation();
      ok(await f.admin.post(`/api/conversations/${id}/assign`, { user_id: f.target.user.id }), "assign");
      return (p) => p.conversation_id === id;
    },
  },
  "io on typing": {
    event: "typing",
    async trigger() {
      await Promise.all([...sockets.values()].map((socket) => ask(socket, "join_conversation", conversationRef())));
      if ((await acknowledged(targetSocket, "join_conversation", conversationRef())) !== "ok")
        throw new Error("The target user could not join the conversation");
      if ((await acknowledged(targetSocket, "typing", conversationRef())) !== "ok") throw new Error("The target user could not type");
      return (p) => p.conversation_id === f.conversationId && (p.user as Payload | undefined)?.id === f.target.user.id;
    },
  },
  "io on qr_code": {
    event: "qr_code",
    async trigger() {
      const { id } = ok(await f.admin.post<{ id: string }>("/api/whatsapp/accounts", { name: `Nueva ${next()}`, provider: "simulator" }), "account", 201);
      return (p) => p.account_id === id;
    },
  },
  "io on connection_status": {
    event: "connection_status",
    async trigger() {
      const id = await accountFor(true);
      ok(await f.admin.post(`/api/simulator/accounts/${id}/scan`, { phone_number: newPhone() }), "scan");
      return (p) => p.account_id === id && p.status === "connected";
    },
  },
  // Only a real WhatsApp connection warns about quotas: the session host's own event stands in for it.
  "io on whatsapp_quota": {
    event: "whatsapp_quota",
    async trigger() {
      const used = next();
      await h.broker.emit("whatsapp.quota", { account_id: f.accountId, used, total: 1000, status: "warning", cycle_ends_at: null });
      return (p) => p.account_id === f.accountId && p.used === used;
    },
  },
  "io on sla_warning": {
    event: "sla_warning",
    fromStart: true,
    timeoutMs: 8_000,
    trigger: () => Promise.resolve((p) => p.conversation_id === f.slaConversationId),
  },
  "io on sla_breached": {
    event: "sla_breached",
    fromStart: true,
    timeoutMs: 8_000,
    trigger: () => Promise.resolve((p) => p.conversation_id === f.slaConversationId),
  },
  "io on odoo_sync_progress": {
    event: "odoo_sync_progress",
    timeoutMs: 10_000,
    async trigger() {
      await noSyncRunning();
      const job = ok(await f.admin.post<{ job_id: string }>("/api/odoo/sync-contacts", {}), "sync", 202);
      return (p) => p.job_id === job.job_id;
    },
  },
  // The node's Socket.IO subscriber loses Redis and gets it back.
  "io on catch_up": {
    event: "catch_up",
    async trigger() {
      const io = (h.broker.getLocalService("api") as unknown as { io: Server }).io;
      (io.of("/").adapter as unknown as RedisAdapter).subClient.disconnect(true);
      return (p) => p.reason === "realtime_interrupted";
    },
  },
  "io on session_revoked": {
    event: "session_revoked",
    async trigger() {
      const session = await h.login(f.target.user.email, PASSWORD);
      const heard = listen(await h.socket({ token: session.token }));
      ok(await h.request("POST", "/api/auth/logout", { token: session.token }), "logout", 204);
      return { matches: () => true, sentinel: heard };
    },
  },
  "io on token_expired": {
    event: "token_expired",
    async trigger() {
      const session = await h.login(f.target.user.email, PASSWORD);
      const claims = jwt.decode(session.token) as { sub: string; sid: string };
      // The same session, with an access token that expires in a moment.
      const shortLived = jwt.sign({ sid: claims.sid, exp: Math.floor(Date.now() / 1000) + 2 }, process.env.JWT_SECRET ?? "", {
        subject: claims.sub,
        issuer: "charla",
      });
      const heard = listen(await h.socket({ token: shortLived }));
      return { matches: () => true, sentinel: heard };
    },
  },
};

async function observe(row: Row): Promise<Record<PersonaKey, string>> {
  const outcome = {} as Record<PersonaKey, string>;
  if (row.route === "io connect") {
    await Promise.all(personas.map(async (who) => (outcome[who.key] = await connectOutcome(who.client ? { token: who.client.token } : {}))));
    return outcome;
  }
  const clientEvent = CLIENT_EVENTS[row.route];
  if (clientEvent) {
    await Promise.all(
      personas.map(async (who) => {
        const socket = sockets.get(who.key);
        outcome[who.key] = socket ? await clientEvent(socket) : "refused";
      }),
    );
    return outcome;
  }
  const broadcast = BROADCASTS[row.route]!;
  const marks = new Map(personas.map((who) => [who.key, ears.get(who.key)?.length ?? 0]));
  const triggered = await broadcast.trigger();
  const { matches, sentinel } = typeof triggered === "function" ? { matches: triggered, sentinel: undefined } : triggered;
  const heardBy = (heard: Heard | undefined, from: number) =>
    Boolean(heard?.slice(from).some(([event, payload]) => event === broadcast.event && matches(payload)));
  const reached = (key: PersonaKey) => heardBy(ears.get(key), broadcast.fromStart ? 0 : marks.get(key)!);
  try {
    await eventually(() => (sentinel ? heardBy(sentinel, 0) : reached("admin")), broadcast.timeoutMs ?? 5_000);
  } catch {
    throw new Error(`${row.route}: the trigger did not fire (its sentinel never heard "${broadcast.event}")`);
  }
  // Everyone the table expects to hear it, then a moment for anyone it does not.
  const expected = personas.filter((who) => row.cells[who.key] === "receives").map((who) => who.key);
  await eventually(() => expected.every(reached), 2_000).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const who of personas) outcome[who.key] = reached(who.key) ? "receives" : "—";
  return outcome;
}

// ---------------------------------------------------------------------------
// What the gateway serves and handles

async function servedRoutes(): Promise<string[]> {
  const doc = ok(await h.request<{ paths: Record<string, Record<string, unknown>> }>("GET", "/api/openapi.json"), "openapi");
  const fromOpenApi = Object.entries(doc.paths).flatMap(([route, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`));
  const api = h.broker.getLocalService("api") as unknown as { aliases: Array<{ method: string; fullPath: string }> };
  const fromAliases = api.aliases.map((alias) => `${alias.method.toUpperCase()} ${alias.fullPath.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set([...fromOpenApi, ...fromAliases])].sort();
}

/** The Socket.IO interactions the gateway's code has: events it emits, client events it handles. */
function socketInteractions(): string[] {
  const source = MIXINS.map((file) => fs.readFileSync(file, "utf8")).join("\n");
  const emitted = [...source.matchAll(/toSockets\([^;]*?, "([a-z_]+)", /g)].map((m) => `io on ${m[1]}`);
  const handled = [...source.matchAll(/socket\.on\(\s*"([a-z_]+)"/g)]
    .map((m) => m[1])
    .filter((name) => name !== "disconnect")
    .map((name) => `io emit ${name}`);
  const namespaceEvents = /events:\s*{\s*(?:\/\/[^\n]*\n\s*)*call\(/.test(source) ? ["io emit call"] : [];
  return [...new Set(["io connect", ...emitted, ...handled, ...namespaceEvents])].sort();
}

// ---------------------------------------------------------------------------
// Setting the scene

beforeAll(async () => {
  fileServer = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "image/jpeg" });
    res.end("jpeg bytes");
  });
  await new Promise<void>((resolve) => fileServer!.listen(0, "127.0.0.1", resolve));
  fileUrl = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}/foto.jpg`;

  f.admin = await h.admin();
  f.odoo = new FakeOdoo({ version: 17 });
  await f.odoo.start();
  const [q1, q2, agentOfQueue, agentOfOther, supervisorOfQueue, supervisorOfOther, target] = await Promise.all([
    f.admin.post<{ id: string }>("/api/queues", { name: "Q1", assignment_method: "manual" }),
    f.admin.post<{ id: string }>("/api/queues", { name: "Q2", assignment_method: "manual" }),
    h.as("agent", "Agente de Q1"),
    h.as("agent", "Agente de Q2"),
    h.as("supervisor", "Supervisora de Q1"),
    h.as("supervisor", "Supervisor de Q2"),
    h.as("agent", "Otra agente de Q1"),
  ]);
  f.q1 = ok(q1, "Q1", 201).id;
  f.q2 = ok(q2, "Q2", 201).id;
  f.target = target;
  Object.assign(persona("agentOfQueue"), { client: agentOfQueue });
  Object.assign(persona("agentOfOther"), { client: agentOfOther });
  Object.assign(persona("supervisorOfQueue"), { client: supervisorOfQueue });
  Object.assign(persona("supervisorOfOther"), { client: supervisorOfOther });
  Object.assign(persona("admin"), { client: f.admin });
  for (const [queue, user, supervisor] of [
    [f.q1, agentOfQueue, false],
    [f.q1, target, false],
    [f.q1, supervisorOfQueue, true],
    [f.q2, agentOfOther, false],
    [f.q2, supervisorOfOther, true],
  ] as const) {
    ok(await f.admin.post(`/api/queues/${queue}/agents`, { user_id: user.user.id, is_supervisor: supervisor }), "membership", 201);
  }

  // The numbers: one connected, one waiting for its QR code to be scanned, and the stock the rows use up.
  const account = ok(await f.admin.post<{ id: string }>("/api/whatsapp/accounts", { name: "Ventas", provider: "simulator" }), "account", 201);
  f.accountId = account.id;
  for (let i = 0; i < ACCOUNTS_NEEDED; i++) accountStock.push(freshAccount());
  [f.pairingAccountId] = await Promise.all([freshAccount(), ...accountStock]);
  await eventually(async () => (await accountStatus(f.accountId)) === "qr");
  ok(await f.admin.post(`/api/simulator/accounts/${f.accountId}/scan`, { phone_number: "+525500000100" }), "scan");
  await eventually(async () => (await accountStatus(f.accountId)) === "connected");

  // The conversation under test: a customer wrote (text, then a photo) and waits in Q1.
  f.conversationPhone = newPhone();
  f.conversationId = await customerWrites(f.admin, f.accountId, f.conversationPhone, "Hola", "Cliente");
  ok(await f.admin.post(`/api/conversations/${f.conversationId}/transfer`, { queue_id: f.q1 }), "transfer");
  ok(await f.admin.post(`/api/simulator/accounts/${f.accountId}/inbound`, { from: f.conversationPhone, type: "image", media_url: fileUrl }), "photo");
  const media = await eventually(() => database()("messages").where({ conversation_id: f.conversationId }).whereNotNull("media_path").first("id"));
  f.mediaMessageId = media.id;
  const first = await database()("messages").where({ conversation_id: f.conversationId, direction: "inbound" }).orderBy("created_at").first("id");
  f.inboundMessageId = first!.id;
  f.contactId = (await database()("conversations").where({ id: f.conversationId }).first("contact_id"))!.contact_id;
  ok(await f.admin.post(`/api/conversations/${f.conversationId}/messages`, { type: "text", content: "Hola, ya te atiendo" }), "answer", 201);
  const sent = await eventually(async () =>
    (await f.admin.get<Array<{ wa_message_id: string; content: string }>>(`/api/simulator/accounts/${f.accountId}/outbound`)).body.find(
      (record) => record.content === "Hola, ya te atiendo",
    ),
  );
  f.outboundWaMessageId = sent.wa_message_id;

  // Configuration the rows use.
  const [globalReply, queueReply, flow] = await Promise.all([
    f.admin.post<{ id: string }>("/api/quick-replies", { shortcut: "/hola", content: "Hola {{contact.name}}", queue_id: null }),
    f.admin.post<{ id: string }>("/api/quick-replies", { shortcut: "/cola", content: "De la cola", queue_id: f.q1 }),
    f.admin.post<{ id: string }>("/api/flows", { name: "Matriz", trigger_type: "manual", nodes: SIMPLE_FLOW }),
  ]);
  f.globalReplyId = ok(globalReply, "global reply", 201).id;
  f.queueReplyId = ok(queueReply, "reply of Q1", 201).id;
  f.flowId = ok(flow, "flow", 201).id;
  ok(await f.admin.put("/api/odoo/settings", settingsFor(f.odoo)), "odoo settings");
  f.syncJobId = ok(await f.admin.post<{ job_id: string }>("/api/odoo/sync-contacts", {}), "sync", 202).job_id;
  await noSyncRunning();

  // Everyone's socket listens from now on (the anonymous one is refused, or listens too).
  for (const who of personas) {
    try {
      const socket = await h.socket(who.client ? { token: who.client.token } : {});
      sockets.set(who.key, socket);
      ears.set(who.key, listen(socket));
    } catch {
      if (!who.client) anonymousRefused = true;
      else throw new Error(`${who.column} could not connect a socket`);
    }
  }
  targetSocket = await h.socket({ token: f.target.token });

  // A conversation with a 2-second first-response deadline, which passes while the rows run.
  ok(await f.admin.put(`/api/queues/${f.q1}`, { sla_first_response: 2 }), "SLA on");
  const slaId = await customerWrites(f.admin, f.accountId, newPhone());
  ok(await f.admin.post(`/api/conversations/${slaId}/transfer`, { queue_id: f.q1 }), "SLA transfer");
  f.slaConversationId = slaId;
  ok(await f.admin.put(`/api/queues/${f.q1}`, { sla_first_response: null }), "SLA off");
}, 60_000);

afterAll(async () => {
  await f.odoo?.stop();
  await new Promise((resolve) => (fileServer ? fileServer.close(resolve) : resolve(undefined)));
});

// ---------------------------------------------------------------------------
// The checks

describe("the table", () => {
  it("has a row for every route the gateway serves, and none for a route it does not serve", async () => {
    const served = await servedRoutes();
    const listed = REST_ROWS.map((row) => row.route);
    expect({
      servedWithoutRow: served.filter((route) => !listed.includes(route)),
      rowsNotServed: listed.filter((route) => !served.includes(route)),
    }).toEqual({ servedWithoutRow: [], rowsNotServed: [] });
  });

  it("has a row for every Socket.IO interaction of the gateway, and none it does not have", () => {
    const interactions = socketInteractions();
    const listed = SOCKET_ROWS.map((row) => row.route);
    expect({
      withoutRow: interactions.filter((name) => !listed.includes(name)),
      rowsUnknown: listed.filter((name) => !interactions.includes(name)),
    }).toEqual({ withoutRow: [], rowsUnknown: [] });
  });

  it("names each route once, with an outcome this test knows in every cell, and a request for it here", () => {
    const routes = MATRIX.map((row) => row.route);
    expect(routes.filter((route, i) => routes.indexOf(route) !== i)).toEqual([]);
    const badCells = MATRIX.flatMap((row) =>
      PERSONAS.filter(({ key }) => {
        const cell = row.cells[key];
        if (!isSocketRow(row)) return !/^(\d{3}|self)$/.test(cell) || (cell === "self" && key === "anonymous");
        if (row.route.startsWith("io on ")) return !["receives", "—"].includes(cell);
        return !["ok", "refused"].includes(cell);
      }).map(({ key, column }) => `${row.route} — ${column}: "${row.cells[key]}"`),
    );
    expect(badCells).toEqual([]);
    const known = [...Object.keys(REQUESTS), "io connect", ...Object.keys(CLIENT_EVENTS), ...Object.keys(BROADCASTS)];
    expect({
      rowsWithoutRequest: routes.filter((route) => !known.includes(route)),
      requestsWithoutRow: known.filter((route) => !routes.includes(route)),
    }).toEqual({
      rowsWithoutRequest: [],
      requestsWithoutRow: [],
    });
  });
});

describe("REST", () => {
  it.each(REST_ROWS.map((row) => [row.route, row] as const))("%s", async (_route, row) => {
    expect(await checkRestRow(row)).toEqual([]);
  });
});

describe("Socket.IO", () => {
  it("refuses a socket without a token", () => {
    expect(anonymousRefused).toBe(true);
  });

  it.each(SOCKET_ROWS.map((row) => [row.route, row] as const))("%s", async (_route, row) => {
    const outcome = await observe(row);
    const problems = personas
      .filter((who) => outcome[who.key] !== row.cells[who.key])
      .map((who) => `${row.route} — ${who.column}: expected ${row.cells[who.key]}, got ${outcome[who.key]}`);
    expect(problems).toEqual([]);
  });
});

describe("rules a row cannot show", () => {
  it("lets only admins make someone a queue's supervisor, or change another supervisor's membership", async () => {
    const supervisor = persona("supervisorOfQueue").client!;
    const [newcomer, member, colleague] = await Promise.all([freshUser(), freshMemberOfQ1(), freshUser()]);
    ok(await f.admin.post(`/api/queues/${f.q1}/agents`, { user_id: colleague, is_supervisor: true }), "colleague", 201);
    const attempts = {
      "make a newcomer supervisor": await supervisor.post(`/api/queues/${f.q1}/agents`, { user_id: newcomer, is_supervisor: true }),
      "make a member supervisor": await supervisor.post(`/api/queues/${f.q1}/agents`, { user_id: member, is_supervisor: true }),
      "demote another supervisor": await supervisor.post(`/api/queues/${f.q1}/agents`, { user_id: colleague, is_supervisor: false }),
      "remove another supervisor": await supervisor.delete(`/api/queues/${f.q1}/agents/${colleague}`),
    };
    expect(Object.fromEntries(Object.entries(attempts).map(([what, res]) => [what, res.status]))).toEqual({
      "make a newcomer supervisor": 403,
      "make a member supervisor": 403,
      "demote another supervisor": 403,
      "remove another supervisor": 403,
    });
    expect((await f.admin.post(`/api/queues/${f.q1}/agents`, { user_id: newcomer, is_supervisor: true })).status).toBe(201);
    expect((await f.admin.post(`/api/queues/${f.q1}/agents`, { user_id: member, is_supervisor: true })).status).toBe(200);
    expect((await f.admin.post(`/api/queues/${f.q1}/agents`, { user_id: colleague, is_supervisor: false })).status).toBe(200);
    for (const id of [newcomer, member, colleague]) expect((await f.admin.delete(`/api/queues/${f.q1}/agents/${id}`)).status).toBe(204);
  });

  it("asks for the current password to change one's own", async () => {
    const user = await h.as("agent");
    const url = `/api/users/${user.user.id}`;
    const without = await user.put(url, { password: "new-password-1" });
    expect([without.status, without.body.detail?.code, without.body.detail?.field]).toEqual([422, "VALIDATION_ERROR", "current_password"]);
    const wrong = await user.put(url, { password: "new-password-1", current_password: "not-the-password" });
    expect([wrong.status, wrong.body.detail?.code, wrong.body.detail?.field]).toEqual([422, "VALIDATION_ERROR", "current_password"]);
    await h.login(user.user.email, PASSWORD);
    expect((await user.put(url, { password: "new-password-1", current_password: PASSWORD })).status).toBe(200);
    await h.login(user.user.email, "new-password-1");
    // An admin resetting someone else's password needs no current password; their own, like anyone's, does.
    expect((await f.admin.put(url, { password: "new-password-2" })).status).toBe(200);
    await h.login(user.user.email, "new-password-2");
    const adminsOwn = await f.admin.put(`/api/users/${f.admin.user.id}`, { password: "new-password-3" });
    expect([adminsOwn.status, adminsOwn.body.detail?.field]).toEqual([422, "current_password"]);
  });

  it("lets agents assign only to themselves what nobody else has; supervisors assign to anyone", async () => {
    const agent = persona("agentOfQueue").client!;
    const supervisor = persona("supervisorOfQueue").client!;
    const id = await freshConversation();
    expect((await agent.post(`/api/conversations/${id}/assign`, { user_id: f.target.user.id })).status).toBe(403);
    expect((await supervisor.post(`/api/conversations/${id}/assign`, { user_id: f.target.user.id })).status).toBe(200);
    expect((await agent.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id })).status).toBe(403);
    expect((await supervisor.post(`/api/conversations/${id}/assign`, { user_id: agent.user.id })).status).toBe(200);
  });

  it("keeps email, role and is_active admins' only, even on one's own user", async () => {
    for (const key of ["agentOfQueue", "supervisorOfQueue"] as const) {
      const client = persona(key).client!;
      for (const change of [{ email: `otro${next()}@test.local` }, { role: "admin" }, { is_active: false }]) {
        const res = await client.put(`/api/users/${client.user.id}`, change);
        expect([key, change, res.status]).toEqual([key, change, 403]);
      }
    }
  });

  it("lists for each person only the conversations and quick replies they may see", async () => {
    const ids = async (client: Client, url: string) => (await client.get<{ items: Array<{ id: string }> }>(url)).body.items.map((item) => item.id);
    const inQueue = persona("agentOfQueue").client!;
    const outside = persona("agentOfOther").client!;
    expect(await ids(inQueue, `/api/conversations?queue_id=${f.q1}&limit=100`)).toContain(f.conversationId);
    expect(await ids(outside, `/api/conversations?queue_id=${f.q1}&limit=100`)).toEqual([]);
    expect(await ids(inQueue, "/api/quick-replies?limit=100")).toEqual(expect.arrayContaining([f.globalReplyId, f.queueReplyId]));
    const outsideReplies = await ids(outside, "/api/quick-replies?limit=100");
    expect(outsideReplies).toContain(f.globalReplyId);
    expect(outsideReplies).not.toContain(f.queueReplyId);
  });

  it("lets any supervisor write global quick replies, but only those of the queues they supervise", async () => {
    const other = persona("supervisorOfOther").client!;
    expect((await other.post("/api/quick-replies", { shortcut: `/g${next()}`, content: "Global", queue_id: null })).status).toBe(201);
    expect((await other.post("/api/quick-replies", { shortcut: `/q${next()}`, content: "De Q2", queue_id: f.q2 })).status).toBe(201);
  });
});

// The three-process fault suite (issue 12, item 7). Three engine nodes, each a
// real process with every service, share a PostgreSQL and a Redis that this
// file starts for itself. Customers keep writing through the simulator (with
// several messages of one conversation in flight), a flow answers each
// message, an agent answers in the conversations they took, socket clients
// watch — and in turn: kill -9 of a node holding numbers, kill -9 of one
// holding none, a Redis restart, PostgreSQL stopped for ten seconds, and a
// graceful restart of each node. Afterwards nothing may be lost, doubled,
// pending or duplicated, no number may have had two live connections, every
// node must be alive, and every socket client must hold every message.
//
// FAULTS=none runs the same traffic with no fault (the suite's own check);
// FAULTS=kill-holder,redis-restart runs only those. Sizes: FAULT_MESSAGES
// (customer messages per fault, 45), FAULT_RATE (per second, 10),
// FAULT_IN_FLIGHT (sent together to one conversation, 3). Cluster timings are
// the engine's defaults (HEARTBEAT_INTERVAL_SECONDS, HEARTBEAT_TIMEOUT_SECONDS
// may be set) except the WhatsApp lease, 8 s (WHATSAPP_LEASE_TTL_MS). SOCKET_CATCH_UP:
// changes (GET /api/changes on every reconnection and on the server's catch_up,
// as docs/api.md tells clients; default), rest (re-reading conversations and
// their messages after a reconnection) or none.
// FAULT_KEEP_LOGS=<folder> keeps the nodes' logs there; FAULT_REPORT=<file>
// writes the report (also printed) to a file.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import knexFactory from "knex";
import { migrateLatest } from "../lib/db/migrate";
import {
  agentSentOnce,
  Db,
  flowAnsweredOnce,
  inboundStoredOnce,
  noDuplicateConversations,
  nodesAlive,
  nothingPending,
  numbersKept,
  oneConnectionPerNumber,
  socketLag,
  socketsHoldEveryMessage,
  type AccountRow,
  type CheckResult,
  type GracefulStop,
  type NodeOutcome,
  type SocketLag,
  type WatcherScope,
} from "./support/faults/checks";
import { Balancer, explain, success } from "./support/faults/http";
import {
  EngineNode,
  freePort,
  makeRunFolder,
  PostgresServer,
  Reaper,
  RedisServer,
  REPO,
  sleep,
  waitUntil,
  type UnexpectedExit,
} from "./support/faults/processes";
import { AgentTraffic, botReplyTo, CustomerTraffic, type Customer } from "./support/faults/traffic";
import { changesCatchUp, noCatchUp, Observer, restCatchUp, SocketWatcher, type CatchUp } from "./support/faults/watchers";

// ---------------------------------------------------------------------------------------------- settings

const FAULT_NAMES = ["kill-holder", "kill-idle", "redis-restart", "postgres-outage", "graceful-restart"] as const;
type FaultName = (typeof FAULT_NAMES)[number];

function chosenFaults(raw = "all"): FaultName[] {
  const value = raw.trim();
  if (value === "all" || value === "") return [...FAULT_NAMES];
  if (value === "none") return [];
  const names = value.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(FAULT_NAMES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`FAULTS: unknown ${unknown.join(", ")}; use all, none or some of ${FAULT_NAMES.join(", ")}`);
  return names as FaultName[];
}

function whole(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

const SETTINGS = {
  faults: chosenFaults(process.env.FAULTS),
  messagesPerFault: whole("FAULT_MESSAGES", 45),
  perSecond: whole("FAULT_RATE", 10),
  together: whole("FAULT_IN_FLIGHT", 3),
  agentMessagesPerFault: 5,
  accounts: 4,
  botCustomersPerAccount: 8,
  // The same defaults as the engine's, so the failover measured is the one operators get.
  heartbeatIntervalSeconds: whole("HEARTBEAT_INTERVAL_SECONDS", 5),
  heartbeatTimeoutSeconds: whole("HEARTBEAT_TIMEOUT_SECONDS", 15),
  // Shorter than the engine's 15 s so that the 10 s PostgreSQL outage outlasts it: a node that stops renewing its
  // leases while the database is away loses them every time, not only when the outage happens to start late in a
  // lease. WHATSAPP_LEASE_TTL_MS=15000 measures failover with the engine's defaults.
  leaseTtlMs: whole("WHATSAPP_LEASE_TTL_MS", 8_000),
  // How long WhatsApp (and an agent's client) keeps redelivering a message that is not acknowledged.
  deliveryDeadlineMs: 90_000,
  redisDownMs: 3_000,
  postgresDownMs: 10_000,
  gracefulStopBoundMs: 30_000,
  catchUp: process.env.SOCKET_CATCH_UP ?? "changes",
};

const ADMIN = { email: "admin@faults.test", password: "admin-password-1" };
const AGENT = { email: "agente@faults.test", password: "agent-password-1" };

// ---------------------------------------------------------------------------------------------- the run's state

interface PhaseRecord {
  name: string;
  startedAt: number;
  endedAt?: number;
  notes: string[];
}

interface Run {
  folder: string;
  reaper: Reaper;
  redis: RedisServer;
  postgres: PostgresServer;
  db: Db;
  nodes: EngineNode[];
  lb: Balancer;
  observer: Observer;
  exits: UnexpectedExit[];
  stops: GracefulStop[];
  phases: PhaseRecord[];
  watchers: SocketWatcher[];
  /** What each watcher may see: admins everything, the agent their conversations. */
  scopes: WatcherScope[];
  /** Messages the watchers did not hold at the end of a phase. */
  lags: SocketLag[];
  shuttingDown: boolean;
  startedAt: number;
  adminToken: string;
  agentToken: string;
  agentId: string;
  accountIds: string[];
  customers: Customer[];
  traffic?: CustomerTraffic;
  agentTraffic?: AgentTraffic;
  trafficSince?: Date;
  failovers: Array<{ phase: string; ms: number | undefined }>;
  /** kill -9s, to tell in the report how long the cluster took to notice each one. */
  kills: Array<{ phase: string; nodeId: string; at: number }>;
  kept: CheckResult[];
  /** Phases after which the cluster did not come back to every node up and every number connected. */
  unsteady: string[];
  settled?: number;
}

let run: Run | undefined;
const results = new Map<string, CheckResult>();

const seconds = (ms: number | undefined): string => (ms === undefined ? "—" : `${(ms / 1000).toFixed(1)} s`);

function phaseAt(at: number): string {
  const phase = [...(run?.phases ?? [])].reverse().find((p) => p.startedAt <= at);
  return phase?.name ?? "setup";
}

/** A moment as the database's timestamps show it in the report (UTC time of day). */
const clock = (at: number): string => new Date(at).toISOString().slice(11, 23);

function note(message: string): void {
  run?.phases.at(-1)?.notes.push(message);
}

// ---------------------------------------------------------------------------------------------- infrastructure

function nodeEnvironment(redis: RedisServer, postgres: PostgresServer, folder: string, namespace: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    DATABASE_URL: postgres.url(),
    TRANSPORTER: redis.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: "charla-faults:",
    NAMESPACE: namespace,
    DATA_DIR: path.join(folder, "data"),
    JWT_SECRET: randomBytes(24).toString("hex"),
    SECRETS_KEY: randomBytes(24).toString("hex"),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TRUST_PROXY: "true",
    LOGIN_MAX_ATTEMPTS_PER_IP: "10000",
    WHATSAPP_PROVIDER: "simulator",
    SIMULATOR_ENABLED: "true",
    WHATSAPP_SEND_INTERVAL_MS: "0",
    PRESENCE_GRACE_SECONDS: "5",
    HEARTBEAT_INTERVAL_SECONDS: String(SETTINGS.heartbeatIntervalSeconds),
    HEARTBEAT_TIMEOUT_SECONDS: String(SETTINGS.heartbeatTimeoutSeconds),
    WHATSAPP_LEASE_TTL_MS: String(SETTINGS.leaseTtlMs),
  };
}

/** A supervisor's part: a node that exits by itself is noted and started again, as systemd or Kubernetes would. */
function superviseExit(exit: UnexpectedExit): void {
  if (!run) return;
  run.exits.push(exit);
  note(`${exit.nodeId} exited by itself (code ${exit.code}, signal ${exit.signal}); restarted`);
  const node = run.nodes.find((candidate) => candidate.name === exit.node);
  if (node && !run.shuttingDown) {
    setTimeout(() => {
      if (run && !run.shuttingDown) node.start().catch((err: unknown) => note(`restarting ${exit.node} failed: ${String(err)}`));
    }, 1_000);
  }
}

async function startInfrastructure(): Promise<Run> {
  if (!fs.existsSync(path.join(REPO, "dist", "moleculer.config.js"))) throw new Error("The build is missing: run `npm run build` (npm test does it first)");
  const folder = makeRunFolder();
  const reaper = new Reaper(folder);
  const redis = new RedisServer(await freePort(), path.join(folder, "redis"), reaper);
  const postgres = new PostgresServer(await freePort(), path.join(folder, "postgres"), reaper);
  const partial: Partial<Run> = { folder, reaper, redis, postgres };
  run = partial as Run;
  await redis.start();
  await postgres.create();
  const knex = knexFactory({ client: "pg", connection: postgres.url(), pool: { min: 0, max: 2 } });
  await migrateLatest(knex, postgres.url());
  await knex.destroy();

  const namespace = `faults-${randomBytes(3).toString("hex")}`;
  const env = nodeEnvironment(redis, postgres, folder, namespace);
  const nodes: EngineNode[] = [];
  for (const name of ["a", "b", "c"]) nodes.push(new EngineNode(name, await freePort(), "charla", env, path.join(folder, "logs"), reaper, superviseExit));
  Object.assign(partial, {
    db: new Db(postgres.url()),
    nodes,
    lb: new Balancer(() => nodes),
    exits: [],
    stops: [],
    phases: [],
    watchers: [],
    scopes: [],
    lags: [],
    shuttingDown: false,
    startedAt: Date.now(),
    failovers: [],
    kills: [],
    kept: [],
    unsteady: [],
    customers: [],
    accountIds: [],
  });
  const current = partial as Run;
  current.observer = new Observer(
    {
      redisPort: redis.port,
      namespace,
      nodeId: "fault-observer",
      heartbeatIntervalSeconds: SETTINGS.heartbeatIntervalSeconds,
      heartbeatTimeoutSeconds: SETTINGS.heartbeatTimeoutSeconds,
    },
    () => nodes,
    () => current.accountIds,
  );
  await Promise.all(nodes.map((node) => node.start()));
  await current.observer.start();
  return current;
}

async function cleanUp(): Promise<void> {
  const current = run;
  if (!current) return;
  current.shuttingDown = true;
  for (const watcher of current.watchers ?? []) watcher.close();
  await current.observer?.stop().catch(() => undefined);
  await Promise.all((current.nodes ?? []).map((node) => node.kill().catch(() => undefined)));
  await current.db?.close().catch(() => undefined);
  await current.postgres?.stop().catch(() => undefined);
  await current.redis?.stop().catch(() => undefined);
  const keep = process.env.FAULT_KEEP_LOGS;
  if (keep && current.folder) fs.cpSync(path.join(current.folder, "logs"), keep, { recursive: true });
  fs.rmSync(current.folder, { recursive: true, force: true });
  current.reaper.close();
}

// ---------------------------------------------------------------------------------------------- setting up the inbox

/** A setup call that must succeed: retried on network trouble, else it stops the run saying what came back. */
async function call<T>(what: string, method: string, url: string, token?: string, body?: unknown): Promise<T> {
  if (!run) throw new Error("no run");
  let last = "";
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const outcome = await run.lb.request<T>("setup", method, url, { token, body });
    if (outcome.ok && success(outcome.status)) return outcome.body;
    last = explain(outcome);
    if (outcome.ok && outcome.status < 500 && outcome.status !== 409) break;
    await sleep(500);
  }
  throw new Error(`Setup step failed — ${what}: ${method} ${url} → ${last}`);
}

async function login(email: string, password: string): Promise<{ token: string; id: string }> {
  const body = await call<{ access_token: string; user: { id: string } }>(`login ${email}`, "POST", "/api/auth/login", undefined, { email, password });
  return { token: body.access_token, id: body.user.id };
}

async function connectedAccount(current: Run, index: number): Promise<string> {
  const token = current.adminToken;
  const account = await call<{ id: string }>("create a simulated number", "POST", "/api/whatsapp/accounts", token, {
    name: `Número ${index + 1}`,
    provider: "simulator",
  });
  const status = async () => (await call<{ status: string }>("read its status", "GET", `/api/whatsapp/accounts/${account.id}/status`, token)).status;
  if ((await waitUntil(async () => (await status()) === "qr", 30_000)) === undefined) throw new Error(`number ${index + 1} never showed a QR code`);
  await call("scan its QR code", "POST", `/api/simulator/accounts/${account.id}/scan`, token, { phone_number: `+5255000001${String(index).padStart(2, "0")}` });
  if ((await waitUntil(async () => (await status()) === "connected", 30_000)) === undefined)
    throw new Error(`number ${index + 1} did not connect after the scan`);
  return account.id;
}

const FLOW = {
  name: "Eco",
  trigger_type: "default",
  is_active: true,
  nodes: {
    nodes: [
      { id: "start", type: "start", data: {} },
      { id: "echo", type: "send_text", data: { text: "Eco {{message.text}}" } },
    ],
    edges: [{ source: "start", target: "echo" }],
  },
};

async function conversationOf(current: Run, accountId: string, phone: string): Promise<string | undefined> {
  const [row] = await current.db.rows<{ id: string }>(
    "SELECT c.id FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE c.whatsapp_account_id = $1 AND k.phone_number = $2 AND c.status <> 'resolved'",
    [accountId, phone],
  );
  return row?.id;
}

/** Each customer writes once (the flow answers); one customer per number is then taken by the agent. */
async function setUpInbox(current: Run): Promise<void> {
  const admin = await login(ADMIN.email, ADMIN.password);
  current.adminToken = admin.token;
  await call("create the agent", "POST", "/api/users", admin.token, { email: AGENT.email, password: AGENT.password, name: "Agente Uno", role: "agent" });
  const agent = await login(AGENT.email, AGENT.password);
  current.agentToken = agent.token;
  current.agentId = agent.id;
  const queue = await call<{ id: string }>("create the queue", "POST", "/api/queues", admin.token, { name: "Soporte", assignment_method: "manual" });
  await call("add the agent to the queue", "POST", `/api/queues/${queue.id}/agents`, admin.token, { user_id: agent.id });
  await call("create the flow", "POST", "/api/flows", admin.token, FLOW);
  current.accountIds = await Promise.all(Array.from({ length: SETTINGS.accounts }, (_, i) => connectedAccount(current, i)));

  for (const [a, accountId] of current.accountIds.entries()) {
    for (let i = 0; i <= SETTINGS.botCustomersPerAccount; i += 1) {
      current.customers.push({ accountId, phone: `+5255${20000000 + a * 100 + i}`, conversationId: "", agent: false });
    }
  }
  current.traffic = new CustomerTraffic(
    current.lb,
    () => current.adminToken,
    current.customers,
    randomBytes(3).toString("hex").toUpperCase(),
    SETTINGS.deliveryDeadlineMs,
  );
  const traffic = current.traffic;
  await Promise.all(current.customers.map((customer) => traffic.single("setup", customer)));
  for (const customer of current.customers) {
    const id = await conversationOf(current, customer.accountId, customer.phone);
    if (!id) throw new Error(`Setup: ${customer.phone} wrote to ${customer.accountId} but has no open conversation`);
    customer.conversationId = id;
  }
  await waitForSetupReplies(current);
  await handToAgent(current, queue.id);
}

async function waitForSetupReplies(current: Run): Promise<void> {
  const contents = current.traffic?.deliveries.map((delivery) => botReplyTo(delivery.token)) ?? [];
  const answered = await waitUntil(async () => {
    const [row] = await current.db.rows<{ n: string }>("SELECT count(DISTINCT content) AS n FROM messages WHERE sender_type = 'bot' AND content = ANY($1)", [
      contents,
    ]);
    return Number(row!.n) === contents.length;
  }, 30_000);
  if (answered === undefined) throw new Error("Setup: the flow did not answer every customer's first message within 30 s, with no fault yet");
}

/** The last customer of each number is moved to the queue and taken by the agent, who answers there from now on. */
async function handToAgent(current: Run, queueId: string): Promise<void> {
  const taken = current.customers.filter((_, i) => i % (SETTINGS.botCustomersPerAccount + 1) === SETTINGS.botCustomersPerAccount);
  for (const customer of taken) {
    await call("move a conversation to the queue", "POST", `/api/conversations/${customer.conversationId}/transfer`, current.adminToken, { queue_id: queueId });
    await call("the agent takes it", "POST", `/api/conversations/${customer.conversationId}/assign`, current.agentToken, { user_id: current.agentId });
    customer.agent = true;
  }
  current.agentTraffic = new AgentTraffic(
    current.lb,
    () => current.agentToken,
    taken.map((customer) => customer.conversationId),
    SETTINGS.deliveryDeadlineMs,
  );
}

function catchUpStrategy(current: Run): CatchUp {
  if (SETTINGS.catchUp === "none") return noCatchUp;
  if (SETTINGS.catchUp === "rest") return restCatchUp(current.lb);
  if (SETTINGS.catchUp === "changes") return changesCatchUp(current.lb);
  throw new Error(`SOCKET_CATCH_UP must be changes, rest or none, got "${SETTINGS.catchUp}"`);
}

/** An admin's socket on each node, and the agent's. */
async function connectWatchers(current: Run): Promise<void> {
  const catchUp = catchUpStrategy(current);
  for (const node of current.nodes)
    current.watchers.push(
      new SocketWatcher(
        `admin@${node.name}`,
        () => current.adminToken,
        node,
        () => current.nodes,
        catchUp,
      ),
    );
  current.watchers.push(
    new SocketWatcher(
      `agent@${current.nodes[1]!.name}`,
      () => current.agentToken,
      current.nodes[1]!,
      () => current.nodes,
      catchUp,
    ),
  );
  await Promise.all(current.watchers.map((watcher) => watcher.connect()));
  const agentConversations = new Set(current.customers.filter((customer) => customer.agent).map((customer) => customer.conversationId));
  current.scopes = current.watchers.map((watcher) => ({ watcher, conversations: watcher.name.startsWith("agent") ? agentConversations : undefined }));
  // Everything stored from here on must reach the watchers.
  await sleep(500);
  const [row] = await current.db.rows<{ now: Date }>("SELECT now() AS now");
  current.trafficSince = row!.now;
}

// ---------------------------------------------------------------------------------------------- the faults

async function accountRows(current: Run): Promise<AccountRow[]> {
  return current.db.rows<AccountRow>(
    "SELECT id, owner_node, last_connected_at::text AS last_connected_at FROM whatsapp_accounts WHERE deleted_at IS NULL ORDER BY id",
  );
}

/** Node id → the numbers it holds connected now. */
async function holdings(current: Run): Promise<Map<string, string[]>> {
  const rows = await current.db.rows<{ id: string; owner_node: string }>(
    "SELECT id, owner_node FROM whatsapp_accounts WHERE status = 'connected' AND owner_node IS NOT NULL",
  );
  const held = new Map<string, string[]>();
  for (const row of rows) held.set(row.owner_node, [...(held.get(row.owner_node) ?? []), row.id]);
  return held;
}

/** Every node up and every number connected; how long that took, or undefined after 90 s. */
async function steady(current: Run): Promise<number | undefined> {
  return waitUntil(
    async () => {
      if (!current.nodes.every((node) => node.state === "up")) return false;
      const [row] = await current.db.rows<{ n: string }>("SELECT count(*) AS n FROM whatsapp_accounts WHERE status = 'connected' AND deleted_at IS NULL");
      return Number(row!.n) === current.accountIds.length;
    },
    90_000,
    250,
  );
}

/** Until every one of `accounts` is connected on a node other than `leaving`; ms since `since`, or undefined after 90 s. */
async function movedAway(current: Run, accounts: string[], leaving: string, since: number): Promise<number | undefined> {
  const took = await waitUntil(
    async () => {
      const rows = await current.db.rows<{ id: string }>(
        "SELECT id FROM whatsapp_accounts WHERE id = ANY($1) AND status = 'connected' AND owner_node IS DISTINCT FROM $2",
        [accounts, leaving],
      );
      return rows.length === accounts.length;
    },
    90_000,
    100,
  );
  return took === undefined ? undefined : Date.now() - since;
}

/** Customer and agent traffic for one fault, running while `fault` happens (it starts a second after the traffic). */
async function withTraffic(current: Run, phase: string, fault: () => Promise<void>): Promise<void> {
  const record: PhaseRecord = { name: phase, startedAt: Date.now(), notes: [] };
  current.phases.push(record);
  current.observer.phase = phase;
  const customers = current.traffic?.burst(phase, SETTINGS.messagesPerFault, SETTINGS.perSecond, SETTINGS.together);
  const agents = current.agentTraffic?.burst(phase, SETTINGS.agentMessagesPerFault, 1_000);
  await sleep(1_000);
  await fault();
  await Promise.all([customers, agents]);
  const back = await steady(current);
  if (back === undefined) current.unsteady.push(phase);
  record.notes.push(back === undefined ? "NOT back to every node up and every number connected within 90 s" : `steady again after ${seconds(back)}`);
  await socketsCaughtUp(current, phase);
  record.endedAt = Date.now();
}

// A message is relayed to sockets within milliseconds; seconds later a client that lacks it did not get it.
const SOCKET_GRACE_MS = 3_000;

/** At the end of a phase: which messages each client lacks, once its reconnections and catch-ups are done. */
async function socketsCaughtUp(current: Run, phase: string): Promise<void> {
  await Promise.all(current.watchers.map((watcher) => watcher.settled()));
  if (!current.trafficSince) return;
  current.lags.push(...(await socketLag(current.db, current.scopes, current.trafficSince, phase, SOCKET_GRACE_MS, current.lags)));
}

async function killHolder(current: Run): Promise<void> {
  const held = await holdings(current);
  const victim = [...current.nodes].sort((a, b) => (held.get(b.nodeId)?.length ?? 0) - (held.get(a.nodeId)?.length ?? 0))[0];
  const accounts = held.get(victim!.nodeId) ?? [];
  const id = victim!.nodeId;
  const killedAt = Date.now();
  await victim!.kill();
  current.kills.push({ phase: "kill-holder", nodeId: id, at: killedAt });
  const failover = await movedAway(current, accounts, id, killedAt);
  current.failovers.push({ phase: "kill-holder", ms: failover });
  note(`kill -9 ${id} at ${clock(killedAt)} holding ${accounts.length} number(s); failover ${failover === undefined ? "NOT within 90 s" : seconds(failover)}`);
  await victim!.start();
}

async function killIdle(current: Run): Promise<void> {
  const held = await holdings(current);
  const ranked = [...current.nodes].sort((a, b) => (held.get(a.nodeId)?.length ?? 0) - (held.get(b.nodeId)?.length ?? 0));
  const victim = ranked[0];
  const holding = held.get(victim!.nodeId)?.length ?? 0;
  // With the numbers spread over every node (rebalancing) none is idle: the one holding fewest stands in, and the report says so.
  if (holding > 0) note(`no node without numbers: killing the one holding fewest (${holding})`);
  const id = victim!.nodeId;
  const accounts = held.get(id) ?? [];
  const killedAt = Date.now();
  current.kills.push({ phase: "kill-idle", nodeId: id, at: killedAt });
  await victim!.kill();
  // Restarted only once the others have noticed, so requests routed to the dead node meanwhile are part of the test.
  const noticed = await waitUntil(() => current.observer.departures.has(id), SETTINGS.heartbeatTimeoutSeconds * 1000 + 15_000);
  if (accounts.length) {
    const failover = await movedAway(current, accounts, id, killedAt);
    current.failovers.push({ phase: "kill-idle", ms: failover });
  }
  note(
    `kill -9 ${id} at ${clock(killedAt)} holding ${holding} number(s)${noticed === undefined ? "; NOT noticed by the cluster within the heartbeat timeout + 15 s" : ""}`,
  );
  await victim!.start();
}

/**
 * What an outage does to the numbers shows after it ends: a node that could not renew a lease
 * meanwhile finds it lost at its next renewal. So the numbers are compared a lease period after
 * the recovery (renewals run every third of it).
 */
async function afterALeasePeriod(current: Run): Promise<void> {
  await steady(current);
  await sleep(SETTINGS.leaseTtlMs + SETTINGS.leaseTtlMs / 3 + 1_000);
}

async function restartRedis(current: Run): Promise<void> {
  const before = await accountRows(current);
  await current.redis.stop();
  await sleep(SETTINGS.redisDownMs);
  await current.redis.start();
  note(`Redis down ${seconds(SETTINGS.redisDownMs)} (restarted empty)`);
  await afterALeasePeriod(current);
  // Reported, not asserted: the issue asks this of PostgreSQL outages (item 3); a Redis that comes back empty has lost every lease.
  current.kept.push(numbersKept("redis-restart", before, await accountRows(current), current.observer));
}

async function postgresOutage(current: Run): Promise<void> {
  const before = await accountRows(current);
  await current.postgres.stop();
  await sleep(SETTINGS.postgresDownMs);
  await current.postgres.start();
  note(`PostgreSQL down ${seconds(SETTINGS.postgresDownMs)}`);
  await afterALeasePeriod(current);
  const kept = numbersKept("postgres-outage", before, await accountRows(current), current.observer);
  results.set("numbers kept through the PostgreSQL outage", kept);
}

async function gracefulRestart(current: Run, node: EngineNode): Promise<void> {
  const held = await holdings(current);
  const accounts = held.get(node.nodeId) ?? [];
  const id = node.nodeId;
  const stoppedAt = Date.now();
  const stop = await node.terminate(SETTINGS.gracefulStopBoundMs);
  current.stops.push({ node: id, ...stop });
  const handover = accounts.length ? await movedAway(current, accounts, id, stoppedAt) : undefined;
  if (accounts.length) current.failovers.push({ phase: `graceful-${node.name}`, ms: handover });
  note(
    `SIGTERM ${id} (${accounts.length} number(s)): exited after ${seconds(stop.ms)}${stop.forced ? " — FORCED with SIGKILL" : ""} (code ${stop.code}); numbers moved in ${seconds(handover)}`,
  );
  await node.start();
}

async function runFaults(current: Run): Promise<void> {
  const on = (fault: FaultName): boolean => SETTINGS.faults.includes(fault);
  const none = async (): Promise<void> => undefined;
  await withTraffic(current, "kill-holder", on("kill-holder") ? () => killHolder(current) : none);
  await withTraffic(current, "kill-idle", on("kill-idle") ? () => killIdle(current) : none);
  await withTraffic(current, "redis-restart", on("redis-restart") ? () => restartRedis(current) : none);
  await withTraffic(current, "postgres-outage", on("postgres-outage") ? () => postgresOutage(current) : none);
  for (const node of current.nodes) await withTraffic(current, `graceful-${node.name}`, on("graceful-restart") ? () => gracefulRestart(current, node) : none);
}

// ---------------------------------------------------------------------------------------------- afterwards

/** Waits (bounded) until the engine has nothing left to do: every delivery settled, every reply written, nothing pending. */
async function settle(current: Run): Promise<void> {
  const record: PhaseRecord = { name: "settle", startedAt: Date.now(), notes: [] };
  current.phases.push(record);
  current.observer.phase = "settle";
  await Promise.all([current.traffic?.drain(), current.agentTraffic?.drain()]);
  const expected = (current.traffic?.deliveries ?? []).filter((delivery) => delivery.expectsBotReply).map((delivery) => botReplyTo(delivery.token));
  current.settled = await waitUntil(
    async () => {
      const [replies] = await current.db.rows<{ n: string }>(
        "SELECT count(DISTINCT content) AS n FROM messages WHERE sender_type = 'bot' AND content = ANY($1)",
        [expected],
      );
      const [pending] = await current.db.rows<{ n: string }>("SELECT count(*) AS n FROM messages WHERE status = 'pending'");
      return Number(replies!.n) === expected.length && Number(pending!.n) === 0;
    },
    45_000,
    500,
  );
  record.notes.push(current.settled === undefined ? "still missing replies or sending after 45 s" : `quiet after ${seconds(current.settled)}`);
  // Late duplicates (a recovery re-running a step) would show up now.
  await sleep(3_000);
  await current.observer.collectSends();
  await Promise.all(current.watchers.map((watcher) => watcher.settled()));
  record.endedAt = Date.now();
}

async function finalNodes(current: Run): Promise<NodeOutcome[]> {
  return Promise.all(
    current.nodes.map(async (node) => ({ name: node.name, nodeId: node.nodeId, running: node.running, ready: await node.ready().catch(() => false) })),
  );
}

async function runChecks(current: Run): Promise<void> {
  const deliveries = current.traffic?.deliveries ?? [];
  const finals = await finalNodes(current);
  const running = new Set(finals.filter((node) => node.running).map((node) => node.nodeId));
  results.set("inbound", await inboundStoredOnce(current.db, deliveries));
  results.set("replies", await flowAnsweredOnce(current.db, deliveries, phaseAt));
  results.set("agent", await agentSentOnce(current.db, current.agentTraffic?.sends ?? []));
  results.set("pending", await nothingPending(current.db));
  results.set("conversations", await noDuplicateConversations(current.db, current.customers));
  results.set("numbers", await oneConnectionPerNumber(current.db, current.observer, running));
  results.set("nodes", nodesAlive(current.exits, finals, current.stops, current.unsteady, phaseAt));
  results.set("sockets", await socketsHoldEveryMessage(current.db, current.scopes, current.trafficSince ?? new Date(current.startedAt), phaseAt, current.lags));
}

/** WhatsApp's side: how many sends each node's simulator recorded, and messages that went out more than once (the same WhatsApp id). */
function whatsappSide(current: Run): string {
  const perMessage = new Map<string, Set<string>>();
  for (const send of current.observer.sends.values())
    perMessage.set(send.waMessageId, new Set([...(perMessage.get(send.waMessageId) ?? []), `${send.node}@${send.sentAt}`]));
  const repeated = [...perMessage.entries()].filter(([, sends]) => sends.size > 1);
  return `${current.observer.sends.size} sends recorded by the simulators (lost with a killed node's memory); sent again with the same WhatsApp id: ${repeated.length}`;
}

function noticedAfter(current: Run, kill: { nodeId: string; at: number }): number | undefined {
  const noticed = current.observer.departures.get(kill.nodeId);
  return noticed === undefined ? undefined : noticed - kill.at;
}

function report(current: Run): string {
  const lines = [
    `Three-process fault suite — faults: ${SETTINGS.faults.join(", ") || "none"}; ${SETTINGS.messagesPerFault} customer messages per phase at ${SETTINGS.perSecond}/s, ${SETTINGS.together} at a time per conversation; catch-up: ${SETTINGS.catchUp}`,
    `took ${seconds(Date.now() - current.startedAt)}`,
    "",
    "phases:",
    ...current.phases.map(
      (phase) =>
        `  ${phase.name.padEnd(16)} +${seconds(phase.startedAt - current.startedAt).padStart(8)}  ${seconds((phase.endedAt ?? Date.now()) - phase.startedAt).padStart(8)}  ${phase.notes.join("; ")}`,
    ),
    "",
    `failover (kill -9 or SIGTERM → the node's numbers connected elsewhere): ${current.failovers.map((f) => `${f.phase} ${f.ms === undefined ? "NOT within 90 s" : seconds(f.ms)}`).join(", ") || "none measured"}`,
    `kill -9 noticed by the cluster ($node.disconnected, heartbeat ${SETTINGS.heartbeatIntervalSeconds} s / timeout ${SETTINGS.heartbeatTimeoutSeconds} s): ${current.kills.map((k) => `${k.phase} ${seconds(noticedAfter(current, k))}`).join(", ") || "no kill"}`,
    "",
    "what clients saw:",
    ...[...current.lb.outcomes.keys()].map((purpose) => `  ${purpose}: ${current.lb.summary(purpose)}`),
    `  WhatsApp: ${whatsappSide(current)}`,
    "",
    "checks:",
    ...[...results.values()].map((result) => `  ${result.problems.length ? "FAIL" : "ok  "} ${result.name}: ${result.summary}`),
    // Not asserted (see restartRedis), shown so a change in it is noticed.
    ...current.kept.map((result) => `  ${result.problems.length ? "note" : "ok  "} ${result.name} (reported, not asserted): ${result.summary}`),
    "",
    "problems:",
    ...[...results.values(), ...current.kept].flatMap((result) =>
      result.problems.map((problem) => `  - [${result.name}] ${problem.replace(/\n/g, "\n      ")}`),
    ),
  ];
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------- jest

const RUN_BUDGET_MS = 420_000;

beforeAll(async () => {
  try {
    const current = await startInfrastructure();
    await setUpInbox(current);
    await connectWatchers(current);
    await runFaults(current);
    await settle(current);
    await runChecks(current);
  } finally {
    // Also when the run stopped half-way: what happened until then is what explains it.
    if (run?.lb) {
      const text = report(run);
      console.log(text);
      if (process.env.FAULT_REPORT) fs.writeFileSync(process.env.FAULT_REPORT, `${text}\n`);
    }
  }
}, RUN_BUDGET_MS);

afterAll(cleanUp, 60_000);

const problemsOf = (key: string): string[] => {
  const result = results.get(key);
  if (!result) throw new Error(`check ${key} did not run (see the error of the run above)`);
  return result.problems;
};

describe("three nodes through kill -9, Redis and PostgreSQL outages and graceful restarts", () => {
  it("stores every customer message exactly once", () => expect(problemsOf("inbound")).toEqual([]));
  it("answers every customer message with its flow exactly once", () => expect(problemsOf("replies")).toEqual([]));
  it("sends every agent message exactly once", () => expect(problemsOf("agent")).toEqual([]));
  it("leaves nothing pending", () => expect(problemsOf("pending")).toEqual([]));
  it("duplicates no conversation", () => expect(problemsOf("conversations")).toEqual([]));
  it("never connects a number on two nodes at once, and ends with every number connected", () => expect(problemsOf("numbers")).toEqual([]));
  it("keeps every node alive", () => expect(problemsOf("nodes")).toEqual([]));
  it("gives each socket client every new_message, live or caught up", () => expect(problemsOf("sockets")).toEqual([]));
  if (SETTINGS.faults.includes("postgres-outage")) {
    it("keeps the numbers connected through a PostgreSQL outage", () => expect(problemsOf("numbers kept through the PostgreSQL outage")).toEqual([]));
  }
});

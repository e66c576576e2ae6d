// What every scenario needs: its own PostgreSQL database, an engine node on it
// (all services, one process, no Redis), timing helpers and the report format.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Server } from "node:http";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import Redis from "ioredis";
import pg from "pg";
import { reloadConfig } from "../lib/config";
import { database, sendingDatabase } from "../lib/db/connection";
import type { SimulatorProvider } from "../lib/whatsapp/simulator";

export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ADMIN = { email: "bench@charla.local", password: "bench-password-1" };

export interface Result {
  scenario: string;
  [figure: string]: unknown;
}

export async function withServer<T>(work: (client: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(SERVER_URL);
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (values: number[]) => percentile(values, 50);
export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Runs `fn` `count` times in a row; the durations in ms. */
export async function timed(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = process.hrtime.bigint();
    await fn(i);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export interface Engine {
  /** The engine's broker, or (for nodes in processes of their own) a broker that reaches them. */
  broker: ServiceBroker;
  database: string;
  url: string;
  baseUrl: string;
  token: string;
  get(pathAndQuery: string): Promise<unknown>;
  stop(): Promise<void>;
}

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A fresh database for a scenario's engine, and a directory for its files. */
export async function engineStorage(name: string): Promise<{ database: string; url: string; dataDir: string; drop(): Promise<void> }> {
  const database = `charla_bench_${name.replace(/\W/g, "_")}_${process.pid}`;
  await withServer(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  });
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "charla-bench-"));
  return {
    database,
    url: url.toString(),
    dataDir,
    async drop() {
      await withServer((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The environment of a bench engine's nodes; with `redisPrefix`, they join over the Redis transporter. */
export function engineEnvironment(storage: { database: string; url: string; dataDir: string }, redisPrefix?: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: storage.url,
    DATA_DIR: storage.dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    JWT_SECRET: `bench-${process.pid}-secret-long-enough-for-production`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WHATSAPP_PROVIDER: "simulator",
    SIMULATOR_ENABLED: "true",
    NAMESPACE: storage.database,
    LOGIN_MAX_ATTEMPTS_PER_IP: "100000",
    // Replies go out as fast as the engine can send them: what is measured is the engine, not the pause a
    // real number keeps between two sends (1 s by default).
    WHATSAPP_SEND_INTERVAL_MS: "0",
    ...(redisPrefix ? { REDIS_URL, TRANSPORTER: REDIS_URL, REDIS_KEY_PREFIX: redisPrefix } : {}),
  };
}

/** Logs in as the bench's admin (the first node may still be starting its services). */
async function adminToken(baseUrl: string): Promise<string> {
  for (let attempt = 0; ; attempt += 1) {
    const res = await fetch(`${baseUrl}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    if (res.ok) return ((await res.json()) as { access_token: string }).access_token;
    if (attempt > 100) throw new Error(`login failed: ${res.status}`);
    await sleep(100);
  }
}

/** Deletes the keys a bench engine left in Redis. */
export async function dropRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
}

/** Every service of the engine, compiled, on `broker`: a whole node. */
export function createEngineServices(broker: ServiceBroker): void {
  const servicesDir = path.join(__dirname, "..", "services");
  for (const file of fs.readdirSync(servicesDir).filter((entry) => /\.service\.js$/.test(entry))) {
    broker.createService((require(path.join(servicesDir, file)) as { default: ServiceSchema }).default);
  }
}

/** A window over what the engine's nodes spend, per message that went through it. */
export interface CostWindow {
  /** Resolves once the engine's trailing work is done. */
  settle(): Promise<void>;
  stop(messages: number): Promise<Cost>;
}

/** A fresh database and an engine on it: one node, all services, in this process, no Redis. */
export async function startEngine(name: string): Promise<Engine> {
  const storage = await engineStorage(name);
  delete process.env.REDIS_URL;
  delete process.env.TRANSPORTER;
  Object.assign(process.env, engineEnvironment(storage));
  reloadConfig();
  // Loaded now, so the services read this environment.
  const { brokerOptions } = require("../moleculer.config") as typeof import("../moleculer.config");
  const broker = new ServiceBroker({ ...brokerOptions(), nodeID: storage.database });
  createEngineServices(broker);
  await broker.start();
  const api = broker.getLocalService("api") as unknown as { server: Server };
  return engineClient(broker, storage, `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`, async () => {
    await broker.stop();
    await storage.drop();
  });
}

/** What a scenario drives an engine through: a broker that reaches its services, its REST API as the admin, its database. */
export async function engineClient(
  broker: ServiceBroker,
  storage: { database: string; url: string },
  baseUrl: string,
  stop: () => Promise<void>,
): Promise<Engine> {
  const token = await adminToken(baseUrl);
  return {
    broker,
    database: storage.database,
    url: storage.url,
    baseUrl,
    token,
    async get(pathAndQuery) {
      const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    stop,
  };
}

/** An active flow with one version, written straight into the database. */
export async function insertFlow(sql: pg.Client, name: string, trigger: string, graph: unknown): Promise<{ flowId: string; versionId: string }> {
  const { rows: flow } = await sql.query("INSERT INTO flows (name, trigger_type, is_active) VALUES ($1, $2, true) RETURNING id", [name, trigger]);
  const { rows: version } = await sql.query("INSERT INTO flow_versions (flow_id, version, graph) VALUES ($1, 1, $2) RETURNING id", [
    flow[0].id,
    JSON.stringify(graph),
  ]);
  await sql.query("UPDATE flows SET current_version_id = $1 WHERE id = $2", [version[0].id, flow[0].id]);
  return { flowId: flow[0].id, versionId: version[0].id };
}

/**
 * Leaves the database as a burst would leave a production server a while
 * later, so the run that follows does not partly measure the burst again:
 * PostgreSQL writes its dirty pages now (a run would otherwise share its window
 * with the checkpoint the burst's writes call for, spread over a minute or two,
 * slowing commits), and, on a server whose autovacuum is off, the scenario's
 * database is vacuumed, as autovacuum would have done (the burst's dead row
 * versions slow every index scan, the send queue's above all, until then).
 */
export async function settleAfterBurst(database: string): Promise<void> {
  try {
    await withServer((client) => client.query("CHECKPOINT"));
  } catch (err) {
    log(`CHECKPOINT failed (${err instanceof Error ? err.message : String(err)}): the next run may share its window with the previous one's checkpoint`);
  }
  const autovacuum = await withServer(async (client) => (await client.query("SHOW autovacuum")).rows[0].autovacuum as string);
  if (autovacuum === "on") return;
  log("the server's autovacuum is off: vacuuming the burst's dead row versions, as it would have");
  await withServer((client) => client.query("VACUUM (ANALYZE)"), database);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits until `check` holds, polling; fails after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check());) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** What a measured window cost, per message that went through it. */
export interface Cost {
  /** Statements the engine sent to PostgreSQL, BEGIN and COMMIT included: each one is a round trip. */
  round_trips_per_message: number;
  /** CPU of this whole process (user + system): the engine, and the scenario's own clients running in it. */
  cpu_ms_per_message: number;
  /** The same CPU over the window's wall time: 1 is one core busy all along. */
  node_cpu_cores: number;
  /** The longest the event loop was late in the window: whether a latency tail is Node stalling (GC, long synchronous work) or a wait elsewhere. */
  event_loop_max_ms: number;
}

export interface Meter {
  /** Resolves once the engine has sent no statement for `quietMs` (the last messages' work is done), or after `maxMs`. */
  settle(quietMs?: number, maxMs?: number): Promise<void>;
  /** Ends the window and divides its cost by `messages`. */
  stop(messages: number): Cost;
}

/** BENCH_STATEMENTS=1: every window also logs its statements by kind, per message (where the round trips go). */
const BY_STATEMENT = Boolean(process.env.BENCH_STATEMENTS);

/** A statement without what varies from one call to the next (savepoint names), cut to what tells it apart. */
const statementKind = (sql: unknown) =>
  String(sql)
    .replace(/\s+/g, " ")
    .replace(/trx\d+/g, "trx…")
    .slice(0, 100);

function logStatements(statements: Map<string, number>, messages: number): void {
  const lines = [...statements].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${(n / messages).toFixed(2).padStart(7)}  ${kind}`);
  log(`statements per message:\n${lines.join("\n")}`);
}

/**
 * Starts counting the engine's round trips to PostgreSQL, this process's CPU
 * and how late its event loop runs. Once started, every statement of the engine goes through one of its two
 * knex instances (the main pool and the sessions' sending pool; only
 * migrations and knex's one version check per pool bypass them), whose 'query'
 * event fires once per statement sent, a transaction's BEGIN, COMMIT and
 * savepoints included (knex sends them as queries on the transaction's
 * connection). Counting there agrees with counting the pg driver's queries,
 * and a listener that adds one costs nothing the figures could show.
 */
export function startMeter(): Meter {
  const pools = [database(), sendingDatabase()];
  let roundTrips = 0;
  let lastQueryAt = performance.now();
  const statements = new Map<string, number>();
  const count = (query: { sql?: unknown }) => {
    roundTrips += 1;
    lastQueryAt = performance.now();
    if (BY_STATEMENT) {
      const kind = statementKind(query.sql);
      statements.set(kind, (statements.get(kind) ?? 0) + 1);
    }
  };
  for (const pool of pools) pool.on("query", count);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const startedAt = performance.now();
  const cpuAtStart = process.cpuUsage();
  return {
    async settle(quietMs = 100, maxMs = 2_000) {
      for (const deadline = performance.now() + maxMs; performance.now() - lastQueryAt < quietMs && performance.now() < deadline;) await sleep(quietMs / 4);
    },
    stop(messages) {
      const cpu = process.cpuUsage(cpuAtStart);
      const wallMs = performance.now() - startedAt;
      loopDelay.disable();
      for (const pool of pools) pool.off("query", count);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (BY_STATEMENT) logStatements(statements, messages);
      return {
        round_trips_per_message: round(roundTrips / messages, 1),
        cpu_ms_per_message: round(cpuMs / messages),
        node_cpu_cores: round(cpuMs / wallMs),
        event_loop_max_ms: round(loopDelay.max / 1e6, 1),
      };
    },
  };
}

/**
 * Sends `count` messages as fast as they go: message i belongs to lane
 * i % `lanes` (a lane's messages go in order, each after the previous one was
 * taken in), and `senders` lanes are worked at a time.
 */
export async function inLanes(count: number, lanes: number, senders: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let lane = next++; lane < Math.min(lanes, count); lane = next++) {
      for (let i = lane; i < count; i += lanes) await send(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(senders, lanes) }, worker));
}

/**
 * Sends `count` messages at `perSecond` a second, each on time whether or not
 * the earlier ones were taken in yet (an open loop: an engine that falls
 * behind shows as latency, not as a slower sender). Resolves once all were
 * taken in; fails with the first failure.
 */
export async function atRate(count: number, perSecond: number, send: (i: number) => Promise<unknown>): Promise<void> {
  const startedAt = performance.now();
  const sends: Array<Promise<unknown>> = [];
  const failures: unknown[] = [];
  for (let i = 0; i < count;) {
    const due = Math.min(count, Math.floor(((performance.now() - startedAt) * perSecond) / 1000) + 1);
    // Caught at once: a failure must not be an unhandled rejection while later messages are still due.
    for (; i < due; i += 1) sends.push(send(i).catch((err: unknown) => failures.push(err)));
    if (i < count) await sleep(startedAt + (i * 1000) / perSecond - performance.now());
  }
  await Promise.all(sends);
  if (failures.length) throw failures[0];
}

/** How long a run may go without progress before what is missing counts as lost. */
const STALL_MS = 60_000;

/** Waits until `progress()` reaches `target`, or has not moved for a minute (the rest is lost: the caller reports it). */
export async function whileProgress(progress: () => number | Promise<number>, target: number): Promise<void> {
  for (let seen = -1, since = performance.now(); ; await sleep(50)) {
    const reached = await progress();
    if (reached >= target) return;
    if (reached !== seen) [seen, since] = [reached, performance.now()];
    else if (performance.now() - since > STALL_MS) return;
  }
}

/**
 * Calls `received` with each message the simulated phones of this broker's
 * node receive, the moment they have it: every connection the simulator opens
 * is wrapped to report what it sends. (The simulator keeps only each number's
 * last 1 000 sends, too few to read back afterwards, and the database's
 * sent_at is written after the send.)
 */
export function watchPhones(broker: ServiceBroker, received: (content: string | null) => void): void {
  const simulator = (broker.getLocalService("whatsapp-sessions") as unknown as { simulator: SimulatorProvider }).simulator;
  const connect = simulator.connect.bind(simulator);
  simulator.connect = async (accountId, listener) => {
    const connection = await connect(accountId, listener);
    const send = connection.send.bind(connection);
    connection.send = async (message) => {
      const sent = await send(message);
      received(message.content);
      return sent;
    };
    return connection;
  };
}

/** Epoch milliseconds with a fraction: comparable between the processes of one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

/** A simulated number, and the node whose session holds it (its simulated phone lives there). */
export interface Account {
  id: string;
  nodeID: string;
}

const accountPhone = (n: number) => `+5255${90_000_000 + n}`;

/** Creates `count` simulated numbers, pairs each on the node that took it, and waits until all are connected. */
export async function connectAccounts(engine: Engine, sql: pg.Client, count: number): Promise<Account[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    ids.push((await engine.broker.call<{ id: string }, Record<string, unknown>>("whatsapp.create", { name: `Bench ${n + 1}`, provider: "simulator" })).id);
  }
  const rows = async () =>
    (await sql.query("SELECT id, owner_node, status FROM whatsapp_accounts WHERE id = ANY($1) ORDER BY name", [ids])).rows as Array<{
      id: string;
      owner_node: string | null;
      status: string;
    }>;
  await until("a QR code on every number", async () => (await rows()).every((row) => row.status === "qr"), 60_000);
  for (const [n, row] of (await rows()).entries()) {
    await engine.broker.call("whatsapp-sessions.simulatorScan", { account_id: row.id, phone_number: accountPhone(n) }, { nodeID: row.owner_node! });
  }
  await until("every number connected", async () => (await rows()).every((row) => row.status === "connected"), 60_000);
  return (await rows()).map((row) => ({ id: row.id, nodeID: row.owner_node! }));
}

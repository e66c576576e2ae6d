// A Redis outage must not stop a node, least of all the one holding the
// WhatsApp numbers: an engine in its own process (so that an unhandled
// rejection would really end it) loses its Redis while a customer writes in,
// stays up, and relays messages to sockets again once Redis is back. Its
// metrics count the Redis errors; its JSON log says, per Redis client, once
// that Redis went and once that it came back.
import { fork, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { io as connectSocket, type Socket } from "socket.io-client";
import { testDatabase } from "./support/database";
import { ownRedis, sparePort, type OwnRedis } from "./support/redis-server";
import { scrape, valueOf } from "./support/metrics";

const DIST = path.join(__dirname, "..", "dist");
const ADMIN = { email: "admin@outage.local", password: "admin-password-1" };
const db = testDatabase();
let redis: OwnRedis;
let engine: ChildProcess;
let exited: string | undefined;
let base = "";
let metrics = "";
let token = "";
let log = "";

async function api<T = any>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(base + url, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

async function until<T>(check: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out; engine log:\n${log.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(DIST, "moleculer.config.js"))) throw new Error("The build is missing: run `npm run build` (npm test does it first)");
  await db.create();
  redis = await ownRedis();
  await redis.start();
  const port = await sparePort();
  base = `http://127.0.0.1:${port}`;
  const metricsPort = await sparePort();
  metrics = `http://127.0.0.1:${metricsPort}/metrics`;
  const services = fs
    .readdirSync(path.join(DIST, "services"))
    .filter((file) => file.endsWith(".service.js"))
    .map((file) => file.replace(".service.js", ""));
  engine = fork(path.join(__dirname, "support", "child-node.js"), [], {
    env: {
      ...process.env,
      NODE_ENV: "test",
      CHILD_NODE_ID: `${db.name}-engine`,
      CHILD_SERVICES: services.join(","),
      DATABASE_URL: db.url,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "charla-outage-")),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: "outage:",
      TRANSPORTER: "",
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      METRICS_PORT: String(metricsPort),
      JWT_SECRET: "outage-secret-outage-secret-outage",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      WHATSAPP_PROVIDER: "simulator",
      WHATSAPP_SEND_INTERVAL_MS: "0",
      NAMESPACE: db.name,
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  engine.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  engine.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  engine.on("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));
  await until(async () => (await fetch(`${base}/api/ready`)).status === 200, 30_000);
  token = (await api<{ access_token: string }>("POST", "/api/auth/login", ADMIN)).body.access_token;
}, 60_000);

afterAll(async () => {
  engine?.kill("SIGKILL");
  await redis?.stop();
  await db.drop();
});

it("keeps the node that holds the numbers running through a Redis restart, and relays again afterwards", async () => {
  const account = (await api<{ id: string }>("POST", "/api/whatsapp/accounts", { name: "Ventas", provider: "simulator" })).body;
  await until(async () => (await api<{ status: string }>("GET", `/api/whatsapp/accounts/${account.id}/status`)).body.status === "qr");
  await api("POST", `/api/simulator/accounts/${account.id}/scan`, { phone_number: "+525500000200" });
  await until(async () => (await api<{ status: string }>("GET", `/api/whatsapp/accounts/${account.id}/status`)).body.status === "connected");
  const socket: Socket = connectSocket(base, { auth: { token }, transports: ["websocket"], reconnectionDelay: 100, reconnectionDelayMax: 500 });
  const seen: string[] = [];
  socket.on("new_message", (event: { message: { content: string | null } }) => seen.push(String(event.message.content)));
  await until(async () => socket.connected);

  await redis.stop();
  // Every message now makes the node publish to Redis for the other nodes' sockets, and fail.
  for (const text of ["sin redis 1", "sin redis 2", "sin redis 3"]) {
    const res = await api("POST", `/api/simulator/accounts/${account.id}/inbound`, { from: "+525511112222", type: "text", text });
    expect(res.status).toBeLessThan(500);
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(exited).toBeUndefined();
  expect((await fetch(`${base}/api/health`)).status).toBe(200);

  await redis.start();
  await until(async () => socket.connected);
  await api("POST", `/api/simulator/accounts/${account.id}/inbound`, { from: "+525511112222", type: "text", text: "con redis" });
  await until(async () => seen.includes("con redis"));
  expect(exited).toBeUndefined();
  expect(log).not.toMatch(/Unhandled error event/);
  socket.disconnect();

  const clients = ["leases", "socket-pub", "socket-sub"];
  const entries = () =>
    log
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { level: string; msg: string; node: string });
  // Each client reconnects on its own backoff (up to 5 s).
  await until(async () => clients.every((client) => entries().some((entry) => entry.msg === `Redis (${client}) is reachable again`)));
  expect(entries().every((entry) => entry.node === `${db.name}-engine`)).toBe(true);
  for (const client of clients) {
    expect(entries().filter((entry) => entry.msg.startsWith(`Redis (${client}) is unreachable`))).toHaveLength(1);
    expect(entries().filter((entry) => entry.msg === `Redis (${client}) is reachable again`)).toHaveLength(1);
  }
  const scraped = await scrape(metrics);
  expect(valueOf(scraped, "charla_redis_errors_total", { client: "leases" })).toBeGreaterThan(0);
  expect(valueOf(scraped, "charla_unhandled_rejections_total")).toBe(0);
  expect(valueOf(scraped, "charla_messages_inbound_total", { type: "text" })).toBe(4);
  expect(valueOf(scraped, "charla_whatsapp_sessions", { state: "connected" })).toBe(1);
}, 90_000);

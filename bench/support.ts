// What every scenario needs: its own PostgreSQL database, an engine node on it
// (all services, one process, no Redis), timing helpers and the report format.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import Redis from "ioredis";
import pg from "pg";
import { reloadConfig } from "../lib/config";

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
  /** The first node (with the gateway the helpers below talk to). */
  broker: ServiceBroker;
  brokers: ServiceBroker[];
  database: string;
  url: string;
  baseUrl: string;
  token: string;
  get(pathAndQuery: string): Promise<unknown>;
  stop(): Promise<void>;
}

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A fresh database and an engine on it: one node, or `nodes` nodes joined over the Redis transporter. */
export async function startEngine(name: string, nodes = 1): Promise<Engine> {
  const database = `charla_bench_${name.replace(/\W/g, "_")}_${process.pid}`;
  await withServer(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
  });
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "charla-bench-"));
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: url.toString(),
    DATA_DIR: dataDir,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    JWT_SECRET: `bench-${process.pid}-secret-long-enough-for-production`,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WHATSAPP_PROVIDER: "simulator",
    SIMULATOR_ENABLED: "true",
    NAMESPACE: database,
    LOGIN_MAX_ATTEMPTS_PER_IP: "100000",
  });
  const redisPrefix = `charla-bench:${database}:`;
  if (nodes > 1) Object.assign(process.env, { REDIS_URL, TRANSPORTER: REDIS_URL, REDIS_KEY_PREFIX: redisPrefix });
  else {
    delete process.env.REDIS_URL;
    delete process.env.TRANSPORTER;
  }
  reloadConfig();
  // Loaded now, so the services read this environment.
  const { brokerOptions } = require("../moleculer.config") as typeof import("../moleculer.config");
  const servicesDir = path.join(__dirname, "..", "services");
  const brokers: ServiceBroker[] = [];
  for (let n = 0; n < nodes; n += 1) {
    const node = new ServiceBroker({ ...brokerOptions(), nodeID: n === 0 ? database : `${database}-${n}` });
    for (const file of fs.readdirSync(servicesDir).filter((entry) => /\.service\.js$/.test(entry))) {
      node.createService((require(path.join(servicesDir, file)) as { default: ServiceSchema }).default);
    }
    await node.start();
    brokers.push(node);
  }
  const broker = brokers[0]!;
  const api = broker.getLocalService("api") as unknown as { server: Server };
  const baseUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  let token = "";
  for (let attempt = 0; !token; attempt += 1) {
    const res = await fetch(`${baseUrl}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(ADMIN) });
    if (res.ok) token = ((await res.json()) as { access_token: string }).access_token;
    else if (attempt > 100) throw new Error(`login failed: ${res.status}`);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    broker,
    brokers,
    database,
    url: url.toString(),
    baseUrl,
    token,
    async get(pathAndQuery) {
      const res = await fetch(`${baseUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(`GET ${pathAndQuery}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    async stop() {
      for (const node of [...brokers].reverse()) await node.stop();
      if (nodes > 1) {
        const redis = new Redis(REDIS_URL);
        const keys = await redis.keys(`${redisPrefix}*`);
        if (keys.length) await redis.del(...keys);
        await redis.quit();
      }
      await withServer((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An active flow with one version, written straight into the database. */
export async function insertFlow(sql: pg.Client, name: string, trigger: string, graph: unknown): Promise<{ flowId: string; versionId: string }> {
  const { rows: flow } = await sql.query("INSERT INTO flows (name, trigger_type, is_active) VALUES ($1, $2, true) RETURNING id", [name, trigger]);
  const { rows: version } = await sql.query("INSERT INTO flow_versions (flow_id, version, graph) VALUES ($1, 1, $2) RETURNING id", [flow[0].id, JSON.stringify(graph)]);
  await sql.query("UPDATE flows SET current_version_id = $1 WHERE id = $2", [version[0].id, flow[0].id]);
  return { flowId: flow[0].id, versionId: version[0].id };
}

/** Waits until `check` holds, polling; fails after `ms`. */
export async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

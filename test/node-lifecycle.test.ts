// While a node starts or stops, its routes answer 503 NOT_READY (never a 404
// for a route not built yet), and /api/ready says 200 only once every local
// service has started.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { brokerOptions } from "../moleculer.config";
import { harness, type Client } from "./support/harness";

const h = harness();
let admin: Client;
// Loaded once the harness has set this file's environment (services read their settings when loaded).
let schemas: ServiceSchema[] = [];

beforeAll(async () => {
  admin = await h.admin();
  schemas = ["api", "auth"].map((name) => (require(`../services/${name}.service`) as { default: ServiceSchema }).default);
});

// The harness's node owns the database (migrations, closing it); these nodes only need its health answer.
const databaseUp: ServiceSchema = { name: "db", actions: { health: () => ({ status: "ok" }) } };

function node(name: string, extra: ServiceSchema[] = []): ServiceBroker {
  const broker = new ServiceBroker({ ...brokerOptions(), nodeID: `${h.database.name}-${name}` });
  for (const schema of [databaseUp, ...schemas, ...extra]) broker.createService(schema);
  return broker;
}

async function listening(broker: ServiceBroker): Promise<string> {
  for (;;) {
    const server = (broker.getLocalService("api") as unknown as { server?: Server } | undefined)?.server;
    const address = server?.listening ? (server.address() as AddressInfo | null) : null;
    if (address) return `http://127.0.0.1:${address.port}`;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const get = (base: string, path: string) => fetch(base + path, { headers: { authorization: `Bearer ${admin.token}` } });

it("answers 503 NOT_READY while a local service is still starting, and is ready only after", async () => {
  let finishStarting: () => void = () => undefined;
  const slow: ServiceSchema = { name: "slow-starter", started: () => new Promise<void>((resolve) => (finishStarting = resolve)) };
  const broker = node("starting", [slow]);
  const starting = broker.start();
  try {
    const base = await listening(broker);
    const early = await get(base, "/api/auth/me");
    expect(early.status).toBe(503);
    expect(early.headers.get("retry-after")).toBe("1");
    expect(await early.json()).toEqual({ detail: { code: "NOT_READY", message: expect.any(String), field: null } });
    expect((await get(base, "/api/no-such-route")).status).toBe(503);
    expect((await get(base, "/api/ready")).status).toBe(503);
    expect((await get(base, "/api/health")).status).toBe(200);
    finishStarting();
    await starting;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await get(base, "/api/ready")).status).toBe(200);
    expect((await get(base, "/api/auth/me")).status).toBe(200);
    expect((await get(base, "/api/no-such-route")).status).toBe(404);
  } finally {
    finishStarting();
    await starting.catch(() => undefined);
    await broker.stop();
  }
});

it("answers 503 NOT_READY once the node is stopping", async () => {
  const broker = node("stopping");
  await broker.start();
  const base = await listening(broker);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect((await get(base, "/api/auth/me")).status).toBe(200);
  const stopping = broker.stop();
  const late = await get(base, "/api/auth/me").catch(() => undefined);
  await stopping;
  // Either refused as not ready or, once the server has closed, not connected at all — never served.
  if (late) expect(late.status).toBe(503);
});

// One engine node in a process of its own, for the `cluster` scenario: every
// service, joined to the others through the Redis transporter (the environment
// says where), plus a probe the scenario asks what this process spent
// (CPU, statements sent to PostgreSQL, how late its event loop ran) and what
// its simulated phones received, with the time they received it.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../moleculer.config";
import { database, sendingDatabase } from "../lib/db/connection";
import { createEngineServices, now, watchPhones } from "./support";

/** What this process spent since it started. */
export interface NodeUsage {
  cpu_ms: number;
  statements: number;
  event_loop_max_ms: number;
}

/** A message a simulated phone received: its text and when (epoch ms, as the bench's now()). */
export interface PhoneReceived {
  content: string | null;
  at: number;
}

async function main(): Promise<void> {
  const broker = new ServiceBroker({ ...brokerOptions(), nodeID: process.env.BENCH_NODE_ID });
  createEngineServices(broker);
  const received: PhoneReceived[] = [];
  let statements = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  broker.createService({
    name: "bench-node",
    actions: {
      usage(): NodeUsage {
        const cpu = process.cpuUsage();
        return { cpu_ms: (cpu.user + cpu.system) / 1000, statements, event_loop_max_ms: loopDelay.max / 1e6 };
      },
      resetLoopDelay() {
        loopDelay.reset();
      },
      /** What the phones received from position `from` on. */
      received(ctx: { params: { from: number } }): PhoneReceived[] {
        return received.slice(ctx.params.from);
      },
    },
  });
  await broker.start();
  for (const pool of [database(), sendingDatabase()]) pool.on("query", () => (statements += 1));
  loopDelay.enable();
  watchPhones(broker, (content) => received.push({ content, at: now() }));
  const api = broker.getLocalService("api") as unknown as { server: Server };
  // SIGTERM stops the broker (moleculer's own handler), as it stops a node an operator runs.
  process.send?.({ started: true, port: (api.server.address() as AddressInfo).port });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench node failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

// An engine whose nodes run in OS processes of their own (bench/engine-node),
// joined over the Redis transporter as an operator runs them: the `cluster`
// scenario. This process reaches them through a broker with no services of
// its own, so what it spends (the customers' side) is not counted; each node
// tells what it spent and what its simulated phones received.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import type { NodeUsage, PhoneReceived } from "./engine-node";
import { REDIS_URL, dropRedisKeys, engineClient, engineEnvironment, engineStorage, log, round, sleep, type CostWindow, type Engine } from "./support";

export interface ProcessEngine extends Engine {
  /** What the nodes' phones received since the last call. */
  received(): Promise<PhoneReceived[]>;
  /** Starts a window over the nodes' costs. */
  startMeter(): Promise<CostWindow>;
}

function startNode(nodeId: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(path.join(__dirname, "engine-node.js"), [], {
    // BENCH_NODE_ARGS: Node flags for the node processes (e.g. --cpu-prof to see where their time goes).
    execArgv: process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [],
    env: { ...process.env, ...env, BENCH_NODE_ID: nodeId },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (message: { port: number }) => resolve({ child, port: message.port }));
    child.once("exit", (code) => reject(new Error(`bench node ${nodeId} exited with ${code}`)));
  });
}

export async function startProcessEngine(name: string, nodes: number): Promise<ProcessEngine> {
  const storage = await engineStorage(name);
  const redisPrefix = `charla-bench:${storage.database}:`;
  const env = engineEnvironment(storage, redisPrefix);
  const nodeIds = Array.from({ length: nodes }, (_, n) => `${storage.database}-${n}`);
  // One at a time: the first migrates the database.
  const started: Array<{ child: ChildProcess; port: number }> = [];
  for (const nodeId of nodeIds) started.push(await startNode(nodeId, env));
  const broker = new ServiceBroker({ nodeID: `${storage.database}-bench`, namespace: storage.database, transporter: REDIS_URL, logLevel: "warn" });
  await broker.start();
  await broker.waitForServices(["whatsapp", "whatsapp-sessions", "conversation-actors"], 30_000);
  log(`${nodes} engine node(s) in processes of their own: ${started.map(({ child }) => child.pid).join(", ")}`);
  const positions = new Map(nodeIds.map((id) => [id, 0]));
  const usage = () => Promise.all(nodeIds.map((nodeID) => broker.call<NodeUsage, Record<string, never>>("bench-node.usage", {}, { nodeID })));
  const engine = await engineClient(broker, storage, `http://127.0.0.1:${started[0]!.port}`, async () => {
    await broker.stop();
    await Promise.all(
      started.map(
        ({ child }) =>
          new Promise((resolve) => {
            child.once("exit", resolve);
            child.kill("SIGTERM");
          }),
      ),
    );
    await dropRedisKeys(redisPrefix);
    await storage.drop();
  });
  return {
    ...engine,
    async received() {
      const all: PhoneReceived[] = [];
      for (const nodeID of nodeIds) {
        const fresh = await broker.call<PhoneReceived[], { from: number }>("bench-node.received", { from: positions.get(nodeID)! }, { nodeID });
        positions.set(nodeID, positions.get(nodeID)! + fresh.length);
        all.push(...fresh);
      }
      return all;
    },
    async startMeter() {
      await Promise.all(nodeIds.map((nodeID) => broker.call("bench-node.resetLoopDelay", {}, { nodeID })));
      const before = await usage();
      const startedAt = performance.now();
      const statements = async () => (await usage()).reduce((sum, node) => sum + node.statements, 0);
      return {
        // The nodes' trailing work: until they send PostgreSQL nothing for 200 ms (5 s at most).
        async settle() {
          let last = await statements();
          for (const deadline = performance.now() + 5_000; performance.now() < deadline;) {
            await sleep(200);
            const now = await statements();
            if (now === last) return;
            last = now;
          }
        },
        async stop(messages) {
          const after = await usage();
          const wallMs = performance.now() - startedAt;
          const cpuMs = after.reduce((sum, node, i) => sum + node.cpu_ms - before[i]!.cpu_ms, 0);
          const roundTrips = after.reduce((sum, node, i) => sum + node.statements - before[i]!.statements, 0);
          return {
            round_trips_per_message: round(roundTrips / messages, 1),
            cpu_ms_per_message: round(cpuMs / messages),
            node_cpu_cores: round(cpuMs / wallMs),
            event_loop_max_ms: round(Math.max(...after.map((node) => node.event_loop_max_ms)), 1),
          };
        },
      };
    },
  };
}

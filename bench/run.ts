// npm run bench [scenario ...]: runs the scenarios (all by default) on the
// PostgreSQL of BENCH_DATABASE_URL (or TEST_DATABASE_URL), one JSON line per
// result on stdout, then a Markdown table. Sizes: BENCH_CONVERSATIONS
// (100 000), BENCH_MESSAGES_PER_CONVERSATION (10), BENCH_RUNS (3), BENCH_ACTORS
// (100 000 parked conversations), BENCH_WAKEUPS (1 000), BENCH_INBOUND (20 000
// messages) from BENCH_CONTACTS (2 000) to BENCH_ACCOUNTS (10 numbers),
// BENCH_RATE (the steady inbound rate; half the burst's by default),
// BENCH_STEADY_SECONDS (30, each fixed-rate run), BENCH_AGENTS (200 sockets),
// BENCH_FANOUT_RATE (20 messages/s) and BENCH_FANOUT_MESSAGES (2 000, the
// saturating run), BENCH_CLUSTER_MESSAGES (5 000) from BENCH_CLUSTER_CONTACTS
// (500).
import os from "node:os";
import { fanout } from "./fanout";
import { cluster, inbound } from "./inbound";
import { actors, inbox, queueStats } from "./scenarios";
import type { Result } from "./support";

const SCENARIOS = { inbox, "queue-stats": queueStats, actors, inbound, fanout, cluster } as const;

function size(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number`);
  return value;
}

/** A size with no fixed default: the scenario decides when it is not set. */
const optionalSize = (name: string) => (process.env[name] ? size(name, 0) : undefined);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted) if (!(name in SCENARIOS)) throw new Error(`Unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
  const sizes = {
    conversations: size("BENCH_CONVERSATIONS", 100_000),
    messagesPer: size("BENCH_MESSAGES_PER_CONVERSATION", 10),
    runs: size("BENCH_RUNS", 3),
    actors: size("BENCH_ACTORS", 100_000),
    wakeups: size("BENCH_WAKEUPS", 1_000),
    inbound: size("BENCH_INBOUND", 20_000),
    contacts: size("BENCH_CONTACTS", 2_000),
    accounts: size("BENCH_ACCOUNTS", 10),
    rate: optionalSize("BENCH_RATE"),
    steadySeconds: size("BENCH_STEADY_SECONDS", 30),
    agents: size("BENCH_AGENTS", 200),
    fanoutRate: size("BENCH_FANOUT_RATE", 20),
    fanoutMessages: size("BENCH_FANOUT_MESSAGES", 2_000),
    clusterMessages: size("BENCH_CLUSTER_MESSAGES", 5_000),
    clusterContacts: size("BENCH_CLUSTER_CONTACTS", 500),
  };
  const results: Result[] = [];
  for (const name of (wanted.length ? wanted : Object.keys(SCENARIOS)) as Array<keyof typeof SCENARIOS>) {
    for (const result of await SCENARIOS[name](sizes)) {
      results.push(result);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  }
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  process.stdout.write(`\nMachine: ${machine}. Sizes: ${JSON.stringify(sizes)}.\n\n`);
  for (const result of results) {
    const { scenario, ...figures } = result;
    process.stdout.write(
      `- **${scenario}** ${Object.entries(figures)
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join(" · ")}\n`,
    );
  }
  // Services may hold timers; the numbers are out.
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

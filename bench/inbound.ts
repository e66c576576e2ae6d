// The scenarios where customers write and a flow answers: `inbound` (one
// node: a burst, then a steady rate) and `cluster` (one node process, then
// two, over the Redis transporter).
import pg from "pg";
import { startProcessEngine, type ProcessEngine } from "./processes";
import {
  atRate,
  connectAccounts,
  inLanes,
  insertFlow,
  log,
  now,
  percentile,
  round,
  startEngine,
  settleAfterBurst,
  startMeter,
  watchPhones,
  whileProgress,
  type Account,
  type Cost,
  type CostWindow,
  type Engine,
  type Result,
} from "./support";

/** Answers every message with its echo, then asks a question that waits for the next one. */
const ECHO_FLOW = {
  nodes: [
    { id: "start", type: "start", data: {} },
    { id: "echo", type: "send_text", data: { text: "Recibido {{message.text}}" } },
    { id: "ask", type: "ask_text", data: { text: "¿Algo más?", variable: "texto" } },
  ],
  edges: [
    { id: "e1", source: "start", target: "echo" },
    { id: "e2", source: "echo", target: "ask" },
    { id: "e3", source: "ask", target: "echo" },
  ],
};
const ECHO = "Recibido ";

const customerPhone = (contact: number) => `+5255${10_000_000 + contact}`;

/** One run's messages: when each went in, and when its echo reached the customer's phone (epoch ms, see now()). */
class Exchange {
  private readonly pushedAt = new Map<string, number>();
  private readonly echoedAt = new Map<string, number>();
  echoedTwice = 0;
  lastEchoAt = 0;

  pushed(text: string): void {
    this.pushedAt.set(text, now());
  }

  sent(content: string | null, at = now()): void {
    const text = content?.startsWith(ECHO) ? content.slice(ECHO.length) : undefined;
    // The questions, and anything another run sent late, are not this run's echoes.
    if (text === undefined || !this.pushedAt.has(text)) return;
    if (this.echoedAt.has(text)) {
      this.echoedTwice += 1;
      return;
    }
    this.lastEchoAt = Math.max(this.lastEchoAt, at);
    this.echoedAt.set(text, at);
  }

  get answered(): number {
    return this.echoedAt.size;
  }

  latencies(): number[] {
    return [...this.echoedAt].map(([text, at]) => at - this.pushedAt.get(text)!);
  }
}

/** An engine with the echo flow and its numbers connected, and the run under way. */
interface Bench {
  engine: Engine;
  sql: pg.Client;
  accounts: Account[];
  contacts: number;
  exchange?: Exchange;
  meter(): Promise<CostWindow>;
  /** Hands the run what the phones received (for nodes in processes of their own; others tell at once). */
  collect(): Promise<void>;
}

/** The echo flow, and `accounts` numbers connected. In-process engines are watched here; process engines' nodes watch their phones. */
async function prepare(engine: Engine | ProcessEngine, accounts: number, contacts: number): Promise<Bench> {
  const sql = new pg.Client({ connectionString: engine.url });
  await sql.connect();
  await insertFlow(sql, "Eco", "default", ECHO_FLOW);
  const inProcesses = "received" in engine;
  const bench: Bench = {
    engine,
    sql,
    accounts: [],
    contacts,
    meter: inProcesses
      ? () => engine.startMeter()
      : async () => {
          const meter = startMeter();
          return { settle: () => meter.settle(), stop: async (messages) => meter.stop(messages) };
        },
    collect: inProcesses
      ? async () => {
          for (const { content, at } of await engine.received()) bench.exchange?.sent(content, at);
        }
      : async () => undefined,
  };
  if (!inProcesses) watchPhones(engine.broker, (content) => bench.exchange?.sent(content));
  bench.accounts = await connectAccounts(engine, sql, accounts);
  return bench;
}

interface RunFigures {
  messages: number;
  stored: number;
  answered: number;
  /** Echoes the phones got more than once (must be 0). */
  answeredTwice: number;
  /** Answered messages a second, from the first message in to the last echo out. */
  perSecond: number;
  /** Message in → its echo on the customer's phone, ms. */
  latencies: number[];
  cost: Cost;
}

/**
 * Message i (text `${prefix}${i}`) comes from contact i % contacts, who
 * writes to number contact % numbers; `schedule` decides when each is sent.
 * Waits for every echo, or until they stop coming.
 */
async function run(bench: Bench, prefix: string, messages: number, schedule: (send: (i: number) => Promise<void>) => Promise<void>): Promise<RunFigures> {
  const exchange = new Exchange();
  bench.exchange = exchange;
  const meter = await bench.meter();
  const startedAt = now();
  await schedule(async (i) => {
    const contact = i % bench.contacts;
    const account = bench.accounts[contact % bench.accounts.length]!;
    const text = `${prefix}${i}`;
    exchange.pushed(text);
    await bench.engine.broker.call(
      "whatsapp-sessions.simulatorInbound",
      { account_id: account.id, message: { from: customerPhone(contact), type: "text", text } },
      { nodeID: account.nodeID },
    );
  });
  await whileProgress(async () => {
    await bench.collect();
    return exchange.answered;
  }, messages);
  // The last echoes' questions and bookkeeping belong to this window too.
  await meter.settle();
  const cost = await meter.stop(messages);
  const { rows } = await bench.sql.query("SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound' AND content LIKE $1", [`${prefix}%`]);
  return {
    messages,
    stored: rows[0].n,
    answered: exchange.answered,
    answeredTwice: exchange.echoedTwice,
    perSecond: exchange.answered ? exchange.answered / ((exchange.lastEchoAt - startedAt) / 1000) : 0,
    latencies: exchange.latencies(),
    cost,
  };
}

/** As fast as they come: each contact's messages in order, 100 contacts writing at a time. */
const burst = (bench: Bench, messages: number) => run(bench, "m", messages, (send) => inLanes(messages, bench.contacts, 100, send));

/** `perSecond` messages a second for `seconds`, spread over the contacts in turn. */
const steady = (bench: Bench, perSecond: number, seconds: number) => {
  const messages = Math.round(perSecond * seconds);
  return run(bench, "s", messages, (send) => atRate(messages, perSecond, send));
};

/** What every run reports: nothing lost or doubled, and what a message cost. */
const outcome = (figures: RunFigures) => ({
  messages: figures.messages,
  stored_inbound: figures.stored,
  answered: figures.answered,
  answered_twice: figures.answeredTwice,
  ...figures.cost,
});

/** One-row INSERT transactions with pg, as many at once as the engine's pool allows: inserts a second. */
async function insertRate(url: string, sql: pg.Client): Promise<number> {
  await sql.query("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const count = 5000;
  const startedAt = Date.now();
  let inserted = 0;
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      while (inserted < count) {
        inserted += 1;
        await pool.query("INSERT INTO bench_baseline (body) VALUES ($1)", [`m${inserted}`]);
      }
    }),
  );
  const perSecond = count / ((Date.now() - startedAt) / 1000);
  await pool.end();
  return perSecond;
}

export interface InboundSizes {
  inbound: number;
  contacts: number;
  accounts: number;
  /** The steady run's messages a second; by default half the burst's. */
  rate: number | undefined;
  steadySeconds: number;
}

/**
 * N inbound messages from C contacts to A numbers through the simulator:
 * each is stored, reaches its conversation's actor, and the flow (send_text →
 * ask_text → send_text …) answers it through the outbox; the simulated phone
 * receives the answer. First a burst, then a steady rate on the same
 * conversations. Baseline: one-row INSERT transactions with pg, same pool size.
 */
export async function inbound(sizes: InboundSizes): Promise<Result[]> {
  const engine = await startEngine("inbound");
  const bench = await prepare(engine, sizes.accounts, sizes.contacts);
  try {
    log(`inbound: burst of ${sizes.inbound} messages from ${sizes.contacts} contacts to ${sizes.accounts} numbers`);
    const peak = await burst(bench, sizes.inbound);
    const rate = sizes.rate ?? Math.max(1, Math.round(peak.perSecond / 2));
    await settleAfterBurst(engine.database);
    log(`inbound: steady, ${rate} messages/s for ${sizes.steadySeconds} s`);
    const even = await steady(bench, rate, sizes.steadySeconds);
    const baseline = await insertRate(engine.url, bench.sql);
    return [
      {
        scenario: "inbound",
        mode: "burst",
        numbers: sizes.accounts,
        contacts: sizes.contacts,
        ...outcome(peak),
        messages_per_second: round(peak.perSecond, 1),
        baseline_inserts_per_second: round(baseline, 1),
        efficiency: round(peak.perSecond / baseline, 3),
        latency_p50_ms: round(percentile(peak.latencies, 50)),
        latency_p95_ms: round(percentile(peak.latencies, 95)),
        latency_p99_ms: round(percentile(peak.latencies, 99)),
      },
      {
        scenario: "inbound",
        mode: "steady",
        rate_per_second: rate,
        seconds: sizes.steadySeconds,
        ...outcome(even),
        latency_p50_ms: round(percentile(even.latencies, 50)),
        latency_p99_ms: round(percentile(even.latencies, 99)),
      },
    ];
  } finally {
    await bench.sql.end();
    await engine.stop();
  }
}

/**
 * `inbound`'s burst on one engine node, then on two, each node an OS process
 * of its own over the Redis transporter (this process only plays the
 * customers): throughput, and what a message cost the nodes together.
 */
export async function cluster(sizes: { clusterMessages: number; clusterContacts: number; accounts: number }): Promise<Result[]> {
  const runs: Record<number, RunFigures> = {};
  for (const nodes of [1, 2]) {
    const engine = await startProcessEngine(`cluster${nodes}`, nodes);
    try {
      const bench = await prepare(engine, sizes.accounts, sizes.clusterContacts);
      try {
        log(`cluster: ${sizes.clusterMessages} messages on ${nodes} node process(es)`);
        runs[nodes] = await burst(bench, sizes.clusterMessages);
      } finally {
        await bench.sql.end();
      }
    } finally {
      await engine.stop();
    }
  }
  const [one, two] = [runs[1]!, runs[2]!];
  return [
    {
      scenario: "cluster",
      messages: sizes.clusterMessages,
      numbers: sizes.accounts,
      one_process_per_second: round(one.perSecond, 1),
      two_processes_per_second: round(two.perSecond, 1),
      throughput_ratio: round(two.perSecond / one.perSecond, 2),
      lost_one_process: sizes.clusterMessages - one.answered,
      lost_two_processes: sizes.clusterMessages - two.answered,
      duplicated_one_process: one.answeredTwice,
      duplicated_two_processes: two.answeredTwice,
      stored_two_processes: two.stored,
      round_trips_per_message_one_process: one.cost.round_trips_per_message,
      round_trips_per_message_two_processes: two.cost.round_trips_per_message,
      cpu_ms_per_message_one_process: one.cost.cpu_ms_per_message,
      cpu_ms_per_message_two_processes: two.cost.cpu_ms_per_message,
      cpu_ratio: round(two.cost.cpu_ms_per_message / one.cost.cpu_ms_per_message, 2),
      node_cpu_cores_two_processes: two.cost.node_cpu_cores,
      latency_p50_ms_two_processes: round(percentile(two.latencies, 50)),
      latency_p99_ms_two_processes: round(percentile(two.latencies, 99)),
    },
  ];
}

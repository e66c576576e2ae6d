// The scenarios where customers write and a flow answers: `inbound` (one
// node) and `cluster` (one node, then two).
import pg from "pg";
import { insertFlow, log, percentile, round, startEngine, until, type Engine, type Result } from "./support";

interface InboundFigures {
  stored: number;
  answered: number;
  /** Messages answered more than once (must be 0). */
  duplicated: number;
  perSecond: number;
  latencies: number[];
}

/**
 * Pushes `messages` inbound messages from `contacts` contacts through the
 * simulator (on the node holding the number) into an echo flow, and waits for
 * every answer to be sent.
 */
async function measureInbound(engine: Engine, sql: pg.Client, messages: number, contacts: number): Promise<InboundFigures> {
  const broker = engine.broker;
  const graph = {
    nodes: [
      { id: "start", type: "start", data: {} },
      { id: "echo", type: "send_text", data: { text: "Recibido {{message.text}}" } },
      { id: "ask", type: "ask_text", data: { text: "¿Algo más?", variable: "texto" } },
    ],
    edges: [{ id: "e1", source: "start", target: "echo" }, { id: "e2", source: "echo", target: "ask" }, { id: "e3", source: "ask", target: "echo" }],
  };
  await insertFlow(sql, "Eco", "default", graph);
  const account = await broker.call<{ id: string }, Record<string, unknown>>("whatsapp.create", { name: "Bench", provider: "simulator" });
  const row = async () => (await sql.query("SELECT owner_node, status FROM whatsapp_accounts WHERE id = $1", [account.id])).rows[0] as { owner_node: string | null; status: string };
  await until("a QR code", async () => (await row()).status === "qr");
  // The simulated phone lives on the node that holds the number.
  const owner = { nodeID: (await row()).owner_node! };
  await broker.call("whatsapp-sessions.simulatorScan", { account_id: account.id, phone_number: "+525500000100" }, owner);
  await until("the connection", async () => (await row()).status === "connected");

  const pushedAt = new Map<string, number>();
  // Each contact's messages go in order; contacts interleave, 100 senders at a time.
  const lanes = Array.from({ length: contacts }, (_, c) =>
    Array.from({ length: Math.ceil((messages - c) / contacts) }, (_, k) => ({ from: `+5255${String(10_000_000 + c).slice(-8)}`, text: `m${c + k * contacts}` })),
  );
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(100, lanes.length) }, async () => {
      for (let lane = lanes[next++]; lane; lane = lanes[next++]) {
        for (const job of lane) {
          pushedAt.set(job.text, Date.now());
          await broker.call("whatsapp-sessions.simulatorInbound", { account_id: account.id, message: { from: job.from, type: "text", text: job.text } }, owner);
        }
      }
    }),
  );
  const answered = async () => Number((await sql.query("SELECT count(*) AS n FROM messages WHERE direction = 'outbound' AND status <> 'pending' AND content LIKE 'Recibido m%'")).rows[0].n);
  let last = -1;
  let still = 0;
  for (let done = await answered(); done < messages; done = await answered()) {
    still = done === last ? still + 1 : 0;
    if (still > 120) break;
    last = done;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const seconds = (Date.now() - started) / 1000;
  const { rows } = await sql.query("SELECT substring(content from 10) AS text, extract(epoch FROM sent_at) * 1000 AS sent FROM messages WHERE direction = 'outbound' AND status <> 'pending' AND content LIKE 'Recibido m%'");
  const { rows: stored } = await sql.query("SELECT count(*)::int AS n FROM messages WHERE direction = 'inbound'");
  const distinct = new Set(rows.map((r: { text: string }) => r.text)).size;
  return {
    stored: stored[0].n,
    answered: distinct,
    duplicated: rows.length - distinct,
    perSecond: rows.length / seconds,
    latencies: rows.map((r: { text: string; sent: string }) => Number(r.sent) - (pushedAt.get(r.text) ?? Number(r.sent))),
  };
}

/**
 * N inbound messages from C contacts through the simulator: each is stored,
 * reaches its conversation's actor, and the flow (send_text → ask_text →
 * send_text …) answers it through the outbox; the simulated phone receives the
 * answer. Baseline: one-row INSERT transactions with pg, same pool size.
 */
export async function inbound(sizes: { inbound: number; contacts: number }): Promise<Result[]> {
  process.env.WHATSAPP_SEND_INTERVAL_MS = "0";
  const engine = await startEngine("inbound");
  const sql = new pg.Client({ connectionString: engine.url });
  await sql.connect();
  try {
    log(`inbound: ${sizes.inbound} messages from ${sizes.contacts} contacts`);
    const figures = await measureInbound(engine, sql, sizes.inbound, sizes.contacts);

    // Baseline: one-row INSERT transactions, as many at once as the engine's pool allows.
    await sql.query("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, body text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
    const pool = new pg.Pool({ connectionString: engine.url, max: 10 });
    const baselineCount = 5000;
    const baselineStart = Date.now();
    let inserted = 0;
    await Promise.all(Array.from({ length: 10 }, async () => {
      while (inserted < baselineCount) {
        inserted += 1;
        await pool.query("INSERT INTO bench_baseline (body) VALUES ($1)", [`m${inserted}`]);
      }
    }));
    const baselinePerSecond = baselineCount / ((Date.now() - baselineStart) / 1000);
    await pool.end();

    return [{
      scenario: "inbound",
      messages: sizes.inbound,
      contacts: sizes.contacts,
      stored_inbound: figures.stored,
      answered: figures.answered,
      answered_twice: figures.duplicated,
      messages_per_second: round(figures.perSecond, 1),
      baseline_inserts_per_second: round(baselinePerSecond, 1),
      efficiency: round(figures.perSecond / baselinePerSecond, 3),
      latency_p50_ms: round(percentile(figures.latencies, 50)),
      latency_p95_ms: round(percentile(figures.latencies, 95)),
      latency_p99_ms: round(percentile(figures.latencies, 99)),
    }];
  } finally {
    await sql.end();
    await engine.stop();
  }
}

/** `inbound` on one node, then on two nodes over the Redis transporter (same machine): the ratio, and what was lost. */
export async function cluster(sizes: { clusterMessages: number; clusterContacts: number }): Promise<Result[]> {
  process.env.WHATSAPP_SEND_INTERVAL_MS = "0";
  const runs: Record<number, InboundFigures> = {};
  for (const nodes of [1, 2]) {
    const engine = await startEngine(`cluster${nodes}`, nodes);
    const sql = new pg.Client({ connectionString: engine.url });
    await sql.connect();
    try {
      log(`cluster: ${sizes.clusterMessages} messages on ${nodes} node(s)`);
      runs[nodes] = await measureInbound(engine, sql, sizes.clusterMessages, sizes.clusterContacts);
    } finally {
      await sql.end();
      await engine.stop();
    }
  }
  const [one, two] = [runs[1]!, runs[2]!];
  return [{
    scenario: "cluster",
    messages: sizes.clusterMessages,
    one_node_per_second: round(one.perSecond, 1),
    two_nodes_per_second: round(two.perSecond, 1),
    throughput_ratio: round(two.perSecond / one.perSecond, 2),
    lost_one_node: sizes.clusterMessages - one.answered,
    lost_two_nodes: sizes.clusterMessages - two.answered,
    duplicated_two_nodes: two.duplicated,
    stored_two_nodes: two.stored,
    latency_p50_ms_two_nodes: round(percentile(two.latencies, 50)),
    latency_p99_ms_two_nodes: round(percentile(two.latencies, 99)),
  }];
}

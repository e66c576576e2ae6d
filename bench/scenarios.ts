// The scenarios that exist so far: `inbox` (REST reads of a large inbox against
// the same SQL run directly) and `queue-stats` (a queue's figures with 100 000
// conversations, with the query plans that keep it fast).
import pg from "pg";
import { seedInbox, type Dataset } from "./dataset";
import { log, median, percentile, round, startEngine, timed, type Engine, type Result } from "./support";

const SAMPLES = 100;
const WARMUP = 10;

interface Sizes {
  conversations: number;
  messagesPer: number;
  runs: number;
}

async function prepared(name: string, sizes: Sizes): Promise<{ engine: Engine; data: Dataset; sql: pg.Client }> {
  const engine = await startEngine(name);
  const data = await seedInbox(engine.url, sizes.conversations, sizes.messagesPer);
  const sql = new pg.Client({ connectionString: engine.url });
  await sql.connect();
  return { engine, data, sql };
}

/** p50/p99 of REST and of its direct SQL, medians over the runs. */
async function compare(runs: number, rest: (i: number) => Promise<unknown>, direct: (i: number) => Promise<unknown>) {
  const figures = { rest_p50: [] as number[], rest_p99: [] as number[], sql_p50: [] as number[], sql_p99: [] as number[] };
  await timed(WARMUP, rest);
  await timed(WARMUP, direct);
  for (let run = 0; run < runs; run += 1) {
    const r = await timed(SAMPLES, rest);
    const s = await timed(SAMPLES, direct);
    figures.rest_p50.push(percentile(r, 50));
    figures.rest_p99.push(percentile(r, 99));
    figures.sql_p50.push(percentile(s, 50));
    figures.sql_p99.push(percentile(s, 99));
  }
  const rest_p50 = median(figures.rest_p50);
  const sql_p50 = median(figures.sql_p50);
  return { rest_p50_ms: round(rest_p50), rest_p99_ms: round(median(figures.rest_p99)), sql_p50_ms: round(sql_p50), sql_p99_ms: round(median(figures.sql_p99)), ratio_p50: round(rest_p50 / sql_p50, 1) };
}

const LIST_SQL = `SELECT c.*, k.name AS contact_name, k.push_name, k.phone_number, a.name AS account_name, u.name AS assignee_name, q.name AS queue_name, f.name AS flow_name
  FROM conversations c JOIN contacts k ON k.id = c.contact_id JOIN whatsapp_accounts a ON a.id = c.whatsapp_account_id
  LEFT JOIN users u ON u.id = c.assigned_to LEFT JOIN queues q ON q.id = c.queue_id LEFT JOIN flows f ON f.id = c.current_flow_id`;

export async function inbox(sizes: Sizes): Promise<Result[]> {
  const { engine, data, sql } = await prepared("inbox", sizes);
  try {
    const results: Result[] = [];
    const lists: Array<[string, string, string, unknown[]]> = [
      ["newest", "", "", []],
      ["status=waiting", "&status=waiting", "WHERE c.status = $1", ["waiting"]],
      ["queue_id+status=active", `&queue_id=${data.queueId}&status=active`, "WHERE c.queue_id = $1 AND c.status = $2", [data.queueId, "active"]],
      ["assigned_to", `&assigned_to=${data.agentIds[1]}`, "WHERE c.assigned_to = $1", [data.agentIds[1]]],
    ];
    for (const [label, query, where, params] of lists) {
      log(`inbox: GET /api/conversations ${label}`);
      const figures = await compare(
        sizes.runs,
        () => engine.get(`/api/conversations?limit=20${query}`),
        async () => {
          await sql.query(`${LIST_SQL} ${where} ORDER BY c.last_message_at DESC, c.id DESC LIMIT 20`, params);
          await sql.query(`SELECT count(*) FROM conversations c ${where}`, params);
        },
      );
      results.push({ scenario: "inbox", request: `GET /api/conversations?${label}&limit=20`, ...figures });
    }
    // A page in the middle of each conversation's history.
    const cursors: Array<{ conversation: string; before: string; at: Date }> = [];
    for (const id of data.conversationIds.slice(0, 200)) {
      const { rows } = await sql.query("SELECT id, created_at FROM messages WHERE conversation_id = $1 ORDER BY created_at, id OFFSET $2 LIMIT 1", [id, Math.floor(sizes.messagesPer / 2)]);
      cursors.push({ conversation: id, before: rows[0]!.id as string, at: rows[0]!.created_at as Date });
    }
    log("inbox: GET /api/conversations/{id}/messages?before=");
    const figures = await compare(
      sizes.runs,
      (i) => engine.get(`/api/conversations/${cursors[i % cursors.length]!.conversation}/messages?before=${cursors[i % cursors.length]!.before}&limit=50`),
      async (i) => {
        const cursor = cursors[i % cursors.length]!;
        await sql.query("SELECT created_at, id FROM messages WHERE id = $1 AND conversation_id = $2", [cursor.before, cursor.conversation]);
        await sql.query(
          `SELECT m.*, u.name FROM messages m LEFT JOIN users u ON u.id = m.sender_user_id
            WHERE m.conversation_id = $1 AND (m.created_at, m.id) < ($2, $3) ORDER BY m.created_at DESC, m.id DESC LIMIT 51`,
          [cursor.conversation, cursor.at, cursor.before],
        );
      },
    );
    results.push({ scenario: "inbox", request: "GET /api/conversations/{id}/messages?before=…&limit=50", ...figures });
    return results;
  } finally {
    await sql.end();
    await engine.stop();
  }
}

export async function queueStats(sizes: Sizes): Promise<Result[]> {
  const { engine, data, sql } = await prepared("queue_stats", { ...sizes, messagesPer: 0 });
  try {
    log("queue-stats: GET /api/queues/{id}/stats");
    const figures = await compare(
      sizes.runs,
      () => engine.get(`/api/queues/${data.queueId}/stats`),
      // The floor: one indexed count of the queue's waiting conversations.
      () => sql.query("SELECT count(*) FROM conversations WHERE queue_id = $1 AND status = 'waiting'", [data.queueId]),
    );
    const stats = (await engine.get(`/api/queues/${data.queueId}/stats`)) as Record<string, unknown>;
    const { rows } = await sql.query(
      `EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*), avg(extract(epoch FROM resolved_at - queued_at)) FROM conversations
        WHERE queue_id = $1 AND status = 'resolved' AND resolved_at >= date_trunc('day', now() AT TIME ZONE 'America/Mexico_City') AT TIME ZONE 'America/Mexico_City'`,
      [data.queueId],
    );
    const plan = (rows[0]!["QUERY PLAN"] as Array<{ Plan: Record<string, unknown>; "Execution Time": number }>)[0]!;
    const nodes: string[] = [];
    const walk = (node: Record<string, unknown>) => {
      nodes.push(`${node["Node Type"]}${node["Index Name"] ? ` (${node["Index Name"]})` : ""}`);
      for (const child of (node.Plans as Array<Record<string, unknown>> | undefined) ?? []) walk(child);
    };
    walk(plan.Plan);
    return [{
      scenario: "queue-stats",
      conversations_in_queue: sizes.conversations,
      waiting: stats.waiting,
      active: stats.active,
      resolved_today: stats.resolved_today,
      ...figures,
      resolved_today_plan: nodes.join(" → "),
      resolved_today_execution_ms: round(plan["Execution Time"]),
    }];
  } finally {
    await sql.end();
    await engine.stop();
  }
}

/** An active flow with one version, written straight into the database. */
async function insertFlow(sql: pg.Client, name: string, trigger: string, graph: unknown): Promise<{ flowId: string; versionId: string }> {
  const { rows: flow } = await sql.query("INSERT INTO flows (name, trigger_type, is_active) VALUES ($1, $2, true) RETURNING id", [name, trigger]);
  const { rows: version } = await sql.query("INSERT INTO flow_versions (flow_id, version, graph) VALUES ($1, 1, $2) RETURNING id", [flow[0].id, JSON.stringify(graph)]);
  await sql.query("UPDATE flows SET current_version_id = $1 WHERE id = $2", [version[0].id, flow[0].id]);
  return { flowId: flow[0].id, versionId: version[0].id };
}

const rss = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
};

/**
 * K conversations parked in an ask_text (their actors' state in the database,
 * none in memory), then one message to each of W random ones: what a parked
 * conversation costs in memory, and how long waking one takes (read the
 * snapshot, accept the answer, send the next message through the outbox,
 * write the snapshot).
 */
export async function actors(sizes: Sizes & { actors: number; wakeups: number }): Promise<Result[]> {
  const engine = await startEngine("actors");
  const sql = new pg.Client({ connectionString: engine.url });
  await sql.connect();
  try {
    const empty = rss();
    log(`actors: parking ${sizes.actors} conversations in ask_text`);
    const graph = {
      nodes: [
        { id: "start", type: "start", data: {} },
        { id: "ask", type: "ask_text", data: { text: "¿Tu nombre?", variable: "nombre" } },
        { id: "thanks", type: "send_text", data: { text: "Gracias, {{vars.nombre}}." } },
      ],
      edges: [{ id: "e1", source: "start", target: "ask" }, { id: "e2", source: "ask", target: "thanks" }],
    };
    const one = async (text: string, params: unknown[] = []) => (await sql.query(text, params)).rows[0];
    const { flowId, versionId } = await insertFlow(sql, "Bench", "manual", graph);
    const { id: accountId } = await one("INSERT INTO whatsapp_accounts (name, provider, should_connect) VALUES ('Bench', 'simulator', true) RETURNING id");
    await sql.query("INSERT INTO contacts (phone_number, name) SELECT '+5255' || lpad(g::text, 8, '0'), 'Contacto ' || g FROM generate_series(1, $1::int) g", [sizes.actors]);
    await sql.query("INSERT INTO conversations (contact_id, whatsapp_account_id, status, current_flow_id, current_flow_version_id) SELECT id, $1, 'bot', $2, $3 FROM contacts", [accountId, flowId, versionId]);
    const flow = {
      run_id: "bench-run", origin: "trigger", flow_id: flowId, flow_version_id: versionId, status: "waiting_input", node_id: "ask", vars: {}, retries: 0,
      pending_handle: null, timer_token: null, seq: 1, consumed: [], last_text: "Hola", trace: [{ node_id: "start", type: "start", handle: "next" }, { node_id: "ask", type: "ask_text", handle: null }], error: null,
    };
    await sql.query(
      "INSERT INTO conversation_actor_snapshots (conversation_id, flow_version_id, snapshot, version) SELECT id, $1, $2::jsonb, 1 FROM conversations",
      [versionId, JSON.stringify({ value: "waiting_input", context: { flow } })],
    );
    await sql.query("ANALYZE");
    const before = rss();
    const picked: string[] = (await sql.query("SELECT id FROM conversations ORDER BY random() LIMIT $1", [sizes.wakeups])).rows.map((row) => row.id);
    const messages: string[] = [];
    for (const id of picked) {
      messages.push((await one("INSERT INTO messages (conversation_id, whatsapp_account_id, direction, type, content, status, sender_type) VALUES ($1, $2, 'inbound', 'text', 'Ana', 'received', 'contact') RETURNING id", [id, accountId])).id);
    }
    log(`actors: waking ${picked.length}`);
    const latencies = await timed(picked.length, (i) =>
      engine.broker.call("conversation-actors.dispatch", { conversation_id: picked[i], event: { kind: "input", message_id: messages[i] } }),
    );
    const after = rss();
    const { n: replied } = await one("SELECT count(*)::int AS n FROM messages WHERE direction = 'outbound' AND content = 'Gracias, Ana.'");
    const { n: completed } = await one("SELECT count(*)::int AS n FROM conversation_actor_snapshots WHERE snapshot->>'value' = 'completed'");
    return [{
      scenario: "actors",
      parked: sizes.actors,
      woken: picked.length,
      replies_queued: replied,
      flows_completed: completed,
      // Parked actors live only in the database: what the node's memory grew by while they were parked.
      rss_growth_while_parking_bytes: before - empty,
      rss_per_parked_conversation_bytes: round(Math.max(0, before - empty) / sizes.actors, 1),
      rss_per_woken_actor_bytes: Math.max(0, Math.round((after - before) / picked.length)),
      wake_p50_ms: round(percentile(latencies, 50)),
      wake_p99_ms: round(percentile(latencies, 99)),
    }];
  } finally {
    await sql.end();
    await engine.stop();
  }
}

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
export async function inbound(sizes: Sizes & { inbound: number; contacts: number }): Promise<Result[]> {
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
export async function cluster(sizes: Sizes & { clusterMessages: number; clusterContacts: number }): Promise<Result[]> {
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

/** Waits until `check` holds, polling; fails after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * S agents of one queue connected over Socket.IO, each holding one of its
 * conversations; M inbound messages spread over those conversations. Members of
 * a queue see all its conversations, so every message reaches every agent:
 * M × S deliveries, each timed from the message entering the simulator to its
 * `new_message` on the socket. Baseline: a bare Socket.IO server broadcasting
 * the same payloads to as many clients.
 */
export async function fanout(sizes: Sizes & { agents: number; fanoutMessages: number }): Promise<Result[]> {
  const { io: connect } = await import("socket.io-client");
  const { Server } = await import("socket.io");
  const engine = await startEngine("fanout");
  const sql = new pg.Client({ connectionString: engine.url });
  await sql.connect();
  const clients: Array<{ disconnect(): void }> = [];
  try {
    const call = <T>(action: string, params: Record<string, unknown>) => engine.broker.call<T, Record<string, unknown>>(action, params);
    const account = await call<{ id: string }>("whatsapp.create", { name: "Fanout", provider: "simulator" });
    const status = async () => (await sql.query("SELECT status FROM whatsapp_accounts WHERE id = $1", [account.id])).rows[0]?.status as string;
    await until("a QR code", async () => (await status()) === "qr");
    await call("whatsapp-sessions.simulatorScan", { account_id: account.id, phone_number: "+525500000100" });
    await until("the connection", async () => (await status()) === "connected");
    const { rows: queue } = await sql.query("INSERT INTO queues (name, assignment_method) VALUES ('Fanout', 'manual') RETURNING id");

    log(`fanout: ${sizes.agents} agents, each with a conversation and a socket`);
    const agents: Array<{ phone: string; conversationId: string; token: string }> = [];
    for (let i = 0; i < sizes.agents; i += 1) {
      const email = `agent${i}@fanout.local`;
      const user = await call<{ id: string }>("users.create", { email, password: "password-123", name: `Agent ${i}`, role: "agent" });
      const res = await fetch(`${engine.baseUrl}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": `10.9.${i >> 8}.${i & 255}` }, body: JSON.stringify({ email, password: "password-123" }) });
      const token = ((await res.json()) as { access_token: string }).access_token;
      const phone = `+5255${String(20_000_000 + i)}`;
      await call("whatsapp-sessions.simulatorInbound", { account_id: account.id, message: { from: phone, type: "text", text: "hola" } });
      await until("the conversation", async () => (await sql.query("SELECT 1 FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.phone_number = $1", [phone])).rowCount === 1);
      const { rows } = await sql.query(
        "UPDATE conversations c SET status = 'active', queue_id = $1, assigned_to = $2 FROM contacts k WHERE k.id = c.contact_id AND k.phone_number = $3 RETURNING c.id",
        [queue[0].id, user.id, phone],
      );
      await sql.query("INSERT INTO queue_agents (queue_id, user_id) VALUES ($1, $2)", [queue[0].id, user.id]);
      agents.push({ phone, conversationId: rows[0].id, token });
    }
    const received: number[] = [];
    const pushedAt = new Map<string, number>();
    await Promise.all(
      agents.map(
        (agent) =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(engine.baseUrl, { auth: { token: agent.token }, transports: ["websocket"], reconnection: false, forceNew: true });
            clients.push(socket);
            socket.on("new_message", (payload: { message: { content: string } }) => {
              const at = pushedAt.get(payload.message.content);
              if (at !== undefined) received.push(Date.now() - at);
            });
            socket.once("connect", () => resolve());
            socket.once("connect_error", reject);
          }),
      ),
    );
    log(`fanout: ${sizes.fanoutMessages} messages`);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: Math.min(50, sizes.fanoutMessages) }, async (_, lane) => {
        for (let i = lane; i < sizes.fanoutMessages; i += 50) {
          const text = `f${i}`;
          pushedAt.set(text, Date.now());
          await call("whatsapp-sessions.simulatorInbound", { account_id: account.id, message: { from: agents[i % agents.length]!.phone, type: "text", text } });
        }
      }),
    );
    const expected = sizes.fanoutMessages * sizes.agents;
    await until("every new_message", async () => received.length >= expected, 300_000);
    const seconds = (Date.now() - started) / 1000;

    // Baseline: a bare Socket.IO server broadcasting the same number of events to as many clients.
    const server = new Server({ transports: ["websocket"] });
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    server.listen(port);

    const bare: number[] = [];
    const bareClients = await Promise.all(
      Array.from({ length: sizes.agents }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const socket = connect(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false, forceNew: true });
        socket.on("new_message", (payload: { at: number }) => bare.push(Date.now() - payload.at));
        socket.once("connect", () => resolve(socket));
      })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (let i = 0; i < sizes.fanoutMessages; i += 1) {
      server.emit("new_message", { at: Date.now(), conversation_id: agents[i % agents.length]!.conversationId, message: { content: `f${i}` } });
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    await until("every bare event", async () => bare.length >= expected, 300_000);
    for (const socket of bareClients) socket.disconnect();
    await new Promise((resolve) => server.close(() => resolve(undefined)));

    return [{
      scenario: "fanout",
      agents: sizes.agents,
      messages: sizes.fanoutMessages,
      deliveries_expected: expected,
      delivered: received.length,
      events_per_second: round(received.length / seconds, 1),
      new_message_p50_ms: round(percentile(received, 50)),
      new_message_p99_ms: round(percentile(received, 99)),
      bare_emit_p50_ms: round(percentile(bare, 50)),
      bare_emit_p99_ms: round(percentile(bare, 99)),
    }];
  } finally {
    for (const client of clients) client.disconnect();
    await sql.end();
    await engine.stop();
  }
}

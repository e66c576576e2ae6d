// `inbox` (REST reads of a large inbox against the same SQL run directly),
// `queue-stats` (a queue's figures with 100 000 conversations, with the query
// plans that keep it fast) and `actors` (parked conversations). The scenarios
// where messages flow are in inbound.ts and fanout.ts.
import pg from "pg";
import { seedInbox, type Dataset } from "./dataset";
import { insertFlow, log, median, percentile, round, startEngine, timed, type Engine, type Result } from "./support";

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
  return {
    rest_p50_ms: round(rest_p50),
    rest_p99_ms: round(median(figures.rest_p99)),
    sql_p50_ms: round(sql_p50),
    sql_p99_ms: round(median(figures.sql_p99)),
    ratio_p50: round(rest_p50 / sql_p50, 1),
  };
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
      const { rows } = await sql.query("SELECT id, created_at FROM messages WHERE conversation_id = $1 ORDER BY created_at, id OFFSET $2 LIMIT 1", [
        id,
        Math.floor(sizes.messagesPer / 2),
      ]);
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
    return [
      {
        scenario: "queue-stats",
        conversations_in_queue: sizes.conversations,
        waiting: stats.waiting,
        active: stats.active,
        resolved_today: stats.resolved_today,
        ...figures,
        resolved_today_plan: nodes.join(" → "),
        resolved_today_execution_ms: round(plan["Execution Time"]),
      },
    ];
  } finally {
    await sql.end();
    await engine.stop();
  }
}

const rss = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
};

/**
 * K conversations parked in an ask_text (their actors' state in the database,
 * none in memory), then one message to each of W random ones, stored with its
 * flow inbox row as ingestion stores it: what a parked conversation costs in
 * memory, and how long waking one takes (read the conversation, its inbox and
 * the snapshot, accept the answer, queue the next message, write the state).
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
      edges: [
        { id: "e1", source: "start", target: "ask" },
        { id: "e2", source: "ask", target: "thanks" },
      ],
    };
    const one = async (text: string, params: unknown[] = []) => (await sql.query(text, params)).rows[0];
    const { flowId, versionId } = await insertFlow(sql, "Bench", "manual", graph);
    const { id: accountId } = await one("INSERT INTO whatsapp_accounts (name, provider, should_connect) VALUES ('Bench', 'simulator', true) RETURNING id");
    await sql.query("INSERT INTO contacts (phone_number, name) SELECT '+5255' || lpad(g::text, 8, '0'), 'Contacto ' || g FROM generate_series(1, $1::int) g", [
      sizes.actors,
    ]);
    await sql.query(
      "INSERT INTO conversations (contact_id, whatsapp_account_id, status, current_flow_id, current_flow_version_id) SELECT id, $1, 'bot', $2, $3 FROM contacts",
      [accountId, flowId, versionId],
    );
    const flow = {
      run_id: "bench-run",
      origin: "trigger",
      flow_id: flowId,
      flow_version_id: versionId,
      status: "waiting_input",
      node_id: "ask",
      vars: {},
      retries: 0,
      pending_handle: null,
      timer_token: null,
      seq: 1,
      consumed: [],
      last_text: "Hola",
      trace: [
        { node_id: "start", type: "start", handle: "next" },
        { node_id: "ask", type: "ask_text", handle: null },
      ],
      error: null,
    };
    await sql.query(
      "INSERT INTO conversation_actor_snapshots (conversation_id, flow_version_id, snapshot, version) SELECT id, $1, $2::jsonb, 1 FROM conversations",
      [versionId, JSON.stringify({ value: "waiting_input", context: { flow } })],
    );
    await sql.query("ANALYZE");
    const before = rss();
    const picked: string[] = (await sql.query("SELECT id FROM conversations ORDER BY random() LIMIT $1", [sizes.wakeups])).rows.map((row) => row.id);
    for (const id of picked) {
      const { id: messageId } = await one(
        "INSERT INTO messages (conversation_id, whatsapp_account_id, direction, type, content, status, sender_type) VALUES ($1, $2, 'inbound', 'text', 'Ana', 'received', 'contact') RETURNING id",
        [id, accountId],
      );
      await sql.query("INSERT INTO flow_inbox (message_id, conversation_id, next_attempt_at) VALUES ($1, $2, now() + interval '1 hour')", [messageId, id]);
    }
    log(`actors: waking ${picked.length}`);
    const latencies = await timed(picked.length, (i) =>
      engine.broker.call("conversation-actors.dispatch", { conversation_id: picked[i], event: { kind: "inbox" } }),
    );
    const after = rss();
    const { n: replied } = await one("SELECT count(*)::int AS n FROM messages WHERE direction = 'outbound' AND content = 'Gracias, Ana.'");
    const { n: completed } = await one("SELECT count(*)::int AS n FROM conversation_actor_snapshots WHERE snapshot->>'value' = 'completed'");
    return [
      {
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
      },
    ];
  } finally {
    await sql.end();
    await engine.stop();
  }
}

// `fanout`: how fast a message reaches every agent watching its queue.
import pg from "pg";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import {
  atRate,
  connectAccounts,
  inLanes,
  log,
  percentile,
  round,
  startEngine,
  startMeter,
  until,
  whileProgress,
  type Account,
  type Cost,
  type Engine,
  type Result,
} from "./support";

interface Agent {
  /** The customer whose conversation the agent holds. */
  phone: string;
  conversationId: string;
  token: string;
}

/** One run's deliveries: when each message went in, and how long it took to reach each agent. */
class Deliveries {
  private readonly pushedAt = new Map<string, number>();
  readonly latencies: number[] = [];
  lastAt = 0;

  pushed(text: string): void {
    this.pushedAt.set(text, performance.now());
  }

  received(content: string): void {
    const at = this.pushedAt.get(content);
    if (at === undefined) return;
    this.lastAt = performance.now();
    this.latencies.push(this.lastAt - at);
  }
}

/** The engine, its agents' sockets, and the run under way. */
interface Bench {
  engine: Engine;
  account: Account;
  agents: Agent[];
  sockets: Socket[];
  deliveries?: Deliveries;
}

/** S agents of one queue, each holding the conversation of a customer who wrote once. */
async function createAgents(engine: Engine, sql: pg.Client, account: Account, count: number): Promise<Agent[]> {
  const call = <T>(action: string, params: Record<string, unknown>) => engine.broker.call<T, Record<string, unknown>>(action, params);
  const { rows: queue } = await sql.query("INSERT INTO queues (name, assignment_method) VALUES ('Fanout', 'manual') RETURNING id");
  const agents: Agent[] = [];
  for (let i = 0; i < count; i += 1) {
    const email = `agent${i}@fanout.local`;
    const user = await call<{ id: string }>("users.create", { email, password: "password-123", name: `Agent ${i}`, role: "agent" });
    const res = await fetch(`${engine.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": `10.9.${i >> 8}.${i & 255}` },
      body: JSON.stringify({ email, password: "password-123" }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const phone = `+5255${String(20_000_000 + i)}`;
    await engine.broker.call(
      "whatsapp-sessions.simulatorInbound",
      { account_id: account.id, message: { from: phone, type: "text", text: "hola" } },
      { nodeID: account.nodeID },
    );
    await until(
      "the conversation",
      async () => (await sql.query("SELECT 1 FROM conversations c JOIN contacts k ON k.id = c.contact_id WHERE k.phone_number = $1", [phone])).rowCount === 1,
    );
    const { rows } = await sql.query(
      "UPDATE conversations c SET status = 'active', queue_id = $1, assigned_to = $2 FROM contacts k WHERE k.id = c.contact_id AND k.phone_number = $3 RETURNING c.id",
      [queue[0].id, user.id, phone],
    );
    await sql.query("INSERT INTO queue_agents (queue_id, user_id) VALUES ($1, $2)", [queue[0].id, user.id]);
    agents.push({ phone, conversationId: rows[0].id, token });
  }
  return agents;
}

/** Every agent's socket; each `new_message` goes to the run under way. */
async function connectSockets(bench: Bench): Promise<void> {
  await Promise.all(
    bench.agents.map(
      (agent) =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(bench.engine.baseUrl, { auth: { token: agent.token }, transports: ["websocket"], reconnection: false, forceNew: true });
          bench.sockets.push(socket);
          socket.on("new_message", (payload: { message: { content: string } }) => bench.deliveries?.received(payload.message.content));
          socket.once("connect", () => resolve());
          socket.once("connect_error", reject);
        }),
    ),
  );
}

interface RunFigures {
  expected: number;
  /** Message in → its `new_message` on an agent's socket, ms: one sample per delivery. */
  latencies: number[];
  /** Deliveries a second, from the first message in to the last delivery. */
  perSecond: number;
  cost: Cost;
}

/**
 * Message i (text `${prefix}${i}`) comes from the customer of agent
 * i % agents; `schedule` decides when each is sent. Waits for every delivery
 * to every agent, or until they stop coming.
 */
async function run(bench: Bench, prefix: string, messages: number, schedule: (send: (i: number) => Promise<void>) => Promise<void>): Promise<RunFigures> {
  const deliveries = new Deliveries();
  bench.deliveries = deliveries;
  const expected = messages * bench.agents.length;
  const meter = startMeter();
  const startedAt = performance.now();
  await schedule(async (i) => {
    const text = `${prefix}${i}`;
    deliveries.pushed(text);
    await bench.engine.broker.call(
      "whatsapp-sessions.simulatorInbound",
      { account_id: bench.account.id, message: { from: bench.agents[i % bench.agents.length]!.phone, type: "text", text } },
      { nodeID: bench.account.nodeID },
    );
  });
  await whileProgress(() => deliveries.latencies.length, expected);
  await meter.settle();
  const delivered = deliveries.latencies.length;
  return {
    expected,
    latencies: deliveries.latencies,
    perSecond: delivered ? delivered / ((deliveries.lastAt - startedAt) / 1000) : 0,
    cost: meter.stop(messages),
  };
}

/** What every run reports: what was delivered, how fast, and what a message cost. */
const outcome = (figures: RunFigures) => ({
  deliveries_expected: figures.expected,
  delivered: figures.latencies.length,
  new_message_p50_ms: round(percentile(figures.latencies, 50)),
  new_message_p99_ms: round(percentile(figures.latencies, 99)),
  ...figures.cost,
});

/** A bare Socket.IO server broadcasting `messages` events to as many clients as there are agents: each delivery's latency. */
async function bareBroadcast(agents: Agent[], messages: number): Promise<number[]> {
  const server = new Server({ transports: ["websocket"] });
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  server.listen(port);
  const bare: number[] = [];
  const clients = await Promise.all(
    agents.map(
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(`http://127.0.0.1:${port}`, { transports: ["websocket"], reconnection: false, forceNew: true });
          socket.on("new_message", (payload: { at: number }) => bare.push(Date.now() - payload.at));
          socket.once("connect", () => resolve(socket));
        }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (let i = 0; i < messages; i += 1) {
    server.emit("new_message", { at: Date.now(), conversation_id: agents[i % agents.length]!.conversationId, message: { content: `f${i}` } });
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
  }
  await until("every bare event", async () => bare.length >= messages * agents.length, 300_000);
  for (const socket of clients) socket.disconnect();
  await server.close();
  return bare;
}

export interface FanoutSizes {
  agents: number;
  /** Messages a second in the fixed-rate run, for `steadySeconds`. */
  fanoutRate: number;
  steadySeconds: number;
  /** Messages of the saturating run. */
  fanoutMessages: number;
}

/**
 * S agents of one queue connected over Socket.IO, each holding one of its
 * conversations; inbound messages spread over those conversations. Members of
 * a queue see all its conversations, so every message reaches every agent:
 * M × S deliveries, each timed from the message entering the simulator to its
 * `new_message` on the socket. First at a fixed rate, then as fast as 50
 * senders can push them. Baseline: a bare Socket.IO server broadcasting the
 * same payloads to as many clients.
 */
export async function fanout(sizes: FanoutSizes): Promise<Result[]> {
  const engine = await startEngine("fanout");
  const sql = new pg.Client({ connectionString: engine.url });
  await sql.connect();
  const sockets: Socket[] = [];
  try {
    const [account] = await connectAccounts(engine, sql, 1);
    log(`fanout: ${sizes.agents} agents, each with a conversation and a socket`);
    const bench: Bench = { engine, account: account!, agents: await createAgents(engine, sql, account!, sizes.agents), sockets };
    await connectSockets(bench);

    const fixedMessages = sizes.fanoutRate * sizes.steadySeconds;
    log(`fanout: ${sizes.fanoutRate} messages/s (${sizes.fanoutRate * sizes.agents} deliveries/s) for ${sizes.steadySeconds} s`);
    const fixed = await run(bench, "r", fixedMessages, (send) => atRate(fixedMessages, sizes.fanoutRate, send));
    log(`fanout: ${sizes.fanoutMessages} messages, 50 senders`);
    const saturating = await run(bench, "f", sizes.fanoutMessages, (send) => inLanes(sizes.fanoutMessages, 50, 50, send));
    const bare = await bareBroadcast(bench.agents, sizes.fanoutMessages);

    return [
      {
        scenario: "fanout",
        mode: "fixed-rate",
        agents: sizes.agents,
        rate_per_second: sizes.fanoutRate,
        deliveries_per_second_target: sizes.fanoutRate * sizes.agents,
        seconds: sizes.steadySeconds,
        messages: fixedMessages,
        ...outcome(fixed),
      },
      {
        scenario: "fanout",
        mode: "saturating",
        agents: sizes.agents,
        messages: sizes.fanoutMessages,
        events_per_second: round(saturating.perSecond, 1),
        ...outcome(saturating),
        bare_emit_p50_ms: round(percentile(bare, 50)),
        bare_emit_p99_ms: round(percentile(bare, 99)),
      },
    ];
  } finally {
    for (const socket of sockets) socket.disconnect();
    await sql.end();
    await engine.stop();
  }
}

// `fanout`: how fast a message reaches every agent watching its queue.
import pg from "pg";
import { log, percentile, round, startEngine, until, type Result } from "./support";

/**
 * S agents of one queue connected over Socket.IO, each holding one of its
 * conversations; M inbound messages spread over those conversations. Members of
 * a queue see all its conversations, so every message reaches every agent:
 * M × S deliveries, each timed from the message entering the simulator to its
 * `new_message` on the socket. Baseline: a bare Socket.IO server broadcasting
 * the same payloads to as many clients.
 */
export async function fanout(sizes: { agents: number; fanoutMessages: number }): Promise<Result[]> {
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

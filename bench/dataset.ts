// The inbox of a busy installation, written straight into PostgreSQL: one
// queue with `conversations` conversations over 30 days (5 % with the bot, 10 %
// waiting, 15 % active, 70 % resolved), 50 agents, and `messagesPer` messages
// in each conversation.
import pg from "pg";
import { log } from "./support";

export interface Dataset {
  queueId: string;
  agentIds: string[];
  conversationIds: string[];
}

export async function seedInbox(url: string, conversations: number, messagesPer: number): Promise<Dataset> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const one = async (sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows[0];
    log(`seeding ${conversations} conversations, ${conversations * messagesPer} messages`);
    await client.query(`INSERT INTO users (email, name, password_hash, role, status)
      SELECT 'agent' || g || '@bench.local', 'Agent ' || g, 'x', 'agent', CASE WHEN g % 3 = 0 THEN 'offline' ELSE 'online' END
      FROM generate_series(1, 50) g`);
    const { id: queueId } = await one(`INSERT INTO queues (name, timezone, sla_first_response, sla_resolution, assignment_method)
      VALUES ('Bench', 'America/Mexico_City', 180, 3600, 'manual') RETURNING id`);
    await client.query(`INSERT INTO queue_agents (queue_id, user_id) SELECT $1, id FROM users WHERE email LIKE '%@bench.local'`, [queueId]);
    const { id: accountId } = await one(`INSERT INTO whatsapp_accounts (name, provider) VALUES ('Bench', 'simulator') RETURNING id`);
    await client.query(
      `INSERT INTO contacts (phone_number, name) SELECT '+5255' || lpad(g::text, 8, '0'), 'Contacto ' || g FROM generate_series(1, $1::int) g`,
      [conversations],
    );
    await client.query(
      `WITH agents AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE email LIKE '%@bench.local'),
            numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM contacts),
            shaped AS (
              SELECT n.id AS contact_id, n.n,
                     CASE WHEN n.n % 20 = 0 THEN 'bot' WHEN n.n % 20 <= 2 THEN 'waiting' WHEN n.n % 20 <= 5 THEN 'active' ELSE 'resolved' END AS status,
                     now() - (n.n % 43200) * interval '1 minute' AS created
                FROM numbered n)
       INSERT INTO conversations (contact_id, whatsapp_account_id, queue_id, status, priority, assigned_to, queued_at,
                                  first_response_at, resolved_at, sla_first_response_met, sla_resolution_met, last_message_at, created_at)
       SELECT s.contact_id, $1, CASE WHEN s.status = 'bot' THEN NULL ELSE $2::uuid END, s.status,
              (ARRAY['low','normal','normal','high','urgent'])[1 + s.n % 5],
              CASE WHEN s.status IN ('active', 'resolved') THEN (SELECT ids FROM agents)[1 + s.n % 50] END,
              CASE WHEN s.status <> 'bot' THEN s.created + interval '1 minute' END,
              CASE WHEN s.status IN ('active', 'resolved') THEN s.created + interval '1 minute' + (s.n % 300) * interval '1 second' END,
              CASE WHEN s.status = 'resolved' THEN s.created + interval '1 minute' + (s.n % 300 + s.n % 3600) * interval '1 second' END,
              CASE WHEN s.status IN ('active', 'resolved') THEN s.n % 300 <= 180 END,
              CASE WHEN s.status = 'resolved' THEN s.n % 300 + s.n % 3600 <= 3600 END,
              s.created + interval '1 hour', s.created
         FROM shaped s`,
      [accountId, queueId],
    );
    await client.query(
      `INSERT INTO messages (conversation_id, whatsapp_account_id, direction, type, content, status, sender_type, created_at)
       SELECT c.id, c.whatsapp_account_id, CASE WHEN k % 2 = 1 THEN 'inbound' ELSE 'outbound' END, 'text', 'mensaje ' || k,
              CASE WHEN k % 2 = 1 THEN 'received' ELSE 'read' END, CASE WHEN k % 2 = 1 THEN 'contact' ELSE 'agent' END,
              c.created_at + k * interval '10 seconds'
         FROM conversations c, generate_series(1, $1::int) k`,
      [messagesPer],
    );
    await client.query("ANALYZE");
    const agentIds = (await client.query(`SELECT id FROM users WHERE email LIKE '%@bench.local' ORDER BY email`)).rows.map((row) => row.id as string);
    const conversationIds = (await client.query(`SELECT id FROM conversations ORDER BY random() LIMIT 1000`)).rows.map((row) => row.id as string);
    log("seeded");
    return { queueId, agentIds, conversationIds };
  } finally {
    await client.end();
  }
}

// What must hold after the faults, read from the database (the engine's truth)
// and from what the watchers saw. Each check returns its counts and, when it
// fails, problems that say exactly what is wrong and where to look.
import pg from "pg";
import { agentContent, botReplyTo, type AgentSend, type Customer, type Delivery } from "./traffic";
import type { UnexpectedExit } from "./processes";
import type { Observer, SocketWatcher } from "./watchers";

export interface CheckResult {
  name: string;
  /** Counts for the report, whatever the outcome. */
  summary: string;
  problems: string[];
}

/** A pool that survives the database going away (the outage is one of the faults). */
export class Db {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000 });
    // An idle connection cut by the outage is replaced on the next query; without a listener it would crash the test process.
    this.pool.on("error", () => undefined);
  }

  async rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

const EXAMPLES = 5;
const examples = (items: string[]): string => items.slice(0, EXAMPLES).join(", ") + (items.length > EXAMPLES ? `, … (${items.length} in all)` : "");

/** "kill-holder 5, redis-restart 2". */
function byPhase<T extends { phase: string }>(items: T[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.phase, (counts.get(item.phase) ?? 0) + 1);
  return [...counts.entries()].map(([phase, n]) => `${phase} ${n}`).join(", ");
}

const acknowledged = (delivery: Delivery): boolean => delivery.acknowledgedAt !== undefined;

export async function inboundStoredOnce(db: Db, deliveries: Delivery[]): Promise<CheckResult> {
  const problems: string[] = [];
  const unacknowledged = deliveries.filter((delivery) => !acknowledged(delivery));
  if (unacknowledged.length) {
    problems.push(
      `${unacknowledged.length} customer message(s) were never acknowledged by the simulator's inbound API (by phase: ${byPhase(unacknowledged)}); ` +
        `last answers: ${examples(unacknowledged.map((d) => `${d.token} → ${d.refused ?? d.gaveUp ?? "?"}`))}`,
    );
  }
  const rows = await db.rows<{ wa_message_id: string; n: string }>(
    "SELECT wa_message_id, count(*) AS n FROM messages WHERE direction = 'inbound' AND wa_message_id = ANY($1) GROUP BY wa_message_id",
    [deliveries.map((delivery) => delivery.waMessageId)],
  );
  const stored = new Map(rows.map((row) => [row.wa_message_id, Number(row.n)]));
  const lost = deliveries.filter((delivery) => acknowledged(delivery) && !stored.has(delivery.waMessageId));
  const doubled = deliveries.filter((delivery) => (stored.get(delivery.waMessageId) ?? 0) > 1);
  if (lost.length)
    problems.push(`${lost.length} acknowledged customer message(s) are not stored (by phase: ${byPhase(lost)}): ${examples(lost.map((d) => d.token))}`);
  if (doubled.length)
    problems.push(
      `${doubled.length} customer message(s) are stored more than once: ${examples(doubled.map((d) => `${d.token}×${stored.get(d.waMessageId)}`))}`,
    );
  const storedCount = deliveries.filter((delivery) => stored.has(delivery.waMessageId)).length;
  return {
    name: "every customer message stored exactly once",
    summary: `sent ${deliveries.length}, acknowledged ${deliveries.length - unacknowledged.length}, stored ${storedCount}, lost ${lost.length}, stored twice ${doubled.length}`,
    problems,
  };
}

export async function flowAnsweredOnce(db: Db, deliveries: Delivery[], phaseAt: (at: number) => string): Promise<CheckResult> {
  const problems: string[] = [];
  const rows = await db.rows<{ content: string; created: Date[] }>(
    "SELECT content, array_agg(created_at ORDER BY created_at) AS created FROM messages WHERE direction = 'outbound' AND sender_type = 'bot' AND content LIKE 'Eco %' GROUP BY content",
  );
  const replies = new Map(rows.map((row) => [row.content, row.created]));
  const repliesTo = (delivery: Delivery): number => replies.get(botReplyTo(delivery.token))?.length ?? 0;
  const stored = await storedTokens(db, deliveries);
  const toBot = deliveries.filter((delivery) => delivery.expectsBotReply && stored.has(delivery.token));
  const toAgent = deliveries.filter((delivery) => !delivery.expectsBotReply && stored.has(delivery.token));
  const missing = toBot.filter((delivery) => repliesTo(delivery) === 0);
  const doubled = toBot.filter((delivery) => repliesTo(delivery) > 1);
  const intruding = toAgent.filter((delivery) => repliesTo(delivery) > 0);
  const known = new Set(deliveries.map((delivery) => botReplyTo(delivery.token)));
  const strays = [...replies.keys()].filter((content) => !known.has(content));
  if (missing.length) {
    problems.push(
      `${missing.length} of ${toBot.length} stored customer message(s) got no reply from the flow (by the phase they were written in: ${byPhase(missing)}; ` +
        `in ${new Set(missing.map((d) => d.customer.conversationId)).size} conversation(s)): ${examples(missing.map((d) => `${d.token} in ${d.customer.conversationId}`))}`,
    );
  }
  if (doubled.length) {
    // The extra reply is what a fault (or the recovery after it) produced: it is placed by when it was written.
    const extras = doubled.map((d) => ({ phase: phaseAt(new Date(replies.get(botReplyTo(d.token))?.[1] ?? 0).getTime()), delivery: d }));
    problems.push(
      `${doubled.length} customer message(s) were answered more than once (by the phase of the extra reply: ${byPhase(extras)}; written in: ${byPhase(doubled)}): ` +
        examples(doubled.map((d) => `${d.token}×${repliesTo(d)} in ${d.customer.conversationId}`)),
    );
  }
  if (intruding.length)
    problems.push(`${intruding.length} message(s) in conversations an agent holds were answered by the flow: ${examples(intruding.map((d) => d.token))}`);
  if (strays.length) problems.push(`${strays.length} bot repl(ies) match no customer message: ${examples(strays.map((content) => JSON.stringify(content)))}`);
  const total = [...replies.values()].reduce((sum, created) => sum + created.length, 0);
  return {
    name: "every customer message answered by its flow exactly once",
    summary: `bot replies ${total} for ${toBot.length} stored messages in bot conversations: missing ${missing.length}, doubled ${doubled.length}; in agent conversations ${toAgent.length} messages, bot replies ${intruding.length}`,
    problems,
  };
}

async function storedTokens(db: Db, deliveries: Delivery[]): Promise<Set<string>> {
  const rows = await db.rows<{ content: string }>("SELECT content FROM messages WHERE direction = 'inbound' AND wa_message_id = ANY($1)", [
    deliveries.map((delivery) => delivery.waMessageId),
  ]);
  return new Set(rows.map((row) => row.content));
}

const SENT = new Set(["sent", "delivered", "read"]);

export async function agentSentOnce(db: Db, sends: AgentSend[]): Promise<CheckResult> {
  const problems: string[] = [];
  const unacknowledged = sends.filter((send) => send.acknowledgedAt === undefined);
  if (unacknowledged.length) {
    problems.push(
      `${unacknowledged.length} agent message(s) were never accepted by the API (by phase: ${byPhase(unacknowledged)}): ${examples(unacknowledged.map((s) => `${s.token} → ${s.refused ?? s.gaveUp ?? "?"}`))}`,
    );
  }
  const rows = await db.rows<{ content: string; n: string; statuses: string[] }>(
    "SELECT content, count(*) AS n, array_agg(status) AS statuses FROM messages WHERE direction = 'outbound' AND sender_type = 'agent' AND content = ANY($1) GROUP BY content",
    [sends.map((send) => agentContent(send.token))],
  );
  const byContent = new Map(rows.map((row) => [row.content, row]));
  const accepted = sends.filter((send) => send.acknowledgedAt !== undefined);
  const missing = accepted.filter((send) => !byContent.has(send.content));
  const doubled = accepted.filter((send) => Number(byContent.get(send.content)?.n ?? 0) > 1);
  const unsent = accepted.filter((send) => {
    const row = byContent.get(send.content);
    return row && !row.statuses.every((status) => SENT.has(status));
  });
  if (missing.length) problems.push(`${missing.length} accepted agent message(s) are not stored: ${examples(missing.map((s) => s.token))}`);
  if (doubled.length)
    problems.push(`${doubled.length} agent message(s) are stored more than once: ${examples(doubled.map((s) => `${s.token}×${byContent.get(s.content)?.n}`))}`);
  if (unsent.length)
    problems.push(
      `${unsent.length} agent message(s) were not sent to WhatsApp: ${examples(unsent.map((s) => `${s.token} (${byContent.get(s.content)?.statuses.join("/")})`))}`,
    );
  return {
    name: "every agent message sent exactly once",
    summary: `agent messages ${sends.length}, accepted ${accepted.length}, stored ${accepted.length - missing.length}, sent ${accepted.length - missing.length - unsent.length}, stored twice ${doubled.length}`,
    problems,
  };
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const [row] = await db.rows<{ found: string | null }>("SELECT to_regclass($1)::text AS found", [table]);
  return row?.found !== null && row?.found !== undefined;
}

export async function nothingPending(db: Db): Promise<CheckResult> {
  const problems: string[] = [];
  const statuses = await db.rows<{ status: string; sender_type: string; n: string }>(
    "SELECT status, sender_type, count(*) AS n FROM messages WHERE status IN ('pending', 'failed') GROUP BY status, sender_type",
  );
  for (const row of statuses) problems.push(`${row.n} ${row.sender_type} message(s) are still ${row.status}`);
  const running = await db.rows<{ n: string }>("SELECT count(*) AS n FROM conversation_actor_snapshots WHERE snapshot->>'value' = 'running'");
  if (Number(running[0]?.n ?? 0) > 0) problems.push(`${running[0]!.n} flow(s) were left in the middle of a step (snapshot value 'running')`);
  // The flow inbox (inputs waiting for their actor) exists once the engine keeps one; when it does, it must be empty.
  let inbox = "no flow_inbox table";
  if (await tableExists(db, "flow_inbox")) {
    const [row] = await db.rows<{ n: string }>("SELECT count(*) AS n FROM flow_inbox");
    inbox = `flow_inbox ${row!.n}`;
    if (Number(row!.n) > 0) problems.push(`${row!.n} customer message(s) still wait in flow_inbox`);
  }
  return { name: "nothing left pending", summary: `pending/failed messages ${statuses.reduce((sum, row) => sum + Number(row.n), 0)}; ${inbox}`, problems };
}

export async function noDuplicateConversations(db: Db, customers: Customer[]): Promise<CheckResult> {
  const problems: string[] = [];
  const open = await db.rows<{ contact_id: string; whatsapp_account_id: string; n: string }>(
    "SELECT contact_id, whatsapp_account_id, count(*) AS n FROM conversations WHERE status <> 'resolved' GROUP BY 1, 2 HAVING count(*) > 1",
  );
  for (const row of open) problems.push(`contact ${row.contact_id} has ${row.n} open conversations on account ${row.whatsapp_account_id}`);
  const perCustomer = await db.rows<{ phone_number: string; account: string; contacts: string; conversations: string }>(
    `SELECT k.phone_number, c.whatsapp_account_id AS account, count(DISTINCT k.id) AS contacts, count(DISTINCT c.id) AS conversations
       FROM contacts k JOIN conversations c ON c.contact_id = k.id
      WHERE k.phone_number = ANY($1) GROUP BY 1, 2`,
    [customers.map((customer) => customer.phone)],
  );
  // Nobody resolves a conversation in this run, so each customer has exactly one, with one contact.
  for (const row of perCustomer) {
    if (Number(row.contacts) !== 1 || Number(row.conversations) !== 1) {
      problems.push(`${row.phone_number} on account ${row.account}: ${row.contacts} contact(s), ${row.conversations} conversation(s) (expected 1 and 1)`);
    }
  }
  if (perCustomer.length !== customers.length) problems.push(`${customers.length} customers wrote, ${perCustomer.length} have a conversation`);
  return {
    name: "no conversation duplicated",
    summary: `customers ${customers.length}, with one contact and one conversation each: ${perCustomer.length - problems.length}`,
    problems,
  };
}

export async function oneConnectionPerNumber(db: Db, observer: Observer, running: Set<string>): Promise<CheckResult> {
  // Several samples may catch the same overlap: one line per number, pair of nodes and phase.
  const distinct = new Map(observer.overlaps.map((overlap) => [`${overlap.accountId} ${overlap.nodes.join(" ")} ${overlap.phase}`, overlap]));
  const problems = [...distinct.values()].map(
    (overlap) =>
      `account ${overlap.accountId} had a live connection on ${overlap.nodes.join(" and ")} at once (${overlap.phase}, first seen ${new Date(overlap.at).toISOString()})`,
  );
  const accounts = await db.rows<{ id: string; status: string; owner_node: string | null }>(
    "SELECT id, status, owner_node FROM whatsapp_accounts WHERE deleted_at IS NULL",
  );
  for (const account of accounts) {
    if (account.status !== "connected" || !account.owner_node || !running.has(account.owner_node)) {
      problems.push(`account ${account.id} ends ${account.status} on ${account.owner_node ?? "no node"} (running: ${[...running].join(", ")})`);
    }
  }
  return {
    name: "no number connected on two nodes at once",
    summary: `${observer.samples} samples of every node's live connections; overlaps ${observer.overlaps.length}; accounts connected at the end ${accounts.filter((a) => a.status === "connected").length}/${accounts.length}`,
    problems,
  };
}

export interface NodeOutcome {
  name: string;
  nodeId: string;
  running: boolean;
  ready: boolean;
}

export interface GracefulStop {
  node: string;
  ms: number;
  forced: boolean;
  code: number | null;
  signal: string | null;
}

export function nodesAlive(
  exits: UnexpectedExit[],
  finals: NodeOutcome[],
  stops: GracefulStop[],
  unsteady: string[],
  phaseOf: (at: number) => string,
): CheckResult {
  const problems: string[] = unsteady.map((phase) => `after ${phase} the cluster was not back to every node up and every number connected within 90 s`);
  for (const exit of exits) {
    problems.push(`node ${exit.nodeId} exited by itself during ${phaseOf(exit.at)} (code ${exit.code}, signal ${exit.signal}); its log ends:\n${exit.log}`);
  }
  for (const stop of stops) {
    if (stop.forced) problems.push(`node ${stop.node} did not exit within the grace period after SIGTERM and was killed (after ${stop.ms} ms)`);
    else if (stop.code !== 0) problems.push(`node ${stop.node} exited with code ${stop.code} (signal ${stop.signal}) after SIGTERM`);
  }
  for (const node of finals)
    if (!node.running || !node.ready) problems.push(`node ${node.nodeId} is ${node.running ? "running but not ready" : "not running"} at the end`);
  return {
    name: "every node alive",
    summary: `unexpected exits ${exits.length}; graceful stops ${stops.map((s) => `${s.node} ${(s.ms / 1000).toFixed(1)} s${s.forced ? " (forced)" : ""}`).join(", ") || "none"}; alive at the end ${finals.filter((n) => n.running && n.ready).length}/${finals.length}`,
    problems,
  };
}

export interface WatcherScope {
  watcher: SocketWatcher;
  /** Only these conversations are visible to it; undefined: all (an admin). */
  conversations?: Set<string>;
}

/** Messages a socket client did not hold at the end of a phase, each counted at the first phase end it was missing at. */
export interface SocketLag {
  watcher: string;
  phase: string;
  ids: string[];
}

/**
 * Whether each client already holds every message older than `graceMs`. Run at the end of each phase: a client
 * that gets a missed message only because some later, unrelated reconnection made it catch up did not get it.
 */
export async function socketLag(db: Db, scopes: WatcherScope[], since: Date, phase: string, graceMs: number, earlier: SocketLag[]): Promise<SocketLag[]> {
  const rows = await db.rows<{ id: string; conversation_id: string }>(
    "SELECT id, conversation_id FROM messages WHERE created_at >= $1 AND created_at < now() - make_interval(secs => $2)",
    [since, graceMs / 1000],
  );
  const lags: SocketLag[] = [];
  for (const { watcher, conversations } of scopes) {
    const counted = new Set(earlier.filter((lag) => lag.watcher === watcher.name).flatMap((lag) => lag.ids));
    const ids = rows
      .filter((row) => (!conversations || conversations.has(row.conversation_id)) && !watcher.holds(row.id) && !counted.has(row.id))
      .map((row) => row.id);
    if (ids.length) lags.push({ watcher: watcher.name, phase, ids });
  }
  return lags;
}

export async function socketsHoldEveryMessage(
  db: Db,
  scopes: WatcherScope[],
  since: Date,
  phaseAt: (at: number) => string,
  lags: SocketLag[],
): Promise<CheckResult> {
  const rows = await db.rows<{ id: string; conversation_id: string; created_at: Date; what: string }>(
    "SELECT id, conversation_id, created_at, direction || '/' || sender_type || '/' || status || ' ' || to_char(created_at, 'HH24:MI:SS.MS') AS what FROM messages WHERE created_at >= $1",
    [since],
  );
  // What a late message was (direction/sender/status and when it was written): tells which path failed to relay it.
  const described = (ids: string[]) => examples(ids.map((id) => `${id} (${rows.find((row) => row.id === id)?.what ?? "?"})`));
  const problems: string[] = [];
  const lines: string[] = [];
  for (const { watcher, conversations } of scopes) {
    const expected = rows.filter((row) => !conversations || conversations.has(row.conversation_id));
    const missedLive = expected.filter((row) => !watcher.live.has(row.id));
    const missing = expected.filter((row) => !watcher.holds(row.id));
    const missedWhen = byPhase(missedLive.map((row) => ({ phase: phaseAt(row.created_at.getTime()) })));
    lines.push(
      `${watcher.name} ${expected.length - missing.length}/${expected.length} (live ${expected.length - missedLive.length}${missedWhen ? `, missed live in ${missedWhen}` : ""}; disconnects ${watcher.disconnects})`,
    );
    if (missing.length) {
      problems.push(
        `socket client ${watcher.name} lacks ${missing.length} of ${expected.length} new_message events (by phase: ${byPhase(missing.map((row) => ({ phase: phaseAt(row.created_at.getTime()) })))}; missed live: ${missedLive.length}; disconnects: ${watcher.disconnects}; ` +
          `catch-ups that failed: ${watcher.catchUpFailures}): ${examples(missing.map((row) => row.id))}`,
      );
    }
  }
  for (const { watcher } of scopes) {
    const late = lags.filter((lag) => lag.watcher === watcher.name);
    if (!late.length) continue;
    const ids = late.flatMap((lag) => lag.ids);
    const recoveredLater = ids.filter((id) => watcher.holds(id)).length;
    problems.push(
      `socket client ${watcher.name} did not hold ${ids.length} message(s) at the end of the phase they were written in (${late.map((lag) => `${lag.phase} ${lag.ids.length}`).join(", ")}); ` +
        `${recoveredLater} of them only came with a later, unrelated reconnection: ${described(ids)}`,
    );
  }
  return { name: "each socket client holds every new_message", summary: lines.join("; "), problems };
}

export interface AccountRow {
  id: string;
  owner_node: string | null;
  last_connected_at: string | null;
}

/** Numbers whose connection was dropped during a fault that stopped no node (a reconnect storm is what gets numbers flagged). */
export function numbersKept(phase: string, before: AccountRow[], after: AccountRow[], observer: Observer): CheckResult {
  const problems: string[] = [];
  for (const account of before) {
    const later = after.find((row) => row.id === account.id);
    if (!later) continue;
    if (later.owner_node !== account.owner_node) problems.push(`account ${account.id} moved from ${account.owner_node} to ${later.owner_node} during ${phase}`);
    else if (String(later.last_connected_at) !== String(account.last_connected_at))
      problems.push(`account ${account.id} reconnected on ${account.owner_node} during ${phase}`);
  }
  const moved = problems.length;
  const drops = observer.statusChanges.filter((change) => change.phase === phase && change.status !== "connected");
  if (drops.length)
    problems.push(
      `${drops.length} status change(s) away from connected during ${phase}: ${examples(drops.map((d) => `${d.accountId} ${d.status}/${d.reason ?? ""}`))}`,
    );
  const gaps = observer.gaps.filter((gap) => gap.phase === phase);
  if (gaps.length)
    problems.push(`${new Set(gaps.map((g) => g.accountId)).size} account(s) were connected on no node in ${gaps.length} sample(s) during ${phase}`);
  return {
    name: `numbers stay connected through ${phase}`,
    summary: `${before.length} accounts; moved or reconnected ${moved}; status changes away from connected ${drops.length}; samples with a number connected nowhere ${gaps.length}`,
    problems,
  };
}

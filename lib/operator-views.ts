// What the operator's REPL shows (lib/repl-commands.ts): the WhatsApp numbers
// and the node holding each, the queues' load, the timers due soon or late.
// Rows only; printing is the commands' business.
import type { Knex } from "knex";
import type { ServiceBroker } from "moleculer";
import { nodesRunning } from "./cluster";
import { sendQueueOn } from "./inbox/outbound";
import type { AccountStatus } from "./models/whatsapp";
import { MAX_LIMIT, type Page } from "./pagination";
import { queueStats } from "./queues/stats";
import { Queues } from "./queues/store";
import { Accounts } from "./whatsapp/accounts";
import type { HeldAccount } from "./whatsapp/session-host";

// A node that hangs must not hang the operator's prompt for the broker's 30 s.
const NODE_ANSWER_TIMEOUT_MS = 5_000;

export interface NodeAnswers<T> {
  answers: Array<{ node: string; answer: T }>;
  /** Nodes running the service that did not answer in time. */
  silent: string[];
}

/** Calls `<service>.<action>` on every node running the service; a node that does not answer is named, not fatal. */
export async function askEveryNode<T>(broker: ServiceBroker, service: string, action: string): Promise<NodeAnswers<T>> {
  const nodes = nodesRunning(broker, service);
  const settled = await Promise.allSettled(
    nodes.map((nodeID) => broker.call<T, Record<string, never>>(`${service}.${action}`, {}, { nodeID, timeout: NODE_ANSWER_TIMEOUT_MS })),
  );
  const result: NodeAnswers<T> = { answers: [], silent: [] };
  settled.forEach((outcome, index) => {
    const node = nodes[index]!;
    if (outcome.status === "fulfilled") result.answers.push({ node, answer: outcome.value });
    else result.silent.push(node);
  });
  return result;
}

/** Every item of a paged list (the lists of accounts and queues are short). */
async function everyPage<T>(list: (page: number, limit: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page += 1) {
    const found = await list(page, MAX_LIMIT);
    items.push(...found.items);
    if (found.items.length < MAX_LIMIT || items.length >= found.total) return items;
  }
}

export interface AccountView {
  id: string;
  name: string;
  phone: string | null;
  /** As stored (what the API shows). */
  status: AccountStatus;
  /** As its holder's session has it now; null when no node holds it. */
  live: AccountStatus | null;
  reason: string | null;
  /** It should be connected: held by no node, it is an outage. */
  wanted: boolean;
  /** The node whose session host holds its lease (more than one would be a fault, so all are named). */
  holder: string | null;
  /** Outbound messages waiting to be sent on it. */
  send_queue: number;
}

export interface AccountsView {
  accounts: AccountView[];
  /** Nodes running WhatsApp sessions that did not say what they hold: their accounts show no holder. */
  silentNodes: string[];
}

/**
 * Every WhatsApp account with the node holding it. The holders say themselves
 * what they hold: a lease in memory (a single node without Redis) is visible
 * to no one else, and a lease in Redis outlives a node that died by up to its
 * time to live, while nothing runs the number.
 */
export async function accountsView(broker: ServiceBroker, knex: Knex): Promise<AccountsView> {
  const accounts = await everyPage((page, limit) => new Accounts(knex).list(page, limit));
  const [depths, held] = await Promise.all([
    sendQueueOn(knex).depth(accounts.map((account) => account.id)),
    askEveryNode<HeldAccount[]>(broker, "whatsapp-sessions", "held"),
  ]);
  const holding = new Map<string, { nodes: string[]; live: HeldAccount }>();
  for (const { node, answer } of held.answers) {
    for (const account of answer) {
      const seen = holding.get(account.account_id);
      if (seen) seen.nodes.push(node);
      else holding.set(account.account_id, { nodes: [node], live: account });
    }
  }
  return {
    silentNodes: held.silent,
    accounts: accounts.map((account) => {
      const holder = holding.get(account.id);
      return {
        id: account.id,
        name: account.name,
        phone: account.phone_number,
        status: account.status,
        live: holder?.live.status ?? null,
        reason: holder ? holder.live.reason : account.status_reason,
        wanted: account.should_connect,
        holder: holder?.nodes.join(", ") ?? null,
        send_queue: depths.get(account.id) ?? 0,
      };
    }),
  };
}

export interface QueueView {
  id: string;
  name: string;
  open: boolean;
  waiting: number;
  /** Assigned to an agent and not resolved. */
  active: number;
  agents_online: number;
  agents: number;
}

/** Every queue with its waiting and active conversations and its agents online, as its stats count them. */
export async function queuesView(knex: Knex): Promise<QueueView[]> {
  const queues = await everyPage((page, limit) => new Queues(knex).list(page, limit));
  return Promise.all(
    queues.map(async (queue) => {
      const stats = await queueStats(knex, queue.id);
      return {
        id: queue.id,
        name: queue.name,
        open: queue.is_open,
        waiting: stats.waiting,
        active: stats.active,
        agents_online: stats.agents.filter((agent) => agent.status === "online").length,
        agents: stats.agents.length,
      };
    }),
  );
}

export interface TimerView {
  kind: string;
  /** What it is about: "conversation <id>", "account <id>", or null. */
  target: string | null;
  due_at: Date;
  /** Negative when it is late. */
  due_in_seconds: number;
  /** Due and not fired: no node ran it, or its run failed and waits for the claim to lapse. */
  late: boolean;
  /** The node running it now (its claim has not lapsed). */
  claimed_by: string | null;
}

interface TimerRow {
  kind: string;
  conversation_id: string | null;
  whatsapp_account_id: string | null;
  due_at: Date;
  due_in_seconds: number;
  late: boolean;
  claimed_by: string | null;
}

/**
 * Pending timers due within `withinSeconds`, the late ones (due in the past)
 * first, at most `limit`. Times are the database's, like the poller's.
 */
export async function timersView(knex: Knex, withinSeconds: number, limit: number): Promise<TimerView[]> {
  const rows = await knex("timers")
    .whereNull("fired_at")
    .whereNull("cancelled_at")
    .where("due_at", "<=", knex.raw("now() + make_interval(secs => ?)", [withinSeconds]))
    .orderBy("due_at")
    .limit(limit)
    .select<TimerRow[]>(
      "kind",
      "conversation_id",
      "whatsapp_account_id",
      "due_at",
      knex.raw("round(extract(epoch FROM due_at - now()))::int AS due_in_seconds"),
      knex.raw("due_at <= now() AS late"),
      knex.raw("CASE WHEN claimed_until > now() THEN claimed_by END AS claimed_by"),
    );
  return rows.map(({ kind, conversation_id, whatsapp_account_id, ...when }) => ({
    kind,
    target: conversation_id ? `conversation ${conversation_id}` : whatsapp_account_id ? `account ${whatsapp_account_id}` : null,
    ...when,
  }));
}

// Commands of the Moleculer REPL (docs/operations.md, "Operator REPL"):
// `actors` lists the live conversation actors of every node, `actor <id>`
// shows one actor's snapshot, variables, recent trace and pending timers;
// `accounts`, `queues` and `timers` show the numbers and their holders, the
// queues' load and the timers due soon or late (lib/operator-views.ts).
import type { ServiceBroker } from "moleculer";
import { database } from "./db/connection";
import { accountsView, askEveryNode, queuesView, timersView } from "./operator-views";

interface ActorRow {
  conversation_id: string;
  node: string;
  state: string;
  flow_id: string | null;
  step: string | null;
  idle_seconds: number;
}

/** Asks every node running conversation actors for its live ones. */
export async function liveActors(broker: ServiceBroker): Promise<ActorRow[]> {
  const { answers } = await askEveryNode<ActorRow[]>(broker, "conversation-actors", "list");
  return answers.flatMap(({ answer }) => answer);
}

/** What moleculer-repl hands a command: its `<arguments>` by name, and its `--options` as given (text). */
interface ReplArgs {
  options?: Partial<Record<string, string>>;
  [argument: string]: unknown;
}

interface ReplCommand {
  command: string;
  description: string;
  options?: Array<{ option: string; description: string }>;
  action(broker: ServiceBroker, args: ReplArgs): Promise<void>;
}

const DEFAULT_TIMER_WINDOW_MINUTES = 5;
const DEFAULT_TIMER_LIMIT = 20;

function show(rows: object[], empty: string): void {
  if (rows.length === 0) console.log(empty);
  else console.table(rows);
}

/** A failure (the database unreachable, a node gone) is one line at the prompt, not a stack trace. */
async function reporting(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    console.log(`Could not read ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A command option given as text: a positive number, or the default when left out. */
function positiveOption(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} must be a positive number, not "${value}"`);
  return parsed;
}

export const replCommands: ReplCommand[] = [
  {
    command: "actors",
    description: "Live conversation actors on every node: id, node, state, flow, step",
    async action(broker: ServiceBroker) {
      await reporting("the actors", async () => show(await liveActors(broker), "No conversation actor is in memory on any node."));
    },
  },
  {
    command: "actor <conversation_id>",
    description: "One conversation actor: state, variables, current node, recent trace, pending timers",
    async action(broker: ServiceBroker, args: ReplArgs) {
      const conversationId = String(args.conversation_id);
      await reporting(`actor ${conversationId}`, async () => {
        console.log(JSON.stringify(await broker.call("conversation-actors.inspect", { conversation_id: conversationId }), null, 2));
      });
    },
  },
  {
    command: "accounts",
    description: "WhatsApp numbers: status, the node holding each (its lease), its live status there, messages waiting to be sent",
    async action(broker: ServiceBroker) {
      await reporting("the WhatsApp accounts", async () => {
        const { accounts, silentNodes } = await accountsView(broker, database());
        show(accounts, "No WhatsApp account exists.");
        for (const node of silentNodes) console.log(`Node ${node} did not say which accounts it holds: they show no holder.`);
        const unheld = accounts.filter((account) => account.wanted && account.holder === null);
        if (unheld.length) {
          console.log(`ALERT: ${unheld.length} account(s) should be connected and no node holds them: ${unheld.map((account) => account.name).join(", ")}`);
        }
      });
    },
  },
  {
    command: "queues",
    description: "Queues: waiting and active conversations, agents online",
    async action() {
      await reporting("the queues", async () => show(await queuesView(database()), "No queue exists."));
    },
  },
  {
    command: "timers",
    description: `Timers that are late or due soon (within ${DEFAULT_TIMER_WINDOW_MINUTES} minutes, at most ${DEFAULT_TIMER_LIMIT}, by default)`,
    options: [
      { option: "-w, --within <minutes>", description: `How far ahead to look (default ${DEFAULT_TIMER_WINDOW_MINUTES})` },
      { option: "-l, --limit <count>", description: `How many to show at most (default ${DEFAULT_TIMER_LIMIT})` },
    ],
    async action(_broker: ServiceBroker, args: ReplArgs) {
      await reporting("the timers", async () => {
        const minutes = positiveOption(args.options?.within, DEFAULT_TIMER_WINDOW_MINUTES, "within");
        const limit = Math.ceil(positiveOption(args.options?.limit, DEFAULT_TIMER_LIMIT, "limit"));
        const timers = await timersView(database(), Math.round(minutes * 60), limit);
        show(timers, `No timer is late or due in the next ${minutes} minute(s).`);
        const late = timers.filter((timer) => timer.late).length;
        if (late) console.log(`${late} late: due and not fired.`);
        if (timers.length === limit) console.log(`Showing the first ${limit}; --limit shows more.`);
      });
    },
  },
];

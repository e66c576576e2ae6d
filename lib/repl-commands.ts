// Commands of the Moleculer REPL (`npm run dev`, or `npm start -- --repl`):
// `actors` lists the live conversation actors of every node, `actor <id>`
// shows one actor's snapshot, variables, recent trace and pending timers.
import type { ServiceBroker } from "moleculer";
import { nodesRunning } from "./cluster";

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
  const nodes = nodesRunning(broker, "conversation-actors");
  const lists = await Promise.all(
    nodes.map((nodeID) => broker.call<ActorRow[], Record<string, never>>("conversation-actors.list", {}, { nodeID }).catch(() => [] as ActorRow[])),
  );
  return lists.flat();
}

export const replCommands = [
  {
    command: "actors",
    description: "Live conversation actors on every node: id, node, state, flow, step",
    async action(broker: ServiceBroker) {
      const rows = await liveActors(broker);
      if (rows.length === 0) console.log("No conversation actor is in memory on any node.");
      else console.table(rows);
    },
  },
  {
    command: "actor <conversation_id>",
    description: "One conversation actor: state, variables, current node, recent trace, pending timers",
    async action(broker: ServiceBroker, args: { conversation_id: string }) {
      try {
        console.log(JSON.stringify(await broker.call("conversation-actors.inspect", { conversation_id: args.conversation_id }), null, 2));
      } catch (err) {
        console.log(`Could not read actor ${args.conversation_id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  },
];

// Which node hosts a conversation's actor: rendezvous hashing of the
// conversation id over the nodes running conversation actors. Every node
// computes the same owner, and when a node leaves only its conversations move.
import { createHash } from "node:crypto";

const weight = (node: string, key: string) => createHash("sha1").update(`${node}\u0000${key}`).digest().readUInt32BE(0);

export function ownerOf(conversationId: string, nodes: readonly string[]): string {
  if (nodes.length === 0) throw new Error("No node runs conversation actors");
  return nodes.reduce((best, node) => (weight(node, conversationId) > weight(best, conversationId) ? node : best), nodes[0]!);
}

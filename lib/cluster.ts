// Which nodes of the cluster run a service, from the broker's registry.
import type { ServiceBroker } from "moleculer";

/** The nodes the registry counts available now. */
export function availableNodes(broker: ServiceBroker): string[] {
  // Typed loosely by moleculer (its node catalog is `any`): each entry is a node info with its id.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access
  const nodes = broker.registry.nodes.list({ onlyAvailable: true, withServices: false }) as Array<{ id: string }>;
  return nodes.map((node) => node.id);
}

/**
 * Whether a node (as `$node.*` events describe it) ran any of the engine's services: one that ran none,
 * such as an operator's REPL, coming or going changes nothing.
 */
export function ranServices(node: unknown): boolean {
  const services = (node as { services?: Array<{ name?: unknown }> } | undefined)?.services ?? [];
  return services.some((service) => typeof service.name === "string" && !service.name.startsWith("$"));
}

export function nodesRunning(broker: ServiceBroker, service: string): string[] {
  // The registry's typings describe schemas; its entries also carry the node they run on.
  const services = broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }) as unknown as Array<{ name: string; nodeID: string }>;
  return [...new Set(services.filter((entry) => entry.name === service).map((entry) => entry.nodeID))].sort();
}

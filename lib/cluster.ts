// Which nodes of the cluster run a service, from the broker's registry.
import type { ServiceBroker } from "moleculer";

export function nodesRunning(broker: ServiceBroker, service: string): string[] {
  // The registry's typings describe schemas; its entries also carry the node they run on.
  const services = broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }) as unknown as Array<{ name: string; nodeID: string }>;
  return [...new Set(services.filter((entry) => entry.name === service).map((entry) => entry.nodeID))].sort();
}

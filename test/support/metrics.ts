// Reading a node's Prometheus metrics in tests.
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { ServiceBroker } from "moleculer";

/** Where a broker started with METRICS_PORT=0 serves its metrics. */
export function metricsUrl(broker: ServiceBroker): string {
  const reporter = broker.metrics.reporter[0] as unknown as { server: Server };
  const { port } = reporter.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/metrics`;
}

export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

/** The value of one series: the metric and the labels it must have (others, such as the node's, may be there too). */
export function valueOf(text: string, metric: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== metric) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

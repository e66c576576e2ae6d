// Charla's own metrics, next to Moleculer's (requests, latencies, events,
// transporter, process). One list says what exists; docs/operations.md lists
// the same names (a test compares them). They are served as Prometheus text
// at METRICS_PORT; with metrics off every call below returns at once.

/** What of Moleculer's metric registry the engine uses (plain, so modules outside services can take it). */
export interface MetricsRegistry {
  isEnabled(): boolean;
  register(options: { type: string; name: string; description: string; labelNames?: string[]; buckets?: number[] }): unknown;
  increment(name: string, labels?: Record<string, string>, value?: number): void;
  set(name: string, value: number, labels?: Record<string, string>): void;
  observe(name: string, value: number, labels?: Record<string, string>): void;
}

interface Definition {
  name: string;
  type: "counter" | "gauge" | "histogram";
  help: string;
  labels?: readonly string[];
  buckets?: readonly number[];
}

// Seconds: from a tenth of a second (a request, a timer on time) to ten minutes (a conversation waiting for an agent).
const SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600] as const;

export const METRICS = {
  inboundMessages: {
    name: "charla.messages.inbound.total",
    type: "counter",
    labels: ["type"],
    help: "Messages customers sent in, stored (repeats not counted), by type",
  },
  outboundMessages: {
    name: "charla.messages.outbound.total",
    type: "counter",
    labels: ["type", "status"],
    help: "Messages this node sent out through WhatsApp, by type and outcome (sent, failed)",
  },
  receipts: {
    name: "charla.messages.receipts.total",
    type: "counter",
    labels: ["status"],
    help: "Delivery news about sent messages (delivered, read, failed)",
  },
  sendQueueDepth: {
    name: "charla.whatsapp.send_queue.depth",
    type: "gauge",
    labels: ["account"],
    help: "Messages waiting to be sent, per account held by this node",
  },
  sessions: { name: "charla.whatsapp.sessions", type: "gauge", labels: ["state"], help: "WhatsApp accounts held by this node, by state" },
  reconnects: {
    name: "charla.whatsapp.reconnects.total",
    type: "counter",
    labels: ["reason"],
    help: "Reconnections scheduled after a connection ended, by reason",
  },
  leaseTakeovers: {
    name: "charla.whatsapp.lease_takeovers.total",
    type: "counter",
    help: "Accounts this node took over from another node (dead, stopped or handing over)",
  },
  actorsLive: { name: "charla.conversation_actors.live", type: "gauge", help: "Conversation actors in this node's memory" },
  actorsEvicted: {
    name: "charla.conversation_actors.evicted.total",
    type: "counter",
    help: "Conversation actors dropped from memory after ACTOR_IDLE_SECONDS idle",
  },
  flowSteps: { name: "charla.flow.steps.total", type: "counter", labels: ["node_type"], help: "Flow nodes run, by node type" },
  flowErrors: { name: "charla.flow.errors.total", type: "counter", labels: ["node_type"], help: "Flow nodes that failed, by node type" },
  timersFired: {
    name: "charla.timers.fired.total",
    type: "counter",
    labels: ["kind"],
    help: "Timers (SLA deadlines, flow timeouts, …) fired by this node, by kind",
  },
  timersLate: { name: "charla.timers.late.total", type: "counter", labels: ["kind"], help: "Timers fired more than 5 s after they were due, by kind" },
  timerLateness: { name: "charla.timers.lateness.seconds", type: "histogram", buckets: SECONDS, help: "How long after its due time a timer fired" },
  assignmentLatency: {
    name: "charla.assignment.latency.seconds",
    type: "histogram",
    buckets: SECONDS,
    help: "From a conversation entering a queue to its assignment to an agent",
  },
  slaWarnings: { name: "charla.sla.warnings.total", type: "counter", help: "SLA warnings sent to supervisors" },
  slaBreaches: { name: "charla.sla.breaches.total", type: "counter", help: "SLA deadlines missed" },
  socketsConnected: { name: "charla.sockets.connected", type: "gauge", help: "Socket.IO clients connected to this node" },
  httpRequests: {
    name: "charla.http.requests.total",
    type: "counter",
    labels: ["method", "route", "status"],
    help: "HTTP requests answered, by route and status",
  },
  httpDuration: { name: "charla.http.request.duration.seconds", type: "histogram", labels: ["method", "route"], buckets: SECONDS, help: "HTTP response times" },
  redisErrors: {
    name: "charla.redis.errors.total",
    type: "counter",
    labels: ["client"],
    help: "Errors of this process's Redis clients (each failed connection attempt)",
  },
  redisDropped: {
    name: "charla.redis.dropped_messages.total",
    type: "counter",
    labels: ["client"],
    help: "Messages to other nodes dropped while Redis was unreachable",
  },
  unhandledRejections: { name: "charla.unhandled_rejections.total", type: "counter", help: "Promise rejections nobody handled (bugs; the node keeps running)" },
  databaseUp: { name: "charla.database.up", type: "gauge", help: "1 while PostgreSQL answers this process, 0 during an outage" },
  databaseOutages: { name: "charla.database.outages.total", type: "counter", help: "Times PostgreSQL became unreachable" },
  databaseUnavailable: {
    name: "charla.database.unavailable.total",
    type: "counter",
    help: "Operations that failed because PostgreSQL was unreachable",
  },
} as const satisfies Record<string, Definition>;

export type MetricKey = keyof typeof METRICS;
type LabelsOf<K extends MetricKey> = (typeof METRICS)[K] extends { labels: readonly (infer L extends string)[] } ? Record<L, string> : undefined;
type Keyed<T extends Definition["type"]> = { [K in MetricKey]: (typeof METRICS)[K]["type"] extends T ? K : never }[MetricKey];

/** The engine's metrics on one broker's registry, typed by name and labels. */
export class Metrics {
  constructor(private readonly registry: MetricsRegistry) {}

  get enabled(): boolean {
    return this.registry.isEnabled();
  }

  count<K extends Keyed<"counter">>(key: K, ...[labels, by = 1]: LabelsOf<K> extends undefined ? [undefined?, number?] : [LabelsOf<K>, number?]): void {
    if (this.enabled) this.registry.increment(METRICS[key].name, labels, by);
  }

  set<K extends Keyed<"gauge">>(key: K, value: number, ...[labels]: LabelsOf<K> extends undefined ? [] : [LabelsOf<K>]): void {
    if (this.enabled) this.registry.set(METRICS[key].name, value, labels);
  }

  observe<K extends Keyed<"histogram">>(key: K, value: number, ...[labels]: LabelsOf<K> extends undefined ? [] : [LabelsOf<K>]): void {
    if (this.enabled) this.registry.observe(METRICS[key].name, value, labels);
  }
}

/** Metrics that go nowhere (plain modules' tests, brokers built without the engine's options). */
export const NO_METRICS = new Metrics({
  isEnabled: () => false,
  register: () => undefined,
  increment: () => undefined,
  set: () => undefined,
  observe: () => undefined,
});

const perRegistry = new WeakMap<MetricsRegistry, Metrics>();

/**
 * The engine's metrics on a registry, registered on first use. Metrics without
 * labels start at 0, so a scrape shows them (and an alert can tell "none yet"
 * from "not reported").
 */
export function metricsOn(registry: MetricsRegistry): Metrics {
  let metrics = perRegistry.get(registry);
  if (metrics) return metrics;
  metrics = new Metrics(registry);
  perRegistry.set(registry, metrics);
  if (!registry.isEnabled()) return metrics;
  for (const definition of Object.values(METRICS) as Definition[]) {
    const { name, type, help, labels, buckets } = definition;
    registry.register({ name, type, description: help, labelNames: labels && [...labels], buckets: buckets && [...buckets] });
    if (!labels && type !== "histogram") registry.set(name, 0);
  }
  registry.set(METRICS.databaseUp.name, 1);
  return metrics;
}

// Outages and bugs are the process's, not one broker's (tests run several brokers in a process): each
// broker started with the engine's options hears them.
const processWide = new Set<Metrics>();

/** Lets this broker's metrics count the process's outages and bugs, until it stops. */
export function hearProcessEvents(metrics: Metrics): () => void {
  processWide.add(metrics);
  return () => processWide.delete(metrics);
}

/** The process-wide view: counts on every listening broker's metrics. */
export const processMetrics = {
  count<K extends Keyed<"counter">>(key: K, ...rest: LabelsOf<K> extends undefined ? [undefined?, number?] : [LabelsOf<K>, number?]): void {
    for (const metrics of processWide) metrics.count(key, ...rest);
  },
  set<K extends Keyed<"gauge">>(key: K, value: number, ...rest: LabelsOf<K> extends undefined ? [] : [LabelsOf<K>]): void {
    for (const metrics of processWide) metrics.set(key, value, ...rest);
  },
};

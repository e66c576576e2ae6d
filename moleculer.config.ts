// Broker options for moleculer-runner (npm start / npm run dev) and the tests.
import type { BrokerOptions, ServiceBroker } from "moleculer";
import { config } from "./lib/config";
import { AuditMiddleware } from "./middlewares/audit.middleware";
import { DatabaseShutdownMiddleware } from "./middlewares/database-shutdown.middleware";
import { ErrorsMiddleware } from "./middlewares/errors.middleware";
import { PermissionsMiddleware } from "./middlewares/permissions.middleware";
import { ParamsValidator } from "./lib/http/validator";
import { reportOutagesTo } from "./lib/db/availability";
import { guardProcess } from "./lib/process-guards";
import { replCommands } from "./lib/repl-commands";
import { jsonLine, textLine, type LogBindings } from "./lib/log-format";
import { hearProcessEvents, metricsOn } from "./lib/metrics";

const stopHearing = new WeakMap<ServiceBroker, () => void>();

// Moleculer calls a formatter with the logger as `this` (its level names, coloured when colours are on).
function lineFormatter(format: "json" | "text") {
  return function (this: { levelColorStr?: Record<string, string> }, type: string, args: unknown[], bindings: LogBindings): string[] {
    if (format === "json") return [jsonLine(type, args, bindings)];
    const level = this.levelColorStr?.[type] ?? type.toUpperCase().padEnd(5);
    return [textLine(`[${new Date().toISOString()}] ${level} ${bindings.nodeID}/${bindings.mod.toUpperCase()}:`, args)];
  };
}

export function brokerOptions(): BrokerOptions {
  const settings = config();
  return {
    namespace: settings.namespace,
    nodeID: settings.nodeId ?? null,
    logger: {
      type: "Console",
      options: {
        level: settings.logLevel,
        colors: settings.logFormat === "text" && !settings.production,
        formatter: lineFormatter(settings.logFormat),
      },
    },
    // Moleculer's own (requests, latencies, events, transporter, process) and Charla's (lib/metrics.ts).
    metrics:
      settings.metricsPort === undefined
        ? { enabled: false }
        : {
            enabled: true,
            reporter: { type: "Prometheus", options: { port: settings.metricsPort, host: settings.host, path: "/metrics" } },
          },
    transporter: settings.transporter ?? null,
    // How soon the others notice a node that died without saying goodbye (its accounts and flows move).
    heartbeatInterval: settings.heartbeatIntervalSeconds,
    heartbeatTimeout: settings.heartbeatTimeoutSeconds,
    serializer: "JSON",
    requestTimeout: 30_000,
    retryPolicy: { enabled: false },
    registry: { strategy: "RoundRobin", preferLocal: true },
    circuitBreaker: { enabled: false },
    // Services wait for the db service at start; poll often so a node is ready sooner.
    dependencyInterval: 100,
    // Let in-flight requests finish before a node stops.
    tracking: { enabled: true, shutdownTimeout: 10_000 },
    // fastest-validator, with null accepted only where a rule is `nullable: true`.
    validator: new ParamsValidator(),
    // Innermost first: database errors are translated next to the handler, the audit row written after it.
    middlewares: [ErrorsMiddleware, AuditMiddleware, PermissionsMiddleware, DatabaseShutdownMiddleware],
    replCommands,
    created: (broker) => {
      // A missed rejection somewhere is logged and counted, not the end of the node.
      guardProcess(broker.logger);
      reportOutagesTo(broker.getLogger("database"));
      stopHearing.set(broker, hearProcessEvents(metricsOn(broker.metrics)));
    },
    stopped: (broker) => stopHearing.get(broker)?.(),
  };
}

export default brokerOptions();

// The engine's metrics: registered on Moleculer's registry with their labels,
// counted only while metrics are on, and every one documented for operators.
import fs from "node:fs";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { hearProcessEvents, METRICS, metricsOn, processMetrics } from "../../lib/metrics";

const prometheusName = (name: string) => name.replace(/[.-]/g, "_");

describe("the engine's metrics", () => {
  let broker: ServiceBroker;
  afterEach(async () => broker?.stop());

  it("are registered with their labels, unlabelled ones at 0, and count what they are told", () => {
    broker = new ServiceBroker({ logger: false, metrics: { enabled: true } });
    const metrics = metricsOn(broker.metrics);
    expect(metricsOn(broker.metrics)).toBe(metrics);
    metrics.count("inboundMessages", { type: "image" });
    metrics.count("inboundMessages", { type: "image" }, 2);
    metrics.set("sessions", 3, { state: "connected" });
    metrics.observe("assignmentLatency", 12);
    const list = broker.metrics.list({ includes: "charla.**", type: [], excludes: [] });
    const named = (name: string) => list.find((metric) => metric.name === name);
    expect(named(METRICS.inboundMessages.name)?.values).toEqual([expect.objectContaining({ labels: { type: "image" }, value: 3 })]);
    expect(named(METRICS.sessions.name)?.values).toEqual([expect.objectContaining({ labels: { state: "connected" }, value: 3 })]);
    expect(named(METRICS.unhandledRejections.name)?.values).toEqual([expect.objectContaining({ value: 0 })]);
    expect(named(METRICS.databaseUp.name)?.values).toEqual([expect.objectContaining({ value: 1 })]);
    expect(named(METRICS.assignmentLatency.name)?.values).toEqual([expect.objectContaining({ count: 1, sum: 12 })]);
  });

  it("cost nothing and register nothing while metrics are off", () => {
    broker = new ServiceBroker({ logger: false });
    const metrics = metricsOn(broker.metrics);
    expect(metrics.enabled).toBe(false);
    metrics.count("inboundMessages", { type: "text" });
    expect(broker.metrics.hasMetric(METRICS.inboundMessages.name)).toBe(false);
  });

  it("hear the process's outages while they listen", () => {
    broker = new ServiceBroker({ logger: false, metrics: { enabled: true } });
    const metrics = metricsOn(broker.metrics);
    const stop = hearProcessEvents(metrics);
    processMetrics.count("redisErrors", { client: "leases" });
    stop();
    processMetrics.count("redisErrors", { client: "leases" });
    const errors = broker.metrics.getMetric(METRICS.redisErrors.name);
    expect(errors.get({ client: "leases" })).toMatchObject({ value: 1 });
  });

  it("are every one listed in docs/operations.md", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "operations.md"), "utf8");
    const missing = Object.values(METRICS)
      .map((metric) => prometheusName(metric.name))
      .filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

// PostgreSQL goes away (here: this file's database stops taking connections
// and its sessions are ended, as in a restart): the API answers 503 in the
// error format with Retry-After, the log says so once — not a stack trace per
// request or per background round — and once the database is back, so are
// the answers. The node's metrics count the outage.
import { asServerAdmin } from "./support/database";
import { eventually, harness, type Client } from "./support/harness";
import { metricsUrl, scrape, valueOf } from "./support/metrics";

const h = harness({ env: { TIMER_POLL_INTERVAL_MS: "100", LOG_LEVEL: "info", LOG_FORMAT: "json", METRICS_PORT: "0" } });
let admin: Client;
const lines: string[] = [];

const takeDown = async () => {
  await asServerAdmin(`ALTER DATABASE ${h.database.name} ALLOW_CONNECTIONS false`);
  await asServerAdmin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${h.database.name}'`);
};
const bringBack = () => asServerAdmin(`ALTER DATABASE ${h.database.name} ALLOW_CONNECTIONS true`);

beforeAll(async () => {
  admin = await h.admin();
  for (const method of ["log", "warn", "error"] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  }
});

afterAll(() => jest.restoreAllMocks());

it("answers 503 with Retry-After while the database is away, logs the outage once, and recovers", async () => {
  await takeDown();
  try {
    await duringOutage();
  } finally {
    await bringBack();
  }
  await eventually(async () => (await admin.get("/api/contacts")).status === 200, 15_000);
  await eventually(async () => lines.some((line) => line.includes("PostgreSQL is reachable again")));
  expect(lines.filter((line) => line.includes("PostgreSQL is reachable again"))).toHaveLength(1);
  const after = await scrape(metricsUrl(h.broker));
  expect(valueOf(after, "charla_database_up")).toBe(1);
  expect(valueOf(after, "charla_database_outages_total")).toBe(1);
}, 40_000);

async function duringOutage(): Promise<void> {
  const answers = [];
  for (let i = 0; i < 15; i += 1) {
    answers.push(await admin.get("/api/contacts"));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const res of answers) {
    expect(res.status).toBe(503);
    expect(res.body.detail).toEqual({ code: "SERVICE_UNAVAILABLE", message: expect.any(String), field: null });
    expect(res.headers.get("retry-after")).toBe("5");
  }
  // Background rounds (timers every 100 ms, the inbox sweep, the session tick) failed meanwhile too.
  expect(lines.filter((line) => line.includes("PostgreSQL is unreachable"))).toHaveLength(1);
  // One JSON object per line, and not one of them an error.
  expect(lines.map((line) => (JSON.parse(line) as { level: string }).level).filter((level) => level === "error" || level === "fatal")).toEqual([]);
  expect(lines.filter((line) => line.includes("Acquire connection error"))).toEqual([]);
  const during = await scrape(metricsUrl(h.broker));
  expect(valueOf(during, "charla_database_up")).toBe(0);
  expect(valueOf(during, "charla_database_outages_total")).toBe(1);
  expect(valueOf(during, "charla_database_unavailable_total")).toBeGreaterThanOrEqual(15);
  expect(valueOf(during, "charla_http_requests_total", { route: "/api/contacts", status: "503" })).toBe(15);
}

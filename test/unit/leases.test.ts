import Redis from "ioredis";
import { MemoryLeaseStore, RedisLeaseStore, type LeaseStore } from "../../lib/leases";
import { reconnectDelay } from "../../lib/whatsapp/backoff";
import { REDIS_URL, testRedis } from "../support/redis";

const { redis, prefix } = testRedis("leases");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each<[string, () => LeaseStore]>([
  ["memory", () => new MemoryLeaseStore()],
  ["redis", () => new RedisLeaseStore(redis, prefix)],
])("%s leases", (_name, make) => {
  it("belong to one owner at a time", async () => {
    const store = make();
    expect(await store.acquire("acc1", "node-a", 5_000)).toBe(true);
    expect(await store.acquire("acc1", "node-b", 5_000)).toBe(false);
    expect(await store.owner("acc1")).toBe("node-a");
    expect(await store.acquire("acc1", "node-a", 5_000)).toBe(true);
  });

  it("are renewed and released only by their owner", async () => {
    const store = make();
    await store.acquire("acc2", "node-a", 5_000);
    expect(await store.renew("acc2", "node-b", 5_000)).toBe(false);
    await store.release("acc2", "node-b");
    expect(await store.owner("acc2")).toBe("node-a");
    expect(await store.renew("acc2", "node-a", 5_000)).toBe(true);
    await store.release("acc2", "node-a");
    expect(await store.owner("acc2")).toBeNull();
  });

  it("lapse when not renewed, and then another node takes over", async () => {
    const store = make();
    await store.acquire("acc3", "node-a", 100);
    await sleep(150);
    expect(await store.acquire("acc3", "node-b", 5_000)).toBe(true);
    expect(await store.renew("acc3", "node-a", 5_000)).toBe(false);
    expect(await store.owner("acc3")).toBe("node-b");
  });

  it("are taken back by their holder when nobody holds them (lapsed unclaimed, or lost by the store)", async () => {
    const store = make();
    await store.acquire("acc4", "node-a", 100);
    await sleep(150);
    expect(await store.renew("acc4", "node-a", 5_000)).toBe(true);
    expect(await store.owner("acc4")).toBe("node-a");
  });
});

it("survives Redis losing every lease: the holder keeps its own", async () => {
  const store = new RedisLeaseStore(redis, prefix);
  await store.acquire("acc5", "node-a", 5_000);
  await redis.del(`${prefix}acc5`);
  expect(await store.renew("acc5", "node-a", 5_000)).toBe(true);
  expect(await store.acquire("acc5", "node-b", 5_000)).toBe(false);
});

it("gives one lease to exactly one of many nodes racing through Redis", async () => {
  const clients = [1, 2, 3, 4, 5].map(() => new Redis(REDIS_URL));
  const results = await Promise.all(clients.map((client, i) => new RedisLeaseStore(client, prefix).acquire("race", `node-${i}`, 5_000)));
  expect(results.filter(Boolean)).toHaveLength(1);
  await Promise.all(clients.map((client) => client.quit()));
});

describe("reconnect delays", () => {
  const settings = { baseMs: 1_000, capMs: 60_000 };
  it("double with each failure, up to the cap", () => {
    expect([1, 2, 3, 4, 10].map((n) => reconnectDelay(n, settings, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
  });
  it("are jittered between half and all of the step", () => {
    expect(reconnectDelay(3, settings, () => 0)).toBe(2_000);
    expect(reconnectDelay(3, settings, () => 0.5)).toBe(3_000);
  });
});

import Redis from "ioredis";
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from "../../lib/rate-limit";
import { REDIS_URL, testRedis } from "../support/redis";

const { redis, prefix } = testRedis("ratelimit");

describe.each<[string, () => RateLimiter]>([
  ["memory", () => new MemoryRateLimiter()],
  ["redis", () => new RedisRateLimiter(redis, prefix)],
])("%s rate limiter", (_name, make) => {
  it("allows up to the limit in a window, then refuses with the time left", async () => {
    const limiter = make();
    for (let i = 1; i <= 3; i += 1) expect(await limiter.hit("k1", 3, 60)).toMatchObject({ allowed: true, count: i });
    const refused = await limiter.hit("k1", 3, 60);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(55);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it("starts over after reset and after the window", async () => {
    const limiter = make();
    await limiter.hit("k2", 1, 1);
    expect((await limiter.hit("k2", 1, 1)).allowed).toBe(false);
    await limiter.reset("k2");
    expect((await limiter.hit("k2", 1, 1)).allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await limiter.hit("k2", 1, 1)).allowed).toBe(true);
  });

  it("counts keys apart", async () => {
    const limiter = make();
    await limiter.hit("a", 1, 60);
    expect((await limiter.hit("b", 1, 60)).allowed).toBe(true);
  });
});

it("shares counts between nodes through Redis", async () => {
  const other = new Redis(REDIS_URL);
  const one = new RedisRateLimiter(redis, prefix);
  const two = new RedisRateLimiter(other, prefix);
  await one.hit("shared", 2, 60);
  await two.hit("shared", 2, 60);
  expect((await one.hit("shared", 2, 60)).allowed).toBe(false);
  await other.quit();
});

it("refuses with 503 while Redis, which holds the shared count, cannot be reached", async () => {
  const unreachable = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  unreachable.on("error", () => undefined);
  await expect(new RedisRateLimiter(unreachable, "x:").hit("k", 3, 60)).rejects.toMatchObject({
    code: 503,
    type: "SERVICE_UNAVAILABLE",
    data: { retryAfterSeconds: 2 },
  });
  unreachable.disconnect();
});

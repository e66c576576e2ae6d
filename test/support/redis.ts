// The real Redis the tests use, each file under its own key prefix.
import { randomBytes } from "node:crypto";
import Redis from "ioredis";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export function uniquePrefix(purpose: string): string {
  return `charla-test:${purpose}:${randomBytes(4).toString("hex")}:`;
}

/** Deletes every key under the prefix. */
export async function clearRedisPrefix(prefix: string, redis?: Redis): Promise<void> {
  const client = redis ?? new Redis(REDIS_URL);
  const keys = await client.keys(`${prefix}*`);
  if (keys.length) await client.del(...keys);
  if (!redis) await client.quit();
}

/** A client for this test file, and its prefix; both are cleaned up after the file. */
export function testRedis(purpose: string): { redis: Redis; prefix: string } {
  const redis = new Redis(REDIS_URL);
  const prefix = uniquePrefix(purpose);
  afterAll(async () => {
    await clearRedisPrefix(prefix, redis);
    await redis.quit();
  });
  return { redis, prefix };
}

// Fixed-window counters: "at most `limit` hits per `windowSeconds` for a key".
// Redis makes the count shared by every node; memory serves a single node.
import type Redis from "ioredis";
import { config } from "./config";
import { ServiceUnavailable } from "./errors";
import { msg } from "./i18n/message";
import { createRedis, type RedisLog } from "./redis";

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
}

function result(count: number, limit: number, msLeft: number): RateLimitResult {
  return { allowed: count <= limit, count, retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)) };
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 10_000) this.prune(now);
      window = { count: 0, resetAt: now + windowSeconds * 1000 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return result(window.count, limit, window.resetAt - now);
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }
}

// INCR and the expiry in one step, so a crash between them cannot leave a counter that never expires.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    let reply: unknown;
    try {
      reply = await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, windowSeconds * 1000);
    } catch {
      // Without the shared count an attacker could guess freely: refuse for the moment (the client's
      // Redis connection logs the outage itself).
      throw new ServiceUnavailable(msg("auth.loginUnavailable"), 2);
    }
    const [count, ttl] = reply as [number, number];
    return result(count, limit, ttl > 0 ? ttl : windowSeconds * 1000);
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }
}

/** The limiter this node should use: shared through Redis when there is one, else in memory. */
export function configuredRateLimiter(log: RedisLog): { limiter: RateLimiter; close?: () => Promise<void> } {
  const { redisUrl, redisKeyPrefix } = config();
  if (!redisUrl) return { limiter: new MemoryRateLimiter() };
  const redis = createRedis(redisUrl, "rate-limit", log);
  return { limiter: new RedisRateLimiter(redis, `${redisKeyPrefix}ratelimit:`), close: async () => void (await redis.quit()) };
}

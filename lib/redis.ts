import Redis from "ioredis";
import { processMetrics } from "./metrics";

/** Where a Redis client reports losing and regaining its server. */
export interface RedisLog {
  info(message: string): void;
  warn(message: string): void;
}

/**
 * A Redis client that fails fast instead of queueing commands forever while
 * Redis is down, named (CLIENT LIST shows `charla:<purpose>`) for operators.
 * It always handles its `error` event (unhandled, it would end the process)
 * and logs one line when Redis goes away and one when it is back, not one per
 * reconnection attempt.
 */
export function createRedis(url: string, purpose: string, log: RedisLog): Redis {
  const redis = new Redis(url, {
    connectionName: `charla:${purpose}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let reachable = true;
  redis.on("error", (err: Error) => {
    processMetrics.count("redisErrors", { client: purpose });
    if (!reachable) return;
    reachable = false;
    log.warn(`Redis (${purpose}) is unreachable: ${err.message}; retrying`);
  });
  redis.on("ready", () => {
    if (reachable) return;
    reachable = true;
    log.info(`Redis (${purpose}) is reachable again`);
  });
  return redis;
}

/**
 * A client for fire-and-forget publishing, such as the Socket.IO adapter's,
 * which never awaits its publishes: one that fails while Redis is down is
 * dropped and counted (the count logged when Redis is back) instead of becoming
 * an unhandled rejection.
 */
export function createPublisher(url: string, purpose: string, log: RedisLog): Redis {
  const redis = createRedis(url, purpose, log);
  let dropped = 0;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- picks, of ioredis' overloads, the one called below
  const publish = redis.publish.bind(redis) as (channel: string | Buffer, message: string | Buffer) => Promise<number>;
  // ioredis declares publish with callback overloads; callers of this client use the promise form only.
  (redis as unknown as { publish: typeof publish }).publish = (channel, message) =>
    publish(channel, message).catch(() => {
      dropped += 1;
      processMetrics.count("redisDropped", { client: purpose });
      return 0;
    });
  redis.on("ready", () => {
    if (dropped === 0) return;
    log.warn(`Redis (${purpose}): ${dropped} message(s) to other nodes were dropped while it was unreachable`);
    dropped = 0;
  });
  return redis;
}

import Redis from "ioredis";

/**
 * A Redis client that fails fast instead of queueing commands forever while
 * Redis is down, named (CLIENT LIST shows `charla:<purpose>`) for operators.
 */
export function createRedis(url: string, purpose: string): Redis {
  return new Redis(url, {
    connectionName: `charla:${purpose}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
}

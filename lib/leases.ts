// Leases: "this node owns that account for the next N milliseconds". A node
// keeps what it owns by renewing before the lease lapses; when a node dies its
// leases lapse and another node takes over. Redis makes the lease visible to
// the whole cluster; memory serves a single node.
import type Redis from "ioredis";

export interface LeaseStore {
  /** Takes the lease if nobody holds it; true when `owner` holds it afterwards. */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /**
   * Extends the lease if `owner` holds it, or takes it back if nobody does (it lapsed unclaimed, or the store
   * lost it: Redis restarted empty). Only another holder ends it, so a Redis restart makes no number reconnect.
   */
  renew(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, only if `owner` holds it. */
  release(key: string, owner: string): Promise<void>;
  /** Who holds the lease now, if anyone. */
  owner(key: string): Promise<string | null>;
}

export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const current = await this.owner(key);
    if (current && current !== owner) return false;
    this.leases.set(key, { owner, expiresAt: Date.now() + ttlMs });
    return true;
  }

  renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.acquire(key, owner, ttlMs);
  }

  async release(key: string, owner: string): Promise<void> {
    if ((await this.owner(key)) === owner) this.leases.delete(key);
  }

  async owner(key: string): Promise<string | null> {
    const lease = this.leases.get(key);
    if (!lease) return null;
    if (lease.expiresAt <= Date.now()) {
      this.leases.delete(key);
      return null;
    }
    return lease.owner;
  }
}

// Check-and-act in one step, so a lease that lapsed and was taken by another
// node in between is never extended or deleted by its former owner.
const TAKE = `local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    // Free, or already ours (a restart of the same node id): take it.
    return (await this.redis.eval(TAKE, 1, this.prefix + key, owner, ttlMs)) === 1;
  }

  renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.acquire(key, owner, ttlMs);
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, owner);
  }

  owner(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }
}

// Leases: "this node owns that account for the next N milliseconds". A node
// keeps what it owns by renewing before the lease lapses; when a node dies its
// leases lapse and another node takes over. Redis makes the lease visible to
// the whole cluster; memory serves a single node.
import type Redis from "ioredis";

export interface LeaseStore {
  /** Takes the lease if nobody holds it; true when `owner` holds it afterwards. */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease only if `owner` still holds it. */
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

  async renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if ((await this.owner(key)) !== owner) return false;
    this.leases.set(key, { owner, expiresAt: Date.now() + ttlMs });
    return true;
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
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisLeaseStore implements LeaseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    if ((await this.redis.set(this.prefix + key, owner, "PX", ttlMs, "NX")) === "OK") return true;
    // Already ours (a restart of the same node id): keep it.
    return this.renew(key, owner, ttlMs);
  }

  async renew(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.prefix + key, owner, ttlMs)) === 1;
  }

  async release(key: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + key, owner);
  }

  owner(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }
}

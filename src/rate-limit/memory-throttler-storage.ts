import type { OnApplicationShutdown } from '@nestjs/common';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.js';

interface Entry {
  hits: number;
  /** When the current window's count resets (ms since epoch). */
  windowEnd: number;
  /** While in the future, the caller is blocked and not counted. */
  blockedUntil: number;
}

const SWEEP_EVERY_MS = 60_000;

/**
 * Rate-limit counters in this process's memory (the default without REDIS_URL): each instance
 * counts on its own. The same fixed-window-and-block semantics as RedisThrottlerStorage's script
 * (and as @nestjs/throttler's ThrottlerStorageService): the hit over the limit starts a block of
 * `blockDuration` ms during which nothing is counted; afterwards counting starts from zero.
 * Idle entries are swept once a minute.
 */
export class MemoryThrottlerStorage implements RateLimitStorage, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref();

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName: string): Promise<RateLimitRecord> {
    const now = Date.now();
    let entry = this.entries.get(key);
    if (entry && entry.blockedUntil > now) {
      const left = seconds(entry.blockedUntil - now);
      return { totalHits: limit + 1, timeToExpire: left, isBlocked: true, timeToBlockExpire: left };
    }
    if (!entry || entry.windowEnd <= now) {
      entry = { hits: 0, windowEnd: now + ttl, blockedUntil: 0 };
      this.entries.set(key, entry);
    }
    entry.hits++;
    const hits = entry.hits;
    if (hits > limit) {
      if (blockDuration > 0) {
        entry.blockedUntil = now + blockDuration;
        entry.hits = 0;
        entry.windowEnd = now; // after the block, a new window
        return { totalHits: hits, timeToExpire: seconds(blockDuration), isBlocked: true, timeToBlockExpire: seconds(blockDuration) };
      }
      const left = seconds(entry.windowEnd - now);
      return { totalHits: hits, timeToExpire: left, isBlocked: true, timeToBlockExpire: left };
    }
    return { totalHits: hits, timeToExpire: seconds(entry.windowEnd - now), isBlocked: false, timeToBlockExpire: 0 };
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.entries.size;
  }

  sweep(now = Date.now()): void {
    for (const [key, e] of this.entries) if (e.windowEnd <= now && e.blockedUntil <= now) this.entries.delete(key);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

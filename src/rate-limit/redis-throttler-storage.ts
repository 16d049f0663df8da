import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import type { RateLimitRecord, RateLimitStorage } from './rate-limit-storage.js';

/**
 * One window of one caller, atomically, in one round trip. KEYS[1] counts the hits of the window,
 * KEYS[2] marks a block; ARGV: window (ms), limit, block duration (ms). Returns
 * { hits, ms until the counter resets, blocked 0/1, ms until the block ends }.
 *
 * Why one Lua script: Redis runs a script as a unit, so two instances counting the same caller
 * can neither lose a hit nor both see "first hit"; INCR and PEXPIRE as two commands could leave a
 * counter without expiry (a crash or timeout between them) that would block its caller forever.
 * Both keys carry the same {hash tag}, so the script also runs on Redis Cluster.
 *
 * Same semantics as MemoryThrottlerStorage (and @nestjs/throttler's ThrottlerStorageService): the
 * hit that exceeds the limit starts a block of `block` ms; while blocked, hits are not counted;
 * after the block the count starts again from zero. With block = 0 a caller over the limit waits
 * for the window's end.
 */
export const THROTTLE_SCRIPT = `
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  return {limit + 1, blockLeft, 1, blockLeft}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
end
local ttlLeft = redis.call('PTTL', KEYS[1])
if ttlLeft < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  ttlLeft = ttl
end
if hits > limit then
  if block > 0 then
    redis.call('SET', KEYS[2], '1', 'PX', block)
    redis.call('DEL', KEYS[1])
    return {hits, block, 1, block}
  end
  return {hits, ttlLeft, 1, ttlLeft}
end
return {hits, ttlLeft, 0, 0}
`;

export const DEFAULT_REDIS_PREFIX = 'support-agents:ratelimit:';
/** A warning about an unreachable Redis at most this often. */
const WARN_EVERY_MS = 60_000;

type ThrottleCommand = (hitsKey: string, blockKey: string, ttl: number, limit: number, block: number) => Promise<[number, number, number, number]>;

/**
 * Rate-limit counters in Redis, shared by every instance behind the load balancer (REDIS_URL).
 *
 * Written here rather than taken from @nest-lab/throttler-storage-redis: that package declares
 * peer dependencies up to Nest 11, and this service runs Nest 12; the storage is one script.
 *
 * When Redis cannot answer (down, timed out, not connected yet), the request is let through
 * (fail open: an outage of the limiter must not become an outage of the API) and a warning is
 * logged at most once a minute.
 */
export class RedisThrottlerStorage implements RateLimitStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = Number.NEGATIVE_INFINITY;
  private readonly throttle: ThrottleCommand;

  constructor(
    readonly redis: Redis,
    private readonly prefix = DEFAULT_REDIS_PREFIX,
  ) {
    redis.defineCommand('supportAgentsThrottle', { numberOfKeys: 2, lua: THROTTLE_SCRIPT });
    this.throttle = (redis as unknown as { supportAgentsThrottle: ThrottleCommand }).supportAgentsThrottle.bind(redis);
    redis.on('error', (err: Error) => this.warn(`Redis at ${redactUrl(redis)} is unreachable (${err.message}); rate limits are not enforced meanwhile.`));
  }

  /** A client that fails fast instead of queueing while disconnected, so a request never waits on a dead Redis. */
  static connect(url: string, prefix = DEFAULT_REDIS_PREFIX, options: RedisOptions = {}): RedisThrottlerStorage {
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      // disconnect() of a never-connected client otherwise keeps a 2 s timer (and the process) alive.
      disconnectTimeout: 100,
      retryStrategy: (attempt) => Math.min(attempt * 250, 5_000),
      ...options,
    });
    return new RedisThrottlerStorage(redis, prefix);
  }

  /** Waits (at most `timeoutMs`) for the first connection; does not throw: an unreachable Redis fails open. */
  async waitUntilReady(timeoutMs = 2_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, _throttlerName: string): Promise<RateLimitRecord> {
    const base = `${this.prefix}{${key}}`;
    try {
      const [hits, msLeft, blocked, blockMsLeft] = await this.throttle(`${base}:hits`, `${base}:block`, Math.ceil(ttl), limit, Math.max(0, Math.ceil(blockDuration)));
      return { totalHits: hits, timeToExpire: Math.ceil(msLeft / 1000), isBlocked: blocked === 1, timeToBlockExpire: Math.ceil(blockMsLeft / 1000) };
    } catch (err) {
      this.warn(`Rate limiting skipped: Redis did not answer (${(err as Error).message}).`);
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0, unavailable: true };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

/** host:port of the client, for logs (never the password of the URL). */
function redactUrl(redis: Redis): string {
  const { host, port } = redis.options;
  return `${host ?? '?'}:${port ?? '?'}`;
}

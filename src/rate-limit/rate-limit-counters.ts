import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { RLWrapperTimeouts, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Env } from '../config/configuration.js';

export interface RateLimitWindow {
  /** burst | minute: part of the Redis key. */
  name: string;
  /** Whole seconds (Redis expiries are set in seconds by rate-limiter-flexible). */
  seconds: number;
  limit: number;
}

/** The two windows, shortest first; a limit of 0 turns its window off. */
export function rateLimitWindows(env: Pick<Env, 'RATE_LIMIT_PER_MINUTE' | 'RATE_LIMIT_BURST_PER_SECOND'>): RateLimitWindow[] {
  const windows: RateLimitWindow[] = [];
  if (env.RATE_LIMIT_BURST_PER_SECOND > 0) windows.push({ name: 'burst', seconds: 1, limit: env.RATE_LIMIT_BURST_PER_SECOND });
  if (env.RATE_LIMIT_PER_MINUTE > 0) windows.push({ name: 'minute', seconds: 60, limit: env.RATE_LIMIT_PER_MINUTE });
  return windows;
}

/** One window's answer for one request. */
export interface WindowCount {
  window: RateLimitWindow;
  /** Requests left in the window (0 when blocked). */
  remaining: number;
  /** Seconds until the window resets, or until the block ends. */
  reset: number;
  blocked: boolean;
}

export const DEFAULT_REDIS_PREFIX = 'support-agents:ratelimit';
/** How long one window may wait for Redis before the request passes unlimited. */
export const REDIS_TIMEOUT_MS = 1_000;
/** A warning about an unreachable Redis at most this often. */
const WARN_EVERY_MS = 60_000;

export interface RedisCountersOptions {
  /** Keys are `<prefix>:<window>:<caller>`. */
  prefix?: string;
  timeoutMs?: number;
  /** Overrides of the ioredis client options (tests). */
  redis?: RedisOptions;
}

/**
 * The rate-limit counters of every window, kept by rate-limiter-flexible: RateLimiterMemory in
 * this process (without REDIS_URL), or RateLimiterRedis shared by every instance (an atomic Lua
 * increment per window; `blockDuration` = the window, so the request over the limit blocks its
 * caller for one window, and counting starts from zero afterwards).
 *
 * consume() rejects with a RateLimiterRes when the caller is over the limit, and with an Error
 * when the store failed (Redis down, not ready, or no answer within `timeoutMs`): then count()
 * answers undefined and the request passes (fail open: an outage of the limiter must not become
 * an outage of the API), with a warning at most once a minute.
 */
export class RateLimitCounters implements OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = Number.NEGATIVE_INFINITY;
  private readonly limiters: { window: RateLimitWindow; limiter: RateLimiterAbstract }[];

  private constructor(
    readonly windows: RateLimitWindow[],
    limiterFor: (window: RateLimitWindow) => RateLimiterAbstract,
    readonly redis?: Redis,
  ) {
    this.limiters = windows.map((window) => ({ window, limiter: limiterFor(window) }));
  }

  static inMemory(windows: RateLimitWindow[]): RateLimitCounters {
    return new RateLimitCounters(windows, (w) => new RateLimiterMemory({ points: w.limit, duration: w.seconds, blockDuration: w.seconds }));
  }

  /**
   * Counters in Redis. The client fails fast instead of queueing while disconnected
   * (`enableOfflineQueue: false`, and the limiter rejects at once while the client is not
   * ready), every command times out after `timeoutMs`, and so does each window's whole consume
   * (RLWrapperTimeouts: the increment, plus the block on the request over the limit).
   */
  static inRedis(url: string, windows: RateLimitWindow[], options: RedisCountersOptions = {}): RateLimitCounters {
    const { prefix = DEFAULT_REDIS_PREFIX, timeoutMs = REDIS_TIMEOUT_MS } = options;
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: timeoutMs,
      connectTimeout: 2_000,
      // disconnect() of a never-connected client otherwise keeps a 2 s timer (and the process) alive.
      disconnectTimeout: 100,
      retryStrategy: (attempt) => Math.min(attempt * 250, 5_000),
      ...options.redis,
    });
    const counters = new RateLimitCounters(
      windows,
      (w) =>
        new RLWrapperTimeouts({
          limiter: new RateLimiterRedis({
            storeClient: redis, // ioredis: the default client type (useRedisPackage is for node-redis v4+)
            rejectIfRedisNotReady: true,
            keyPrefix: `${prefix}:${w.name}`,
            points: w.limit,
            duration: w.seconds,
            blockDuration: w.seconds,
          }),
          timeoutMs,
        }),
      redis,
    );
    const { host, port } = redis.options; // never the URL: it may hold a password
    redis.on('error', (err: Error) => counters.warn(`Redis at ${host ?? '?'}:${port ?? '?'} is unreachable (${err.message}); rate limits are not enforced meanwhile.`));
    return counters;
  }

  /**
   * Counts one request of `caller` in every window, shortest first, and stops at the first
   * window that refuses it (the longer ones do not count a refused request). Undefined when the
   * store could not answer: the request passes.
   */
  async count(caller: string): Promise<WindowCount[] | undefined> {
    const counts: WindowCount[] = [];
    for (const { window, limiter } of this.limiters) {
      try {
        const res = await limiter.consume(caller);
        counts.push({ window, remaining: res.remainingPoints, reset: seconds(res.msBeforeNext), blocked: false });
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) {
          this.warn(`Rate limiting skipped: the store did not answer (${err instanceof Error ? err.message : String(err)}).`);
          return undefined;
        }
        counts.push({ window, remaining: 0, reset: seconds(err.msBeforeNext), blocked: true });
        break;
      }
    }
    return counts;
  }

  /** Waits (at most `timeoutMs`) for Redis; true without Redis. Does not throw: an unreachable Redis fails open. */
  async waitUntilReady(timeoutMs = 2_000): Promise<boolean> {
    const redis = this.redis;
    if (!redis || redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      redis.once('ready', onReady);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const redis = this.redis;
    if (redis) await redis.quit().catch(() => redis.disconnect());
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    this.logger.warn(message);
  }
}

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

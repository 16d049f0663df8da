import type { ThrottlerStorage } from '@nestjs/throttler';

/**
 * The storage contract of @nestjs/throttler (`ThrottlerStorage.increment(key, ttl, limit,
 * blockDuration, throttlerName)`, ttl and blockDuration in ms), with the record saying when the
 * store could not be asked. Only throttler's types are used here: the package is CommonJS and
 * require()s @nestjs/common, which Nest 12 ships as ES modules only; Node ≥ 20.19 can do that,
 * but Jest 30 on Node < 24.9 cannot, so loading it would break every test that boots the app.
 * The guard and both storages are therefore this module's own, with throttler's semantics.
 */
export interface RateLimitRecord {
  totalHits: number;
  /** Seconds until the window's counter resets. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds until a blocked caller may try again (0 when not blocked). */
  timeToBlockExpire: number;
  /** True when the store could not be asked and the request was let through (fail open). */
  unavailable?: boolean;
}

export interface RateLimitStorage extends ThrottlerStorage {
  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord>;
}

export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
// ip.js is plain CommonJS with no Nest import, so it loads anywhere (see rate-limit-storage.ts).
import { normalizeIp } from '@nestjs/throttler/dist/ip.js';
import type { Request, Response } from 'express';
import { principalOf } from '../auth/principal.js';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig, type Env } from '../config/configuration.js';
import { RATE_LIMIT_STORAGE, type RateLimitStorage } from './rate-limit-storage.js';

export interface RateLimitWindow {
  name: string;
  /** Milliseconds. */
  ttl: number;
  limit: number;
}

/** The two windows, shortest first; a limit of 0 turns its window off. */
export function rateLimitWindows(env: Pick<Env, 'RATE_LIMIT_PER_MINUTE' | 'RATE_LIMIT_BURST_PER_SECOND'>): RateLimitWindow[] {
  const windows: RateLimitWindow[] = [];
  if (env.RATE_LIMIT_BURST_PER_SECOND > 0) windows.push({ name: 'burst', ttl: 1_000, limit: env.RATE_LIMIT_BURST_PER_SECOND });
  if (env.RATE_LIMIT_PER_MINUTE > 0) windows.push({ name: 'minute', ttl: 60_000, limit: env.RATE_LIMIT_PER_MINUTE });
  return windows;
}

interface WindowState {
  limit: number;
  remaining: number;
  /** Seconds until the window resets (or the block ends). */
  reset: number;
}

/**
 * The global rate limiter (APP_GUARD, after AuthGuard), with @nestjs/throttler's storage contract
 * and semantics:
 * - the caller is the API key (its SHA-256, from the principal AuthGuard attached), or the client
 *   address when the service runs open (TRUST_PROXY decides which address that is behind a proxy;
 *   IPv6 addresses count per /64, as throttler does);
 * - one counter per window and caller for the whole API, not one per route;
 * - past a limit: 429 problem details with Retry-After (seconds), blocked for one window;
 * - headers of the window closest to its limit: RateLimit-Limit/-Remaining/-Reset (IETF draft
 *   names) and the same as X-RateLimit-*, plus RateLimit-Policy listing every window
 *   (e.g. `50;w=1, 600;w=60`);
 * - when the storage cannot answer (Redis down), the request passes without headers (fail open).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly windows: RateLimitWindow[];
  private readonly policy: string;

  constructor(
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: RateLimitStorage,
    config: AppConfig,
  ) {
    this.windows = rateLimitWindows(config.env);
    this.policy = this.windows.map((w) => `${w.limit};w=${w.ttl / 1000}`).join(', ');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.windows.length || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const key = principalOf(req)?.rateLimitKey;
    const tracker = key ? `key:${key}` : `ip:${normalizeIp(req.ip ?? 'unknown')}`;
    const states: WindowState[] = [];
    for (const window of this.windows) {
      const record = await this.storage.increment(`${window.name}:${tracker}`, window.ttl, window.limit, window.ttl, window.name);
      if (record.unavailable) return true; // fail open, and no headers pretending to know the count
      states.push({
        limit: window.limit,
        remaining: record.isBlocked ? 0 : Math.max(0, window.limit - record.totalHits),
        reset: record.isBlocked ? record.timeToBlockExpire : record.timeToExpire,
      });
      this.setHeaders(res, states);
      if (record.isBlocked) {
        const retryAfter = Math.max(1, record.timeToBlockExpire);
        const seconds = window.ttl / 1000;
        const per = seconds === 60 ? 'minute' : seconds === 1 ? 'second' : `${seconds} s`;
        throw new ProblemException(
          problem(429, 'rate-limited', `Too many requests for ${key ? 'this API key' : 'this address'}: at most ${window.limit} per ${per}. Retry after ${retryAfter} s.`, {
            limit: window.limit,
            window_seconds: seconds,
            retry_after: retryAfter,
          }),
          { 'Retry-After': String(retryAfter) },
        );
      }
    }
    return true;
  }

  private setHeaders(res: Response, states: WindowState[]): void {
    // The window closest to its limit is the one the client must respect next.
    const tightest = states.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.reset > a.reset) ? b : a));
    for (const prefix of ['RateLimit', 'X-RateLimit']) {
      res.setHeader(`${prefix}-Limit`, String(tightest.limit));
      res.setHeader(`${prefix}-Remaining`, String(tightest.remaining));
      res.setHeader(`${prefix}-Reset`, String(tightest.reset));
    }
    res.setHeader('RateLimit-Policy', this.policy);
  }
}

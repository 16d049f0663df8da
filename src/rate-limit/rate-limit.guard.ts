import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { principalOf } from '../auth/principal.js';
import { ProblemException, problem } from '../common/problem-details.js';
import { rateLimitAddress } from './client-address.js';
import { RateLimitCounters, type WindowCount } from './rate-limit-counters.js';

export const SKIP_RATE_LIMIT_KEY = 'rate-limit:skip';
/** Not counted (health probes and metric scrapes: a load balancer must never be told 429). */
export const SkipRateLimit = (): MethodDecorator & ClassDecorator => SetMetadata(SKIP_RATE_LIMIT_KEY, true);

/**
 * The global rate limiter (APP_GUARD, after AuthGuard); the counting is rate-limiter-flexible's
 * (RateLimitCounters):
 * - the caller is the API key (its SHA-256, from the principal AuthGuard attached), or the client
 *   address when the service runs open (`req.ip`: TRUST_PROXY decides which address that is
 *   behind a proxy; IPv6 addresses count per /64);
 * - one counter per window and caller for the whole API, not one per route;
 * - past a limit: 429 problem details with Retry-After (seconds), blocked for one window;
 * - headers of the window closest to its limit: RateLimit-Limit/-Remaining/-Reset (IETF draft
 *   names) and the same as X-RateLimit-*, plus RateLimit-Policy listing every window
 *   (e.g. `50;w=1, 600;w=60`);
 * - when the store cannot answer (Redis down), the request passes without headers (fail open);
 * - routes marked @SkipRateLimit() are not counted.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly policy: string;

  constructor(
    private readonly counters: RateLimitCounters,
    private readonly reflector: Reflector,
  ) {
    this.policy = counters.windows.map((w) => `${w.limit};w=${w.seconds}`).join(', ');
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.counters.windows.length || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP_RATE_LIMIT_KEY, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const key = principalOf(req)?.rateLimitKey;
    const counts = await this.counters.count(key ? `key:${key}` : `ip:${rateLimitAddress(req.ip)}`);
    if (!counts) return true; // fail open, and no headers pretending to know the count
    this.setHeaders(res, counts);
    const refused = counts.find((c) => c.blocked);
    if (refused) {
      const { limit, seconds } = refused.window;
      const retryAfter = Math.max(1, refused.reset);
      const per = seconds === 60 ? 'minute' : seconds === 1 ? 'second' : `${seconds} s`;
      throw new ProblemException(
        problem(429, 'rate-limited', `Too many requests for ${key ? 'this API key' : 'this address'}: at most ${limit} per ${per}. Retry after ${retryAfter} s.`, {
          limit,
          window_seconds: seconds,
          retry_after: retryAfter,
        }),
        { 'Retry-After': String(retryAfter) },
      );
    }
    return true;
  }

  private setHeaders(res: Response, counts: WindowCount[]): void {
    // The window closest to its limit is the one the client must respect next.
    const tightest = counts.reduce((a, b) => (b.remaining < a.remaining || (b.remaining === a.remaining && b.reset > a.reset) ? b : a));
    for (const prefix of ['RateLimit', 'X-RateLimit']) {
      res.setHeader(`${prefix}-Limit`, String(tightest.window.limit));
      res.setHeader(`${prefix}-Remaining`, String(tightest.remaining));
      res.setHeader(`${prefix}-Reset`, String(tightest.reset));
    }
    res.setHeader('RateLimit-Policy', this.policy);
  }
}

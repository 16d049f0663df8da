import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface.js';

/**
 * CORS_ORIGINS: comma-separated exact origins allowed to call the API from a browser
 * (`https://app.example.com,http://localhost:5173`), or `*` (any origin; refused with
 * NODE_ENV=production). Unset: no CORS headers at all (browsers on other origins are refused).
 * Keys travel in headers, never cookies, so credentials are not enabled.
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
}

/** One message per entry that is neither `*` nor an exact origin (scheme://host[:port], no path). */
export function corsOriginErrors(value: string | undefined): string[] {
  return parseCorsOrigins(value)
    .filter((o) => o !== '*' && !isOrigin(o))
    .map((o) => `"${o.slice(0, 100)}" is not an origin: write scheme://host[:port] with no path or trailing slash, e.g. https://app.example.com`);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** Headers a browser client may send. */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'x-api-key', 'Idempotency-Key', 'If-Match', 'Content-Type'];
/** Response headers a browser client may read. */
export const CORS_EXPOSED_HEADERS = [
  'Location',
  'ETag',
  'Link',
  'Retry-After',
  'WWW-Authenticate',
  'x-agent-backend',
  'x-agent-degraded',
  'Idempotent-Replayed',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/** The CORS options for CORS_ORIGINS, or undefined (no CORS) when it is unset. */
export function corsOptions(env: { CORS_ORIGINS?: string; NODE_ENV: string }): CorsOptions | undefined {
  const origins = parseCorsOrigins(env.CORS_ORIGINS);
  if (!origins.length) return undefined;
  const errors = corsOriginErrors(env.CORS_ORIGINS);
  if (errors.length) throw new Error(`Invalid configuration:\n${errors.map((e) => `  CORS_ORIGINS: ${e}`).join('\n')}`);
  const any = origins.includes('*');
  if (any && env.NODE_ENV === 'production') {
    throw new Error('Invalid configuration:\n  CORS_ORIGINS: "*" (any origin) is not allowed with NODE_ENV=production; list the exact origins of your web clients.');
  }
  return {
    // An exact-match list: the cors package compares each origin as a string and adds Vary: Origin.
    origin: any ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}

import type { Scope } from './scope-list.js';

/** Who is calling, attached to the request by AuthGuard (for logs and rate limiting). */
export interface Principal {
  /** `env#<position in API_KEYS>`, the database key's id, or `open` (no keys configured). */
  id: string;
  /** `API_KEYS entry <n>`, the database key's name, or `open mode`. */
  name: string;
  scopes: Scope[];
  source: 'env' | 'db' | 'open';
  /**
   * What rate limits count against: the key's SHA-256 (a stable, non-secret identity of the key,
   * the same on every instance); undefined in open mode, where the client address counts.
   */
  rateLimitKey?: string;
}

type WithPrincipal = { principal?: Principal };

/** `req.principal`, set by AuthGuard (undefined on @Public routes and before the guard ran). */
export function principalOf(req: object): Principal | undefined {
  return (req as WithPrincipal).principal;
}

export function attachPrincipal(req: object, principal: Principal): void {
  (req as WithPrincipal).principal = principal;
}

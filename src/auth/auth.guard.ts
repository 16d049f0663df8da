import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ProblemException, problem } from '../common/problem-details.js';
import { ApiKeysService } from './api-keys.service.js';
import { attachPrincipal, type Principal } from './principal.js';
import { missingScopes, type Scope } from './scope-list.js';
import { PUBLIC_KEY, SCOPES_KEY } from './scopes.js';

const REALM = 'Bearer realm="support-agents"';

/**
 * The global guard (APP_GUARD): every Nest route needs a valid key unless marked @Public, and the
 * scopes its @RequireScopes lists (a route without the decorator needs a key and no scope: secure by
 * default). The key comes as `Authorization: Bearer <key>` or `x-api-key: <key>`. No key or an
 * unknown/revoked one → 401 with WWW-Authenticate; a key without the scope → 403 naming it.
 * The principal is attached to the request (`req.principal`) for logs and rate limiting.
 *
 * Only HTTP is checked here; the microservice transports call `authenticate` and `requireScopes` with their message headers.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, targets) ?? [];
    const req = context.switchToHttp().getRequest<Request>();
    const principal = await this.authenticate(req.headers);
    attachPrincipal(req, principal);
    requireScopes(principal, required);
    return true;
  }

  /**
   * The principal of a request carrying these headers, or the 401 problem. Also used by the
   * microservice transports (src/microservice), whose messages carry the same header names.
   */
  async authenticate(headers: Request['headers']): Promise<Principal> {
    await this.keys.ensureFresh();
    if (this.keys.isOpen()) return this.keys.openPrincipal;
    const presented = presentedKey({ headers });
    if (presented === undefined) {
      throw new ProblemException(
        problem(401, 'missing-api-key', 'This route needs an API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>".'),
        { 'WWW-Authenticate': REALM },
      );
    }
    if (presented === CONFLICT) {
      throw new ProblemException(
        problem(401, 'invalid-api-key', 'Authorization and x-api-key carry two different keys; send one.'),
        { 'WWW-Authenticate': `${REALM}, error="invalid_request"` },
      );
    }
    const principal = await this.keys.authenticate(presented);
    if (!principal) {
      throw new ProblemException(problem(401, 'invalid-api-key', 'The API key is not valid (unknown or revoked).'), {
        'WWW-Authenticate': `${REALM}, error="invalid_token"`,
      });
    }
    return principal;
  }
}

/** The 403 problem when the principal lacks a scope the route needs. */
export function requireScopes(principal: Principal, required: Scope[]): void {
  const missing = missingScopes(principal.scopes, required);
  if (missing.length) {
    throw new ProblemException(
      problem(403, 'insufficient-scope', `The API key lacks the scope${missing.length > 1 ? 's' : ''} this route needs: ${missing.join(', ')}.`, {
        missing_scopes: missing,
      }),
      { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${required.join(' ')}"` },
    );
  }
}

const CONFLICT = Symbol('conflicting keys');

/** The key of `Authorization: Bearer <key>` or `x-api-key`; CONFLICT when both carry different keys. */
export function presentedKey(req: Pick<Request, 'headers'>): string | typeof CONFLICT | undefined {
  const auth = req.headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth)?.[1] : undefined;
  const header = req.headers['x-api-key'];
  const apiKey = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) return CONFLICT;
  return bearer ?? apiKey;
}

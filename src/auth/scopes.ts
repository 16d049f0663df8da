import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-docs.decorators.js';
import type { Scope } from './scope-list.js';

/**
 * What a key may do. `admin` implies every scope; `tickets:write` implies `tickets:read`.
 * A route without @RequireScopes needs a valid key and no particular scope.
 * (The list lives in scope-list.ts, free of Nest imports, so the configuration can check API_KEYS.)
 */
export { SCOPES, impliedScopes, type Scope } from './scope-list.js';

export const SCOPES_KEY = 'auth:scopes';
export const PUBLIC_KEY = 'auth:public';

/** The route needs a key holding every listed scope (documented in Swagger with 401/403/429). */
export function RequireScopes(...scopes: Scope[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(SCOPES_KEY, scopes), ApiBearerAuth(), ApiSecurity('api_key'), ApiProblems(401, 403, 429));
}

/** Any valid key (no particular scope). */
export const RequireKey = (): MethodDecorator & ClassDecorator => RequireScopes();

/** No key needed (API docs, liveness). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

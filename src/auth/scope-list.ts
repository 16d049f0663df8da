/**
 * The scope vocabulary, without Nest or Swagger imports: the configuration (parsed before Nest
 * loads) and the guard share it. scopes.ts re-exports it next to the route decorators.
 */
export const SCOPES = ['agents:run', 'tickets:read', 'tickets:write', 'kb:write', 'approvals:write', 'monitoring:read', 'monitoring:write', 'metrics:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Scopes implied by holding `scope`. */
export function impliedScopes(scope: Scope): Scope[] {
  if (scope === 'admin') return [...SCOPES];
  if (scope === 'tickets:write') return ['tickets:write', 'tickets:read'];
  // Deciding an approval means reading the ticket it is about.
  if (scope === 'approvals:write') return ['approvals:write', 'tickets:read'];
  // Changing SLA policies or running a check means reading what they produce.
  if (scope === 'monitoring:write') return ['monitoring:write', 'monitoring:read'];
  return [scope];
}

/** Everything a key holding `scopes` may do (its scopes and the ones they imply). */
export function effectiveScopes(scopes: readonly Scope[]): Set<Scope> {
  return new Set(scopes.flatMap(impliedScopes));
}

/** The scopes of `required` that a key holding `held` lacks (empty: allowed). */
export function missingScopes(held: readonly Scope[], required: readonly Scope[]): Scope[] {
  const effective = effectiveScopes(held);
  return required.filter((s) => !effective.has(s));
}

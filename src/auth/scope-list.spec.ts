import { SCOPES, effectiveScopes, impliedScopes, isScope, missingScopes } from './scope-list.js';
import * as decorators from './scopes.js';

describe('scopes', () => {
  it('admin implies every scope; tickets:write implies tickets:read; the others only themselves', () => {
    expect(new Set(impliedScopes('admin'))).toEqual(new Set(SCOPES));
    expect(impliedScopes('tickets:write').sort()).toEqual(['tickets:read', 'tickets:write']);
    for (const s of ['agents:run', 'tickets:read', 'kb:write', 'monitoring:read'] as const) expect(impliedScopes(s)).toEqual([s]);
  });

  it('missingScopes lists what a key lacks, after implication', () => {
    expect(missingScopes(['admin'], ['kb:write', 'tickets:read'])).toEqual([]);
    expect(missingScopes(['tickets:write'], ['tickets:read'])).toEqual([]);
    expect(missingScopes(['tickets:read'], ['tickets:write'])).toEqual(['tickets:write']);
    expect(missingScopes(['agents:run'], ['kb:write', 'monitoring:read'])).toEqual(['kb:write', 'monitoring:read']);
    expect(missingScopes([], [])).toEqual([]);
    expect([...effectiveScopes(['kb:write', 'tickets:write'])].sort()).toEqual(['kb:write', 'tickets:read', 'tickets:write']);
  });

  it('isScope knows exactly the listed scopes', () => {
    expect(SCOPES.every(isScope)).toBe(true);
    expect(isScope('Admin')).toBe(false);
    expect(isScope('tickets')).toBe(false);
  });

  it('scopes.ts re-exports the same list and implication', () => {
    expect(decorators.SCOPES).toBe(SCOPES);
    expect(decorators.impliedScopes).toBe(impliedScopes);
  });
});

import { createHash } from 'node:crypto';
import { SCOPES, isScope, type Scope } from './scope-list.js';

/**
 * API_KEYS (DESIGN §3b): comma-separated `<key>:<scope>[+<scope>...]`, the first colon ends the
 * key, e.g. `k1:admin,k2:agents:run+tickets:write`. Plain functions (no Nest): the configuration
 * checks the format before Nest starts; the key store uses the parsed keys.
 *
 * Error messages name the entry by position and the offending scope, never the key itself.
 */

/** Shorter keys are a start-up error with NODE_ENV=production and a warning otherwise. */
export const MIN_KEY_LENGTH = 16;

export interface EnvKey {
  /** 1-based position in API_KEYS (after dropping empty entries): "API_KEYS entry 2". */
  position: number;
  key: string;
  scopes: Scope[];
}

export interface ParsedApiKeys {
  keys: EnvKey[];
  /** One readable line per bad entry (no key material). */
  errors: string[];
}

const FORMAT = 'expected <key>:<scope>[+<scope>...]';

export function parseApiKeys(raw: string | undefined): ParsedApiKeys {
  const keys: EnvKey[] = [];
  const errors: string[] = [];
  if (raw === undefined) return { keys, errors };
  // Empty entries (a trailing comma, ",,", only spaces) are skipped, not errors.
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const position = i + 1;
    const where = `entry ${position}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      errors.push(`${where} has no scope (${FORMAT})`);
      return;
    }
    const key = entry.slice(0, colon).trim();
    if (key === '') {
      errors.push(`${where} has an empty key (${FORMAT})`);
      return;
    }
    if (/[\s\p{Cc}]/u.test(key)) {
      errors.push(`${where}: the key contains whitespace or control characters (it could not be sent in a header)`);
      return;
    }
    const scopeText = entry.slice(colon + 1);
    const names = scopeText.split('+').map((s) => s.trim());
    if (names.every((s) => s === '')) {
      errors.push(`${where} has no scope after the colon (${FORMAT})`);
      return;
    }
    const bad = names.filter((s) => !isScope(s));
    if (bad.length) {
      const shown = bad.map((s) => (s === '' ? '(empty)' : mayHoldKey(s) ? '(not shown: it may hold part of a key, and a key cannot contain ":")' : `"${s}"`));
      errors.push(`${where}: unknown scope ${shown.join(', ')}; known scopes: ${SCOPES.join(', ')}`);
      return;
    }
    const previous = seen.get(key);
    if (previous !== undefined) {
      errors.push(`${where} repeats the key of entry ${previous} (give each key its scopes once, joined with +)`);
      return;
    }
    seen.set(key, position);
    keys.push({ position, key, scopes: [...new Set(names as Scope[])] });
  });
  return { keys, errors };
}

/**
 * A key containing ':' splits early, so its tail lands in the scope ("abc:def:admin" → key "abc",
 * scope "def:admin"): such a scope is not echoed. Scope-like words (a typo like "tickets:wirte") are.
 */
function mayHoldKey(scope: string): boolean {
  if (!/^[a-z_-]{1,20}(:[a-z_-]{1,20})?$/.test(scope)) return true;
  const tail = scope.split(':').at(-1)!;
  return scope.includes(':') && SCOPES.some((known) => known === tail || known.startsWith(`${tail}:`));
}

/** Positions of the keys shorter than MIN_KEY_LENGTH. */
export function shortKeys(keys: readonly EnvKey[]): number[] {
  return keys.filter((k) => k.key.length < MIN_KEY_LENGTH).map((k) => k.position);
}

/** How keys are compared: by SHA-256 (hex), so a lookup never compares the secret itself. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

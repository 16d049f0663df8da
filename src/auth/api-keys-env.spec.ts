import { MIN_KEY_LENGTH, hashKey, parseApiKeys, shortKeys } from './api-keys-env.js';
import { loadConfig } from '../config/configuration.js';

const K1 = 'k1-0123456789abcdef';
const K2 = 'k2-0123456789abcdef';

describe('API_KEYS parsing', () => {
  it('reads <key>:<scope>[+<scope>...] entries; the first colon ends the key', () => {
    const { keys, errors } = parseApiKeys(`${K1}:admin,${K2}:agents:run+tickets:write`);
    expect(errors).toEqual([]);
    expect(keys).toEqual([
      { position: 1, key: K1, scopes: ['admin'] },
      { position: 2, key: K2, scopes: ['agents:run', 'tickets:write'] },
    ]);
  });

  it('unset or empty: no keys, no errors', () => {
    expect(parseApiKeys(undefined)).toEqual({ keys: [], errors: [] });
    expect(parseApiKeys('')).toEqual({ keys: [], errors: [] });
    expect(parseApiKeys(' , ,')).toEqual({ keys: [], errors: [] });
  });

  it('skips empty entries (trailing comma, doubled comma) and numbers the rest', () => {
    const { keys, errors } = parseApiKeys(`,${K1}:admin,,${K2}:kb:write,`);
    expect(errors).toEqual([]);
    expect(keys.map((k) => [k.position, k.scopes])).toEqual([
      [1, ['admin']],
      [2, ['kb:write']],
    ]);
  });

  it('trims whitespace around entries, keys and scopes', () => {
    const { keys, errors } = parseApiKeys(`  ${K1} : agents:run + monitoring:read ,\n${K2}:admin `);
    expect(errors).toEqual([]);
    expect(keys).toEqual([
      { position: 1, key: K1, scopes: ['agents:run', 'monitoring:read'] },
      { position: 2, key: K2, scopes: ['admin'] },
    ]);
  });

  it('an unknown scope is an error naming the entry and the scope, never the key', () => {
    const { keys, errors } = parseApiKeys(`${K1}:admin,${K2}:tickets:wirte`);
    expect(keys).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^entry 2: unknown scope "tickets:wirte"; known scopes: agents:run, /);
    expect(errors.join()).not.toContain(K2);
  });

  it('a scope that may be the tail of a key containing ":" is not echoed', () => {
    const { errors } = parseApiKeys('abc:secret-part:admin');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('not shown');
    expect(errors[0]).not.toContain('secret-part');
  });

  it('colon rules: no colon, empty key, nothing after the colon, empty scope between +', () => {
    expect(parseApiKeys(K1).errors).toEqual([expect.stringMatching(/^entry 1 has no scope \(expected <key>:<scope>/)]);
    expect(parseApiKeys(':admin').errors).toEqual([expect.stringMatching(/^entry 1 has an empty key/)]);
    expect(parseApiKeys(`${K1}:`).errors).toEqual([expect.stringMatching(/^entry 1 has no scope after the colon/)]);
    expect(parseApiKeys(`${K1}: + `).errors).toEqual([expect.stringMatching(/^entry 1 has no scope after the colon/)]);
    expect(parseApiKeys(`${K1}:admin++kb:write`).errors).toEqual([expect.stringMatching(/^entry 1: unknown scope \(empty\)/)]);
  });

  it('refuses keys with inner whitespace and repeated keys', () => {
    expect(parseApiKeys('my key here 12345:admin').errors).toEqual([expect.stringMatching(/^entry 1: the key contains whitespace/)]);
    expect(parseApiKeys(`${K1}:admin,${K1}:kb:write`).errors).toEqual([expect.stringMatching(/^entry 2 repeats the key of entry 1/)]);
  });

  it('repeated scopes collapse', () => {
    expect(parseApiKeys(`${K1}:kb:write+kb:write`).keys[0]!.scopes).toEqual(['kb:write']);
  });

  it('finds keys shorter than 16 characters', () => {
    expect(MIN_KEY_LENGTH).toBe(16);
    const { keys } = parseApiKeys(`short:admin,${K1}:admin,tiny:kb:write`);
    expect(shortKeys(keys)).toEqual([1, 3]);
  });

  it('hashes keys with SHA-256 (hex)', () => {
    expect(hashKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('the configuration refuses a bad API_KEYS with one readable line per entry', () => {
    expect(() => loadConfig({ API_KEYS: `${K1}:admin,${K2}:superuser` })).toThrow(/API_KEYS: entry 2: unknown scope "superuser"/);
    let message = '';
    try {
      loadConfig({ API_KEYS: `${K2}:superuser` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).not.toContain(K2);
    expect(loadConfig({ API_KEYS: `${K1}:admin` }).env.API_KEYS).toBe(`${K1}:admin`);
  });
});

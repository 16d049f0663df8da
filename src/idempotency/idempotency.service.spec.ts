import { canonicalJson } from './idempotency.service.js';

describe('canonicalJson (the request fingerprint of an Idempotency-Key)', () => {
  it('is the same for the same body in another key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }));
  });

  it('differs when a value, an array order or a key differs', () => {
    const base = canonicalJson({ a: [1, 2], b: 'x' });
    expect(canonicalJson({ a: [2, 1], b: 'x' })).not.toBe(base);
    expect(canonicalJson({ a: [1, 2], b: 'y' })).not.toBe(base);
    expect(canonicalJson({ a: [1, 2], c: 'x' })).not.toBe(base);
  });

  it('ignores undefined properties as JSON does, and keeps null', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: null })).toBe('{"a":null}');
  });

  it('escapes keys and strings', () => {
    expect(canonicalJson({ 'a"b': 'c\n' })).toBe('{"a\\"b":"c\\n"}');
  });
});

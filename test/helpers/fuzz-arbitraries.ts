import fc from 'fast-check';
import { SLA_TARGET_KEYS } from '../../src/monitoring/sla.js';

/**
 * Generators for the HTTP fuzz test (test/fuzz.e2e-spec.ts): raw and structured JSON bodies,
 * near-valid mutations of each route's example body, header values and path ids.
 */

/** A JSON value as parsed from a body (what mutations operate on). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Sets an own property even for `__proto__` (plain assignment would change the prototype). */
export function setKey(obj: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy through JSON, which keeps a `__proto__` key as an own property. */
export function cloneJson<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Text that trips naive handling: emoji, RTL, combining marks, zero-width, confusables. */
export const NASTY_TEXT = [
  '',
  ' ',
  '\t\n\r',
  '😀🔥👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'مرحبا، لا أستطيع تسجيل الدخول',
  'שלום \u202Eevil\u202C',
  '\u200B\u200C\u200D\uFEFF',
  'e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301',
  'Z̴̡̢̛̗͔̜̥̰̼̳̣͓̞̗̫̩͈͎̭̈́̀̀̾̂̓̏͊̚a̸̧͍̹̱̘͓̋̀̈́l̷g̵o̶',
  'ＡＢＣ１２３',
  '𝔲𝔫𝔦𝔠𝔬𝔡𝔢 𝕥𝕖𝕩𝕥',
  '\u00A0\u2028\u2029',
  'I can\u2019t log in — “help” please',
  '<script>alert(1)</script>',
  "'; DROP TABLE tickets; --",
  '${jndi:ldap://x}',
  '{{7*7}}',
  '%s%n%x',
  '../../etc/passwd',
  'null',
  'undefined',
  'NaN',
  '__proto__',
  'constructor',
  '0',
  '-1',
  'true',
  '\\u0000',
  '日本語のテキスト',
  '한국어 텍스트',
];

/** Keys worth adding to any object: prototype keys, unicode, empty, very long, path-like. */
export const NASTY_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '',
  ' ',
  'a.b',
  'a[0]',
  '$where',
  '😀',
  'ключ',
  '\u200B',
  'k'.repeat(1000),
];

/** Numbers at the edges (NaN and Infinity are not JSON; 1e400 is tested as raw text). */
export const EDGE_NUMBERS = [0, -0, 1, -1, 0.5, 1.5, 5, 6, 1e308, -1e308, 2 ** 53 + 1, -(2 ** 53 + 1), 5e-324, 2 ** 31, -(2 ** 31), 1e21, 123456789.12345679];

/** A string of emoji, RTL, combining marks or random unicode. */
export const unicodeText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_TEXT),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 40 }),
);

/** Sizes of huge strings: just past the text limits (20k, 200k) up to ~1 MB. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(2_001, 20_001, 65_536, 200_001, 1_000_000), fc.constantFrom('a', 'é', '😀', 'word ', '\u200B'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n));

/** A value of any JSON type (the "wrong type" replacement). */
export const wrongType: fc.Arbitrary<Json> = fc.oneof<fc.Arbitrary<Json>[]>(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...EDGE_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  unicodeText,
  fc.constant<Json>([]),
  fc.constant<Json>({}),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxKeys: 3 }),
);

/** `value` wrapped in `depth` arrays / objects (the server refuses more than 32 levels). */
export function nest(value: Json, depth: number, inObjects: boolean): Json {
  let v = value;
  for (let i = 0; i < depth; i++) v = inObjects ? { a: v } : [v];
  return v;
}

// ---------------------------------------------------------------------------------------------
// Property 1: raw bodies
// ---------------------------------------------------------------------------------------------

/** Tokens that are not JSON or are JSON edge cases, spliced into an otherwise plausible body. */
export const RAW_TOKENS = [
  '1e400',
  '-1e400',
  '-0',
  '1e-400',
  '123456789012345678901234567890',
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  '0x10',
  '01',
  '.5',
  '1.',
  '+1',
  "'single'",
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '"a\\ud83d"',
  '"\\u0000"',
  '"nul\\u0000in the middle"',
  '"\\u00"',
  '"\\uZZZZ"',
  '"\\x41"',
  '"\\q"',
  '"unterminated',
  '"raw\ttab"',
  '"raw\nnewline"',
  '[',
  '{',
  '[1,]',
  '{"a":1,}',
  '/* comment */ 1',
  'true false',
  '{"a":1,"a":2}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
];

/**
 * A raw body: random strings and bytes, truncated or mutated example JSON, non-JSON tokens in
 * a field, duplicate keys, BOMs. Returned as a Buffer so it is sent byte for byte.
 */
export function rawBodyArb(examples: string[]): fc.Arbitrary<{ kind: string; body: Buffer }> {
  const example = fc.constantFrom(...examples);
  const utf8 = (kind: string) => (s: string) => ({ kind, body: Buffer.from(s, 'utf8') });
  return fc.oneof(
    fc.string({ maxLength: 200 }).map(utf8('string')),
    fc.string({ unit: 'binary', maxLength: 200 }).map(utf8('unicode string')),
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => ({ kind: 'bytes', body: Buffer.from(b) })),
    // Truncated JSON: a valid example cut anywhere (but not to nothing).
    fc.tuple(example, fc.nat()).map(([s, n]) => utf8('truncated')(s.slice(0, 1 + (n % (s.length - 1))))),
    // One character of a valid example deleted, duplicated or replaced.
    fc.tuple(example, fc.nat(), fc.constantFrom('delete', 'dup', 'replace'), fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', ' ', 'x', '\u0000', '\ufeff'))
      .map(([s, n, op, c]) => {
        const i = n % s.length;
        const out = op === 'delete' ? s.slice(0, i) + s.slice(i + 1) : op === 'dup' ? s.slice(0, i + 1) + s.slice(i) : s.slice(0, i) + c + s.slice(i + 1);
        return utf8(`mutated (${op})`)(out);
      }),
    // A non-JSON or edge token as the value of a field, or of a new key.
    fc.tuple(example, fc.constantFrom(...RAW_TOKENS), fc.boolean()).map(([s, tok, replace]) => {
      const replaced = s.replace(/:\s*("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)/, `:${tok}`);
      return utf8(replace ? 'token in field' : 'token as new key')(replace ? replaced : s.replace(/^\{/, `{"zz":${tok},`));
    }),
    // Duplicate keys: every key of the example twice, the second with a wrong type.
    example.map((s) => utf8('duplicate keys')(s.replace(/^\{("[^"]+"):/, '{$1:12345,$1:'))),
    // A byte-order mark (UTF-8, or UTF-16 bytes) before a valid example.
    fc.tuple(example, fc.constantFrom('utf8', 'utf16le', 'utf16be')).map(([s, enc]) => ({
      kind: `BOM (${enc})`,
      body:
        enc === 'utf8'
          ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)])
          : enc === 'utf16le'
            ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')])
            : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]),
    })),
    // Invalid UTF-8 inside a string value.
    fc.tuple(example, fc.constantFrom([0xc3], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf])).map(([s, bytes]) => {
      const i = s.indexOf('"', s.indexOf(':'));
      return { kind: 'invalid UTF-8', body: Buffer.concat([Buffer.from(s.slice(0, i + 1)), Buffer.from(bytes), Buffer.from(s.slice(i + 1))]) };
    }),
    // Bodies that are JSON but not an object, or nothing but whitespace.
    fc.constantFrom('null', '42', '-0', '1e400', '"text"', '[]', '[{}]', 'true', ' ', '\n\n', '""', '"\\ud800"').map(utf8('not an object')),
    // Deep nesting in raw text, beyond anything the generator for structured bodies builds.
    fc.tuple(fc.integer({ min: 33, max: 20_000 }), fc.boolean()).map(([depth, closed]) =>
      utf8(`nested ${depth}`)(`{"a":${'['.repeat(depth)}${closed ? ']'.repeat(depth) : ''}}`),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// Property 2: structured bodies
// ---------------------------------------------------------------------------------------------

/** Any JSON value, usually an object at the top (most get past the "must be an object" check). */
export const anyJsonBody: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...NASTY_KEYS)), fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<Json>, { maxKeys: 8 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }).map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as Json) },
);

/** One change to a body at a path into it. */
export type Mutation =
  | { op: 'delete' }
  | { op: 'add'; key: string; value: Json }
  | { op: 'replace'; value: Json }
  | { op: 'huge-string'; value: string }
  | { op: 'long-array'; length: number }
  | { op: 'nest'; depth: number; inObjects: boolean }
  | { op: 'unicode'; value: string }
  | { op: 'edge-number'; value: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ op: 'delete' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('add' as const), key: fc.oneof(fc.constantFrom(...NASTY_KEYS), fc.string({ maxLength: 10 })), value: wrongType }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('replace' as const), value: wrongType }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('huge-string' as const), value: hugeString }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('long-array' as const), length: fc.constantFrom(51, 1_000, 20_000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('nest' as const), depth: fc.integer({ min: 1, max: 100 }), inObjects: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('unicode' as const), value: unicodeText }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('edge-number' as const), value: fc.constantFrom(...EDGE_NUMBERS) }) },
);

/** Every path into a JSON value (the root is []). */
export function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) out.push(...pathsOf(value[k]!, [...prefix, k]));
  return out;
}

function parentOf(root: Json, path: (string | number)[]): Json {
  let v = root;
  for (const p of path.slice(0, -1)) v = (v as Record<string | number, Json>)[p]!;
  return v;
}

/** Applies `m` at `path` of `root` (a copy is changed and returned). */
export function applyMutation(root: Json, path: (string | number)[], m: Mutation): Json {
  const copy = cloneJson(root);
  const at = (replace: (old: Json) => Json | undefined): Json => {
    if (path.length === 0) return replace(copy) ?? {};
    const parent = parentOf(copy, path) as Record<string | number, Json> & Json[];
    const key = path.at(-1)!;
    const next = replace(parent[key]!);
    if (next === undefined) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (Array.isArray(parent)) parent[key as number] = next;
    else setKey(parent, String(key), next);
    return copy;
  };
  switch (m.op) {
    case 'delete':
      return at(() => undefined);
    case 'add':
      return at((old) => {
        if (Array.isArray(old)) return [...old, m.value];
        if (old !== null && typeof old === 'object') {
          setKey(old, m.key, m.value);
          return old;
        }
        const obj: { [key: string]: Json } = {};
        setKey(obj, m.key, m.value);
        return obj; // a scalar becomes an object (a wrong type too)
      });
    case 'replace':
      return at(() => m.value);
    case 'huge-string':
      return at(() => m.value);
    case 'long-array':
      // Copies of the old value (so a list of valid items stays valid, only long), ~1.5 MB at most.
      return at((old) => {
        const item = Array.isArray(old) ? (old[0] ?? 'x') : old;
        const length = Math.min(m.length, Math.floor(1_500_000 / (JSON.stringify(item).length + 1)));
        return Array.from({ length }, () => item);
      });
    case 'nest':
      return at((old) => nest(old, m.depth, m.inObjects));
    case 'unicode':
      return at((old) => (typeof old === 'string' ? `${old}${m.value}` : m.value));
    case 'edge-number':
      return at(() => m.value);
  }
}

/** A near-valid body: 1–3 mutations of `example` at random paths. */
export function nearValidArb(example: Json): fc.Arbitrary<{ body: Json; mutations: string[] }> {
  return fc.array(fc.tuple(fc.nat(), mutationArb), { minLength: 1, maxLength: 3 }).map((steps) => {
    let body = example;
    const mutations: string[] = [];
    for (const [n, m] of steps) {
      const paths = pathsOf(body);
      const path = paths[n % paths.length]!;
      body = applyMutation(body, path, m);
      mutations.push(`${m.op}@${path.join('.') || '(root)'}${'value' in m ? `=${JSON.stringify(m.value).slice(0, 40)}` : ''}`);
    }
    return { body, mutations };
  });
}

// ---------------------------------------------------------------------------------------------
// Property 3: headers and URLs
// ---------------------------------------------------------------------------------------------

/** Node refuses header values outside \t, printable ASCII and \x80-\xff before sending them. */
export function sendableHeader(s: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(s);
}

/** UTF-8 bytes as a latin1 string: how a non-ASCII header value travels on the wire. */
export function utf8Header(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** Content-Type values: not JSON (must be 415), JSON spelled oddly, and random strings. */
export const NOT_JSON_TYPES = [
  'text/plain',
  'text/html; charset=utf-8',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  'image/png',
  'application/jsonx',
  'application/json-patch',
  'json',
];
export const ODD_JSON_TYPES = [
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=UTF-8',
  'application/json; charset=utf-16',
  'application/json; charset=utf-16le',
  'application/json; charset=latin1',
  'application/json; charset=bogus',
  'application/json; charset=',
  'application/json; charset="utf-8"',
  'application/json;;;',
  'application/json; boundary=x; q=0.5',
  'application/problem+json',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/*',
  '*/*',
  'application/',
  '/json',
  ';',
  ' ',
];
export const contentTypeArb: fc.Arbitrary<{ value: string; notJson: boolean }> = fc.oneof(
  fc.constantFrom(...NOT_JSON_TYPES).map((value) => ({ value, notJson: true })),
  fc.constantFrom(...ODD_JSON_TYPES).map((value) => ({ value, notJson: false })),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).filter(sendableHeader).map((value) => ({ value, notJson: false })),
  fc.string({ maxLength: 30 }).map((s) => ({ value: utf8Header(`application/${s}`), notJson: false })),
);

/** Idempotency-Key values: empty, spaces, 10k characters, non-ASCII (as UTF-8 bytes), random. */
export const idempotencyKeyArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '\t', 'a', 'bad key with spaces', 'ключ-идемпотентности', '🔑-key', 'x'.repeat(10_000), '"quoted"', 'k,k', '%00', '\\').map(utf8Header),
  fc.string({ unit: 'binary-ascii', maxLength: 300 }).filter(sendableHeader),
  fc.string({ unit: 'grapheme', maxLength: 50 }).map(utf8Header),
  fc.uuid(),
  fc.integer({ min: 1, max: 12_000 }).map((n) => 'k'.repeat(n)),
);

/** If-Match values for PUT /knowledge-base/articles/:id. */
export const ifMatchArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '*', '"1"', 'W/"1"', '1', '"0"', '"-1"', '"999999999"', '"9999999999"', '"1e3"', 'latest', '"1", "2"', 'W/', '""', '"' + '9'.repeat(400) + '"'),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }).filter(sendableHeader),
  fc.nat().map((n) => `"${n}"`),
);

/**
 * Path ids: raw segments sent as written (traversal, NUL, malformed escapes) and random strings
 * percent-encoded (unicode, very long). Node refuses unescaped non-ASCII and spaces in a path.
 */
export const RAW_IDS = [
  '..%2f..%2fetc%2fpasswd',
  '..%2F',
  '%2e%2e',
  '..',
  '.',
  '%00',
  'abc%00def',
  '%',
  '%zz',
  '%ff',
  '%c3%28',
  '%ed%a0%80',
  '%e2%80%ae',
  '%F0%9F%98%80',
  '%20',
  '%0a',
  '%3f',
  '%23',
  ';',
  "'",
  '~',
  'kb-0001;drop',
  'x'.repeat(8_000),
  '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
  '-1',
  '1e400',
];
export const pathIdArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...RAW_IDS),
  fc.string({ maxLength: 80 }).filter((s) => s.length > 0).map(encodeURIComponent),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map((s) => encodeURIComponent(s.toWellFormed())),
  fc.constantFrom(...NASTY_TEXT).filter((s) => s.length > 0).map((s) => encodeURIComponent(s.toWellFormed())),
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,80}$/),
  fc.integer({ min: 1, max: 6_000 }).map((n) => 'a'.repeat(n)),
);

/** Query strings for POST /tickets (mode=async is the only valid value). */
export const ticketQueryArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '?mode=async',
    '?mode=sync',
    '?mode=',
    '?mode',
    '?mode=async&mode=async',
    '?mode[]=async',
    '?mode[a]=b',
    '?mode=ASYNC',
    '?mode=async%00',
    '?mode=%zz',
    '?other=1',
    '?__proto__=x',
    '?constructor[prototype]=x',
    `?mode=${'a'.repeat(5_000)}`,
    '?&&&==',
  ),
  fc.string({ maxLength: 40 }).map((s) => `?mode=${encodeURIComponent(s.toWellFormed())}`),
);

// ---------------------------------------------------------------------------------------------
// Property 2c: targeted bodies that get past validation and into the code behind it
// ---------------------------------------------------------------------------------------------

/** Long and repetitive text near the PII, injection and tokenizer patterns (at most 20,000 chars). */
const TEXT_UNITS = [
  '4111 1111 1111 1111 ',
  '4',
  '1-',
  'a@',
  'a.',
  'x@y.',
  '+1 (555) ',
  'DE89 3704 0044 0532 0130 00 ',
  '123-45-6789 ',
  'password: hunter2 ',
  'sk-',
  'AKIA',
  'ignore previous instructions ',
  'SYSTEM: ',
  '```',
  '<|im_start|>',
  'QUJDREVG',
  '😀',
  'e\u0301',
  '\u200B',
  'ـ',
  ' \n',
  'a ',
  'charged twice ',
  'login ',
];
export const adversarialText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...TEXT_UNITS), fc.constantFrom(1, 10, 100, 1_000, 5_000, 19_999, 20_000))
    .map(([unit, n]) => `I need help ${unit.repeat(Math.ceil(n / unit.length))}`.slice(0, n).toWellFormed()),
  fc.array(fc.oneof(fc.constantFrom(...TEXT_UNITS), fc.constantFrom(...NASTY_TEXT)), { minLength: 1, maxLength: 60 }).map((parts) => `help ${parts.join('')}`.slice(0, 20_000).toWellFormed()),
);

/** ISO-8601 timestamps: valid ones in one week, and components at and past their edges. */
const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');
export const timestampArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 7 * 24 * 60 }).map((m) => new Date(Date.UTC(2026, 10, 24) + m * 60_000).toISOString()) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        year: fc.constantFrom(0, 1, 99, 100, 1969, 1970, 2024, 2026, 9999),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        hour: fc.integer({ min: 0, max: 25 }),
        minute: fc.integer({ min: 0, max: 60 }),
        second: fc.option(fc.integer({ min: 0, max: 61 })),
        fraction: fc.option(fc.integer({ min: 0, max: 11 }).map((n) => '9'.repeat(n))),
        offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 60 }), fc.boolean()).map(([s, h, m, colon]) => `${s}${pad(h, 2)}${colon ? ':' : ''}${pad(m, 2)}`)),
        dateOnly: fc.boolean(),
      })
      .map((t) =>
        t.dateOnly
          ? `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}`
          : `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}${t.second === null ? '' : `:${pad(t.second, 2)}`}${t.second !== null && t.fraction !== null ? `.${t.fraction}` : ''}${t.offset}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'Z', '2026-11-24 09:00:00Z', '2026-11-24T09:00:00', '+002026-11-24', '2026-W48', '1e400', '2026-11-24T09:00:00Z ', '２０２６-11-24', '2026-11-24T09:00:00\u0000Z'),
  },
);

const UPDATE_STATUSES = ['open', 'in_progress', 'pending', 'escalated', 'resolved', 'closed', 'reopened'];
/** The target keys the endpoint knows (the same list it validates against). */
const SLA_KEYS = [...SLA_TARGET_KEYS];
const mostly = <T>(valid: T[], other: fc.Arbitrary<Json>): fc.Arbitrary<Json> =>
  fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...valid) as fc.Arbitrary<Json> }, { weight: 1, arbitrary: other });

/** A monitoring request whose updates are mostly valid: events and snapshots of a few tickets. */
export const monitoringBodyArb: fc.Arbitrary<Json> = fc.record({
  ticket_updates: fc.array(
    fc.oneof(
      fc.record(
        {
          ticket_id: mostly(['T-1', 'T-2', 'T-3'], wrongType),
          status: mostly(UPDATE_STATUSES, wrongType),
          timestamp: timestampArb,
          actor: mostly(['customer', 'agent', 'system'], wrongType),
          priority: mostly(['High', 'Medium', 'Low'], wrongType),
          category: mostly(['technical', 'billing', 'general'], unicodeText),
          csat: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(1.5, -0, 1e308)),
        },
        { requiredKeys: ['ticket_id', 'status', 'timestamp'] },
      ),
      fc.record(
        {
          ticket_id: mostly(['T-1', 'T-4', 'T-5'], wrongType),
          created_at: timestampArb,
          first_response_at: timestampArb,
          resolved_at: timestampArb,
          priority: mostly(['High', 'Medium', 'Low'], wrongType),
          csat: fc.integer({ min: 0, max: 6 }),
        },
        { requiredKeys: ['ticket_id', 'created_at'] },
      ),
    ) as fc.Arbitrary<Json>,
    { maxLength: 40 },
  ),
  sla_targets: fc.dictionary(
    fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...SLA_KEYS) }, { weight: 1, arbitrary: fc.constantFrom('unknown', '', 'toString', 'sla compliance') }),
    fc.oneof(fc.constantFrom(...EDGE_NUMBERS), fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 5 }), wrongType),
    { maxKeys: 6 },
  ) as fc.Arbitrary<Json>,
});

const replyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('It is the desktop app on Windows', 'I forgot my password and the reset email never arrives', 'Thanks, that worked!', 'hello?', 'Still broken.'),
  adversarialText,
);
const optionalText = (max: number) => fc.oneof(replyText.map((s) => s.slice(0, max)), fc.constantFrom('', ' ', 'x'.repeat(max + 1)));

/** POST /tickets/:id/events bodies: every type, mostly well formed, some with another type's fields. */
export const ticketEventArb: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ type: fc.constant('agent_reply'), message: replyText, author: optionalText(200) }, { requiredKeys: ['type', 'message'] }),
  fc.record({ type: fc.constant('customer_reply'), message: replyText }),
  fc.record({ type: fc.constant('note'), message: replyText, author: optionalText(200) }, { requiredKeys: ['type', 'message'] }),
  fc.record({ type: fc.constant('resolved'), note: optionalText(5_000), author: optionalText(200) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('reopened'), reason: optionalText(5_000) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('closed'), note: optionalText(5_000), author: optionalText(200) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('csat'), score: fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(1.5, -0, 1e308, '5')), comment: optionalText(2_000) }, { requiredKeys: ['type', 'score'] }),
  fc.record({ type: fc.constantFrom('csat', 'note', 'created', 'triaged', 'resolution', 'Note', ''), message: replyText, score: fc.integer({ min: 1, max: 5 }), reason: replyText }, { requiredKeys: ['type'] }),
) as fc.Arbitrary<Json>;

/** /run_agent/ bodies: every agent (and unknown ones) with any route's example, text or any JSON as the query. */
export function runAgentBodyArb(queries: Json[]): fc.Arbitrary<Json> {
  return fc.record({
    agent_name: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('triage_agent', 'knowledge_base_agent', 'resolution_agent', 'performance_monitoring_agent') },
      { weight: 1, arbitrary: fc.constantFrom('', 'nope', 'TRIAGE_AGENT', 'guardrail_agent', '__proto__', 'triage_agent ', 'x'.repeat(101)) },
    ),
    query: fc.oneof(fc.constantFrom(...queries), adversarialText, anyJsonBody, monitoringBodyArb),
  }) as fc.Arbitrary<Json>;
}

/** YAML front-matter values: valid, typed, tagged, aliased, escaped, huge. */
const YAML_VALUES = [
  'fuzz-md-1',
  'Pair a scanner',
  '"quoted value"',
  "'single quoted'",
  '123',
  '1e400',
  '-0',
  '.nan',
  '.inf',
  'null',
  '~',
  'true',
  'yes',
  '[]',
  '{}',
  '[a, b]',
  '[kiosk, "", " "]',
  '{a: 1}',
  '!!binary aGVsbG8=',
  '!!str 42',
  '!!int "x"',
  '!!float .inf',
  '!!set {a, b}',
  '!!omap [a: 1]',
  '!!js/function "f(){}"',
  '!unknown tag',
  '&a [*a]',
  '*undefined_alias',
  '"\\0"',
  '"nul \\0 here"',
  '"\\ud800"',
  '"\\x00"',
  '"\\U0001F600"',
  '"line\\nbreak"',
  '|\n  block\n  text',
  '>-\n  folded\n  text',
  '2026-01-01',
  '2026-01-01T00:00:00Z',
  '0000-01-01',
  '9999-12-31T23:59:60Z',
  '"a very long title ' + 'a'.repeat(400) + '"',
  '[' + '['.repeat(200) + ']'.repeat(200) + ']',
  '{a: {b: {c: {d: {e: {f: 1}}}}}}',
  '? complex',
  '"unterminated',
  'a: b: c',
  '\ttab',
  '😀 emoji',
  '__proto__',
  '{__proto__: {polluted: true}}',
  '{toString: 1}',
  '[{toString: 1}]',
  '[{valueOf: {}}]',
];
const YAML_KEYS = ['id', 'title', 'category', 'tags', 'updated_at', 'body', '__proto__', 'constructor', 'extra', '<<'];

/** Exponential alias expansion ("billion laughs"), up to `levels` levels of nine references each. */
function billionLaughs(levels: number, key: string): string {
  const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= levels; i++) lines.push(`l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n${key}: *l${levels}`;
}

/** The content of a Markdown file with YAML front matter, well formed or not. */
export const markdownContentArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        id: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }).map((n) => `fuzz-md-${n}`) }, { weight: 1, arbitrary: fc.constantFrom(...YAML_VALUES) }),
        title: fc.oneof({ weight: 3, arbitrary: fc.constant('Pair a barcode scanner') }, { weight: 1, arbitrary: fc.constantFrom(...YAML_VALUES) }),
        category: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('general', 'billing') }, { weight: 1, arbitrary: fc.constantFrom(...YAML_VALUES) }),
        tags: fc.oneof({ weight: 2, arbitrary: fc.constant('[kiosk]') }, { weight: 1, arbitrary: fc.constantFrom(...YAML_VALUES) }),
        updated_at: fc.option(fc.oneof(fc.constantFrom(...YAML_VALUES), timestampArb)),
        extra: fc.array(fc.tuple(fc.constantFrom(...YAML_KEYS), fc.constantFrom(...YAML_VALUES)), { maxLength: 2 }),
        body: fc.oneof(fc.constant('Open Settings → Devices and press Pair.'), adversarialText.map((s) => s.slice(0, 2_000)), fc.constantFrom('', ' ', '---', '\u0000')),
        newline: fc.constantFrom('\n', '\r\n'),
      })
      .map(({ id, title, category, tags, updated_at, extra, body, newline }) =>
        [
          '---',
          `id: ${id}`,
          `title: ${title}`,
          `category: ${category}`,
          `tags: ${tags}`,
          ...(updated_at === null ? [] : [`updated_at: ${updated_at}`]),
          ...extra.map(([k, v]) => `${k}: ${v}`),
          '---',
          body,
        ].join(newline),
      ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 2, max: 9 }), fc.constantFrom('tags', 'title', 'id'))
      .map(([levels, key]) => `---\nid: fuzz-md-laughs\ntitle: T\ncategory: general\n${billionLaughs(levels, key)}\n---\nBody.`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(1_000, 10_000, 60_000), fc.constantFrom('[', '{a: ', '- '))
      .map(([depth, open]) => {
        const close = open === '[' ? ']' : open === '{a: ' ? '}' : '';
        const nested = open === '- ' ? Array.from({ length: Math.min(depth, 2_000) }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n') + 'x' : `${open.repeat(depth)}x${close.repeat(depth)}`;
        return `---\nid: fuzz-md-deep\ntitle: T\ncategory: general\ntags: ${nested}\n---\nBody.`;
      }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'no front matter',
      '---\n---\n',
      '---\nid: fuzz-md-x\n',
      '---\r\nid: fuzz-md-x\r\ntitle: T\r\ncategory: general\r\n---',
      '---\n\tid: fuzz-md-x\n---\nBody',
      '---\nid: [unclosed\n---\nBody',
      '---\n%YAML 1.1\n---\nid: x\n---\nBody',
      '---\n!!map\n---\nBody',
      '---\n- a\n- b\n---\nBody',
      '---\n"just a string"\n---\nBody',
      '---\n42\n---\nBody',
      '---\nnull\n---\nBody',
      '\ufeff---\nid: fuzz-md-bom\ntitle: T\ncategory: general\n---\nBody',
      '---\n' + 'k: v\n'.repeat(5_000) + '---\nBody',
      '---\n' + 'a'.repeat(100_000) + '\n---\nBody',
    ),
  },
);

/** POST /knowledge-base/import bodies built around fuzzed Markdown files. */
export const importBodyArb: fc.Arbitrary<Json> = fc.record(
  {
    markdown: fc.array(fc.record({ name: fc.constantFrom('a.md', '../../etc/passwd', '', 'x'.repeat(256), '😀.md'), content: markdownContentArb }, { requiredKeys: ['content'] }), { minLength: 1, maxLength: 3 }),
    on_existing: mostly(['update', 'skip', 'fail'], wrongType),
  },
  { requiredKeys: ['markdown'] },
) as fc.Arbitrary<Json>;

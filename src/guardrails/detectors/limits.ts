/**
 * Text sanity limits: empty or whitespace-only text, length, control characters, bidi overrides
 * ("Trojan source"), hidden zero-width/format characters, garbled text (replacement or
 * private-use characters) and filler repetition. Any script customers write in passes: Chinese,
 * Arabic (with its marks), Hindi (with ZWJ/ZWNJ), Cyrillic, emoji ZWJ sequences, flags and
 * skin tones. One linear pass per check.
 */
import type { Finding, Verdict } from './types.js';

export interface TextLimitsOptions {
  /** Longest accepted text, in characters (Unicode code points). */
  maxChars: number;
}

const DETECTOR = 'text_limits';

/** Deciding order when several checks fail. */
export const TEXT_LIMIT_REASONS = [
  'empty_text',
  'too_long',
  'bidi_override',
  'control_characters',
  'garbled_text',
  'invisible_characters',
  'repetition',
] as const;
export type TextLimitReason = (typeof TEXT_LIMIT_REASONS)[number];

/** At most this many findings per reason: evidence, not an inventory. */
const MAX_FINDINGS_PER_REASON = 10;

/** White space and characters that show nothing (zero-width, word joiner, BOM, Hangul fillers). */
// eslint-disable-next-line no-misleading-character-class -- a set of single code points (escapes), never combined
const BLANK = /^[\s\u180e\u200b-\u200d\u2060-\u2064\ufeff\u3164\u115f\u1160\uffa0\u034f]*$/u;
/** C0 and C1 controls, except tab, line feed, vertical tab, form feed and carriage return (PDF pastes carry \f and \v). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;
const BIDI_OVERRIDE = /[\u202a-\u202e\u2066-\u2069]/g;
/**
 * Balanced bidi embeddings (LRE/RLE … PDF) and isolates (LRI/RLI/FSI … PDI) are ordinary: Android
 * in right-to-left locales wraps phone numbers in U+202A…U+202C, and names get U+2068…U+2069. A
 * few such pairs, not nested, each closed on its own line, pass.
 */
const MAX_BALANCED_BIDI_PAIRS = 4;
const BIDI_OPENS_EMBEDDING = /[\u202a\u202b]/;
const BIDI_OPENS_ISOLATE = /[\u2066-\u2068]/;
/**
 * Zero-width and format characters that hide text (tag characters: U+E0000–E007F). Not the soft
 * hyphen: text pasted from word processors is full of them.
 */
const INVISIBLE = /[\u034f\u115f\u1160\u180e\u200b-\u200d\u2060-\u2064\u3164\ufeff\uffa0]|\udb40[\udc00-\udc7f]/g;
const GARBLED = /[\ufffd\ue000-\uf8ff]|[\udb80-\udbff][\udc00-\udfff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const PICTO = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\ufe0f\u20e3]/u;
/** Letters and marks of scripts that use ZWJ/ZWNJ in ordinary writing (Arabic, Persian, Indic, …). */
// eslint-disable-next-line no-misleading-character-class -- a set of single code points (escapes), never combined
const JOINING_SCRIPT = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0900-\u0dff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\ua8e0-\ua8ff\ufb50-\ufdff\ufe70-\ufeff]/u;
const TAG_CANCEL = '\udb40\udc7f';
/** Tags (before the cancel tag) a flag sequence may carry: subdivision flags have ≤ 7, Unicode allows a few more. */
const MAX_FLAG_TAGS = 12;
const BLACK_FLAG = '\u{1f3f4}';

/** Code points, not UTF-16 units. */
function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The UTF-16 index where the (count+1)-th code point starts. */
function indexAfterCodePoints(text: string, count: number): number {
  let i = 0;
  for (let n = 0; n < count && i < text.length; n++) i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return i;
}

const previousChar = (text: string, i: number): string => {
  if (i <= 0) return '';
  const c = text.charCodeAt(i - 1);
  return c >= 0xdc00 && c <= 0xdfff && i >= 2 ? text.slice(i - 2, i) : text[i - 1]!;
};
const nextChar = (text: string, i: number): string => String.fromCodePoint(text.codePointAt(i) ?? 32);

/**
 * Is the invisible character at `i` part of legitimate writing? ZWJ/ZWNJ inside emoji
 * sequences or between letters of joining scripts; tag characters inside a flag sequence
 * (🏴 + tags + cancel tag).
 */
function legitimateInvisible(text: string, i: number, ch: string): boolean {
  if (ch === '\u200d' || ch === '\u200c') {
    const before = previousChar(text, i);
    const after = nextChar(text, i + 1);
    if (PICTO.test(before) && PICTO.test(after)) return true;
    if (JOINING_SCRIPT.test(before) || JOINING_SCRIPT.test(after)) return true;
    return false;
  }
  if (ch.length === 2 && ch.charCodeAt(0) === 0xdb40) {
    // Walk back over tags to the flag: at most MAX_FLAG_TAGS of them, so a long run of tags
    // costs a bounded amount per character (linear overall, never quadratic).
    let j = i;
    while (j >= 2 && i - j < 2 * MAX_FLAG_TAGS && text.charCodeAt(j - 2) === 0xdb40) j -= 2;
    if (text.slice(Math.max(0, j - 2), j) !== BLACK_FLAG) return false;
    // The cancel tag must close the sequence within the same bounded window.
    const end = text.slice(j, j + 2 * (MAX_FLAG_TAGS + 1)).indexOf(TAG_CANCEL);
    return end >= 0 && j + end >= i;
  }
  return false;
}

/**
 * True when every bidi control in the text belongs to one of a few balanced, unnested pairs
 * (embedding closed by PDF, isolate closed by PDI, on the same line), and there are no overrides
 * (U+202D, U+202E). Also true when there are none at all.
 */
function balancedBidi(text: string): boolean {
  let open: 'embedding' | 'isolate' | undefined;
  let pairs = 0;
  for (const m of text.matchAll(/[\u202a-\u202e\u2066-\u2069\n\r\u2029]/g)) {
    const c = m[0];
    if (c === '\n' || c === '\r' || c === '\u2029') {
      if (open) return false; // not closed on its line
      continue;
    }
    if (BIDI_OPENS_EMBEDDING.test(c) || BIDI_OPENS_ISOLATE.test(c)) {
      if (open) return false; // nested
      open = BIDI_OPENS_EMBEDDING.test(c) ? 'embedding' : 'isolate';
    } else if ((c === '\u202c' && open === 'embedding') || (c === '\u2069' && open === 'isolate')) {
      open = undefined;
      if (++pairs > MAX_BALANCED_BIDI_PAIRS) return false;
    } else {
      return false; // an override, or a closer without its opener
    }
  }
  return open === undefined;
}

/** Share of positions where the text repeats itself with a period of 1..32 (≥ 0.9 means filler). */
function periodicShare(text: string): number {
  const cps = Array.from(text);
  const n = cps.length;
  let best = 0;
  for (let p = 1; p <= 32 && p < n / 4; p++) {
    let same = 0;
    for (let i = 0; i + p < n; i++) if (cps[i] === cps[i + p]) same++;
    best = Math.max(best, same / (n - p));
  }
  return best;
}

/** One token (or character) filling most of a long text. */
function repetition(text: string): Finding | undefined {
  const trimmed = text.trim();
  const n = codePointLength(trimmed);
  if (n < 200) return undefined;
  const start = text.indexOf(trimmed);
  const span = { start, end: start + trimmed.length };
  // One token repeated: "spam spam spam …", "!!!!!!!!"
  const tokens = trimmed.split(/\s+/u);
  if (tokens.length >= 30) {
    const counts = new Map<string, number>();
    let top = 0;
    for (const t of tokens) {
      const c = (counts.get(t) ?? 0) + 1;
      counts.set(t, c);
      if (c > top) top = c;
    }
    if (top / tokens.length > 0.7) return { detector: DETECTOR, reason: 'repetition', ...span };
  }
  // One character, or a short pattern without spaces ("aaaa…", "abcabcabc…", "help me help me …")
  if (periodicShare(trimmed.length > 20_000 ? trimmed.slice(0, 20_000) : trimmed) >= 0.9) return { detector: DETECTOR, reason: 'repetition', ...span };
  return undefined;
}

/** Checks `text` against the limits; `reason` is the first failing check in TEXT_LIMIT_REASONS order. */
export function checkTextLimits(text: string, options: TextLimitsOptions): Verdict {
  const findings: Finding[] = [];
  const add = (reason: TextLimitReason, start: number, end: number) => findings.push({ detector: DETECTOR, reason, start, end });

  if (BLANK.test(text)) {
    add('empty_text', 0, text.length);
    return verdict(findings);
  }
  if (text.length > options.maxChars) {
    const cps = codePointLength(text);
    if (cps > options.maxChars) add('too_long', indexAfterCodePoints(text, options.maxChars), text.length);
  }
  const collect = (re: RegExp, reason: TextLimitReason, keep: (m: RegExpMatchArray) => boolean = () => true): number => {
    let count = 0;
    for (const m of text.matchAll(re)) {
      if (!keep(m)) continue;
      if (count < MAX_FINDINGS_PER_REASON) add(reason, m.index!, m.index! + m[0].length);
      count++;
    }
    return count;
  };
  if (!balancedBidi(text)) collect(BIDI_OVERRIDE, 'bidi_override');
  collect(CONTROL, 'control_characters');

  // Garbled: mostly replacement or private-use characters (of the non-space characters).
  const garbledFindings = findings.length;
  const garbled = collect(GARBLED, 'garbled_text');
  const visible = codePointLength(text.replace(/\s+/gu, ''));
  if (!(garbled >= 3 && garbled / visible >= 0.3)) findings.length = garbledFindings;

  // Invisible: more than a handful, and more than 1 % of the text.
  const invisibleFindings = findings.length;
  const invisible = collect(INVISIBLE, 'invisible_characters', (m) => !legitimateInvisible(text, m.index!, m[0]));
  if (!(invisible > 3 && invisible / codePointLength(text) > 0.01)) findings.length = invisibleFindings;

  const rep = repetition(text);
  if (rep) findings.push(rep);
  return verdict(findings);
}

function verdict(findings: Finding[]): Verdict {
  if (!findings.length) return { detector: DETECTOR, tripped: false, findings };
  const reason = TEXT_LIMIT_REASONS.find((r) => findings.some((f) => f.reason === r))!;
  return { detector: DETECTOR, tripped: true, reason, findings: findings.sort((a, b) => a.start - b.start) };
}

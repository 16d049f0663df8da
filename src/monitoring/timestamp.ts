/** ISO-8601 date, or date-time with an explicit offset (a bare local time would be ambiguous). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

export function isTimestamp(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO.test(value) || Number.isNaN(Date.parse(value))) return false;
  // Date.parse rolls 2026-02-30 over to March 2; the calendar date must exist as written.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

export const TIMESTAMP_MESSAGE = 'must be an ISO-8601 date (2026-11-25) or date-time with an offset (2026-11-25T09:30:00Z)';

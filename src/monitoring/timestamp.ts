/** ISO-8601 date, or date-time with an explicit offset (a bare local time would be ambiguous). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

export function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && ISO.test(value) && !Number.isNaN(Date.parse(value));
}

export const TIMESTAMP_MESSAGE = 'must be an ISO-8601 date-time with offset, e.g. 2026-11-25T09:30:00Z';

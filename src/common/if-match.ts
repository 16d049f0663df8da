import { ProblemException } from './problem-details.js';

/** `If-Match: "3"`, `W/"3"` or `3` → 3; anything else is a 400 naming the header. */
export function parseIfMatch(value: string | undefined, what = 'the version'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!m) throw ProblemException.validation([{ path: 'headers.if-match', message: `must be ${what}, e.g. "3"` }]);
  return Number(m[1]);
}

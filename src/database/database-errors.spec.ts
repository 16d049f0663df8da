import { DrizzleQueryError } from 'drizzle-orm/errors';
import { isDatabaseError } from './database-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseError', () => {
  it('recognises failed queries, lost connections and server states', () => {
    expect(isDatabaseError(new DrizzleQueryError('select 1', [], new Error('boom')))).toBe(true);
    expect(isDatabaseError(withCode('ECONNREFUSED'))).toBe(true);
    expect(isDatabaseError(withCode('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isDatabaseError(withCode('53300', 'too many connections'))).toBe(true);
    expect(isDatabaseError(withCode('40001', 'could not serialize access'))).toBe(true);
    expect(isDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseError(new Error('x', { cause: new Error('PGlite is closed') }))).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(isDatabaseError(new Error('undefined is not a function'))).toBe(false);
    expect(isDatabaseError(withCode('ERR_INVALID_ARG_TYPE'))).toBe(false);
    expect(isDatabaseError(undefined)).toBe(false);
    expect(isDatabaseError('ECONNREFUSED')).toBe(false);
  });

  it('follows a cause chain only so deep (no loop on a cyclic cause)', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(isDatabaseError(a)).toBe(false);
  });
});

import { DrizzleQueryError } from 'drizzle-orm/errors';
import { isConnectionError, isDatabaseError, rootMessage } from './database-errors.js';

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

describe('isConnectionError and rootMessage (start-up retries)', () => {
  it('retries only an unreachable database, not a failing migration', () => {
    const refused = new DrizzleQueryError('create schema', [], withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'));
    expect(isConnectionError(refused)).toBe(true);
    expect(isConnectionError(withCode('57P03', 'the database system is starting up'))).toBe(true);
    expect(isConnectionError(withCode('08006'))).toBe(true);
    expect(isConnectionError(new DrizzleQueryError('create table', [], withCode('42P07', 'relation "tickets" already exists')))).toBe(false);
    expect(isConnectionError(withCode('28P01', 'password authentication failed'))).toBe(false);
  });

  it('names the innermost cause in one line, without the SQL', () => {
    const err = new DrizzleQueryError('CREATE TABLE "tickets" (\n  "id" text\n)', [], withCode('42P07', 'relation "tickets" already exists'));
    expect(rootMessage(err)).toBe('relation "tickets" already exists');
    expect(rootMessage(new Error('first line\nsecond'))).toBe('first line');
    // Our own errors already say it best; their cause is detail.
    expect(rootMessage(new Error('DATA_DIR x is in use by process 7', { cause: new Error('EEXIST') }))).toBe('DATA_DIR x is in use by process 7');
  });
});

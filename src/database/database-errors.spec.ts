import { DrizzleQueryError } from 'drizzle-orm/errors';
import { classifyDatabaseError, isConnectionError, isDatabaseError, isDatabaseUnavailable, rootMessage } from './database-errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyDatabaseError', () => {
  const query = (cause: Error) => new DrizzleQueryError('select $1', ['customer text'], cause);

  it('unavailable (503, retry later): lost connections, shutdown, overload, serialization, a closed store', () => {
    for (const err of [
      query(withCode('ECONNREFUSED')),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('53300', 'too many connections'),
      query(withCode('40001', 'could not serialize access')),
      query(withCode('40P01', 'deadlock detected')),
      new Error('Connection terminated unexpectedly'),
      new Error('x', { cause: new Error('PGlite is closed') }),
      query(new Error('Cannot use a pool after calling end on the pool')),
      // the pool had no free connection in time: raw from a transaction, wrapped from a query
      new Error('timeout exceeded when trying to connect'),
      query(new Error('timeout exceeded when trying to connect')),
      query(withCode('57014', 'canceling statement due to statement timeout')),
    ]) {
      expect([err.message, classifyDatabaseError(err)]).toEqual([err.message, 'unavailable']);
    }
  });

  it('rejected input (400): values the column cannot hold, rows too big', () => {
    expect(classifyDatabaseError(query(withCode('22021', 'invalid byte sequence for encoding "UTF8": 0x00')))).toBe('rejected-input');
    expect(classifyDatabaseError(query(withCode('22008', 'date/time field value out of range')))).toBe('rejected-input');
    expect(classifyDatabaseError(query(withCode('54000', 'index row size exceeds maximum')))).toBe('rejected-input');
  });

  it('other database errors are bugs (500), never an outage', () => {
    expect(classifyDatabaseError(query(withCode('42P01', 'relation "x" does not exist')))).toBe('other');
    expect(classifyDatabaseError(query(withCode('23505', 'duplicate key')))).toBe('other');
    expect(classifyDatabaseError(query(new Error('boom')))).toBe('other');
    expect(isDatabaseUnavailable(query(withCode('42P01', 'x')))).toBe(false);
    expect(isDatabaseError(query(withCode('42P01', 'x')))).toBe(true);
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

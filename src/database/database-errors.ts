import { DrizzleQueryError } from 'drizzle-orm/errors';

/** Node socket errors that mean "the database is not reachable right now". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
// "timeout exceeded when trying to connect": node-postgres' pool had no free connection in time (overload).
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|PGlite is closed/i;
/**
 * SQLSTATE classes worth retrying: connection (08), resources (53), operator intervention /
 * shutdown (57P), statement timeout / cancelled (57014), serialization failure and deadlock
 * (40001, 40P01), lock not available (55P03), system error (58).
 */
const TRANSIENT_SQLSTATE = /^(08|53|57P|57014|40001|40P01|55P03|58)/;
/** Data exceptions (22: a value the column cannot hold) and program limits (54: e.g. an index row too big). */
const REJECTED_INPUT_SQLSTATE = /^(22|54)/;

export type DatabaseFailure =
  /** unreachable, shutting down, overloaded, a transaction to repeat: 503 + Retry-After */
  | 'unavailable'
  /** a value the database refused (it slipped past validation): 400 */
  | 'rejected-input'
  /** anything else from the database: a bug, 500 */
  | 'other';

/** What kind of database failure `err` is, or undefined when it is not one. */
export function classifyDatabaseError(err: unknown): DatabaseFailure | undefined {
  let fromDatabase = false;
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DrizzleQueryError) fromDatabase = true;
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || TRANSIENT_SQLSTATE.test(code))) return 'unavailable';
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return 'unavailable';
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return REJECTED_INPUT_SQLSTATE.test(code) ? 'rejected-input' : 'other';
    if (name === 'DatabaseError') fromDatabase = true;
  }
  return fromDatabase ? 'other' : undefined;
}

/** Any failure of or in the database (see classifyDatabaseError). */
export function isDatabaseError(err: unknown): boolean {
  return classifyDatabaseError(err) !== undefined;
}

/** The database itself is failing (not this query's input or our SQL): worth retrying later. */
export function isDatabaseUnavailable(err: unknown): boolean {
  return classifyDatabaseError(err) === 'unavailable';
}

/** The database could not be reached at all (worth retrying a connection at start-up). */
export function isConnectionError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || code === '57P03')) return true;
    if (typeof message === 'string' && /Connection terminated|connection timeout/i.test(message)) return true;
  }
  return false;
}

/** What went wrong, in one line: through Drizzle's wrapper (whose message is the SQL) to the driver's error. */
export function rootMessage(err: unknown): string {
  let e = err;
  while (e instanceof DrizzleQueryError && e.cause) e = e.cause;
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0]!;
}

import { DrizzleQueryError } from 'drizzle-orm/errors';

/** Node socket errors that mean "the database is not reachable right now". */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end|PGlite is closed/i;

/**
 * True for failures of the database itself (unreachable, shutting down, out of resources, a
 * query the driver rejected): the HTTP layer answers those with 503 and Retry-After, never 500.
 * Expected conflicts (unique keys) are handled where they happen and never reach this.
 */
export function isDatabaseError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DrizzleQueryError) return true;
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^(08|53|57P|40)/.test(code))) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    if (name === 'DatabaseError') return true;
  }
  return false;
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

import { ConsoleLogger } from '@nestjs/common';
import { redactDeep, redactPii } from './detectors/index.js';

/** Every kind, whatever GUARDRAIL_PII_KINDS says: a log line is never the place for personal data. */
function redactLine(message: unknown): unknown {
  if (typeof message === 'string') return redactPii(message).text;
  if (message instanceof Error) return redactPii(message.stack ?? message.message).text;
  // An object logged as JSON: its strings, whatever the key.
  if (message !== null && typeof message === 'object') return redactDeep(message);
  return message;
}

function redactExtras(rest: unknown[]): unknown[] {
  const context = typeof rest.at(-1) === 'string' ? rest.length - 1 : -1;
  return rest.map((arg, i) => (i === context ? arg : redactLine(arg)));
}

/**
 * The application logger: Nest's console logger with personal data and secrets replaced by
 * placeholders in every message (an error message may quote customer text or a pasted key).
 */
export class RedactingLogger extends ConsoleLogger {
  // Extra arguments are redacted too, except the last string one of log/warn/debug/verbose,
  // which Nest reads as the context name (e.g. 'Tickets').
  override log(message: unknown, ...rest: unknown[]): void {
    super.log(redactLine(message), ...redactExtras(rest));
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    super.warn(redactLine(message), ...redactExtras(rest));
  }
  override error(message: unknown, ...rest: unknown[]): void {
    // The second argument of error() may be a stack trace.
    super.error(redactLine(message), ...rest.map(redactLine));
  }
  override debug(message: unknown, ...rest: unknown[]): void {
    super.debug(redactLine(message), ...redactExtras(rest));
  }
  override verbose(message: unknown, ...rest: unknown[]): void {
    super.verbose(redactLine(message), ...redactExtras(rest));
  }
  override fatal(message: unknown, ...rest: unknown[]): void {
    super.fatal(redactLine(message), ...rest.map(redactLine));
  }
}

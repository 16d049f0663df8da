import { ConsoleLogger } from '@nestjs/common';
import { inspect } from 'node:util';
import { redactPii } from './detectors/index.js';

/** Every kind, whatever GUARDRAIL_PII_KINDS says: a log line is never the place for personal data. */
function redactLine(message: unknown): unknown {
  if (typeof message === 'string') return redactPii(message).text;
  if (message instanceof Error) return redactPii(message.stack ?? message.message).text;
  // Any other object: printed as util.inspect would (depth-limited, cycles marked), then redacted.
  if (message !== null && typeof message === 'object') return redactPii(inspect(message, { depth: 6, breakLength: Infinity })).text;
  return message;
}

/** Extra arguments, the context name included (a context name holds no personal data, so it comes out as it went in). */
function redactExtras(rest: unknown[]): unknown[] {
  return rest.map(redactLine);
}

/**
 * The application logger: Nest's console logger with personal data and secrets replaced by
 * placeholders in every message (an error message may quote customer text or a pasted key).
 */
export class RedactingLogger extends ConsoleLogger {
  // Extra arguments are redacted too (Nest reads the last string one as the context name).
  override log(message: unknown, ...rest: unknown[]): void {
    super.log(redactLine(message), ...redactExtras(rest));
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    super.warn(redactLine(message), ...redactExtras(rest));
  }
  override error(message: unknown, ...rest: unknown[]): void {
    // The second argument of error() may be a stack trace.
    super.error(redactLine(message), ...redactExtras(rest));
  }
  override debug(message: unknown, ...rest: unknown[]): void {
    super.debug(redactLine(message), ...redactExtras(rest));
  }
  override verbose(message: unknown, ...rest: unknown[]): void {
    super.verbose(redactLine(message), ...redactExtras(rest));
  }
  override fatal(message: unknown, ...rest: unknown[]): void {
    super.fatal(redactLine(message), ...redactExtras(rest));
  }
}

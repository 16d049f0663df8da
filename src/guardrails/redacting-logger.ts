import { ConsoleLogger } from '@nestjs/common';
import { redactPii } from './detectors/index.js';

/** Every kind, whatever GUARDRAIL_PII_KINDS says: a log line is never the place for personal data. */
function redactLine(message: unknown): unknown {
  if (typeof message === 'string') return redactPii(message).text;
  if (message instanceof Error) return redactPii(message.stack ?? message.message).text;
  return message;
}

/**
 * The application logger: Nest's console logger with personal data and secrets replaced by
 * placeholders in every message (an error message may quote customer text or a pasted key).
 */
export class RedactingLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    super.log(redactLine(message), ...rest);
  }
  override warn(message: unknown, ...rest: unknown[]): void {
    super.warn(redactLine(message), ...rest);
  }
  override error(message: unknown, ...rest: unknown[]): void {
    // The second argument of error() may be a stack trace.
    super.error(redactLine(message), ...rest.map(redactLine));
  }
  override debug(message: unknown, ...rest: unknown[]): void {
    super.debug(redactLine(message), ...rest);
  }
  override verbose(message: unknown, ...rest: unknown[]): void {
    super.verbose(redactLine(message), ...rest);
  }
  override fatal(message: unknown, ...rest: unknown[]): void {
    super.fatal(redactLine(message), ...rest.map(redactLine));
  }
}

import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';
import { envSchema } from '../config/configuration.js';
import { createLogger, NEST_TO_PINO } from '../observability/logging.js';
import { redactPii } from './detectors/index.js';

/** Nest's own start-up chatter (a line per module and per route): debug, so info shows what the service says. */
const FRAMEWORK_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication', 'NestMicroservice']);

/** Fields pino and this logger write on every line: a logged object cannot replace them. */
const LINE_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'context', 'stack', 'params', 'err', 'data']);

/** A stack trace as Nest's exception handlers pass it to error(message, stack, context). */
const STACK = /\n\s+at /;

/**
 * The application logger (main.ts, the worker): Nest's logger interface over the pino logger of
 * src/observability/logging.ts, which writes one JSON line per call with personal data and
 * secrets replaced by placeholders in the message and in every field (an error message may quote
 * customer text or a pasted key; docs/security.md), and the request / ticket / trace ids of the
 * work in progress.
 *
 * Nest's calling convention: `log(message, ...params, context)`; the last string is the context
 * name (the class that logs), `error(message, stack, context)` may carry a stack trace.
 */
export class RedactingLogger implements LoggerService {
  private readonly pino: Logger;

  /** Without a logger: one on stdout with LOG_LEVEL and LOG_FORMAT of the environment (a process's boot logger). */
  constructor(pino?: Logger) {
    this.pino = pino ?? createLogger({ level: envSchema.shape.LOG_LEVEL.parse(process.env.LOG_LEVEL), format: envSchema.shape.LOG_FORMAT.parse(process.env.LOG_FORMAT) });
  }

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest.at(-1);
    this.write(typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'log', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  /** Nest's own level list (e.g. `logger: ['error', 'warn']`): the lowest one listed becomes pino's level. */
  setLogLevels(levels: LogLevel[]): void {
    const order: Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
    const lowest = order.find((l) => levels.some((n) => NEST_TO_PINO[n] === l));
    this.pino.level = lowest ?? 'silent';
  }

  private write(nestLevel: keyof typeof NEST_TO_PINO, message: unknown, rest: unknown[]): void {
    const level = NEST_TO_PINO[nestLevel];
    if (!this.pino.isLevelEnabled(level)) return;
    const params = [...rest];
    const fields: Record<string, unknown> = {};
    if (params.length > 0 && typeof params.at(-1) === 'string') fields.context = params.pop();
    if (nestLevel === 'error' && typeof params[0] === 'string' && STACK.test(params[0])) fields.stack = params.shift();
    if (params.length) fields.params = params;
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
    } else if (message !== null && typeof message === 'object' && typeof (message as { msg?: unknown }).msg === 'string') {
      // A structured line (the trace processor's span lines): its fields at the top beside the
      // message, as the docs describe them; fields the line itself owns stay under `data`.
      const { msg, ...rest } = message as Record<string, unknown>;
      const own: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rest)) {
        if (LINE_FIELDS.has(k) || k in fields) own[k] = v;
        // Ids are logged unscanned (observability/logging.ts): scanned here, as they came from a caller.
        else Object.defineProperty(fields, k, { value: typeof v === 'string' ? redactPii(v).text : v, enumerable: true, writable: true, configurable: true });
      }
      if (Object.keys(own).length) fields.data = own;
      this.pino[level](fields, msg as string);
    } else if (message !== null && typeof message === 'object') {
      fields.data = message;
      this.pino[level](fields);
    } else {
      this.pino[level](fields, String(message));
    }
  }
}

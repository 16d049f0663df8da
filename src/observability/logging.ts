import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Level, type LevelWithSilent, type Logger } from 'pino';
import { redactPii } from '../guardrails/detectors/index.js';
import { runContext } from './run-context.js';

/**
 * Structured logs (docs/operations.md, "Logs"): one pino JSON line per event on stdout, with the
 * request id, ticket id and agent trace id of the work it belongs to, and personal data and
 * secrets replaced by placeholders in the message and in every field.
 */
export interface LoggingOptions {
  level: LevelWithSilent;
  /** `json` for log shippers; `text` for a person at a terminal (pino-pretty, one line per event). */
  format: 'json' | 'text';
}

/**
 * Fields that are ids, numbers or labels we produce ourselves (the request line's `url` went
 * through loggableUrl, `key` is the API key's id, never the key): not scanned again. A scan costs
 * tens of microseconds, and a request line would otherwise pay it per field.
 */
const TRUSTED_FIELDS = new Set(['request_id', 'ticket_id', 'trace_id', 'method', 'route', 'url', 'status', 'duration_ms', 'key']);
/** Our own fixed messages: nothing to scan. */
const FIXED_MESSAGES = new Set(['request completed', 'request aborted']);
/** How much of one logged value is kept: a log line is not a data dump. */
const LIMITS = { depth: 6, nodes: 400, chars: 8_000 };

/** A copy of `value` that JSON can hold and a log line can afford: depth, size and cycles bounded. */
export function toLoggable(value: unknown): unknown {
  let nodes = 0;
  const ancestors: object[] = [];
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return v.length > LIMITS.chars ? `${v.slice(0, LIMITS.chars)}… (${v.length - LIMITS.chars} more chars)` : v;
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'function' || typeof v === 'symbol' || v === undefined) return undefined;
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return `[binary, ${(v as ArrayBufferView).byteLength} bytes]`;
    if (ancestors.includes(v)) return '[Circular]';
    if (depth >= LIMITS.depth || ++nodes > LIMITS.nodes) return Array.isArray(v) ? '[Array]' : '[Object]';
    ancestors.push(v);
    try {
      if (v instanceof Error) {
        const { code, cause } = v as Error & { code?: unknown };
        const out: Record<string, unknown> = { type: v.name, message: walk(v.message, depth + 1), stack: walk(v.stack, depth + 1) };
        if (code !== undefined) out.code = walk(code, depth + 1);
        if (cause !== undefined) out.cause = walk(cause, depth + 1);
        return out;
      }
      if (Array.isArray(v)) return v.slice(0, 50).map((item) => walk(item, depth + 1) ?? null);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const w = walk(item, depth + 1);
        // defineProperty: a "__proto__" key stays a plain key.
        if (w !== undefined) Object.defineProperty(out, k, { value: w, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      ancestors.pop();
    }
  };
  return walk(value, 0);
}

/** Every string in a loggable value with personal data and secrets replaced (every kind, whatever GUARDRAIL_PII_KINDS says). */
function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactPii(value).text;
  if (Array.isArray(value)) return value.map(redactStrings);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: redactStrings(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

/** The fields of one log line made safe: bounded, JSON-able, redacted (ids we generated pass as they are). */
export function redactLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const safe = TRUSTED_FIELDS.has(k) && (typeof v === 'string' || typeof v === 'number') ? v : redactStrings(toLoggable(v));
    if (safe !== undefined) Object.defineProperty(out, k, { value: safe, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The run context's ids, on every line logged inside a request, a ticket run or an agent trace. */
function contextFields(): Record<string, string> {
  const c = runContext();
  if (!c) return {};
  const out: Record<string, string> = {};
  if (c.requestId) out.request_id = c.requestId;
  if (c.ticketId) out.ticket_id = c.ticketId;
  if (c.traceId) out.trace_id = c.traceId;
  return out;
}

let stdout: DestinationStream | undefined;
/** One synchronous stdout writer per process, shared by every logger (lines never interleave, nothing is lost at exit). */
function stdoutDestination(): DestinationStream {
  stdout ??= pino.destination({ fd: 1, sync: true });
  return stdout;
}

const require = createRequire(import.meta.url);

/**
 * The process's pino logger. `destination` defaults to stdout; tests pass a stream to read the lines.
 * LOG_FORMAT=text loads pino-pretty (only then) and writes one readable line per event.
 */
export function createLogger(options: LoggingOptions, destination?: DestinationStream): Logger {
  let stream = destination ?? stdoutDestination();
  if (options.format === 'text') {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    stream = pretty({
      destination: stream,
      sync: true,
      colorize: destination === undefined && Boolean(process.stdout.isTTY),
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      singleLine: true,
      messageFormat: '{if context}[{context}] {end}{msg}',
    });
  }
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      // Level names ("info"), not numbers: what people and log shippers filter on.
      formatters: { level: (label) => ({ level: label }), log: redactLogFields },
      // Errors are already plain and redacted by redactLogFields (type, message, stack, code, cause).
      serializers: { err: (e: unknown) => e },
      mixin: contextFields,
      hooks: {
        // The message and its interpolation arguments, redacted like the fields.
        logMethod(args, method) {
          const safe = args.map((a, i) => (typeof a === 'string' ? (FIXED_MESSAGES.has(a) ? a : redactPii(a).text) : i === 0 ? a : redactStrings(toLoggable(a))));
          return method.apply(this, safe as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
}

/** Nest's log levels in pino's names (verbose is pino's trace). */
export const NEST_TO_PINO: Record<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal', Level> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

/** At most 128 characters of letters, digits and `._~:+/=@-`: UUIDs, ULIDs, hex, base64 and W3C/AWS trace ids fit. */
const REQUEST_ID = /^[A-Za-z0-9._~:+/=@-]{1,128}$/;

/**
 * The incoming `X-Request-Id` when it is sane (one value, bounded length, no spaces or control
 * characters, no personal data or secret: it goes unscanned into every log line of the request
 * and into a response header); otherwise a new UUID. A bad header is replaced, not refused: a
 * correlation id is no reason to fail a request.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) && redactPii(header).findings.length === 0 ? header : randomUUID();
}

/** Query parameters whose values are credentials, whatever their content. */
const SECRET_PARAM = /^(api[-_]?key|key|token|access[-_]?token|id[-_]?token|refresh[-_]?token|secret|client[-_]?secret|password|passwd|pwd|signature|sig|auth|authorization|code|session)$/i;
const MAX_URL = 2_048;

/**
 * The request URL as logged: credentials in the query replaced, personal data in the path and
 * query redacted (also when percent-encoded; the URL is then logged decoded), at most 2 KB (the
 * route template is logged beside it for grouping). One scan for the whole URL.
 */
export function loggableUrl(url: string): string {
  const cut = url.length > MAX_URL ? url.slice(0, MAX_URL) : url;
  const more = url.length > MAX_URL ? '…' : '';
  const q = cut.indexOf('?');
  let masked = cut;
  if (q !== -1) {
    const query = cut
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1) return pair;
        const key = pair.slice(0, eq);
        let name = key;
        try {
          name = decodeURIComponent(key);
        } catch {
          // a malformed escape: judge the raw key
        }
        return SECRET_PARAM.test(name) ? `${key}=[REDACTED]` : pair;
      });
    masked = `${cut.slice(0, q)}?${query.join('&')}`;
  }
  let decoded = masked;
  try {
    decoded = decodeURIComponent(masked.replace(/\+/g, ' '));
  } catch {
    // a malformed escape somewhere: judge the raw text
  }
  const redacted = redactPii(decoded).text;
  return (redacted === decoded ? masked : redacted) + more;
}

import { randomUUID } from 'node:crypto';
import type { INestApplicationContext, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { problemOf } from '../common/problem-details.filter.js';
import { ProblemException, problem, type ProblemDetails } from '../common/problem-details.js';
import { withRunContext } from '../observability/run-context.js';
import { MESSAGE_PATTERNS, type MessagePattern } from './message-patterns.js';
import { RouteMirror } from './route-mirror.js';

/** A request id a client may pass on (`x-request-id`); anything else is replaced by a fresh UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Header names and values that travel with a message (NATS headers, TCP packet metadata). */
const MAX_HEADERS = 50;
const MAX_HEADER_CHARS = 8_192;

/**
 * Runs microservice messages as the HTTP routes they mirror and turns every failure into the
 * route's RFC 9457 problem details, carried by an RpcException to the client. Independent of
 * the transport: the servers in transports.ts hand it a pattern, a payload and headers.
 */
export class MessageDispatcher {
  private readonly routes: Map<string, { route: RouteMirror; spec: MessagePattern }>;
  private inFlight = 0;
  private closing = false;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    app: INestApplicationContext,
    private readonly logger: Logger,
  ) {
    this.routes = new Map(MESSAGE_PATTERNS.map((spec) => [spec.pattern, { spec, route: RouteMirror.create(app, spec.controller, spec.method) }]));
  }

  get patterns(): string[] {
    return [...this.routes.keys()];
  }

  /** The reply body, or throws an RpcException carrying the problem details (never anything else). */
  async dispatch(pattern: string, body: unknown, headers: Record<string, string>): Promise<unknown> {
    const requestId = headers['x-request-id'] && REQUEST_ID.test(headers['x-request-id']) ? headers['x-request-id'] : randomUUID();
    this.inFlight++;
    try {
      return await withRunContext({ requestId }, async () => {
        if (this.closing) {
          // Shutting down: the client retries on another instance (NATS has already stopped sending here).
          throw new ProblemException(problem(503, 'shutting-down', 'This instance is shutting down; send the message again.'), { 'Retry-After': '1' });
        }
        const entry = this.routes.get(pattern);
        if (!entry) {
          throw new ProblemException(
            problem(404, 'unknown-pattern', `No message pattern "${pattern.slice(0, 100)}". Known patterns: ${this.patterns.join(', ')}.`, { patterns: this.patterns }),
          );
        }
        const reply = await entry.route.run({ body, headers, query: entry.spec.query?.(headers) ?? {} });
        return reply.body;
      });
    } catch (err) {
      throw new RpcException(this.toProblem(err, requestId));
    } finally {
      if (--this.inFlight === 0) this.idleWaiters.forEach((wake) => wake());
    }
  }

  /** The problem an HTTP client would get, with `Retry-After` as a `retry_after` member (seconds). */
  toProblem(err: unknown, requestId?: string): ProblemDetails {
    const { body, headers } = problemOf(err, this.logger);
    const retryAfter = Number(headers['Retry-After']);
    return {
      ...body,
      ...(Number.isFinite(retryAfter) && headers['Retry-After'] !== undefined ? { retry_after: retryAfter } : {}),
      ...(requestId ? { request_id: requestId } : {}),
    };
  }

  /** Refuses new messages (503) and waits for the ones being run, at most `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.inFlight === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let wake!: () => void;
    const idle = new Promise<void>((resolve) => {
      wake = resolve;
      this.idleWaiters.add(wake);
    });
    try {
      await Promise.race([idle, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    } finally {
      clearTimeout(timer);
      this.idleWaiters.delete(wake);
    }
    if (this.inFlight > 0) this.logger.warn(`Closed with ${this.inFlight} message(s) still running after ${graceMs} ms; their clients get no reply.`);
  }
}

/** Message headers as Node gives HTTP headers: lower-case names, string values, bounded. */
export function normalizeHeaders(entries: Iterable<[string, unknown]>): Record<string, string> {
  // No prototype: a header named __proto__ is just a header.
  const out = Object.create(null) as Record<string, string>;
  let count = 0;
  for (const [name, value] of entries) {
    if (typeof name !== 'string' || typeof value !== 'string' || name.length > 256 || value.length > MAX_HEADER_CHARS) continue;
    if (++count > MAX_HEADERS) break;
    out[name.toLowerCase()] = value;
  }
  return out;
}

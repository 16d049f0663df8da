import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { classifyDatabaseError, rootMessage } from '../database/database-errors.js';
import { requestIdOf } from '../observability/logging.middleware.js';
import { ProblemException, problem, type ProblemDetails } from './problem-details.js';

/** Body-parser errors carry `type` and `status`; map them to the right 4xx instead of a 500. */
function bodyParserProblem(err: { type?: string; status?: number; message?: string }): ProblemDetails | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return problem(400, 'malformed-json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return problem(413, 'payload-too-large', 'The request body is larger than the configured BODY_LIMIT.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return problem(415, 'unsupported-media-type', err.message ?? 'Unsupported body encoding.');
    default:
      return undefined;
  }
}

/**
 * The problem details (and headers) of any error: shared by this filter and the microservice
 * transports (src/microservice), so an RPC caller gets the same error as an HTTP one.
 */
export function problemOf(exception: unknown, logger: Pick<Logger, 'error' | 'warn'>): { body: ProblemDetails; headers: Record<string, string> } {
  let body: ProblemDetails;
  let headers: Record<string, string> = {};
  if (exception instanceof ProblemException) {
    body = exception.problem;
    headers = exception.headers;
  } else if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const cause = exception.cause as { type?: string } | undefined;
    const parsed = cause ? bodyParserProblem(cause) : undefined;
    body = parsed ?? problem(status, slugFor(status), messageOf(exception));
  } else if (exception && typeof exception === 'object' && bodyParserProblem(exception)) {
    body = bodyParserProblem(exception)!;
  } else if (classifyDatabaseError(exception) === 'unavailable') {
    // Logged without the query's parameters (they may hold customer text).
    logger.error(`Database unavailable: ${describeDatabaseError(exception)}`);
    body = problem(503, 'database-unavailable', 'The database is unavailable. Try again shortly.');
    headers = { 'Retry-After': '5' };
  } else if (classifyDatabaseError(exception) === 'rejected-input') {
    // A value validation let through and the database refused: the client's input, not an outage.
    logger.warn(`Database rejected a value: ${describeDatabaseError(exception)}`);
    body = problem(400, 'invalid-value', `A value in the request cannot be stored: ${rootMessage(exception)}.`);
  } else if (classifyDatabaseError(exception) === 'other') {
    // A bug in our SQL; Drizzle's message would log the query's parameters (customer text).
    logger.error(`Database error: ${describeDatabaseError(exception)}`);
    body = problem(500, 'internal-error', 'An unexpected error occurred. It has been logged.');
  } else {
    logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    body = problem(500, 'internal-error', 'An unexpected error occurred. It has been logged.');
  }
  return { body, headers };
}

/** One global filter: every error leaves as `application/problem+json`, never with a stack. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { body: mapped, headers } = problemOf(exception, this.logger);
    // The request id (also in X-Request-Id and every log line of the request): what support asks a client for.
    const requestId = requestIdOf(req);
    const body = { ...mapped, instance: req.originalUrl, ...(requestId ? { request_id: requestId } : {}) };
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }
}

function describeDatabaseError(err: unknown): string {
  const causes: string[] = [];
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    // Drizzle's own message repeats the SQL and its parameters; keep the first line only.
    if (typeof message === 'string') causes.push(`${typeof code === 'string' ? `[${code}] ` : ''}${message.split('\n')[0]!.slice(0, 200)}`);
  }
  return causes.join(' ← ');
}

function slugFor(status: number): string {
  return { 404: 'not-found', 405: 'method-not-allowed', 413: 'payload-too-large', 415: 'unsupported-media-type' }[status] ?? `http-${status}`;
}

function messageOf(e: HttpException): string {
  const r = e.getResponse();
  if (typeof r === 'string') return r;
  const m = (r as { message?: unknown }).message;
  return Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : e.message;
}

import type { NextFunction, Request, Response } from 'express';
import type { Level, Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.js';
import { CLIENT_CLOSED, methodLabel, routeLabel } from '../metrics/http-metrics.js';
import { principalOf } from '../auth/principal.js';
import { loggableUrl, requestIdFrom } from './logging.js';
import { withRunContext } from './run-context.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Probes and scrapes come every few seconds: logged at debug while they succeed. */
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/** The level of a request's log line: server errors are errors, the rest is information. */
export function requestLogLevel(route: string, status: number): Level {
  if (status >= 500) return 'error';
  if (status === CLIENT_CLOSED) return 'warn';
  return QUIET_ROUTES.has(route) && status < 400 ? 'debug' : 'info';
}

/** The request id of `req` (set by the middleware below). */
export function requestIdOf(req: object): string | undefined {
  return (req as { id?: string }).id;
}

/**
 * The first middleware of the app (setupApp registers it before the body parser, so refused
 * bodies are counted too): gives the request its id (X-Request-Id when sane, echoed in the
 * response), runs the rest of the request inside that run context (every log line carries it),
 * and when the response is done records `http_request_duration_seconds` and writes one log line
 * (method, route template, redacted URL, status, duration, API key id). Bodies are never logged.
 *
 * One hand-written listener rather than pino-http: the metric needs the same moment and the same
 * route label, and this way a request costs no child logger.
 */
export function requestObservability(logger: Logger, metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = requestIdFrom(req.headers['x-request-id']);
    (req as { id?: string }).id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : CLIENT_CLOSED;
      const route = routeLabel(req);
      const method = methodLabel(req.method);
      metrics.httpDuration.observe({ method, route, status_code: String(status) }, seconds);
      const level = requestLogLevel(route, status);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          request_id: id,
          method,
          route,
          url: loggableUrl(req.originalUrl ?? req.url),
          status,
          duration_ms: Math.round(seconds * 1e5) / 100,
          key: principalOf(req)?.id,
        },
        status === CLIENT_CLOSED ? 'request aborted' : 'request completed',
      );
    };
    res.once('finish', finish);
    res.once('close', finish);
    withRunContext({ requestId: id }, next);
  };
}

import { Controller, Get, Header, HttpCode, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/scopes.js';
import { rootMessage } from '../database/database-errors.js';
import { Database } from '../database/database.js';
import { SkipRateLimit } from '../rate-limit/rate-limit.guard.js';
import { ModelHealth } from './model-health.js';
import { RedisHealth } from './redis-health.js';
import { ShutdownState } from './shutdown-state.js';
import { withTimeout } from '../common/time-limit.js';

/** A database round trip slower than this counts as down: a probe must answer within the LB's timeout. */
const DB_TIMEOUT_MS = 2_000;
const REDIS_TIMEOUT_MS = 1_000;


const READY_EXAMPLE = {
  status: 'ok',
  info: { shutdown: { status: 'up' }, database: { status: 'up', kind: 'postgres', responseTime: 2 }, redis: { status: 'up', responseTime: 1 }, model: { status: 'up', backend: 'offline' } },
  error: {},
  details: { shutdown: { status: 'up' }, database: { status: 'up', kind: 'postgres', responseTime: 2 }, redis: { status: 'up', responseTime: 1 }, model: { status: 'up', backend: 'offline' } },
};
const NOT_READY_EXAMPLE = {
  status: 'error',
  info: { shutdown: { status: 'up' }, model: { status: 'up', backend: 'offline' } },
  error: { database: { status: 'down', kind: 'postgres', message: 'connect ECONNREFUSED 10.0.0.5:5432' } },
  details: { shutdown: { status: 'up' }, database: { status: 'down', kind: 'postgres', message: 'connect ECONNREFUSED 10.0.0.5:5432' }, model: { status: 'up', backend: 'offline' } },
};

/**
 * Probes for load balancers and orchestrators (docs/operations.md, "Health probes"). No API key,
 * never rate limited, never cached. Liveness checks nothing but the process (restarting it would
 * not fix a database outage); readiness checks what a request needs.
 */
@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  private wasReady: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    private readonly database: Database,
    private readonly redis: RedisHealth,
    private readonly model: ModelHealth,
  ) {}

  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process is up and its event loop answers (no dependency is checked)' })
  @ApiOkResponse({ description: 'Alive.', content: { 'application/json': { example: { status: 'ok', info: { process: { status: 'up', uptime_seconds: 3605 } }, error: {}, details: { process: { status: 'up', uptime_seconds: 3605 } } } } } })
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.indicator.check('process').up({ uptime_seconds: Math.round(process.uptime()) })]);
  }

  @Get('ready')
  @HttpCode(200)
  @HealthCheck({ swaggerDocumentation: false })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Readiness: may this instance take traffic?',
    description:
      'Checks that the process is not shutting down, a database round trip (2 s timeout), a Redis PING when REDIS_URL is set (1 s), ' +
      'and the model backend (offline: always; OpenAI: GET /models every 30 s at most, no tokens spent). A model backend that does not ' +
      'answer is reported `degraded` but stays 200: the offline fallback still serves (LLM_FALLBACK), and every instance shares the outage.',
  })
  @ApiOkResponse({ description: 'Ready (status `ok`, or `degraded` when the model provider does not answer).', content: { 'application/json': { example: READY_EXAMPLE } } })
  @ApiServiceUnavailableResponse({ description: 'Not ready: shutting down, or the database / Redis does not answer. `error` names what failed.', content: { 'application/json': { example: NOT_READY_EXAMPLE } } })
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => {
        const draining = this.shutdown.reason;
        return draining ? this.indicator.check('shutdown').down({ message: `shutting down (${draining.reason})`, since: draining.since }) : this.indicator.check('shutdown').up();
      },
      async () => {
        const check = this.indicator.check('database');
        const kind = this.database.kind;
        const started = performance.now();
        try {
          await withTimeout(this.database.ping(), DB_TIMEOUT_MS);
          return check.up({ kind, responseTime: Math.round(performance.now() - started) });
        } catch (err) {
          return check.down({ kind, message: rootMessage(err) });
        }
      },
    ];
    if (this.redis.configured) checks.push(() => this.indicator.check('redis').attempt(() => this.redis.ping()).withTimeout(REDIS_TIMEOUT_MS));
    checks.push(async () => {
      const check = this.indicator.check('model');
      if (this.model.backend === 'offline') return check.up({ backend: 'offline' });
      const probe = await this.model.probe();
      return probe.ok ? check.up({ backend: 'openai', checked_at: probe.checked_at }) : check.degraded({ backend: 'openai', checked_at: probe.checked_at, message: probe.message! });
    });
    let result: HealthCheckResult;
    try {
      result = await this.health.check(checks);
    } catch (err) {
      // Terminus' own body (status, info, error, details), not a problem document: it is what probes and people read.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      result = err.getResponse() as HealthCheckResult;
      res.status(503);
    }
    this.logTransition(result);
    return result;
  }

  /** One log line when readiness changes, not one per probe. */
  private logTransition(result: HealthCheckResult): void {
    const ready = result.status !== 'error';
    if (ready === this.wasReady) return;
    const first = this.wasReady === undefined;
    this.wasReady = ready;
    if (ready && first) return;
    if (ready) this.logger.log('Ready again: every readiness check passes');
    else this.logger.warn(`Not ready: ${Object.entries(result.error ?? {}).map(([k, v]) => `${k} (${String((v as { message?: unknown }).message ?? 'down')})`).join(', ')}`);
  }
}

import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScopes } from '../auth/scopes.js';
import { SkipRateLimit } from '../rate-limit/rate-limit.guard.js';
import { Metrics } from './metrics.js';

const EXAMPLE = `# HELP http_request_duration_seconds HTTP request latency by method, route template and status code.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05",method="GET",route="/tickets/:id",status_code="200"} 41
http_request_duration_seconds_count{method="GET",route="/tickets/:id",status_code="200"} 42
`;

/**
 * Prometheus scrape endpoint (docs/operations.md). With API_KEYS set it needs a key holding
 * `metrics:read` (Prometheus sends it with `authorization: { credentials_file: ... }`): the
 * numbers say how busy the desk is and which routes fail, which is not for everyone. Open
 * deployments (no keys) serve it openly like every route. Scrapes are not rate limited.
 */
@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get('metrics')
  @RequireScopes('metrics:read')
  @SkipRateLimit()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Every metric of this process (docs/operations.md lists them).', content: { 'text/plain': { example: EXAMPLE } } })
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    res.type(this.metrics.registry.contentType).send(body);
  }
}

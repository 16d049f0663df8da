import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { RequireScopes } from '../auth/scopes.js';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute, ApiProblems } from '../common/api-docs.decorators.js';
import { WithRunMeta } from '../common/run-meta.js';
import { ZodBodyPipe } from '../common/validation.js';
import { MonitoringReportRepository, resolveReportRange, type MonitoringReport } from './monitoring-report.repository.js';
import { MonitoringAgent } from './monitoring.agent.js';
import { MonitoringReportDto, MonitoringReportQueryDto, MonitoringRequestDto, MonitoringResponseDto } from './monitoring.dto.js';
import { MonitoringRequestSchema, type MonitoringRequest, type MonitoringResult } from './monitoring.schemas.js';
import { SLA_TARGET_KEYS, type SlaTargets } from './sla.js';

@ApiTags('monitoring')
@Controller()
export class MonitoringController {
  constructor(
    private readonly monitoring: MonitoringAgent,
    private readonly reports: MonitoringReportRepository,
  ) {}

  @Post('run_performance_monitoring')
  @RequireScopes('agents:run')
  @ApiAgentRoute('Compute SLA metrics from ticket updates, find breaches, alert, and write a dashboard report', MonitoringResponseDto)
  @ApiBody({ type: MonitoringRequestDto })
  async run(@Body(new ZodBodyPipe(MonitoringRequestSchema)) body: MonitoringRequest): Promise<WithRunMeta<{ monitoring_result: MonitoringResult }>> {
    const { body: result, meta } = await this.monitoring.monitor(body.ticket_updates, (body.sla_targets ?? {}) as SlaTargets);
    return new WithRunMeta({ monitoring_result: result }, meta);
  }

  @Get('monitoring/report')
  @RequireScopes('monitoring:read')
  @ApiOperation({
    summary: 'Read-only SLA report over the stored tickets (same metric rules as /run_performance_monitoring/; sends no alert, runs no agent)',
    description:
      'Metrics of the tickets created in [from, to), optionally grouped by category, priority, channel or day (UTC), from their stored ' +
      'event history (docs/metrics.md, "Report over stored tickets"). SLA targets are query parameters with the names of the ' +
      '`sla_targets` keys; breaches are listed per group but never alerted.',
  })
  @ApiOkResponse({ type: MonitoringReportDto })
  @ApiProblems(400, 503)
  report(@Query() query: MonitoringReportQueryDto): Promise<MonitoringReport> {
    const { from, to } = resolveReportRange(query, new Date());
    const targets: SlaTargets = {};
    for (const key of SLA_TARGET_KEYS) {
      const value = query[key as keyof MonitoringReportQueryDto];
      if (typeof value === 'number') targets[key as keyof SlaTargets] = value;
    }
    return this.reports.report({ from, to, groupBy: query.group_by, targets });
  }
}

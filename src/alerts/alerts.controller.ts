import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { AlertListQueryDto, AlertLogItemDto, AlertPageDto } from './alerts.dto.js';
import { AlertsService } from './alerts.service.js';

/** The alert delivery log: every alert raised (SLA breaches, at-risk warnings, /run_performance_monitoring/ alerts) and where it went. */
@ApiTags('monitoring')
@Controller('monitoring/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @RequireScopes('monitoring:read')
  @ApiOperation({ summary: 'The alert delivery log, newest first: status, attempts, notifications and per-channel results; filters; cursor pagination' })
  @ApiOkResponse({ type: AlertPageDto })
  @ApiProblems(400, 503)
  list(@Query() query: AlertListQueryDto) {
    return this.alerts.list({ status: query.status, kind: query.kind, ticket_id: query.ticket_id, cursor: query.cursor, limit: query.limit ?? 50 });
  }

  @Get(':id')
  @RequireScopes('monitoring:read')
  @ApiOperation({ summary: 'One alert of the delivery log' })
  @ApiParam({ name: 'id', example: '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93' })
  @ApiOkResponse({ type: AlertLogItemDto })
  @ApiProblems(404, 503)
  get(@Param('id') id: string) {
    return this.alerts.get(id);
  }
}

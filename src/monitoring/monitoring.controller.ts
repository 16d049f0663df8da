import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WithRunMeta } from '../common/run-meta.js';
import { MonitoringAgent } from './monitoring.agent.js';
import { MonitoringRequestDto, MonitoringResponseDto } from './monitoring.dto.js';
import type { MonitoringResult } from './monitoring.schemas.js';
import type { SlaTargets } from './sla.js';
import type { TicketUpdate } from './ticket-facts.js';

@ApiTags('monitoring')
@Controller()
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringAgent) {}

  @Post('run_performance_monitoring')
  @HttpCode(200)
  @ApiOperation({ summary: 'Compute SLA metrics from ticket updates, find breaches, alert, and write a dashboard report' })
  @ApiOkResponse({ type: MonitoringResponseDto })
  @ApiBadRequestResponse({ description: 'Validation error; an unknown sla_targets key lists the known ones.' })
  async run(@Body() dto: MonitoringRequestDto): Promise<WithRunMeta<{ monitoring_result: MonitoringResult }>> {
    const { body, meta } = await this.monitoring.monitor(dto.ticket_updates as TicketUpdate[], (dto.sla_targets ?? {}) as SlaTargets);
    return new WithRunMeta({ monitoring_result: body }, meta);
  }
}

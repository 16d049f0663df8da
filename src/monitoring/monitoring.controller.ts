import { Body, Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute } from '../common/api-docs.decorators.js';
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
  @ApiAgentRoute('Compute SLA metrics from ticket updates, find breaches, alert, and write a dashboard report', MonitoringResponseDto)
  async run(@Body() dto: MonitoringRequestDto): Promise<WithRunMeta<{ monitoring_result: MonitoringResult }>> {
    const { body, meta } = await this.monitoring.monitor(dto.ticket_updates as TicketUpdate[], (dto.sla_targets ?? {}) as SlaTargets);
    return new WithRunMeta({ monitoring_result: body }, meta);
  }
}

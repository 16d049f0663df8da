import { Body, Controller, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute } from '../common/api-docs.decorators.js';
import { WithRunMeta } from '../common/run-meta.js';
import { ZodBodyPipe } from '../common/validation.js';
import { MonitoringAgent } from './monitoring.agent.js';
import { MonitoringRequestDto, MonitoringResponseDto } from './monitoring.dto.js';
import { MonitoringRequestSchema, type MonitoringRequest, type MonitoringResult } from './monitoring.schemas.js';
import type { SlaTargets } from './sla.js';

@ApiTags('monitoring')
@Controller()
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringAgent) {}

  @Post('run_performance_monitoring')
  @ApiAgentRoute('Compute SLA metrics from ticket updates, find breaches, alert, and write a dashboard report', MonitoringResponseDto)
  @ApiBody({ type: MonitoringRequestDto })
  async run(@Body(new ZodBodyPipe(MonitoringRequestSchema)) body: MonitoringRequest): Promise<WithRunMeta<{ monitoring_result: MonitoringResult }>> {
    const { body: result, meta } = await this.monitoring.monitor(body.ticket_updates, (body.sla_targets ?? {}) as SlaTargets);
    return new WithRunMeta({ monitoring_result: result }, meta);
  }
}

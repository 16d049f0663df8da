import { Body, Controller, Post } from '@nestjs/common';
import { GuardBody } from '../guardrails/guard-body.pipe.js';
import { RequireScopes } from '../auth/scopes.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute } from '../common/api-docs.decorators.js';
import { WithRunMeta } from '../common/run-meta.js';
import { TriageAgent } from './triage.agent.js';
import { TriageRequestDto, TriageResponseDto } from './triage.dto.js';
import type { TriageResult } from './triage.schemas.js';

@ApiTags('triage')
@Controller()
export class TriageController {
  constructor(private readonly triage: TriageAgent) {}

  @Post('run_triage')
  @RequireScopes('agents:run')
  @ApiAgentRoute('Classify an inquiry: category, priority, confidence, clarification', TriageResponseDto)
  async run(@Body(GuardBody({ path: 'inquiry_text', check: 'customer' }, { path: 'metadata.customer_history', check: 'redact' })) dto: TriageRequestDto): Promise<WithRunMeta<{ triage_result: TriageResult }>> {
    const { body, meta } = await this.triage.triage(dto);
    return new WithRunMeta({ triage_result: body }, meta);
  }
}

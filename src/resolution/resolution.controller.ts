import { Body, Controller, Post } from '@nestjs/common';
import { GuardBody } from '../guardrails/guard-body.pipe.js';
import { RequireScopes } from '../auth/scopes.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute } from '../common/api-docs.decorators.js';
import { WithRunMeta } from '../common/run-meta.js';
import { ResolutionAgent } from './resolution.agent.js';
import { ResolutionRequestDto, ResolutionResponseDto } from './resolution.dto.js';
import type { ResolutionResult } from './resolution.schemas.js';

@ApiTags('resolution')
@Controller()
export class ResolutionController {
  constructor(private readonly resolution: ResolutionAgent) {}

  @Post('run_resolution')
  @RequireScopes('agents:run')
  @ApiAgentRoute('Answer a triaged ticket from the knowledge base, or escalate it', ResolutionResponseDto)
  async run(@Body(GuardBody({ path: 'inquiry_text', check: 'customer' }, { path: 'ticket.ticket_metadata.customer_history', check: 'redact' })) dto: ResolutionRequestDto): Promise<WithRunMeta<{ resolution_result: ResolutionResult }>> {
    const { body, meta } = await this.resolution.resolve(dto);
    return new WithRunMeta({ resolution_result: body }, meta);
  }
}

import { Body, Controller, Get, Post } from '@nestjs/common';
import { GuardBody } from '../guardrails/guard-body.pipe.js';
import { RequireKey, RequireScopes } from '../auth/scopes.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute, ApiProblems } from '../common/api-docs.decorators.js';
import type { WithRunMeta } from '../common/run-meta.js';
import { AgentDescriptionDto, RunAgentDto, RunAgentResponseDto } from './agents.dto.js';
import { AgentsService, type RunAgentResult } from './agents.service.js';

@ApiTags('agents')
@Controller()
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get('agents')
  @RequireKey()
  @ApiOperation({ summary: 'List the registered agents with their input and output JSON schemas' })
  @ApiOkResponse({ type: [AgentDescriptionDto] })
  list() {
    return this.agents.list();
  }

  @Post('run_agent')
  @RequireScopes('agents:run')
  @ApiAgentRoute('Run any registered agent by name with a query validated against its input schema', RunAgentResponseDto)
  @ApiProblems(404)
  run(@Body(
      GuardBody(
        { path: 'query', check: 'customer' },
        { path: 'query.inquiry_text', check: 'customer' },
        { path: 'query.query', check: 'customer' },
        { path: 'query.metadata.customer_history', check: 'redact' },
        { path: 'query.ticket.ticket_metadata.customer_history', check: 'redact' },
      ),
    )
    dto: RunAgentDto): Promise<WithRunMeta<RunAgentResult>> {
    return this.agents.run(dto.agent_name, dto.query);
  }
}

import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WithRunMeta } from '../common/run-meta.js';
import { AgentDescriptionDto, RunAgentDto, RunAgentResponseDto } from './agents.dto.js';
import { AgentsService, type RunAgentResult } from './agents.service.js';

@ApiTags('agents')
@Controller()
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Get('agents')
  @ApiOperation({ summary: 'List the registered agents with their input and output JSON schemas' })
  @ApiOkResponse({ type: [AgentDescriptionDto] })
  list() {
    return this.agents.list();
  }

  @Post('run_agent')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run any registered agent by name with a query validated against its input schema' })
  @ApiOkResponse({ type: RunAgentResponseDto })
  @ApiBadRequestResponse({ description: 'Query does not match the agent input schema (problem details naming query.<field>).' })
  @ApiNotFoundResponse({ description: 'Unknown agent; the problem lists the registered names.' })
  run(@Body() dto: RunAgentDto): Promise<WithRunMeta<RunAgentResult>> {
    return this.agents.run(dto.agent_name, dto.query);
  }
}

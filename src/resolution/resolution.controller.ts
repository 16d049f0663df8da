import { Body, Controller, Post, Query } from '@nestjs/common';
import { GuardBody } from '../guardrails/guard-body.pipe.js';
import { RequireScopes } from '../auth/scopes.js';
import { ApiTags } from '@nestjs/swagger';
import { ApiAgentRoute } from '../common/api-docs.decorators.js';
import { WithRunMeta } from '../common/run-meta.js';
import { ResolutionAgent } from './resolution.agent.js';
import { ResolutionRequestDto, ResolutionResponseDto } from './resolution.dto.js';
import type { ResolutionResult } from './resolution.schemas.js';
import { GuardrailsService } from '../guardrails/guardrails.service.js';
import { resultEvent } from '../streaming/stream-events.js';
import { ApiSseResponse, sseExample, StreamQueryDto } from '../streaming/stream-query.dto.js';
import { streamRun } from '../streaming/sse-response.js';

const RESOLUTION_STREAM_EXAMPLE = sseExample([
  { event: 'agent', data: { agent: 'resolution_agent', backend: 'offline' } },
  { event: 'tool_call', data: { agent: 'resolution_agent', name: 'knowledge_base_agent', call_id: 'call_1', arguments: { input: '{"query":"I can\'t log in to my account."}' } } },
  { event: 'tool_output', data: { agent: 'resolution_agent', name: 'knowledge_base_agent', call_id: 'call_1', output: { query: "I can't log in to my account.", articles: [{ id: 'kb-0042', title: 'Reset your password' }] }, truncated: false } },
  { event: 'result', data: { resolution_result: { resolution_reply: 'To reset your password, ...', ticket_status: 'resolved', resolution_notes: 'Used KB article kb-0042.', escalation_channel: null } } },
]);

@ApiTags('resolution')
@Controller()
export class ResolutionController {
  constructor(
    private readonly resolution: ResolutionAgent,
    private readonly guardrails: GuardrailsService,
  ) {}

  @Post('run_resolution')
  @RequireScopes('agents:run')
  @ApiSseResponse(RESOLUTION_STREAM_EXAMPLE, ResolutionResponseDto)
  @ApiAgentRoute('Answer a triaged ticket from the knowledge base, or escalate it (?stream=true: as Server-Sent Events)', ResolutionResponseDto)
  async run(
    @Body(GuardBody({ path: 'inquiry_text', check: 'customer' }, { path: 'ticket.ticket_metadata.customer_history', check: 'redact' })) dto: ResolutionRequestDto,
    @Query() { stream }: StreamQueryDto,
  ): Promise<WithRunMeta<{ resolution_result: ResolutionResult }> | Response> {
    if (stream === 'true') {
      return streamRun({
        agents: ['resolution_agent'],
        redact: (text) => this.guardrails.redact(text).text,
        work: () => this.resolution.resolve(dto),
        finish: ({ body }) => ({ event: resultEvent({ resolution_result: body }) }),
      });
    }
    const { body, meta } = await this.resolution.resolve(dto);
    return new WithRunMeta({ resolution_result: body }, meta);
  }
}

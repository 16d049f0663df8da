import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RequireScopes } from '../auth/scopes.js';
import { ApiAcceptedResponse, ApiBody, IntersectionType, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { principalOf } from '../auth/principal.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { ZodBodyPipe } from '../common/validation.js';
import type { StoredResponse } from '../idempotency/idempotency.service.js';
import { TriageRequestDto } from '../triage/triage.dto.js';
import {
  CreateTicketQueryDto,
  TicketAcceptedDto,
  StoredTicketDto,
  TicketEventRequestDto,
  TicketListQueryDto,
  TicketPageDto,
} from './tickets.dto.js';
import { TicketEventRequestSchema, type TicketEventRequest } from './tickets.schemas.js';
import { TicketsService } from './tickets.service.js';
import { ProblemException, type ProblemDetails } from '../common/problem-details.js';
import { GuardrailsService } from '../guardrails/guardrails.service.js';
import { resultEvent } from '../streaming/stream-events.js';
import { ApiSseResponse, sseExample, StreamQueryDto } from '../streaming/stream-query.dto.js';
import { streamRun } from '../streaming/sse-response.js';

class CreateTicketStreamQueryDto extends IntersectionType(CreateTicketQueryDto, StreamQueryDto) {}

const TICKET_STREAM_EXAMPLE = sseExample([
  { event: 'agent', data: { agent: 'triage_agent', backend: 'offline' } },
  { event: 'text', data: { agent: 'triage_agent', delta: '{"category":"technical",' } },
  { event: 'output', data: { agent: 'triage_agent', output: { category: 'technical', priority: 'High', confidence: 0.92, clarification_needed: false } } },
  { event: 'agent', data: { agent: 'resolution_agent', backend: 'offline' } },
  { event: 'tool_call', data: { agent: 'resolution_agent', name: 'knowledge_base_agent', call_id: 'call_1', arguments: { input: '{"query":"I can\'t log in to my account."}' } } },
  { event: 'tool_output', data: { agent: 'resolution_agent', name: 'knowledge_base_agent', call_id: 'call_1', output: { articles: [{ id: 'kb-0042' }] }, truncated: false } },
  { event: 'result', data: { id: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44', status: 'resolved', '...': 'the ticket as the 201 body' } },
]);

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Any unique string (a UUID): a retry with the same key and body returns the first response (Idempotent-Replayed: true) and creates nothing.',
};
const TICKET_ID = { name: 'id', example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' };

/** Sends a stored (possibly replayed) response with its status. */
function send<T>(res: Response, response: StoredResponse<T>): T {
  res.status(response.status);
  // A stored 422 (a guardrail stopped the text) is problem details like every error.
  if (response.status >= 400) res.type('application/problem+json');
  if (response.replayed) res.setHeader('Idempotent-Replayed', 'true');
  return response.body;
}

@ApiTags('tickets')
@Controller('tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly guardrails: GuardrailsService,
  ) {}

  @Post()
  @RequireScopes('tickets:write')
  @ApiOperation({
    summary: 'Store a ticket, then run triage → resolution on it (201 with the outcome and every step), or 202 at once with ?mode=async',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreatedResponse({ type: StoredTicketDto, description: 'The ticket after the workflow ran; status "failed" (with `error`) when an agent run failed: retry it with POST /tickets/:id/retry.' })
  @ApiAcceptedResponse({ type: TicketAcceptedDto, description: 'mode=async: stored; poll the Location.' })
  @ApiSseResponse(TICKET_STREAM_EXAMPLE)
  @ApiProblems(400, 409, 413, 415, 422, 503)
  async create(
    @Body() dto: TriageRequestDto,
    @Query() { mode, stream }: CreateTicketStreamQueryDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (stream === 'true') {
      if (mode === 'async') throw ProblemException.validation([{ path: 'stream', message: 'stream=true cannot be combined with mode=async (nothing runs while the request is open)' }]);
      // The run goes on if the client disconnects: the ticket is stored as usual (GET /tickets/:id).
      return streamRun({
        agents: ['triage_agent', 'resolution_agent'],
        redact: (text) => this.guardrails.redact(text).text,
        work: () => this.tickets.create(dto, { idempotencyKey, async: false }),
        finish: (response) => {
          const body = response.body as { id?: string; ticket_id?: string };
          const location = `/tickets/${body.id ?? body.ticket_id}`;
          // A guardrail stopped the text (422, ticket stored for review) or a replay of one.
          if (response.status >= 400) throw new ProblemException(response.body as unknown as ProblemDetails, { Location: location });
          return { event: resultEvent(response.body), headers: { Location: location, ...(response.replayed ? { 'Idempotent-Replayed': 'true' } : {}) } };
        },
      });
    }
    const response = await this.tickets.create(dto, { idempotencyKey, async: mode === 'async' });
    // A 422 (a guardrail stopped it) still stored the ticket: its problem names it as ticket_id.
    const body = response.body as { id?: string; ticket_id?: string };
    res.setHeader('Location', `/tickets/${body.id ?? body.ticket_id}`);
    return send(res, response);
  }

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'Tickets, newest first, filtered; cursor pagination' })
  @ApiOkResponse({ type: TicketPageDto })
  @ApiProblems(400, 503)
  list(@Query() query: TicketListQueryDto) {
    return this.tickets.list({ ...query, limit: query.limit ?? 50 });
  }

  @Get(':id')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'One ticket with every event, oldest first' })
  @ApiParam(TICKET_ID)
  @ApiOkResponse({ type: StoredTicketDto })
  @ApiProblems(404, 503)
  get(@Param('id') id: string) {
    return this.tickets.view(id);
  }

  @Post(':id/events')
  @RequireScopes('tickets:write')
  @ApiOperation({
    summary:
      'Record an update from a person or the helpdesk: agent_reply, customer_reply, note, resolved, reopened, closed, csat, take_over (a person owns the ticket; pending approvals are cancelled), handback (the agents run it again). A customer_reply to a clarifying question runs the agents again.',
  })
  @ApiParam(TICKET_ID)
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiBody({ type: TicketEventRequestDto })
  @ApiCreatedResponse({ type: StoredTicketDto })
  @ApiProblems(400, 404, 409, 413, 415, 422, 503)
  async addEvent(
    @Param('id') id: string,
    @Body(new ZodBodyPipe(TicketEventRequestSchema)) event: TicketEventRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Req() req: Request,
  ) {
    return send(res, await this.tickets.addEvent(id, event, idempotencyKey, principalOf(req)?.name));
  }

  @Post(':id/retry')
  @RequireScopes('tickets:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the workflow of a failed ticket again' })
  @ApiParam(TICKET_ID)
  @ApiOkResponse({ type: StoredTicketDto })
  @ApiProblems(404, 409, 503)
  retry(@Param('id') id: string) {
    return this.tickets.retry(id);
  }
}

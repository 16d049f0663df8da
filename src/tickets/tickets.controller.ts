import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { RequireScopes } from '../auth/scopes.js';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
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
  constructor(private readonly tickets: TicketsService) {}

  @Post()
  @RequireScopes('tickets:write')
  @ApiOperation({
    summary: 'Store a ticket, then run triage → resolution on it (201 with the outcome and every step), or 202 at once with ?mode=async',
  })
  @ApiHeader(IDEMPOTENCY_KEY)
  @ApiCreatedResponse({ type: StoredTicketDto, description: 'The ticket after the workflow ran; status "failed" (with `error`) when an agent run failed: retry it with POST /tickets/:id/retry.' })
  @ApiAcceptedResponse({ type: TicketAcceptedDto, description: 'mode=async: stored; poll the Location.' })
  @ApiProblems(400, 409, 413, 415, 422, 503)
  async create(
    @Body() dto: TriageRequestDto,
    @Query() { mode }: CreateTicketQueryDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
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

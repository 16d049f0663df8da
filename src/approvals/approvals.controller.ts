import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { principalOf } from '../auth/principal.js';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { ZodBodyPipe } from '../common/validation.js';
import { ApprovalDto, ApprovalListQueryDto, ApprovalPageDto, ApproveRequestDto, DecisionResultDto, RejectRequestDto } from './approvals.dto.js';
import { ApproveRequestSchema, RejectRequestSchema, type DecisionRequest } from './approvals.schemas.js';
import { ApprovalsService } from './approvals.service.js';

const APPROVAL_ID = { name: 'id', example: '7d7e4c52-2f0e-4d6e-8c53-1f7a0b6c9e21' };

/** The approval queue: account actions the agents proposed, waiting for a person. */
@ApiTags('approvals')
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'The approval queue, oldest request first (or by SLA deadline), with each ticket\'s SLA state; filters; cursor pagination' })
  @ApiOkResponse({ type: ApprovalPageDto })
  @ApiProblems(400, 503)
  list(@Query() query: ApprovalListQueryDto) {
    return this.approvals.list({
      status: query.status ?? ['pending'],
      action: query.action,
      priority: query.priority,
      customer_id: query.customer_id,
      ticket_id: query.ticket_id,
      sort: query.sort ?? 'requested_at',
      cursor: query.cursor,
      limit: query.limit ?? 50,
    });
  }

  @Get(':id')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: 'One approval request with its decision (if any)' })
  @ApiParam(APPROVAL_ID)
  @ApiOkResponse({ type: ApprovalDto })
  @ApiProblems(404, 503)
  get(@Param('id') id: string) {
    return this.approvals.get(id);
  }

  @Post(':id/approve')
  @RequireScopes('approvals:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve the proposed action: the paused run resumes from its stored state, the action runs once, and the agents answer the customer',
  })
  @ApiParam(APPROVAL_ID)
  @ApiBody({ type: ApproveRequestDto, required: false })
  @ApiOkResponse({ type: DecisionResultDto })
  @ApiProblems(400, 404, 409, 415, 503)
  approve(@Param('id') id: string, @Body(new ZodBodyPipe(ApproveRequestSchema.optional().transform((v) => v ?? {}))) body: DecisionRequest, @Req() req: Request) {
    return this.approvals.decide(id, 'approved', body, principalOf(req)?.name ?? 'unknown');
  }

  @Post(':id/reject')
  @RequireScopes('approvals:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reject the proposed action (a reason is required): nothing is done to the account, the customer gets a polite reply and a person follows up' })
  @ApiParam(APPROVAL_ID)
  @ApiBody({ type: RejectRequestDto })
  @ApiOkResponse({ type: DecisionResultDto })
  @ApiProblems(400, 404, 409, 415, 503)
  reject(@Param('id') id: string, @Body(new ZodBodyPipe(RejectRequestSchema)) body: DecisionRequest, @Req() req: Request) {
    return this.approvals.decide(id, 'rejected', body, principalOf(req)?.name ?? 'unknown');
  }
}

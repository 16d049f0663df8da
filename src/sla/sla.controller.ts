import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { principalOf } from '../auth/principal.js';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { parseIfMatch } from '../common/if-match.js';
import { ProblemException, problem, type FieldError } from '../common/problem-details.js';
import { STORABLE_TIMESTAMP_MESSAGE, storableInstant } from '../common/timestamp.js';
import { AppConfig } from '../config/configuration.js';
import { SlaCheckService } from './sla-check.service.js';
import { SlaPoliciesService, type EffectivePolicies } from './sla-policies.service.js';
import { AtRiskDto, AtRiskQueryDto, CheckResultDto, durationMinutes, PolicySetDto, PolicySetInputDto, SlaOverviewDto, TicketSlaDto, TrendsDto, TrendsQueryDto } from './sla.dto.js';
import { SlaService } from './sla.service.js';

const HOUR = 3_600_000;
const MAX_AT_RISK_MINUTES = 7 * 24 * 60;
const MAX_TREND_DAYS = 400;

/** SLA policies, per-ticket clocks, at-risk tickets, the overview, trends and on-demand checks. */
@ApiTags('sla')
@Controller()
export class SlaController {
  constructor(
    private readonly config: AppConfig,
    private readonly sla: SlaService,
    private readonly policies: SlaPoliciesService,
    private readonly checks: SlaCheckService,
  ) {}

  @Get('monitoring/policies')
  @RequireScopes('monitoring:read')
  @ApiOperation({ summary: 'The SLA policies in force (ordered; the first matching policy applies) and their calendars; ETag: the version' })
  @ApiOkResponse({ type: PolicySetDto })
  @ApiProblems(503)
  async getPolicies(@Res({ passthrough: true }) res: Response) {
    return view(await this.policies.current(), res);
  }

  @Put('monitoring/policies')
  @RequireScopes('monitoring:write')
  @ApiOperation({
    summary: 'Replace the SLA policy set (validated whole; every instance applies it from the next request or check)',
    description: 'Targets are minutes or "90m"/"4h". A policy with `business_hours` counts its targets in that calendar\'s working time. Send the version you read as If-Match to refuse a concurrent edit (412).',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you read (ETag "3" or 3).' })
  @ApiBody({ type: PolicySetInputDto })
  @ApiOkResponse({ type: PolicySetDto })
  @ApiProblems(400, 412, 415, 503)
  async putPolicies(@Body() body: unknown, @Headers('if-match') ifMatch: string | undefined, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const version = parseIfMatch(ifMatch, 'the policies version');
    return view(await this.policies.replace(body, principalOf(req)?.name ?? null, version), res);
  }

  @Get('tickets/:id/sla')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: "A ticket's SLA clocks under its policy: target, elapsed, remaining, due and breach time per metric" })
  @ApiParam({ name: 'id', example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' })
  @ApiOkResponse({ type: TicketSlaDto })
  @ApiProblems(404, 503)
  ticket(@Param('id') id: string) {
    return this.sla.ticket(id);
  }

  @Get('monitoring/at-risk')
  @RequireScopes('monitoring:read')
  @ApiOperation({ summary: 'Open tickets whose running SLA clock reaches its target within the window (not yet breached), soonest first' })
  @ApiOkResponse({ type: AtRiskDto })
  @ApiProblems(400, 503)
  atRisk(@Query() query: AtRiskQueryDto) {
    const within = query.within === undefined ? this.config.env.SLA_AT_RISK_MINUTES : durationMinutes(query.within);
    if (!(within > 0 && within <= MAX_AT_RISK_MINUTES)) {
      throw ProblemException.validation([{ path: 'within', message: `must be more than 0 and at most ${MAX_AT_RISK_MINUTES} minutes (7 days)` }]);
    }
    return this.sla.atRisk(within, query.limit ?? 100);
  }

  @Get('monitoring/overview')
  @RequireScopes('monitoring:read')
  @ApiOperation({ summary: 'SLA state now, computed over the stored tickets: open, at risk, breached, compliance of the last 24 h, overall and by priority, category and channel' })
  @ApiOkResponse({ type: SlaOverviewDto })
  @ApiProblems(503)
  overview() {
    return this.sla.overview();
  }

  @Get('monitoring/trends')
  @RequireScopes('monitoring:read')
  @ApiOperation({ summary: 'SLA history from the scheduled checks\' snapshots: one point per hour (or day), overall or per priority, category or channel' })
  @ApiOkResponse({ type: TrendsDto })
  @ApiProblems(400, 503)
  trends(@Query() query: TrendsQueryDto) {
    const granularity = query.granularity ?? 'hour';
    const { from, to } = trendRange(query, granularity, new Date());
    return this.sla.trends(from, to, granularity, query.dimension ?? 'overall');
  }

  @Post('monitoring/checks')
  @RequireScopes('monitoring:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run an SLA check now (as the schedule does): alerts for new breaches and at-risk tickets, pre-breach actions, the hour\'s snapshot' })
  @ApiOkResponse({ type: CheckResultDto })
  @ApiProblems(409, 503)
  async check() {
    const result = await this.checks.check();
    if ('skipped' in result) throw new ProblemException(problem(409, 'check-running', `no check was run: ${result.skipped}; try again in a moment`));
    return result;
  }
}

function view(p: EffectivePolicies, res: Response) {
  res.setHeader('ETag', `"${p.version}"`);
  return { source: p.source, version: p.version, updated_at: p.updated_at, updated_by: p.updated_by, calendars: p.set.calendars, policies: p.set.policies };
}

export function trendRange(q: { from?: string; to?: string }, granularity: 'hour' | 'day', now: Date): { from: Date; to: Date } {
  const errors: FieldError[] = [];
  const to = q.to === undefined ? now : storableInstant(q.to);
  if (!to) errors.push({ path: 'to', message: STORABLE_TIMESTAMP_MESSAGE });
  const from = q.from === undefined ? (to ? new Date(to.getTime() - (granularity === 'hour' ? 48 : 30 * 24) * HOUR) : undefined) : storableInstant(q.from);
  if (!from) errors.push({ path: 'from', message: STORABLE_TIMESTAMP_MESSAGE });
  if (errors.length) throw ProblemException.validation(errors);
  if (from!.getTime() >= to!.getTime()) throw ProblemException.validation([{ path: 'from', message: 'must be before to' }]);
  if (to!.getTime() - from!.getTime() > MAX_TREND_DAYS * 24 * HOUR) throw ProblemException.validation([{ path: 'from', message: `must be at most ${MAX_TREND_DAYS} days before to` }]);
  return { from: from!, to: to! };
}

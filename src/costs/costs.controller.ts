import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { resolveReportRange } from '../monitoring/monitoring-report.repository.js';
import { ProblemException } from '../common/problem-details.js';
import { CostReportDto, CostsQueryDto } from './costs.dto.js';
import { CostsService, type CostReport } from './costs.service.js';

@ApiTags('monitoring')
@Controller('monitoring')
export class CostsController {
  constructor(private readonly costs: CostsService) {}

  @Get('costs')
  @RequireScopes('monitoring:read')
  @ApiOperation({
    summary: 'Model tokens and estimated cost: totals, per-ticket average, groups, the most expensive tickets, token-budget escalations',
    description:
      'Spending of the agents in [since, until) from the stored usage ledger (docs/costs.md): tokens as the model provider counted them, ' +
      'cost estimated with MODEL_PRICES (or the built-in list prices). Optionally grouped by UTC day, ticket category or priority, agent, or model.',
  })
  @ApiOkResponse({ type: CostReportDto })
  @ApiProblems(400, 503)
  report(@Query() query: CostsQueryDto): Promise<CostReport> {
    return this.costs.report(rangeOf(query, new Date()), query.group_by, query.limit ?? 10);
  }
}

/** since/until with the report's defaults and limits; errors name since/until, the fields the caller sent. */
function rangeOf(query: CostsQueryDto, now: Date): { from: Date; to: Date } {
  try {
    return resolveReportRange({ from: query.since, to: query.until }, now);
  } catch (err) {
    if (!(err instanceof ProblemException) || !err.problem.errors) throw err;
    const renamed = err.problem.errors.map((e) => ({ path: e.path === 'from' ? 'since' : e.path === 'to' ? 'until' : e.path, message: e.message.replace(/\bfrom\b/g, 'since').replace(/\bto\b(?= \()|\bto$/g, 'until') }));
    throw ProblemException.validation(renamed);
  }
}

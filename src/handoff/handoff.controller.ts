import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { handoffMarkdown } from './handoff.js';
import { HandoffPackageDto } from './handoff.dto.js';
import { HandoffService } from './handoff.service.js';

const MARKDOWN_EXAMPLE = `# Hand-off: ticket 0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44

**Why a person is needed:** Escalated to security: possible security incident.

- **Status:** escalated · **priority** High · **SLA** resolution time due 2026-11-25 14:00 UTC (in 3.3 h)
…`;

@ApiTags('tickets')
@Controller('tickets')
export class HandoffController {
  constructor(private readonly handoff: HandoffService) {}

  @Get(':id/handoff')
  @RequireScopes('tickets:read')
  @ApiOperation({
    summary:
      'The hand-off package of an escalated ticket: why a person is needed, the customer, what they asked, triage, articles, actions, sentiment, SLA and a draft reply (Accept: text/markdown for the one-screen view)',
  })
  @ApiParam({ name: 'id', example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' })
  @ApiProduces('application/json', 'text/markdown')
  @ApiExtraModels(HandoffPackageDto)
  @ApiOkResponse({
    description: 'The stored package with the current status and SLA, or one built now for an escalated or in-progress ticket that has none.',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(HandoffPackageDto) } },
      'text/markdown': { schema: { type: 'string', example: MARKDOWN_EXAMPLE } },
    },
  })
  @ApiProblems(404, 503)
  async get(@Param('id') id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const pkg = await this.handoff.view(id);
    res.vary('Accept');
    if (req.accepts(['application/json', 'text/markdown']) !== 'text/markdown') return pkg;
    res.type('text/markdown; charset=utf-8');
    return handoffMarkdown(pkg);
  }
}

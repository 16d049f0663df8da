import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WithRunMeta } from '../common/run-meta.js';
import { TriageAgent } from './triage.agent.js';
import { TriageRequestDto, TriageResponseDto } from './triage.dto.js';
import type { TriageResult } from './triage.schemas.js';

@ApiTags('triage')
@Controller()
export class TriageController {
  constructor(private readonly triage: TriageAgent) {}

  @Post('run_triage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Classify an inquiry: category, priority, confidence, clarification' })
  @ApiOkResponse({ type: TriageResponseDto })
  @ApiBadRequestResponse({ description: 'Validation error (problem details with the field path).' })
  async run(@Body() dto: TriageRequestDto): Promise<WithRunMeta<{ triage_result: TriageResult }>> {
    const { body, meta } = await this.triage.triage(dto);
    return new WithRunMeta({ triage_result: body }, meta);
  }
}

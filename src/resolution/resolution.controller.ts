import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WithRunMeta } from '../common/run-meta.js';
import { ResolutionAgent } from './resolution.agent.js';
import { ResolutionRequestDto, ResolutionResponseDto } from './resolution.dto.js';
import type { ResolutionResult } from './resolution.schemas.js';

@ApiTags('resolution')
@Controller()
export class ResolutionController {
  constructor(private readonly resolution: ResolutionAgent) {}

  @Post('run_resolution')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer a triaged ticket from the knowledge base, or escalate it' })
  @ApiOkResponse({ type: ResolutionResponseDto })
  @ApiBadRequestResponse({ description: 'Validation error (problem details with the field path).' })
  async run(@Body() dto: ResolutionRequestDto): Promise<WithRunMeta<{ resolution_result: ResolutionResult }>> {
    const { body, meta } = await this.resolution.resolve(dto);
    return new WithRunMeta({ resolution_result: body }, meta);
  }
}

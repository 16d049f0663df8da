import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireKey } from '../auth/scopes.js';
import { GuardrailDescriptionDto } from './guardrails.dto.js';
import { GuardrailsService } from './guardrails.service.js';

@ApiTags('guardrails')
@Controller('guardrails')
export class GuardrailsController {
  constructor(private readonly guardrails: GuardrailsService) {}

  @Get()
  @RequireKey()
  @ApiOperation({ summary: 'The active guardrails: what each catches, its action, settings, and how to tune or disable it' })
  @ApiOkResponse({ type: [GuardrailDescriptionDto] })
  list() {
    return this.guardrails.describe();
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { ZodBodyPipe } from '../common/validation.js';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './api-keys.dto.js';
import { CreateApiKeySchema, type CreateApiKey } from './api-keys.schemas.js';
import { ApiKeysService } from './api-keys.service.js';
import { RequireScopes } from './scopes.js';

@ApiTags('api-keys')
@Controller('api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Create an API key with the given scopes; the key is in this response only (only its hash is stored)' })
  @ApiBody({ type: CreateApiKeyDto })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiProblems(400, 413, 415, 503)
  create(@Body(new ZodBodyPipe(CreateApiKeySchema)) body: CreateApiKey) {
    return this.keys.create(body.name, body.scopes);
  }

  @Get()
  @RequireScopes('admin')
  @ApiOperation({ summary: 'The keys stored in the database, newest first, revoked ones included (prefix, never the key); keys from API_KEYS are not listed' })
  @ApiOkResponse({ type: [ApiKeyDto] })
  @ApiProblems(503)
  list() {
    return this.keys.list();
  }

  @Delete(':id')
  @RequireScopes('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a key: it stops working at once on this instance, within 30 s on the others' })
  @ApiParam({ name: 'id', example: '6f1d0c2e-8b4a-4f6e-9d3c-2a7b5e9f0c11' })
  @ApiNoContentResponse({ description: 'Revoked (also when it already was).' })
  @ApiProblems(404, 503)
  async revoke(@Param('id') id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}

import { HttpCode, applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

class FieldErrorDto {
  @ApiProperty({ example: 'metadata.channel' }) path!: string;
  @ApiProperty({ example: 'channel must be one of the following values: email, chat, phone, web, social' }) message!: string;
}

export class ProblemDetailsDto {
  @ApiProperty({ example: 'https://support-agents.dev/problems/validation-error' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'metadata.channel: channel must be one of the following values: email, chat, phone, web, social' }) detail!: string;
  @ApiPropertyOptional({ example: '/run_triage/' }) instance?: string;
  @ApiPropertyOptional({ example: '3f2a9b8c-7d6e-4f5a-9b8c-7d6e5f4a3b2c', description: 'The request id (X-Request-Id): quote it when asking for support.' }) request_id?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Validation errors, one per field.' }) errors?: FieldErrorDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `errors[].path` names each field.',
  401: 'No API key, or an unknown or revoked one (Authorization: Bearer <key> or x-api-key).',
  403: 'The API key lacks the scope this route needs (the detail names it).',
  404: 'Not found.',
  413: 'Body larger than BODY_LIMIT.',
  415: 'Body is not application/json.',
  422: 'A guardrail stopped the input: `guardrail` and `reason` name it (GET /guardrails lists them).',
  429: 'Rate limit of the API key (or address) reached: retry after Retry-After seconds.',
  502: 'The model returned unusable output or did not finish within AGENT_MAX_TURNS.',
  503: 'The database, or the model backend with LLM_FALLBACK=false, is unavailable: retry after Retry-After.',
};

/** Documents RFC 9457 problem responses for the given statuses (one decorator, not six). */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: DESCRIPTIONS[status] ?? 'Error.',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}

/** The errors any agent route can answer with. */
export const ApiAgentRouteProblems = () => ApiProblems(400, 413, 415, 422, 502, 503);

const RUN_HEADERS = {
  'x-agent-backend': { description: 'openai or offline: who answered', schema: { type: 'string', example: 'offline' } },
  'x-agent-degraded': { description: 'true when OpenAI failed and the offline policy answered', schema: { type: 'string', example: 'false' } },
};

/** A POST route that runs an agent: 200, the run headers, and the agent-route problems. */
export function ApiAgentRoute(summary: string, okType: Type<unknown>): MethodDecorator {
  return applyDecorators(
    HttpCode(200),
    ApiOperation({ summary }),
    ApiOkResponse({ type: okType, headers: RUN_HEADERS }),
    ApiAgentRouteProblems(),
  );
}

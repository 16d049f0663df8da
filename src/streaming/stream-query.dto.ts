import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { Optional } from '../common/validation.js';

export class StreamQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: 'true: answer as Server-Sent Events (text/event-stream): agent, tool_call, tool_output, text and output events as the run goes, then `result` (the usual JSON body) or `error` (problem details). See docs/streaming.md.',
  })
  @Optional()
  @IsIn(['true', 'false'])
  stream?: 'true' | 'false';
}

/** An example stream for the OpenAPI document (what the offline backend sends, shortened). */
export function sseExample(frames: { event: string; data: unknown }[]): string {
  return frames.map((f, i) => `id: ${i + 1}\nevent: ${f.event}\ndata: ${JSON.stringify(f.data)}\n`).join('\n');
}

/**
 * Documents the `?stream=true` answer: 200 text/event-stream with an example. When the route's
 * plain answer is a 200 too, pass its type as `json`: one status holds both media types (and this
 * decorator goes above the route's own response decorator, which it replaces for that status).
 */
export function ApiSseResponse(example: string, json?: Type<unknown>): MethodDecorator {
  const sse = { 'text/event-stream': { schema: { type: 'string' }, example } };
  return applyDecorators(
    ...(json ? [ApiExtraModels(json)] : []),
    ApiResponse({
      status: 200,
      description:
        (json ? 'The JSON body; or, with ?stream=true, ' : 'With ?stream=true: ') +
        'Server-Sent Events (docs/streaming.md). Errors found before the stream begins (validation, guardrails, a model that is down) are ordinary problem-details responses; after, the stream ends with `event: error`.',
      content: json ? { 'application/json': { schema: { $ref: getSchemaPath(json) } }, ...sse } : sse,
      ...(json
        ? {
            headers: {
              'x-agent-backend': { description: 'openai or offline: who answered (JSON answer)', schema: { type: 'string', example: 'offline' } },
              'x-agent-degraded': { description: 'true when OpenAI failed and the offline policy answered (JSON answer)', schema: { type: 'string', example: 'false' } },
            },
          }
        : {}),
    }),
  );
}

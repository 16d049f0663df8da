import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
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

/** Documents the `?stream=true` answer: 200 text/event-stream with an example. */
export function ApiSseResponse(example: string, status = 200): MethodDecorator {
  return applyDecorators(
    ApiResponse({
      status,
      description:
        'With ?stream=true: Server-Sent Events. Errors found before the stream begins (validation, guardrails, a model that is down) are ordinary problem-details responses; after, the stream ends with `event: error`.',
      content: { 'text/event-stream': { schema: { type: 'string' }, example } },
    }),
  );
}

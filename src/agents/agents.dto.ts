import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateBy, ValidationOptions } from 'class-validator';
import { MAX_INQUIRY_CHARS } from '../triage/triage.schemas.js';

function IsObjectOrString(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isObjectOrString',
      validator: {
        validate: (v: unknown) => (typeof v === 'string' && v.length <= MAX_INQUIRY_CHARS) || (typeof v === 'object' && v !== null && !Array.isArray(v)),
        defaultMessage: () => `query must be a JSON object or a string of at most ${MAX_INQUIRY_CHARS} characters`,
      },
    },
    options,
  );
}

export class RunAgentDto {
  @ApiProperty({ example: 'triage_agent', description: 'Registry name, see GET /agents.' })
  @IsNotEmpty()
  @MaxLength(100)
  @IsString()
  agent_name!: string;

  @ApiProperty({
    description: "The agent's input: an object matching its `input_schema` (GET /agents), or plain text.",
    oneOf: [{ type: 'object', additionalProperties: true }, { type: 'string' }],
    example: { inquiry_text: "I can't log in to my account.", metadata: { channel: 'email', customer_id: '12345' } },
  })
  @IsObjectOrString()
  query!: Record<string, unknown> | string;
}

export class RunAgentResponseDto {
  @ApiProperty({ example: 'triage_agent' }) agent_name!: string;
  @ApiProperty({ example: { inquiry_text: "I can't log in to my account.", metadata: { channel: 'email' } } })
  input_query!: unknown;
  @ApiProperty({
    example: { category: 'technical', priority: 'Medium', confidence: 0.81, ticket_metadata: { channel: 'email' }, clarification_needed: false },
  })
  output!: unknown;
}

export class AgentDescriptionDto {
  @ApiProperty({ example: 'triage_agent' }) name!: string;
  @ApiProperty({ example: 'Classifies an inquiry: category, priority, confidence, clarification.' }) description!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema of the accepted query.',
    example: { anyOf: [{ type: 'object', properties: { inquiry_text: { type: 'string' }, metadata: { type: 'object' } } }, { type: 'string' }] },
  })
  input_schema!: unknown;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema of the output.',
    example: { type: 'object', properties: { category: { type: 'string', enum: ['technical', 'billing', 'general'] } } },
  })
  output_schema!: unknown;
}

import { ApiProperty } from '@nestjs/swagger';
import { GUARDRAIL_NAMES } from './guardrail-settings.js';

export class GuardrailDescriptionDto {
  @ApiProperty({ enum: GUARDRAIL_NAMES, example: 'prompt_injection' }) name!: string;
  @ApiProperty({ enum: ['input', 'output'], example: 'input' }) stage!: string;
  @ApiProperty({ enum: ['redact', 'block', 'withhold'], example: 'block' }) action!: string;
  @ApiProperty({ example: true }) enabled!: boolean;
  @ApiProperty({ example: 'Scores instructions aimed at the agents (ignore previous instructions, fake system messages, ...) and refuses text scoring at or above the threshold (422).' })
  description!: string;
  @ApiProperty({ type: [String], example: ['ignore_instructions', 'system_impersonation', 'prompt_extraction', 'tool_smuggling', 'encoded_payload', 'jailbreak'] })
  reasons!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { threshold: 0.7, borderline: 0.4, borderline_classifier: 'off (offline backend: rules only)' } })
  settings!: Record<string, unknown>;
  @ApiProperty({ example: 'GUARDRAIL_INJECTION_THRESHOLD, GUARDRAIL_INJECTION_BORDERLINE, GUARDRAILS_DISABLED=prompt_injection' })
  configure!: string;
}

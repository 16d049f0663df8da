import { ModelBehaviorError } from '@openai/agents-core';
import { z } from 'zod';
import { StructuredOutput } from './structured-output.js';

const Schema = z.object({ category: z.enum(['billing', 'technical']), confidence: z.number().min(0).max(1) });

describe('StructuredOutput', () => {
  it('is the JSON schema the SDK would send for the zod schema (strict, named "output")', () => {
    const { outputType } = new StructuredOutput(Schema);
    expect(outputType).toMatchObject({ type: 'json_schema', name: 'output', strict: true });
    expect(outputType.schema).toMatchObject({
      type: 'object',
      properties: { category: { type: 'string', enum: ['billing', 'technical'] }, confidence: { type: 'number' } },
      required: ['category', 'confidence'],
      additionalProperties: false,
    });
  });

  it('returns a valid final output and refuses an invalid one with the SDK error (→ 502 model-behavior)', () => {
    const output = new StructuredOutput(Schema);
    expect(output.parse({ category: 'billing', confidence: 0.9 })).toEqual({ category: 'billing', confidence: 0.9 });
    expect(() => output.parse({ category: 'sales', confidence: 2 })).toThrow(ModelBehaviorError);
    expect(() => output.parse({ category: 'sales', confidence: 2 })).toThrow(/category: .*; confidence: /);
    expect(() => output.parse('not json object')).toThrow(ModelBehaviorError);
  });
});

import { ModelBehaviorError, type JsonSchemaDefinition } from '@openai/agents-core';
import { zodTextFormat } from 'openai/helpers/zod';
import type { z } from 'zod';

/**
 * An agent's structured output, converted to JSON schema once. Given a zod `outputType`, the
 * SDK converts it again on every model turn (≈ 0.2 ms each: a fifth of an offline triage run,
 * docs/BENCHMARKS.md). Given this definition it sends the same `text.format` (the SDK's own
 * conversion: `zodTextFormat(schema, 'output')`), and `parse` validates the final output with
 * the zod schema as the SDK would have, failing with the SDK's ModelBehaviorError.
 */
export class StructuredOutput<S extends z.ZodObject> {
  readonly outputType: JsonSchemaDefinition;

  constructor(readonly schema: S) {
    const format = zodTextFormat(schema, 'output');
    this.outputType = { type: 'json_schema', name: format.name, strict: format.strict ?? false, schema: format.schema as JsonSchemaDefinition['schema'] };
  }

  parse(finalOutput: unknown): z.infer<S> {
    const parsed = this.schema.safeParse(finalOutput);
    if (!parsed.success) {
      throw new ModelBehaviorError(`Invalid output: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  }
}

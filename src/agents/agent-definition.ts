import type { z } from 'zod';
import type { WithRunMeta } from '../common/run-meta.js';

/**
 * What a feature module registers for one agent: its public name, the schemas of what it
 * accepts and returns, and how to invoke it (through the feature's own service, so
 * `/run_agent/` gives the same result as the feature's route).
 */
export interface AgentDefinition<I = unknown, O = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<I>;
  readonly outputSchema: z.ZodType<O>;
  invoke(input: I): Promise<WithRunMeta<O>>;
}

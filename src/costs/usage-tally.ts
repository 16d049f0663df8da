import { AsyncLocalStorage } from 'node:async_hooks';

/** Tokens one model spent within a tally (one agent stage of a ticket). */
export interface ModelUsage {
  model: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/**
 * Counts the model calls made while `track` runs, per model, including nested runs (an agent
 * used as a tool) and calls the SDK's own usage of the outer run does not see. The paced model
 * adds to the tally of the async context it is called in.
 */
export class UsageTally {
  private readonly byModel = new Map<string, ModelUsage>();

  track<T>(work: () => Promise<T>): Promise<T> {
    return storage.run(this, work);
  }

  add(model: string, usage: { requests?: number; inputTokens: number; outputTokens: number; totalTokens: number }): void {
    const entry = this.byModel.get(model) ?? { model, requests: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0 };
    entry.requests += usage.requests ?? 1;
    entry.inputTokens += usage.inputTokens;
    entry.outputTokens += usage.outputTokens;
    entry.totalTokens += usage.totalTokens || usage.inputTokens + usage.outputTokens;
    this.byModel.set(model, entry);
  }

  entries(): ModelUsage[] {
    return [...this.byModel.values()];
  }
}

const storage = new AsyncLocalStorage<UsageTally>();

/** The tally of the current async context, if a ticket stage is being counted. */
export function currentTally(): UsageTally | undefined {
  return storage.getStore();
}

import { loadConfig } from '../config/configuration.js';
import { Metrics } from '../metrics/metrics.js';
import type { CostsRepository } from './costs.repository.js';
import { CostsService } from './costs.service.js';
import { UsageTally, currentTally } from './usage-tally.js';

/** A repository that must not be called: stageRows and onModelUsage are computation only. */
const noRepository = new Proxy({}, { get: (_t, name) => () => Promise.reject(new Error(`unexpected repository call ${String(name)}`)) }) as CostsRepository;

function service(env: Record<string, string> = {}) {
  const metrics = new Metrics();
  return { costs: new CostsService(loadConfig({ OPENAI_MODEL: 'gpt-test', MODEL_PRICES: 'gpt-test=1/2,judge=10/10', ...env }), noRepository, metrics), metrics };
}

describe('CostsService', () => {
  it('model answers inside a tally are counted per model (nested calls included) and priced into the cost metric', async () => {
    const { costs, metrics } = service();
    const tally = new UsageTally();
    await tally.track(async () => {
      costs.onModelUsage('gpt-test', { requests: 1, inputTokens: 120, outputTokens: 30, totalTokens: 150 });
      // A nested run (an agent used as a tool) in the same async context.
      await Promise.resolve().then(() => costs.onModelUsage('judge', { requests: 1, inputTokens: 1000, outputTokens: 0, totalTokens: 1000 }));
      costs.onModelUsage('gpt-test', { requests: 1, inputTokens: 120, outputTokens: 30, totalTokens: 150 });
    });
    // Outside the tally nothing is attributed to a ticket.
    expect(currentTally()).toBeUndefined();
    costs.onModelUsage('gpt-test', { requests: 1, inputTokens: 1, outputTokens: 1, totalTokens: 2 });

    expect(costs.stageRows('t-1', 'resolution_agent', tally, undefined)).toEqual([
      { ticketId: 't-1', agent: 'resolution_agent', model: 'gpt-test', backend: 'openai', requests: 2, inputTokens: 240, outputTokens: 60, totalTokens: 300, costUsd: 0.00036 },
      { ticketId: 't-1', agent: 'resolution_agent', model: 'judge', backend: 'openai', requests: 1, inputTokens: 1000, outputTokens: 0, totalTokens: 1000, costUsd: 0.01 },
    ]);
    const metric = await metrics.modelCost.get();
    const byModel = Object.fromEntries(metric.values.map((v) => [v.labels.model, v.value]));
    expect(byModel['judge']).toBeCloseTo(0.01, 9);
    expect(byModel['gpt-test']).toBeCloseTo(0.00036 + 0.000003, 9);
  });

  it('a stage the paced provider did not see is recorded from the run: offline costs 0; an empty run writes nothing', () => {
    const { costs } = service();
    const offline = costs.stageRows('t-2', 'triage_agent', new UsageTally(), {
      backend: 'offline',
      degraded: false,
      usage: { requests: 1, input_tokens: 0, output_tokens: 0, total_tokens: 0 },
    });
    expect(offline).toEqual([expect.objectContaining({ model: 'offline', backend: 'offline', requests: 1, totalTokens: 0, costUsd: 0 })]);
    expect(costs.stageRows('t-2', 'triage_agent', new UsageTally(), undefined)).toEqual([]);
    expect(costs.stageRows('t-2', 'triage_agent', new UsageTally(), { backend: 'offline', degraded: false, usage: { requests: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0 } })).toEqual([]);
  });

  it('an unpriced model costs 0 but its tokens still count', () => {
    const { costs } = service();
    const tally = new UsageTally();
    tally.add('mystery-model', { inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(costs.stageRows('t-3', 'triage_agent', tally, undefined)).toEqual([expect.objectContaining({ model: 'mystery-model', requests: 1, totalTokens: 15, costUsd: 0 })]);
  });

  it('no budget: the ledger is not even read', async () => {
    const { costs } = service({ TICKET_TOKEN_BUDGET: '0' });
    await expect(costs.overBudget('t-4')).resolves.toBeUndefined();
  });
});

import { Injectable, Logger } from '@nestjs/common';
import type { RunMeta } from '../common/run-meta.js';
import { AppConfig } from '../config/configuration.js';
import { Metrics } from '../metrics/metrics.js';
import type { Tx } from '../tickets/tickets.repository.js';
import { CostsRepository, NO_USAGE, type CostGroupBy, type NewUsageRow, type UsageTotals } from './costs.repository.js';
import { DEFAULT_PRICES_AS_OF, costOf, parseModelPrices, priceFor, type ModelPrice } from './model-prices.js';
import type { CallUsage } from './paced-model.js';
import { budgetExceeded, type BudgetExceeded } from './token-budget.js';
import { currentTally, type UsageTally } from './usage-tally.js';

/**
 * Tokens and estimated cost: prices each model answer (MODEL_PRICES over the built-in list),
 * counts it in the current ticket stage's tally and in `model_cost_usd_total`, writes a stage's
 * usage with its event, and answers the token-budget question before a stage.
 */
@Injectable()
export class CostsService {
  private readonly logger = new Logger('Costs');
  private readonly prices: Map<string, ModelPrice>;
  private readonly unpriced = new Set<string>();

  constructor(
    private readonly config: AppConfig,
    private readonly repository: CostsRepository,
    private readonly metrics: Metrics,
  ) {
    // Validated at start-up (configuration.ts): errors here cannot happen.
    this.prices = parseModelPrices(config.env.MODEL_PRICES).prices;
  }

  costOf(model: string, usage: { inputTokens: number; outputTokens: number }): number {
    const price = priceFor(model, this.prices);
    if (!price && !this.unpriced.has(model)) {
      this.unpriced.add(model);
      this.logger.warn(`Model "${model}" has no price (MODEL_PRICES or the built-in ${DEFAULT_PRICES_AS_OF} list): its cost counts as 0`);
    }
    return costOf(usage, price);
  }

  /** One model answer (from the paced provider): into the ticket stage's tally and the cost metric. */
  onModelUsage = (model: string, usage: CallUsage): void => {
    currentTally()?.add(model, usage);
    const cost = this.costOf(model, usage);
    if (cost > 0) this.metrics.modelCost.inc({ model }, cost);
  };

  /**
   * The ledger rows of one stage: what the paced provider counted, per model; a stage it did
   * not see (the offline policy, which calls no provider) is recorded from the run's own usage.
   */
  stageRows(ticketId: string, agent: string, tally: UsageTally, meta: RunMeta | undefined): NewUsageRow[] {
    const counted = tally.entries();
    if (counted.length) {
      return counted.map((u) => ({
        ticketId,
        agent,
        model: u.model,
        backend: 'openai',
        requests: u.requests,
        inputTokens: u.inputTokens,
        outputTokens: u.outputTokens,
        totalTokens: u.totalTokens,
        costUsd: this.costOf(u.model, u),
      }));
    }
    const u = meta?.usage;
    if (!meta || !u || (!u.requests && !u.total_tokens)) return [];
    const model = meta.backend === 'offline' ? 'offline' : this.config.modelFor(agent === 'triage_agent' ? 'triage' : 'resolution');
    const tokens = { inputTokens: u.input_tokens, outputTokens: u.output_tokens };
    return [
      {
        ticketId,
        agent,
        model,
        backend: meta.backend,
        requests: u.requests,
        inputTokens: u.input_tokens,
        outputTokens: u.output_tokens,
        totalTokens: u.total_tokens,
        costUsd: meta.backend === 'offline' ? 0 : this.costOf(model, tokens),
      },
    ];
  }

  /** Writes a stage's usage in the transaction of its event. */
  record(tx: Tx, ticketId: string, agent: string, tally: UsageTally, meta: RunMeta | undefined): Promise<void> {
    return this.repository.insert(tx, this.stageRows(ticketId, agent, tally, meta));
  }

  /** Writes a stage's usage on its own (its event was written without it: a superseded outcome). */
  recordNow(ticketId: string, agent: string, tally: UsageTally, meta: RunMeta | undefined): Promise<void> {
    return this.repository.insert(undefined, this.stageRows(ticketId, agent, tally, meta));
  }

  /** Whether the ticket has used up TICKET_TOKEN_BUDGET (undefined: it may run). */
  async overBudget(ticketId: string): Promise<BudgetExceeded | undefined> {
    const budget = this.config.env.TICKET_TOKEN_BUDGET;
    if (!budget) return undefined;
    return budgetExceeded(await this.repository.spentTokens(ticketId), budget);
  }

  async usageOf(ticketIds: string[]): Promise<Map<string, UsageTotals>> {
    return this.repository.usageOf(ticketIds);
  }

  async usageOfTicket(ticketId: string): Promise<UsageTotals> {
    return (await this.repository.usageOf([ticketId])).get(ticketId) ?? NO_USAGE;
  }

  async report(range: { from: Date; to: Date }, groupBy: CostGroupBy | undefined, top: number) {
    const r = await this.repository.report(range, groupBy, top);
    const perTicket = (t: UsageTotals & { tickets: number }) => ({
      avg_tokens_per_ticket: t.tickets ? Math.round(t.total_tokens / t.tickets) : 0,
      avg_cost_per_ticket_usd: t.tickets ? Math.round((t.cost_usd / t.tickets) * 1e6) / 1e6 : 0,
    });
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      group_by: groupBy ?? null,
      currency: 'USD',
      totals: { ...r.overall, ...perTicket(r.overall) },
      groups: r.groups.map((g) => ({ ...g, ...perTicket(g) })),
      most_expensive_tickets: r.dearest,
      budget: { ticket_token_budget: this.config.env.TICKET_TOKEN_BUDGET, escalations: r.escalations.count, recent_escalations: r.escalations.recent },
      prices: { configured: Object.fromEntries(this.prices), built_in_as_of: DEFAULT_PRICES_AS_OF, note: 'Estimates: list prices per million tokens; cached-input and batch discounts are not applied.' },
    };
  }
}

export type CostReport = Awaited<ReturnType<CostsService['report']>>;

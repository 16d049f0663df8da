import { Injectable } from '@nestjs/common';
import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { Database, type Db } from '../database/database.js';
import { modelUsage, ticketEvents, tickets } from '../database/schema.js';
import type { Tx } from '../tickets/tickets.repository.js';

type Executor = Db | Tx;

export const COST_GROUP_BY = ['day', 'category', 'priority', 'agent', 'model'] as const;
export type CostGroupBy = (typeof COST_GROUP_BY)[number];

/** A ticket's (or a group's) spending, as the API shows it. */
export interface UsageTotals {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export const NO_USAGE: UsageTotals = { requests: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cost_usd: 0 };

export type NewUsageRow = typeof modelUsage.$inferInsert;

/** Sums as numbers (bigint sums come back as strings from both drivers). */
const totals = {
  requests: sql<number>`coalesce(sum(${modelUsage.requests}), 0)`.mapWith(Number),
  input_tokens: sql<number>`coalesce(sum(${modelUsage.inputTokens}), 0)`.mapWith(Number),
  output_tokens: sql<number>`coalesce(sum(${modelUsage.outputTokens}), 0)`.mapWith(Number),
  total_tokens: sql<number>`coalesce(sum(${modelUsage.totalTokens}), 0)`.mapWith(Number),
  cost_usd: sql<number>`coalesce(sum(${modelUsage.costUsd}), 0)`.mapWith(Number),
};

const GROUP_KEY: Record<CostGroupBy, SQL<string | null>> = {
  day: sql<string>`to_char(${modelUsage.at} at time zone 'UTC', 'YYYY-MM-DD')`,
  category: sql<string | null>`${tickets.category}`,
  priority: sql<string | null>`${tickets.priority}`,
  agent: sql<string>`${modelUsage.agent}`,
  model: sql<string>`${modelUsage.model}`,
};

/** The model usage ledger: written with each stage's event, summed per ticket and for reports. */
@Injectable()
export class CostsRepository {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  async insert(executor: Executor | undefined, rows: NewUsageRow[]): Promise<void> {
    if (rows.length) await (executor ?? this.db).insert(modelUsage).values(rows);
  }

  /** Tokens a ticket's runs have spent so far (the token budget's measure). */
  async spentTokens(ticketId: string, executor: Executor = this.db): Promise<number> {
    const [row] = await executor.select({ total: totals.total_tokens }).from(modelUsage).where(eq(modelUsage.ticketId, ticketId));
    return row?.total ?? 0;
  }

  /** Each ticket's totals (tickets without usage are absent). */
  async usageOf(ticketIds: string[]): Promise<Map<string, UsageTotals>> {
    if (!ticketIds.length) return new Map();
    const rows = await this.db
      .select({ ticketId: modelUsage.ticketId, ...totals })
      .from(modelUsage)
      .where(inArray(modelUsage.ticketId, ticketIds))
      .groupBy(modelUsage.ticketId);
    return new Map(rows.map(({ ticketId, ...t }) => [ticketId, roundCost(t)]));
  }

  /** Spending in [from, to): overall, per group, the dearest tickets, and budget escalations. */
  async report(range: { from: Date; to: Date }, groupBy: CostGroupBy | undefined, top: number) {
    const inRange = and(gte(modelUsage.at, range.from), lt(modelUsage.at, range.to));
    const ticketCount = sql<number>`count(distinct ${modelUsage.ticketId})`.mapWith(Number);
    const [overall] = await this.db
      .select({ tickets: ticketCount, ...totals })
      .from(modelUsage)
      .where(inRange);
    const key = groupBy ? GROUP_KEY[groupBy] : undefined;
    const groups = key
      ? await this.db
          .select({ key, tickets: ticketCount, ...totals })
          .from(modelUsage)
          .innerJoin(tickets, eq(tickets.id, modelUsage.ticketId))
          .where(inRange)
          .groupBy(key)
          .orderBy(desc(totals.cost_usd), key)
      : [];
    const dearest = await this.db
      .select({ ticketId: modelUsage.ticketId, status: tickets.status, category: tickets.category, priority: tickets.priority, ...totals })
      .from(modelUsage)
      .innerJoin(tickets, eq(tickets.id, modelUsage.ticketId))
      .where(inRange)
      .groupBy(modelUsage.ticketId, tickets.status, tickets.category, tickets.priority)
      .orderBy(desc(totals.cost_usd), desc(totals.total_tokens), modelUsage.ticketId)
      .limit(top);
    const escalated = await this.db
      .select({ ticketId: ticketEvents.ticketId, at: ticketEvents.at, data: ticketEvents.data })
      .from(ticketEvents)
      .where(and(eq(ticketEvents.type, 'token_budget_exceeded'), gte(ticketEvents.at, range.from), lt(ticketEvents.at, range.to)))
      .orderBy(desc(ticketEvents.id))
      .limit(top);
    const [escalations] = await this.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(ticketEvents)
      .where(and(eq(ticketEvents.type, 'token_budget_exceeded'), gte(ticketEvents.at, range.from), lt(ticketEvents.at, range.to)));
    return {
      overall: { tickets: overall?.tickets ?? 0, ...roundCost(overall ?? NO_USAGE) },
      groups: groups.map(({ key: k, tickets: n, ...t }) => ({ key: k ?? 'unknown', tickets: n, ...roundCost(t) })),
      dearest: dearest.map(({ ticketId, status, category, priority, ...t }) => ({ ticket_id: ticketId, status, category, priority, ...roundCost(t) })),
      escalations: {
        count: escalations?.n ?? 0,
        recent: escalated.map((e) => ({ ticket_id: e.ticketId, at: e.at.toISOString(), spent_tokens: Number(e.data.spent_tokens ?? 0), budget_tokens: Number(e.data.budget_tokens ?? 0) })),
      },
    };
  }
}

/** Float sums of many small costs drift in the last digits: shown to a millionth of a dollar. */
function roundCost<T extends UsageTotals>(t: T): UsageTotals {
  return { requests: t.requests, input_tokens: t.input_tokens, output_tokens: t.output_tokens, total_tokens: t.total_tokens, cost_usd: Math.round(t.cost_usd * 1e6) / 1e6 };
}

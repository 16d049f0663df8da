import type { TicketFacts } from './ticket-facts.js';

export const METRIC_NAMES = [
  'tickets_total',
  'tickets_resolved',
  'backlog',
  'avg_first_response_time',
  'avg_resolution_time',
  'p90_resolution_time',
  'sla_compliance',
  'reopen_rate',
  'customer_satisfaction',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface Metric {
  metric_name: MetricName;
  value: number;
}

/** Resolution-time targets in hours per priority (tickets without a priority count as Medium). */
export interface ResolutionTargets {
  High: number;
  Medium: number;
  Low: number;
}
export const DEFAULT_RESOLUTION_TARGETS: ResolutionTargets = { High: 4, Medium: 24, Low: 72 };

const HOUR = 3_600_000;
const round = (x: number) => Math.round(x * 10_000) / 10_000;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Linear-interpolated percentile (same as PostgreSQL percentile_cont). */
export function percentile(sorted: number[], p: number): number {
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/**
 * The metric collectors: pure functions over the ticket facts, each independent of the
 * others so they run concurrently (as parallel tool calls of the monitoring agent). A metric
 * with no data (no resolved ticket, no csat) is omitted rather than reported as 0.
 */
export const collectors = {
  volume(facts: readonly TicketFacts[]): Metric[] {
    let resolved = 0;
    for (const f of facts) if (f.resolvedAt !== undefined) resolved++;
    return [
      { metric_name: 'tickets_total', value: facts.length },
      { metric_name: 'tickets_resolved', value: resolved },
      { metric_name: 'backlog', value: facts.length - resolved },
    ];
  },

  firstResponse(facts: readonly TicketFacts[]): Metric[] {
    const xs: number[] = [];
    for (const f of facts) if (f.firstResponseAt !== undefined) xs.push((f.firstResponseAt - f.createdAt) / HOUR);
    return xs.length ? [{ metric_name: 'avg_first_response_time', value: round(mean(xs)) }] : [];
  },

  resolution(facts: readonly TicketFacts[], targets: ResolutionTargets = DEFAULT_RESOLUTION_TARGETS): Metric[] {
    const xs: number[] = [];
    let within = 0;
    for (const f of facts) {
      if (f.resolvedAt === undefined) continue;
      const hours = (f.resolvedAt - f.createdAt) / HOUR;
      xs.push(hours);
      if (hours <= targets[f.priority ?? 'Medium']) within++;
    }
    if (!xs.length) return [];
    xs.sort((a, b) => a - b);
    return [
      { metric_name: 'avg_resolution_time', value: round(mean(xs)) },
      { metric_name: 'p90_resolution_time', value: round(percentile(xs, 0.9)) },
      { metric_name: 'sla_compliance', value: round(within / xs.length) },
    ];
  },

  reopen(facts: readonly TicketFacts[]): Metric[] {
    let ever = 0;
    let reopened = 0;
    for (const f of facts) {
      if (f.everResolved) ever++;
      if (f.reopened) reopened++;
    }
    return ever ? [{ metric_name: 'reopen_rate', value: round(reopened / ever) }] : [];
  },

  satisfaction(facts: readonly TicketFacts[]): Metric[] {
    const xs: number[] = [];
    for (const f of facts) if (f.csat !== undefined) xs.push(f.csat);
    return xs.length ? [{ metric_name: 'customer_satisfaction', value: round(mean(xs)) }] : [];
  },
};

/** All metrics in the documented order. */
export function sortMetrics(metrics: Metric[]): Metric[] {
  return [...metrics].sort((a, b) => METRIC_NAMES.indexOf(a.metric_name) - METRIC_NAMES.indexOf(b.metric_name));
}

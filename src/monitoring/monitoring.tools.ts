import { tool, type RunContext } from '@openai/agents-core';
import { z } from 'zod';
import type { AlertOutcome, AlertSender } from './alert.sender.js';
import { collectors, sortMetrics, type Metric, type ResolutionTargets } from './metrics.js';
import { findBreaches, type Breach, type SlaTargets } from './sla.js';
import type { TicketFacts } from './ticket-facts.js';

/** Per-run state of the monitoring agent: the data, and what its tools computed and did. */
export interface MonitoringContext {
  facts: readonly TicketFacts[];
  targets: SlaTargets;
  resolutionTargets: ResolutionTargets;
  metrics: Map<string, Metric[]>;
  sla?: { breaches: Breach[]; alert?: AlertOutcome };
  /**
   * Shared by every attempt of one request: when the OpenAI run fails after the alert went
   * out and the offline run takes over, the alert is not sent twice.
   */
  delivery: { alert?: Promise<AlertOutcome> };
}

type Collector = (ctx: MonitoringContext) => Metric[];

/** Metric tools by name → how they compute from the context (the collectors, DESIGN §1). */
export const METRIC_TOOLS: Record<string, { description: string; compute: Collector }> = {
  compute_volume_metrics: { description: 'tickets_total, tickets_resolved, backlog', compute: (c) => collectors.volume(c.facts) },
  compute_first_response_metrics: { description: 'avg_first_response_time (hours)', compute: (c) => collectors.firstResponse(c.facts) },
  compute_resolution_metrics: {
    description: 'avg_resolution_time, p90_resolution_time (hours), sla_compliance',
    compute: (c) => collectors.resolution(c.facts, c.resolutionTargets),
  },
  compute_reopen_metrics: { description: 'reopen_rate', compute: (c) => collectors.reopen(c.facts) },
  compute_satisfaction_metrics: { description: 'customer_satisfaction (mean CSAT, when present)', compute: (c) => collectors.satisfaction(c.facts) },
};
export const EVALUATE_TOOL_NAME = 'evaluate_sla_and_alert';

export function collectedMetrics(ctx: MonitoringContext): Metric[] {
  return sortMetrics([...ctx.metrics.values()].flat());
}

/** Fills in any collector the model did not call, so the result is always complete. */
export function completeMetrics(ctx: MonitoringContext): Metric[] {
  for (const [name, t] of Object.entries(METRIC_TOOLS)) if (!ctx.metrics.has(name)) ctx.metrics.set(name, t.compute(ctx));
  return collectedMetrics(ctx);
}

/** Breaches from the computed numbers (never from the model), then the alert if any. */
export async function evaluateAndAlert(ctx: MonitoringContext, alerts: AlertSender) {
  if (ctx.sla) return ctx.sla;
  const breaches = findBreaches(completeMetrics(ctx), ctx.targets);
  if (breaches.length) ctx.delivery.alert ??= alerts.send(breaches);
  ctx.sla = { breaches, alert: breaches.length ? await ctx.delivery.alert : undefined };
  return ctx.sla;
}

const noArgs = z.object({});

export function monitoringTools(alerts: AlertSender) {
  const metricTools = Object.entries(METRIC_TOOLS).map(([name, t]) =>
    tool({
      name,
      description: `Compute ${t.description} from the ticket updates of this request.`,
      parameters: noArgs,
      execute: (_args, runContext?: RunContext<MonitoringContext>) => {
        const ctx = runContext!.context;
        const metrics = t.compute(ctx);
        ctx.metrics.set(name, metrics);
        return JSON.stringify({ metrics });
      },
    }),
  );
  const evaluate = tool({
    name: EVALUATE_TOOL_NAME,
    description: 'Compare the computed metrics with the SLA targets and send one alert if any target is breached. Call after the metric tools.',
    parameters: noArgs,
    execute: async (_args, runContext?: RunContext<MonitoringContext>) => {
      const sla = await evaluateAndAlert(runContext!.context, alerts);
      return JSON.stringify({ breaches: sla.breaches, alert: sla.alert ?? null });
    },
  });
  return [...metricTools, evaluate];
}

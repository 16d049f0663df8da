import type { AlertOutcome } from './alert.sender.js';
import { METRIC_NAMES, type Metric, type MetricName } from './metrics.js';
import { METRIC_KIND } from './report-numbers.js';
import { BREACH_DIRECTION, resolutionTargets, type Breach, type SlaTargets } from './sla.js';

const LABELS: Record<MetricName, string> = {
  tickets_total: 'Tickets',
  tickets_resolved: 'Resolved',
  backlog: 'Backlog (not resolved)',
  avg_first_response_time: 'Average first response',
  avg_resolution_time: 'Average resolution',
  p90_resolution_time: '90th percentile resolution',
  sla_compliance: 'Resolved within SLA',
  reopen_rate: 'Reopen rate',
  customer_satisfaction: 'Customer satisfaction (1-5)',
};

/** Why a metric is missing: the collectors omit a metric that has no data rather than report 0. */
const NO_DATA: Partial<Record<MetricName, string>> = {
  avg_first_response_time: 'no ticket has a first response yet',
  avg_resolution_time: 'no ticket is resolved',
  p90_resolution_time: 'no ticket is resolved',
  sla_compliance: 'no ticket is resolved',
  reopen_rate: 'no ticket was resolved',
  customer_satisfaction: 'no CSAT score was given',
};

const withThousands = (n: number) => (Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : String(n));
const clean = (x: number) => Number(x.toPrecision(12));

/**
 * A percentage with one decimal, except where that would lie: a nonzero share is never shown as
 * 0% nor an incomplete one as 100% (then every digit is shown, e.g. 0.01%, 99.99%).
 */
function percent(fraction: number): string {
  const p = clean(fraction * 100);
  const rounded = Math.round(p * 10) / 10;
  return `${(rounded === 0 && p !== 0) || (rounded === 100 && p !== 100) ? p : rounded}%`;
}

/** A metric's value (or target) in its unit: hours with "h", fractions as percentages. */
function fmt(name: MetricName, value: number): string {
  switch (METRIC_KIND[name]) {
    case 'fraction':
      return percent(value);
    case 'hours':
      return `${withThousands(value)} h`;
    default:
      return withThousands(value);
  }
}

/** How far a breach is off its target, in the metric's unit (fractions in percentage points). */
function gap(b: Breach): string {
  const d = clean(Math.abs(b.value - b.target));
  if (METRIC_KIND[b.metric_name] !== 'fraction') return fmt(b.metric_name, d);
  const points = clean(d * 100);
  const rounded = Math.round(points * 10) / 10;
  return `${rounded === 0 ? points : rounded} percentage points`;
}

export interface ReportOptions {
  /** The request's SLA targets; when given, the table shows each metric's target and whether it was met. */
  targets?: SlaTargets;
  /** How many ticket updates the request had. */
  ticketUpdates?: number;
}

/**
 * The offline dashboard report (and the fallback when a written narrative is refused): a
 * Markdown template over the computed numbers only. Every number in it is one of the run's facts
 * (report-numbers.ts), so the numbers guardrail always passes it.
 */
export function renderReport(metrics: Metric[], breaches: Breach[], alert: AlertOutcome | undefined, options: ReportOptions = {}): string {
  const values = new Map(metrics.map((m) => [m.metric_name, m.value]));
  const total = values.get('tickets_total') ?? 0;
  const targets = options.targets;
  const metricTargets = METRIC_NAMES.filter((n) => typeof targets?.[n] === 'number');
  const breached = new Set(breaches.map((b) => b.metric_name));
  const lines = ['## Support performance', ''];
  if (total > 0 && options.ticketUpdates !== undefined) {
    lines.push(`From ${withThousands(options.ticketUpdates)} ticket updates of ${withThousands(total)} tickets.`, '');
  }

  // With tickets, every metric has a row ("no data" says why); without, only the volume rows.
  const shown = total > 0 ? METRIC_NAMES.filter((n) => values.has(n) || NO_DATA[n] || metricTargets.includes(n)) : metrics.map((m) => m.metric_name);
  const withTargets = metricTargets.length > 0;
  lines.push(withTargets ? '| Metric | Value | Target |' : '| Metric | Value |', withTargets ? '|---|---|---|' : '|---|---|');
  for (const name of shown) {
    const value = values.get(name);
    const cells = [LABELS[name], value === undefined ? `no data: ${NO_DATA[name] ?? 'not computed'}` : fmt(name, value)];
    if (withTargets) {
      const target = targets?.[name];
      const status = value === undefined ? 'not checked (no data)' : breached.has(name) ? '**breached**' : 'met';
      cells.push(target === undefined ? '' : `${BREACH_DIRECTION[name] === 'above' ? 'at most' : 'at least'} ${fmt(name, target)}: ${status}`);
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');

  const compliance = values.get('sla_compliance');
  const resolved = values.get('tickets_resolved');
  if (compliance !== undefined && resolved !== undefined) {
    const rt = resolutionTargets(targets ?? {});
    const within = Math.round(compliance * resolved);
    lines.push(
      `"Resolved within SLA" counts the resolved tickets resolved within their priority's target (High ${rt.High} h, Medium ${rt.Medium} h, Low ${rt.Low} h): ${withThousands(within)} of ${withThousands(resolved)}.`,
      '',
    );
  }
  if (total === 0) lines.push('No ticket updates were provided, so there is nothing to measure yet.', '');

  if (breaches.length === 0) {
    const unchecked = metricTargets.filter((n) => !values.has(n));
    const status =
      targets === undefined
        ? 'no target breached.'
        : metricTargets.length === 0
          ? 'no metric targets were given (`sla_targets`), so nothing was checked against them.'
          : unchecked.length === 0
            ? 'all targets met.'
            : `all targets with data met; not checked for lack of data: ${unchecked.map((n) => LABELS[n]).join(', ')}.`;
    lines.push(`**SLA status:** ${status} No alert was needed.`);
  } else {
    lines.push(`**SLA status:** ${breaches.length} breach${breaches.length === 1 ? '' : 'es'}.`, '');
    for (const b of breaches) {
      lines.push(`- ${LABELS[b.metric_name]}: ${fmt(b.metric_name, b.value)} is ${b.direction} the target of ${fmt(b.metric_name, b.target)} (by ${gap(b)}).`);
    }
    lines.push('', `**Alert:** ${alert ? (alert.delivered ? `sent — ${alert.detail}.` : `not sent — ${alert.detail}.`) : 'not evaluated.'}`);
  }
  return lines.join('\n');
}

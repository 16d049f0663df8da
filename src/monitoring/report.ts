import type { Metric } from './metrics.js';
import type { Breach } from './sla.js';
import type { AlertOutcome } from './alert.sender.js';

const LABELS: Record<string, [string, string]> = {
  tickets_total: ['Tickets', ''],
  tickets_resolved: ['Resolved', ''],
  backlog: ['Backlog (not resolved)', ''],
  avg_first_response_time: ['Average first response', ' h'],
  avg_resolution_time: ['Average resolution', ' h'],
  p90_resolution_time: ['90th percentile resolution', ' h'],
  sla_compliance: ['Resolved within SLA', ''],
  reopen_rate: ['Reopen rate', ''],
  customer_satisfaction: ['Customer satisfaction (1-5)', ''],
};

const fmt = (m: { metric_name: string; value: number }) =>
  m.metric_name === 'sla_compliance' || m.metric_name === 'reopen_rate'
    ? `${Math.round(m.value * 1000) / 10}%`
    : `${m.value}${LABELS[m.metric_name]?.[1] ?? ''}`;

/** The offline dashboard report: a Markdown template over the computed numbers only. */
export function renderReport(metrics: Metric[], breaches: Breach[], alert: AlertOutcome | undefined): string {
  const rows = metrics.map((m) => `| ${LABELS[m.metric_name]?.[0] ?? m.metric_name} | ${fmt(m)} |`);
  const total = metrics.find((m) => m.metric_name === 'tickets_total')?.value ?? 0;
  const lines = ['## Support performance', '', '| Metric | Value |', '|---|---|', ...rows, ''];
  if (total === 0) lines.push('No ticket updates were provided, so there is nothing to measure yet.', '');
  if (breaches.length === 0) {
    lines.push('**SLA status:** all targets met. No alert was needed.');
  } else {
    lines.push(`**SLA status:** ${breaches.length} breach${breaches.length === 1 ? '' : 'es'}.`, '');
    for (const b of breaches) {
      lines.push(`- ${LABELS[b.metric_name]?.[0] ?? b.metric_name}: ${fmt(b)} is ${b.direction} the target of ${fmt({ ...b, value: b.target })}.`);
    }
    lines.push('', `**Alert:** ${alert ? (alert.delivered ? `sent — ${alert.detail}.` : `not sent — ${alert.detail}.`) : 'not evaluated.'}`);
  }
  return lines.join('\n');
}

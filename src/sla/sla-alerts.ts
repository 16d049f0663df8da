import type { AlertRequest } from '../alerts/alerts.types.js';
import type { SlaMetric } from './sla-policy.js';
import type { AtRiskItem, MetricClockView, TicketSlaView } from './sla.types.js';

/** The alerts a check raises (pure). One key per clock cycle: one alert per breach. */

export const METRIC_LABEL: Record<SlaMetric, string> = {
  first_reply_time: 'First reply time',
  next_reply_time: 'Next reply time',
  periodic_update: 'Periodic update',
  requester_wait_time: 'Requester wait time',
  agent_work_time: 'Agent work time',
  resolution_time: 'Resolution time',
};

export const breachKey = (ticketId: string, metric: SlaMetric, cycleStart: string) => `breach:${ticketId}:${metric}:${cycleStart}`;
export const atRiskKey = (ticketId: string, metric: SlaMetric, cycleStart: string) => `at_risk:${ticketId}:${metric}:${cycleStart}`;

/** "2 h 05 min" from minutes (alerts are read by people). */
export function humanMinutes(minutes: number): string {
  const m = Math.round(Math.abs(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  return h === 0 ? `${rest} min` : rest === 0 ? `${h} h` : `${h} h ${String(rest).padStart(2, '0')} min`;
}

/** Ticket fields come from customers' tickets: kept out of Slack markup, on one line. */
const plain = (s: string | null) => (s ?? 'none').replace(/[<>&*_~`|\r\n\t]/g, ' ').slice(0, 120);

/**
 * The lines say nothing relative to the moment of the check ("overdue by 15 min"): a reminder
 * hours later repeats them, and must still be true.
 */
export function alertForBreach(v: TicketSlaView, clock: MetricClockView, key: string): AlertRequest {
  const label = METRIC_LABEL[clock.metric];
  const answered = clock.state === 'fulfilled';
  return {
    dedupeKey: key,
    kind: 'breach',
    ticketId: v.ticket_id,
    metric: clock.metric,
    title: `SLA breached: ${label.toLowerCase()} on ${plain(v.ticket_id)} (${plain(v.priority)})`,
    lines: [
      `*${label}* target of ${humanMinutes(clock.target_minutes)}${clock.business_hours ? ' (business hours)' : ''} breached at ${clock.breached_at}.`,
      answered ? `It was met late, at ${clock.fulfilled_at}.` : `Still open past its target (ticket ${plain(v.status)} when first alerted).`,
      `Ticket ${plain(v.ticket_id)} · priority ${plain(v.priority)} · category ${plain(v.category)} · channel ${plain(v.channel)} · policy ${v.policy?.id ?? 'none'}`,
    ],
    fields: {
      ticket_id: v.ticket_id,
      metric: clock.metric,
      policy: v.policy?.id ?? null,
      priority: v.priority,
      category: v.category,
      channel: v.channel,
      status: v.status,
      target_minutes: clock.target_minutes,
      business_hours: clock.business_hours,
      cycle_started_at: clock.cycle_started_at,
      breached_at: clock.breached_at,
      fulfilled_at: clock.fulfilled_at,
    },
  };
}

export function alertForAtRisk(v: TicketSlaView, clock: MetricClockView, item: AtRiskItem, key: string): AlertRequest {
  const label = METRIC_LABEL[clock.metric];
  return {
    dedupeKey: key,
    kind: 'at_risk',
    ticketId: v.ticket_id,
    metric: clock.metric,
    title: `SLA at risk: ${label.toLowerCase()} on ${plain(v.ticket_id)} due at ${item.due_at}`,
    lines: [
      `*${label}* target of ${humanMinutes(clock.target_minutes)}${clock.business_hours ? ' (business hours)' : ''} is due at ${item.due_at}.`,
      `Ticket ${plain(v.ticket_id)} · priority ${plain(v.priority)} · status ${plain(v.status)} · policy ${v.policy?.id ?? 'none'}`,
    ],
    fields: {
      ticket_id: v.ticket_id,
      metric: clock.metric,
      policy: v.policy?.id ?? null,
      priority: v.priority,
      status: v.status,
      target_minutes: clock.target_minutes,
      due_at: item.due_at,
      remaining_minutes: item.remaining_minutes,
    },
  };
}

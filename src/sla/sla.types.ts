import type { SlaMetric } from './sla-policy.js';

/**
 * JSON shapes of the SLA routes (docs/sla.md): `GET /tickets/:id/sla`, `GET /monitoring/at-risk`,
 * `GET /monitoring/overview`, `GET /monitoring/trends`. Times are ISO-8601 UTC, durations minutes.
 */

/** One metric's clock on one ticket (the current cycle for next_reply_time and periodic_update). */
export interface MetricClockView {
  metric: SlaMetric;
  target_minutes: number;
  /** Counted in business hours of the policy's calendar (false: calendar time, 24/7). */
  business_hours: boolean;
  /**
   * not_started: nothing to measure yet (no customer message waiting, no reply yet);
   * running: counting (outside business hours too: `due_at` then skips the closed time); paused:
   * the ticket's status pauses this metric (pending on the customer, or on hold for agent work
   * time); fulfilled: the cycle ended (a reply, the resolution).
   */
  state: 'not_started' | 'running' | 'paused' | 'fulfilled';
  /** The current (or last) cycle went over its target. */
  breached: boolean;
  elapsed_minutes: number;
  /** target − elapsed (negative once breached); null when fulfilled or not started. */
  remaining_minutes: number | null;
  /** When the target is (or was) reached if the clock keeps running; null when paused, fulfilled or not started. */
  due_at: string | null;
  breached_at: string | null;
  cycle_started_at: string | null;
  fulfilled_at: string | null;
  /** Breaches over the ticket's whole history (reply metrics can breach once per cycle). */
  breaches: number;
}

export interface TicketSlaView {
  ticket_id: string;
  status: string;
  priority: string | null;
  category: string | null;
  channel: string | null;
  policy: { id: string; name: string | null } | null;
  calendar: { id: string; time_zone: string } | null;
  metrics: MetricClockView[];
  /** The running clock that will breach first (not yet breached), if any. */
  next_due: { metric: SlaMetric; due_at: string; remaining_minutes: number } | null;
  /** Any metric breached now or earlier in the ticket's life. */
  breached: boolean;
  computed_at: string;
}

/** A ticket whose running clock reaches its target within the window. */
export interface AtRiskItem {
  ticket_id: string;
  status: string;
  priority: string | null;
  category: string | null;
  channel: string | null;
  policy_id: string;
  metric: SlaMetric;
  due_at: string;
  remaining_minutes: number;
}

/** An open ticket with a clock past its target. */
export interface BreachedItem {
  ticket_id: string;
  status: string;
  priority: string | null;
  category: string | null;
  channel: string | null;
  policy_id: string;
  metric: SlaMetric;
  breached_at: string;
  overdue_minutes: number;
}

export interface AtRiskResponse {
  within_minutes: number;
  generated_at: string;
  /** Soonest first. */
  items: AtRiskItem[];
  truncated: boolean;
}

/** What one check (or the overview) counts, overall or for one priority/category/channel. */
export interface SlaStats {
  /** Tickets not resolved or closed. */
  open: number;
  /** Open tickets with a running clock due within SLA_AT_RISK_MINUTES. */
  at_risk: number;
  /** Open tickets with at least one clock past its target. */
  breached: number;
  /** Tickets resolved (latest resolution) in the last hour / 24 hours … */
  resolved_1h: number;
  resolved_24h: number;
  /** … of which no metric was breached during the ticket's life. */
  resolved_within_sla_1h: number;
  resolved_within_sla_24h: number;
  /** resolved_within_sla_24h ÷ resolved_24h; null without resolutions. */
  sla_compliance_24h: number | null;
}

export interface SlaOverview {
  generated_at: string;
  at_risk_minutes: number;
  overall: SlaStats;
  by_priority: Record<string, SlaStats>;
  by_category: Record<string, SlaStats>;
  by_channel: Record<string, SlaStats>;
  /** Up to 50 each, most urgent first. */
  breached_tickets: BreachedItem[];
  at_risk_tickets: AtRiskItem[];
  /** The last scheduled check (null when none ran yet). */
  last_check: { at: string; duration_ms: number; tickets: number; alerts_raised: number; actions_taken: number } | null;
}

export interface TrendPoint extends SlaStats {
  /** Start of the hour or day (UTC). */
  bucket: string;
  /** When the check whose numbers these are ran (the last of the bucket). */
  taken_at: string;
}

export interface TrendsResponse {
  granularity: 'hour' | 'day';
  dimension: 'overall' | 'priority' | 'category' | 'channel';
  from: string;
  to: string;
  /** One series per key (`null` key for overall), points oldest first. */
  series: { key: string | null; points: TrendPoint[] }[];
}

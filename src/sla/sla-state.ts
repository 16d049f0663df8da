import type { SlaMetric } from './sla-policy.js';
import type { MetricClockView, TicketSlaView } from './sla.types.js';

/**
 * The one SLA line the approval queue and the hand-off package show for a ticket, read from
 * its policy clocks (GET /tickets/:id/sla), so every view of a ticket names the same deadline.
 * Pure.
 */
export interface SlaState {
  priority: string | null;
  /** Which clock this is: resolution_time when the policy sets it, else the one due first (or breached); null without a policy. */
  metric: SlaMetric | null;
  /** The clock's state (running, paused, fulfilled, not_started); null without a clock. */
  state: MetricClockView['state'] | null;
  /** The policy's target, in business hours when `business_hours`. */
  target_hours: number | null;
  /** The target counts the policy calendar's working time only (false: 24/7). */
  business_hours: boolean | null;
  /**
   * When the target is reached (or was: breached_at once breached). Null while the clock is
   * paused (nothing runs, so nothing is due), once it stopped within target, or without a clock.
   */
  deadline: string | null;
  /** Target minus the time counted so far, in hours counted like the target; negative once breached; null when stopped or without a clock. */
  remaining_hours: number | null;
  breached: boolean;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The SLA of a ticket no policy applies to (or whose clocks could not be read). */
export function noSlaState(priority: string | null): SlaState {
  return { priority, metric: null, state: null, target_hours: null, business_hours: null, deadline: null, remaining_hours: null, breached: false };
}

/**
 * Which clock stands for the ticket: resolution_time when the policy has one (the deadline a
 * queue is worked against), else the running clock due first, else an open breach (the
 * earliest), else any past breach, else a paused clock.
 */
export function headlineClock(view: TicketSlaView): MetricClockView | undefined {
  const m = view.metrics;
  const resolution = m.find((c) => c.metric === 'resolution_time');
  if (resolution) return resolution;
  if (view.next_due) return m.find((c) => c.metric === view.next_due!.metric);
  const byBreach = (a: MetricClockView, b: MetricClockView) => (a.breached_at! < b.breached_at! ? -1 : a.breached_at! > b.breached_at! ? 1 : 0);
  const breached = m.filter((c) => c.breached && c.breached_at !== null).sort(byBreach);
  return breached.find((c) => c.state !== 'fulfilled') ?? breached[0] ?? m.find((c) => c.state === 'paused');
}

export function slaStateOf(view: TicketSlaView | undefined, priority: string | null = view?.priority ?? null): SlaState {
  const clock = view && headlineClock(view);
  if (!clock) return noSlaState(priority);
  return {
    priority,
    metric: clock.metric,
    state: clock.state,
    target_hours: round2(clock.target_minutes / 60),
    business_hours: clock.business_hours,
    deadline: clock.breached ? clock.breached_at : clock.due_at,
    remaining_hours: clock.remaining_minutes === null ? null : round2(clock.remaining_minutes / 60),
    breached: clock.breached,
  };
}

import { calendarOf, matchPolicy, type Policy, type PolicySet } from './sla-policy.js';
import { nextDue, overdue, ticketClocks } from './sla-clock.js';
import { solvedAt, timelineOf, type StoredClockEvent } from './ticket-timeline.js';
import type { AtRiskItem, BreachedItem, MetricClockView, SlaStats, TicketSlaView } from './sla.types.js';

/**
 * A stored ticket's SLA state and the counts a check or the overview keeps (pure; the
 * repository reads the rows, sla-check.service.ts acts on the results).
 */

export interface SlaTicketRow {
  id: string;
  status: string;
  priority: string | null;
  category: string | null;
  channel: string | null;
  createdAt: Date;
}

export interface TicketEvaluation {
  view: TicketSlaView;
  policy: Policy | undefined;
  /** When it was last solved, if solved now (ms). */
  solvedAt: number | undefined;
}

export function evaluateTicket(row: SlaTicketRow, events: readonly StoredClockEvent[], set: PolicySet, now: number): TicketEvaluation {
  const policy = matchPolicy(set, row);
  const calendar = policy ? calendarOf(set, policy) : null;
  const timeline = timelineOf(row.createdAt, events);
  const metrics = policy ? ticketClocks(timeline, { policy, calendar, now }) : [];
  return {
    policy,
    solvedAt: solvedAt(timeline, row.status),
    view: {
      ticket_id: row.id,
      status: row.status,
      priority: row.priority,
      category: row.category,
      channel: row.channel,
      policy: policy ? { id: policy.id, name: policy.name ?? null } : null,
      calendar: calendar ? { id: calendar.id, time_zone: calendar.time_zone } : null,
      metrics,
      next_due: nextDue(metrics),
      breached: metrics.some((m) => m.breaches > 0),
      computed_at: new Date(now).toISOString(),
    },
  };
}

const isSolved = (status: string) => status === 'resolved' || status === 'closed';

/**
 * Running clocks of an open ticket that reach their target within `withinMs` (not yet breached)
 * and have used at least half of it: a fresh ticket with a one-hour target is not "about to
 * breach" the moment it arrives, and must not raise an alert for every new ticket.
 */
export function atRiskOf(e: TicketEvaluation, now: number, withinMs: number): AtRiskItem[] {
  const v = e.view;
  if (isSolved(v.status) || !e.policy) return [];
  const items: AtRiskItem[] = [];
  for (const c of v.metrics) {
    if (c.state !== 'running' || c.breached || c.due_at === null) continue;
    if (c.elapsed_minutes < c.target_minutes / 2) continue;
    const due = Date.parse(c.due_at);
    if (due - now > withinMs) continue;
    // A target used up exactly at a closing time stays due where it fell until counting resumes
    // and it breaches: 0 minutes left meanwhile, never a negative "due in" (alerts print it unsigned).
    const left = Math.max(0, due - now);
    items.push({ ...brief(v), policy_id: e.policy.id, metric: c.metric, due_at: c.due_at, remaining_minutes: Math.round((left / 60_000) * 100) / 100 });
  }
  return items;
}

/** Clocks of an open ticket past their target now. */
export function breachesOf(e: TicketEvaluation, now: number): BreachedItem[] {
  const v = e.view;
  if (isSolved(v.status) || !e.policy) return [];
  return overdue(v.metrics).map((c: MetricClockView) => ({
    ...brief(v),
    policy_id: e.policy!.id,
    metric: c.metric,
    breached_at: c.breached_at!,
    overdue_minutes: Math.round(((now - Date.parse(c.breached_at!)) / 60_000) * 100) / 100,
  }));
}

const brief = (v: TicketSlaView) => ({ ticket_id: v.ticket_id, status: v.status, priority: v.priority, category: v.category, channel: v.channel });

const HOUR = 3_600_000;

export const emptyStats = (): SlaStats => ({
  open: 0,
  at_risk: 0,
  breached: 0,
  resolved_1h: 0,
  resolved_24h: 0,
  resolved_within_sla_1h: 0,
  resolved_within_sla_24h: 0,
  sla_compliance_24h: null,
});

/** Counts overall and by priority, category and channel (one pass, no ticket kept). */
export class SlaStatsBuilder {
  readonly overall = emptyStats();
  readonly byPriority: Record<string, SlaStats> = Object.create(null) as Record<string, SlaStats>;
  readonly byCategory: Record<string, SlaStats> = Object.create(null) as Record<string, SlaStats>; // user data: no prototype ("__proto__" is a category like any other)
  readonly byChannel: Record<string, SlaStats> = Object.create(null) as Record<string, SlaStats>;

  constructor(
    private readonly now: number,
    private readonly withinMs: number,
  ) {}

  add(e: TicketEvaluation): void {
    const v = e.view;
    const targets = [this.overall, bucket(this.byPriority, v.priority), bucket(this.byCategory, v.category), bucket(this.byChannel, v.channel)];
    const solved = isSolved(v.status);
    const atRisk = !solved && atRiskOf(e, this.now, this.withinMs).length > 0;
    const breached = !solved && breachesOf(e, this.now).length > 0;
    const age = e.solvedAt === undefined ? Infinity : this.now - e.solvedAt;
    for (const s of targets) {
      if (!solved) {
        s.open++;
        if (atRisk) s.at_risk++;
        if (breached) s.breached++;
      } else {
        if (age <= HOUR) {
          s.resolved_1h++;
          if (!v.breached) s.resolved_within_sla_1h++;
        }
        if (age <= 24 * HOUR) {
          s.resolved_24h++;
          if (!v.breached) s.resolved_within_sla_24h++;
        }
      }
    }
  }

  finish(): { overall: SlaStats; by_priority: Record<string, SlaStats>; by_category: Record<string, SlaStats>; by_channel: Record<string, SlaStats> } {
    for (const s of [this.overall, ...Object.values(this.byPriority), ...Object.values(this.byCategory), ...Object.values(this.byChannel)]) {
      s.sla_compliance_24h = s.resolved_24h === 0 ? null : Math.round((s.resolved_within_sla_24h / s.resolved_24h) * 10_000) / 10_000;
    }
    return { overall: this.overall, by_priority: this.byPriority, by_category: this.byCategory, by_channel: this.byChannel };
  }
}

/** Tickets without a value are counted under "none". */
function bucket(map: Record<string, SlaStats>, key: string | null): SlaStats {
  const k = key ?? 'none';
  return (map[k] ??= emptyStats());
}

import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/configuration.js';
import { ProblemException, problem } from '../common/problem-details.js';
import { atRiskOf, breachesOf, emptyStats, evaluateTicket, SlaStatsBuilder } from './sla-evaluation.js';
import { SlaPoliciesService } from './sla-policies.service.js';
import { SlaRepository } from './sla.repository.js';
import type { AtRiskItem, AtRiskResponse, BreachedItem, SlaOverview, SlaStats, TicketSlaView, TrendPoint, TrendsResponse } from './sla.types.js';
import { isUuid } from '../common/ids.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The overview lists this many breached and at-risk tickets (the counts cover all). */
const OVERVIEW_LIST = 50;

export type TrendDimension = TrendsResponse['dimension'];
const DIMENSION_FIELD: Record<Exclude<TrendDimension, 'overall'>, 'by_priority' | 'by_category' | 'by_channel'> = {
  priority: 'by_priority',
  category: 'by_category',
  channel: 'by_channel',
};

/** The SLA read routes: a ticket's clocks, at-risk tickets, the live overview and the trends. */
@Injectable()
export class SlaService {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: SlaRepository,
    private readonly policies: SlaPoliciesService,
  ) {}

  async ticket(id: string, now = Date.now()): Promise<TicketSlaView> {
    // Ticket ids are UUIDs: anything else is not found without asking the database (as GET /tickets/:id).
    const history = isUuid(id) ? await this.repository.ticket(id) : undefined;
    if (!history) throw new ProblemException(problem(404, 'ticket-not-found', `No ticket "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`));
    const { set } = await this.policies.current();
    return evaluateTicket(history.row, history.events, set, now).view;
  }

  /**
   * Several tickets' clocks at one instant, under one read of the policies (the approval queue,
   * hand-off packages). Unknown ids are absent from the map. The caller bounds `ids` (a page).
   */
  async tickets(ids: readonly string[], now = Date.now()): Promise<Map<string, TicketSlaView>> {
    const unique = [...new Set(ids)];
    const out = new Map<string, TicketSlaView>();
    if (unique.length === 0) return out;
    const histories = await this.repository.byIds(unique);
    if (histories.length === 0) return out;
    const { set } = await this.policies.current();
    for (const { row, events } of histories) out.set(row.id, evaluateTicket(row, events, set, now).view);
    return out;
  }

  async atRisk(withinMinutes: number, limit: number, now = Date.now()): Promise<AtRiskResponse> {
    const { set } = await this.policies.current();
    const items: AtRiskItem[] = [];
    // Solved tickets have no running clock: only open ones are read.
    for await (const page of this.repository.tickets(null)) {
      for (const { row, events } of page) items.push(...atRiskOf(evaluateTicket(row, events, set, now), now, withinMinutes * 60_000));
    }
    items.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : 0));
    return { within_minutes: withinMinutes, generated_at: new Date(now).toISOString(), items: items.slice(0, limit), truncated: items.length > limit };
  }

  /** Computed live over the stored tickets (what the next check would store, without acting). */
  async overview(now = Date.now()): Promise<SlaOverview> {
    const withinMs = this.config.env.SLA_AT_RISK_MINUTES * 60_000;
    const { set } = await this.policies.current();
    const stats = new SlaStatsBuilder(now, withinMs);
    const breached: BreachedItem[] = [];
    const atRisk: AtRiskItem[] = [];
    for await (const page of this.repository.tickets(new Date(now - DAY))) {
      for (const { row, events } of page) {
        const e = evaluateTicket(row, events, set, now);
        stats.add(e);
        breached.push(...breachesOf(e, now));
        atRisk.push(...atRiskOf(e, now, withinMs));
      }
    }
    breached.sort((a, b) => b.overdue_minutes - a.overdue_minutes);
    atRisk.sort((a, b) => a.remaining_minutes - b.remaining_minutes);
    const last = await this.repository.latestSnapshot();
    const check = last?.data.check as { at: string; duration_ms: number; tickets: number; alerts_raised: number; actions_taken: number } | undefined;
    return {
      generated_at: new Date(now).toISOString(),
      at_risk_minutes: this.config.env.SLA_AT_RISK_MINUTES,
      ...stats.finish(),
      breached_tickets: breached.slice(0, OVERVIEW_LIST),
      at_risk_tickets: atRisk.slice(0, OVERVIEW_LIST),
      last_check: check ? { at: check.at, duration_ms: check.duration_ms, tickets: check.tickets, alerts_raised: check.alerts_raised, actions_taken: check.actions_taken } : null,
    };
  }

  /** Snapshots in [from, to): hourly as stored, or the last of each UTC day. */
  async trends(from: Date, to: Date, granularity: 'hour' | 'day', dimension: TrendDimension): Promise<TrendsResponse> {
    const rows = await this.repository.snapshots(granularity === 'day' ? new Date(Math.floor(from.getTime() / DAY) * DAY) : from, to);
    const picked = granularity === 'hour' ? rows : lastPerDay(rows);
    const series = new Map<string | null, TrendPoint[]>();
    for (const r of picked) {
      const bucket = granularity === 'hour' ? r.bucket : new Date(Math.floor(r.bucket.getTime() / DAY) * DAY);
      const point = (stats: SlaStats | undefined): TrendPoint => ({ ...emptyStats(), ...stats, bucket: bucket.toISOString(), taken_at: r.takenAt.toISOString() });
      if (dimension === 'overall') {
        push(series, null, point(r.data.overall as SlaStats | undefined));
        continue;
      }
      const groups = (r.data[DIMENSION_FIELD[dimension]] ?? {}) as Record<string, SlaStats>;
      for (const [key, stats] of Object.entries(groups)) push(series, key, point(stats));
    }
    return {
      granularity,
      dimension,
      from: from.toISOString(),
      to: to.toISOString(),
      series: [...series.entries()].sort(([a], [b]) => String(a).localeCompare(String(b))).map(([key, points]) => ({ key, points })),
    };
  }
}

function push(series: Map<string | null, TrendPoint[]>, key: string | null, p: TrendPoint): void {
  let list = series.get(key);
  if (!list) series.set(key, (list = []));
  list.push(p);
}

function lastPerDay<T extends { bucket: Date }>(rows: T[]): T[] {
  const byDay = new Map<number, T>();
  for (const r of rows) byDay.set(Math.floor(r.bucket.getTime() / DAY), r); // rows are oldest first
  return [...byDay.values()];
}

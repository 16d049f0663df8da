import { PRIORITIES, type Priority } from '../triage/taxonomy.js';
import { isAutomatedResolution, VERIFICATION_EVENT } from '../verification/verification-rules.js';
import type { Metric, MetricName } from './metrics.js';
import { completeMetrics } from './monitoring.tools.js';
import { findBreaches, resolutionTargets, type SlaTargets } from './sla.js';
import { buildTicketFacts, type ACTORS, type TicketFacts, type TicketUpdate, type UpdateStatus } from './ticket-facts.js';

/**
 * Stored ticket history → the monitoring engine's ticket-update events (docs/metrics.md,
 * "Report over stored tickets"). Pure: the repository reads the rows, this maps them, and the
 * metric rules are the ones `POST /run_performance_monitoring/` uses.
 */

/** What the mapping needs from a `tickets` row. */
export interface StoredTicket {
  id: string;
  createdAt: Date;
  priority: string | null;
  category: string | null;
  /** From `tickets.verification` (resolution quality): its status and the resolution it verifies. */
  verification?: { status: string | null; resolutionEventId: string | null } | null;
}

/** What the mapping needs from a `ticket_events` row (`data` may be the whole object or just status/score). */
export interface StoredEvent {
  /** The event's id (resolution quality: which automated resolution is the latest). */
  id?: number;
  type: string;
  actor: string;
  at: Date;
  data: { status?: unknown; score?: unknown };
}

type Actor = (typeof ACTORS)[number];

/**
 * Events that are not steps of the ticket: `created` is the opening step itself (at
 * tickets.created_at), an internal `note` by an agent neither answers the customer nor changes
 * the status, and the verification's `resolution_verified|not_verified` annotate a resolution.
 */
const SKIPPED_EVENTS: ReadonlySet<string> = new Set(['created', 'note', VERIFICATION_EVENT.verified, VERIFICATION_EVENT.not_verified]);

/** Stored ticket statuses → the engine's statuses. Unknown statuses keep the previous one. */
export const STORED_STATUS: ReadonlyMap<string, UpdateStatus> = new Map<string, UpdateStatus>([
  ['queued', 'open'],
  ['processing', 'open'],
  ['failed', 'open'],
  ['pending further action', 'pending'],
  ['in_progress', 'in_progress'],
  ['resolved', 'resolved'],
  ['escalated', 'escalated'],
  ['reopened', 'reopened'],
  ['closed', 'closed'],
]);

const isPriority = (p: string | null): p is Priority => p !== null && (PRIORITIES as readonly string[]).includes(p);

/**
 * Who the engine should see behind an event. The AI resolution agent's reply (resolved, or a
 * clarifying question: pending) answered the customer, so it is an `agent` step; its escalation
 * is a hand-over by the `system`. People are `agent`/`customer`; the triage agent and the service
 * itself are `system`.
 */
export function actorOf(event: StoredEvent, status: UpdateStatus | undefined): Actor {
  if (event.type === 'resolution' || event.actor === 'resolution_agent') return status === 'resolved' || status === 'pending' ? 'agent' : 'system';
  if (event.actor === 'customer') return 'customer';
  if (event.actor === 'agent') return 'agent';
  return 'system';
}

function csatOf(event: StoredEvent): number | undefined {
  if (event.type !== 'csat') return undefined;
  const score = typeof event.data.score === 'string' ? Number(event.data.score) : event.data.score;
  return typeof score === 'number' && Number.isInteger(score) && score >= 1 && score <= 5 ? score : undefined;
}

/**
 * One stored ticket and its events (in the order they were recorded) as engine events:
 * - first an `open` step by the `customer` at `tickets.created_at`, carrying the ticket's
 *   priority (when High/Medium/Low) and category; the `created` event records the same moment
 *   and is not repeated, and internal `note`s are skipped (SKIPPED_EVENTS);
 * - then one event per stored event, at its time (never before the creation: clock skew between
 *   instances must not move the creation), with the status the event left the ticket in
 *   (STORED_STATUS; an event without a known status keeps the previous one), the actor by
 *   `actorOf`, and `csat` from a `csat` event's `data.score` (an integer 1-5).
 */
export function storedTicketUpdates(ticket: StoredTicket, events: readonly StoredEvent[]): TicketUpdate[] {
  const created = ticket.createdAt.getTime();
  const first: TicketUpdate = { ticket_id: ticket.id, status: 'open', timestamp: ticket.createdAt.toISOString(), actor: 'customer' };
  if (isPriority(ticket.priority)) first.priority = ticket.priority;
  if (ticket.category !== null) first.category = ticket.category;
  const updates: TicketUpdate[] = [first];
  let current: UpdateStatus = 'open';
  for (const event of events) {
    if (SKIPPED_EVENTS.has(event.type)) continue;
    const own = typeof event.data.status === 'string' ? STORED_STATUS.get(event.data.status) : undefined;
    if (own) current = own;
    const t = event.at.getTime();
    const update: TicketUpdate = {
      ticket_id: ticket.id,
      status: current,
      timestamp: t > created ? event.at.toISOString() : first.timestamp!,
      actor: actorOf(event, own),
    };
    const csat = csatOf(event);
    if (csat !== undefined) update.csat = csat;
    updates.push(update);
  }
  return updates;
}

/** A stored ticket with its events and its group key (computed in SQL). */
export interface StoredTicketHistory {
  ticket: StoredTicket;
  events: readonly StoredEvent[];
  groupKey: string | null;
}

export const REPORT_GROUP_BY = ['category', 'priority', 'channel', 'day'] as const;
export type ReportGroupBy = (typeof REPORT_GROUP_BY)[number];

/**
 * Whether the agents' "resolved" held (docs/metrics.md, "Resolution quality"; docs/verification.md).
 * Not in `metrics`: ticket updates sent to POST /run_performance_monitoring/ cannot say who
 * resolved a ticket, and the metric list and its SLA targets are that endpoint's contract.
 */
export interface ResolutionQuality {
  /** Tickets the agents marked resolved (at least once). */
  automated_resolutions: number;
  /** … whose latest automated resolution is verified. */
  verified_resolutions: number;
  /** … not verified (reopened, still broken, csat ≤ 2, or the judge said so). */
  not_verified_resolutions: number;
  /** … not decided yet (within the window, or not reviewed yet). */
  verification_pending: number;
  /** automated_resolutions ÷ tickets; null without tickets. */
  automated_resolution_rate: number | null;
  /** verified_resolutions ÷ tickets; null without tickets. */
  verified_resolution_rate: number | null;
}

export interface ReportGroup {
  key: Partial<Record<ReportGroupBy, string | null>> | null;
  metrics: Metric[];
  sla_breaches: MetricName[];
  resolution_quality: ResolutionQuality;
}

/**
 * The outcome of a ticket's automated resolution: null when the agents never resolved it (a
 * person's "resolved" is not automated); otherwise the stored verification's status when it is
 * about the latest automated resolution, and `pending` when there is none yet or it is about an
 * earlier one (the agents resolved the ticket again since the last review).
 */
export function automatedOutcome(ticket: StoredTicket, events: readonly StoredEvent[]): 'verified' | 'not_verified' | 'pending' | null {
  let latest: StoredEvent | undefined;
  for (const e of events) if (isAutomatedResolution(e)) latest = e;
  if (!latest) return null;
  const v = ticket.verification;
  if (!v || (latest.id !== undefined && v.resolutionEventId !== String(latest.id))) return 'pending';
  return v.status === 'verified' || v.status === 'not_verified' ? v.status : 'pending';
}

const rate = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 10_000) / 10_000);

class QualityCounts {
  tickets = 0;
  automated = 0;
  verified = 0;
  notVerified = 0;
  pending = 0;

  add(outcome: ReturnType<typeof automatedOutcome>): void {
    this.tickets++;
    if (outcome === null) return;
    this.automated++;
    if (outcome === 'verified') this.verified++;
    else if (outcome === 'not_verified') this.notVerified++;
    else this.pending++;
  }

  result(): ResolutionQuality {
    return {
      automated_resolutions: this.automated,
      verified_resolutions: this.verified,
      not_verified_resolutions: this.notVerified,
      verification_pending: this.pending,
      automated_resolution_rate: rate(this.automated, this.tickets),
      verified_resolution_rate: rate(this.verified, this.tickets),
    };
  }
}

/**
 * Collects the tickets of a report page by page: each page's events become ticket facts right
 * away (one engine pass per page), so only the facts — one small object per ticket — are kept
 * until the end, never the events. `finish` runs the metric collectors per group.
 */
export class StoredReportBuilder {
  private readonly groups = new Map<string | null, TicketFacts[]>();
  private readonly quality = new Map<string | null, QualityCounts>();
  private count = 0;

  constructor(private readonly groupBy: ReportGroupBy | undefined) {}

  get tickets(): number {
    return this.count;
  }

  addPage(page: readonly StoredTicketHistory[]): void {
    const updates: TicketUpdate[] = [];
    for (const { ticket, events } of page) for (const u of storedTicketUpdates(ticket, events)) updates.push(u);
    const { facts, errors } = buildTicketFacts(updates);
    // Timestamps come from Date objects and there are no snapshots: nothing can be invalid.
    if (errors.length) throw new Error(`stored ticket history did not map to valid updates: ${errors[0]!.path} ${errors[0]!.message}`);
    // Each ticket starts with its own update, so facts come out in page order.
    for (let i = 0; i < page.length; i++) {
      const { ticket, events, groupKey } = page[i]!;
      const f = facts[i]!;
      if (f.id !== ticket.id) throw new Error(`ticket ${ticket.id} appears twice in a report page`);
      const key = this.groupBy ? groupKey : null;
      let bucket = this.groups.get(key);
      if (!bucket) this.groups.set(key, (bucket = []));
      bucket.push(f);
      let counts = this.quality.get(key);
      if (!counts) this.quality.set(key, (counts = new QualityCounts()));
      counts.add(automatedOutcome(ticket, events));
    }
    this.count += page.length;
  }

  /** The groups ordered by key (nulls last); without group_by always exactly one group, key null. */
  finish(targets: SlaTargets): ReportGroup[] {
    const keys = this.groupBy ? [...this.groups.keys()].sort(compareKeys) : [null];
    return keys.map((key) => {
      const facts = this.groups.get(key) ?? [];
      const metrics = completeMetrics({ facts, targets, resolutionTargets: resolutionTargets(targets), metrics: new Map(), delivery: {} });
      return {
        key: this.groupBy ? { [this.groupBy]: key } : null,
        metrics,
        sla_breaches: findBreaches(metrics, targets).map((b) => b.metric_name),
        resolution_quality: (this.quality.get(key) ?? new QualityCounts()).result(),
      };
    });
  }
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

import type { FieldError } from '../common/problem-details.js';

export const UPDATE_STATUSES = ['open', 'in_progress', 'pending', 'escalated', 'resolved', 'closed', 'reopened'] as const;
export const ACTORS = ['customer', 'agent', 'system'] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/** One ticket update as sent by the client: an event or a snapshot (DESIGN §3). */
export interface TicketUpdate {
  ticket_id: string;
  status?: UpdateStatus;
  timestamp?: string;
  actor?: (typeof ACTORS)[number];
  priority?: 'High' | 'Medium' | 'Low';
  category?: string;
  csat?: number;
  created_at?: string;
  first_response_at?: string;
  resolved_at?: string;
}

/** What the metric rules need to know about one ticket (times in ms since the epoch). */
export interface TicketFacts {
  id: string;
  createdAt: number;
  firstResponseAt?: number;
  /** Set when the ticket is resolved now: first resolved/closed after the latest open/reopened. */
  resolvedAt?: number;
  /** Resolved or closed at least once, now or before a reopen. */
  everResolved: boolean;
  reopened: boolean;
  priority?: 'High' | 'Medium' | 'Low';
  category?: string;
  csat?: number;
}

interface Step {
  t: number;
  seq: number;
  status?: UpdateStatus;
  actor?: TicketUpdate['actor'];
}

interface Acc {
  steps: Step[];
  snapshotFirstResponse?: number;
  priority?: { t: number; v: TicketFacts['priority'] };
  category?: { t: number; v: string };
  csat?: { t: number; v: number };
}

const OPENING = new Set<UpdateStatus | undefined>(['open', 'reopened']);
const RESOLVING = new Set<UpdateStatus | undefined>(['resolved', 'closed']);

/**
 * One pass over the updates, grouped by ticket. A snapshot becomes the same steps as events
 * (an `open` at created_at, a `resolved` at resolved_at), so one set of rules covers both
 * forms and mixes of them. Returns field errors instead of throwing so the API can name them.
 */
export function buildTicketFacts(updates: readonly TicketUpdate[]): { facts: TicketFacts[]; errors: FieldError[] } {
  const byTicket = new Map<string, Acc>();
  const errors: FieldError[] = [];
  let seq = 0;
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!;
    let acc = byTicket.get(u.ticket_id);
    if (!acc) byTicket.set(u.ticket_id, (acc = { steps: [] }));
    let t: number;
    if (u.created_at !== undefined) {
      t = Date.parse(u.created_at);
      acc.steps.push({ t, seq: seq++, status: 'open' });
      if (u.first_response_at !== undefined) {
        const fr = Date.parse(u.first_response_at);
        if (fr < t) errors.push({ path: `ticket_updates[${i}].first_response_at`, message: 'must not be before created_at' });
        acc.snapshotFirstResponse = Math.min(acc.snapshotFirstResponse ?? Infinity, fr);
      }
      if (u.resolved_at !== undefined) {
        const r = Date.parse(u.resolved_at);
        if (r < t) errors.push({ path: `ticket_updates[${i}].resolved_at`, message: 'must not be before created_at' });
        acc.steps.push({ t: r, seq: seq++, status: 'resolved' });
      }
    } else {
      t = Date.parse(u.timestamp!);
      acc.steps.push({ t, seq: seq++, status: u.status, actor: u.actor });
    }
    // A snapshot's attributes are as of its latest time (csat is usually given at resolution).
    if (u.created_at !== undefined) t = Math.max(t, ...[u.first_response_at, u.resolved_at].filter((x) => x !== undefined).map((x) => Date.parse(x)));
    // Latest value wins for attributes (by time, then by input order).
    if (u.priority !== undefined && (!acc.priority || t >= acc.priority.t)) acc.priority = { t, v: u.priority };
    if (u.category !== undefined && (!acc.category || t >= acc.category.t)) acc.category = { t, v: u.category };
    if (u.csat !== undefined && (!acc.csat || t >= acc.csat.t)) acc.csat = { t, v: u.csat };
  }
  const facts: TicketFacts[] = [];
  for (const [id, acc] of byTicket) facts.push(factsOf(id, acc));
  return { facts, errors };
}

function factsOf(id: string, acc: Acc): TicketFacts {
  // Ties: the opening step first, so the result does not depend on the input order.
  const rank = (s: Step) => (s.status === 'open' ? 0 : 1);
  const steps = acc.steps.sort((a, b) => a.t - b.t || rank(a) - rank(b) || a.seq - b.seq);
  const createdAt = steps[0]!.t;
  let firstResponseAt = acc.snapshotFirstResponse;
  let latestOpen = -1;
  let everResolved = false;
  let reopened = false;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    // The creating step (i = 0) is never the first response.
    const responds = s.actor === 'agent' || (s.actor !== 'customer' && s.status !== undefined && !OPENING.has(s.status));
    if (i > 0 && responds && (firstResponseAt === undefined || s.t < firstResponseAt)) firstResponseAt = s.t;
    if (OPENING.has(s.status)) {
      if (everResolved) reopened = true;
      latestOpen = i;
    }
    if (RESOLVING.has(s.status)) everResolved = true;
  }
  let resolvedAt: number | undefined;
  for (let i = latestOpen + 1; i < steps.length; i++) {
    if (RESOLVING.has(steps[i]!.status)) {
      resolvedAt = steps[i]!.t;
      break;
    }
  }
  return {
    id,
    createdAt,
    firstResponseAt: firstResponseAt !== undefined && firstResponseAt >= createdAt ? firstResponseAt : undefined,
    resolvedAt,
    everResolved,
    reopened,
    priority: acc.priority?.v,
    category: acc.category?.v,
    csat: acc.csat?.v,
  };
}

import { parseTimestamp } from '../common/timestamp.js';
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

// Steps live in flat typed arrays, not one object per update: at 100k updates the objects'
// allocation and garbage collection cost 3-4× a JSON.parse of the body (npm run bench).
const NONE = -1;
const OPEN = UPDATE_STATUSES.indexOf('open');
const REOPENED = UPDATE_STATUSES.indexOf('reopened');
const RESOLVED = UPDATE_STATUSES.indexOf('resolved');
const CLOSED = UPDATE_STATUSES.indexOf('closed');
const AGENT = ACTORS.indexOf('agent');
const CUSTOMER = ACTORS.indexOf('customer');
const isOpening = (status: number) => status === OPEN || status === REOPENED;
const isResolving = (status: number) => status === RESOLVED || status === CLOSED;

class Steps {
  ticket: Int32Array;
  t: Float64Array;
  status: Int8Array;
  actor: Int8Array;
  length = 0;

  constructor(capacity: number) {
    this.ticket = new Int32Array(capacity);
    this.t = new Float64Array(capacity);
    this.status = new Int8Array(capacity);
    this.actor = new Int8Array(capacity);
  }

  push(ticket: number, t: number, status: number, actor: number): void {
    const i = this.length++;
    this.ticket[i] = ticket;
    this.t[i] = t;
    this.status[i] = status;
    this.actor[i] = actor;
  }
}

/** Per-ticket attributes: the latest value wins (by time, then by input order). */
class Latest<T> {
  readonly t: number[] = [];
  readonly v: (T | undefined)[] = [];

  addTicket(): void {
    this.t.push(-Infinity);
    this.v.push(undefined);
  }

  set(k: number, t: number, v: T | undefined): void {
    if (v !== undefined && t >= this.t[k]!) {
      this.t[k] = t;
      this.v[k] = v;
    }
  }
}

/**
 * One pass over the updates, grouped by ticket. A snapshot becomes the same steps as events
 * (an `open` at created_at, a `resolved` at resolved_at), so one set of rules covers both
 * forms and mixes of them. Returns field errors instead of throwing so the API can name them.
 */
export function buildTicketFacts(updates: readonly TicketUpdate[]): { facts: TicketFacts[]; errors: FieldError[] } {
  const ticketOf = new Map<string, number>();
  const ids: string[] = [];
  const snapshotFirstResponse: number[] = [];
  const priority = new Latest<TicketFacts['priority']>();
  const category = new Latest<string>();
  const csat = new Latest<number>();
  const errors: FieldError[] = [];
  let snapshots = 0;
  for (const u of updates) if (u.resolved_at !== undefined) snapshots++;
  const steps = new Steps(updates.length + snapshots);
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i]!;
    let k = ticketOf.get(u.ticket_id);
    if (k === undefined) {
      ticketOf.set(u.ticket_id, (k = ids.length));
      ids.push(u.ticket_id);
      snapshotFirstResponse.push(Infinity);
      priority.addTicket();
      category.addTicket();
      csat.addTicket();
    }
    let t: number;
    if (u.created_at !== undefined) {
      t = parseTimestamp(u.created_at);
      steps.push(k, t, OPEN, NONE);
      let latest = t;
      if (u.first_response_at !== undefined) {
        const fr = parseTimestamp(u.first_response_at);
        if (fr < t) errors.push({ path: `ticket_updates[${i}].first_response_at`, message: 'must not be before created_at' });
        snapshotFirstResponse[k] = Math.min(snapshotFirstResponse[k]!, fr);
        latest = Math.max(latest, fr);
      }
      if (u.resolved_at !== undefined) {
        const r = parseTimestamp(u.resolved_at);
        if (r < t) errors.push({ path: `ticket_updates[${i}].resolved_at`, message: 'must not be before created_at' });
        steps.push(k, r, RESOLVED, NONE);
        latest = Math.max(latest, r);
      }
      // A snapshot's attributes are as of its latest time (csat is usually given at resolution).
      t = latest;
    } else {
      t = parseTimestamp(u.timestamp!);
      steps.push(k, t, u.status === undefined ? NONE : UPDATE_STATUSES.indexOf(u.status), u.actor === undefined ? NONE : ACTORS.indexOf(u.actor));
    }
    priority.set(k, t, u.priority);
    category.set(k, t, u.category);
    csat.set(k, t, u.csat);
  }
  // Counting sort of the steps by ticket (stable: input order kept within a ticket).
  const start = new Int32Array(ids.length + 1);
  for (let i = 0; i < steps.length; i++) start[steps.ticket[i]! + 1]!++;
  for (let k = 0; k < ids.length; k++) start[k + 1]! += start[k]!;
  const order = new Int32Array(steps.length);
  const next = start.slice(0, ids.length);
  for (let i = 0; i < steps.length; i++) order[next[steps.ticket[i]!]!++] = i;
  const facts: TicketFacts[] = new Array(ids.length);
  for (let k = 0; k < ids.length; k++) {
    sortTicketSteps(order, start[k]!, start[k + 1]!, steps);
    facts[k] = factsOf(ids[k]!, order, start[k]!, start[k + 1]!, steps, snapshotFirstResponse[k]!, priority.v[k], category.v[k], csat.v[k]);
  }
  return { facts, errors };
}

/**
 * Sorts order[from, to) by time; ties: the opening step first (so the result does not depend
 * on the input order), then input order. Tickets have a handful of steps: insertion sort,
 * unless one has many (hostile input), then the engine's O(n log n) sort.
 */
function before(steps: Steps, a: number, b: number): boolean {
  const dt = steps.t[a]! - steps.t[b]!;
  if (dt !== 0) return dt < 0;
  const ra = steps.status[a] === OPEN ? 0 : 1;
  const rb = steps.status[b] === OPEN ? 0 : 1;
  return ra !== rb ? ra < rb : a < b;
}

function sortTicketSteps(order: Int32Array, from: number, to: number, steps: Steps): void {
  if (to - from > 32) {
    order.subarray(from, to).sort((a, b) => (a === b ? 0 : before(steps, a, b) ? -1 : 1));
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const x = order[i]!;
    let j = i - 1;
    while (j >= from && before(steps, x, order[j]!)) {
      order[j + 1] = order[j]!;
      j--;
    }
    order[j + 1] = x;
  }
}

function factsOf(
  id: string,
  order: Int32Array,
  from: number,
  to: number,
  steps: Steps,
  snapshotFirstResponse: number,
  priority: TicketFacts['priority'],
  category: string | undefined,
  csat: number | undefined,
): TicketFacts {
  const createdAt = steps.t[order[from]!]!;
  let firstResponseAt = snapshotFirstResponse;
  let latestOpen = from - 1;
  let everResolved = false;
  let reopened = false;
  for (let i = from; i < to; i++) {
    const s = order[i]!;
    const status = steps.status[s]!;
    const actor = steps.actor[s]!;
    // The creating step (the first) is never the first response.
    const responds = actor === AGENT || (actor !== CUSTOMER && status !== NONE && !isOpening(status));
    if (i > from && responds && steps.t[s]! < firstResponseAt) firstResponseAt = steps.t[s]!;
    if (isOpening(status)) {
      if (everResolved) reopened = true;
      latestOpen = i;
    }
    if (isResolving(status)) everResolved = true;
  }
  let resolvedAt: number | undefined;
  for (let i = latestOpen + 1; i < to; i++) {
    if (isResolving(steps.status[order[i]!]!)) {
      resolvedAt = steps.t[order[i]!]!;
      break;
    }
  }
  return {
    id,
    createdAt,
    firstResponseAt: firstResponseAt !== Infinity && firstResponseAt >= createdAt ? firstResponseAt : undefined,
    resolvedAt,
    everResolved,
    reopened,
    priority,
    category,
    csat,
  };
}

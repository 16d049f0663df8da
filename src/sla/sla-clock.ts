import { BusinessTime } from './business-hours.js';
import { SLA_METRICS, type Calendar, type Policy, type SlaMetric } from './sla-policy.js';
import type { MetricClockView } from './sla.types.js';

/**
 * The SLA clocks of one ticket (docs/sla.md, "Metric definitions"). Pure: a ticket's timeline,
 * its policy and "now" in; each metric's state out. One walk over the events drives every
 * metric; between two events the ticket's status decides which clocks count.
 */

/** One thing that happened to the ticket, in the order it was recorded. */
export interface ClockEvent {
  /** ms since the epoch (clamped to the creation: clock skew between instances). */
  at: number;
  /** customer_message: the requester wrote; public_reply: the customer got an answer from us. */
  kind: 'customer_message' | 'public_reply' | 'other';
  /** The ticket's status after the event (undefined: unchanged). */
  status?: string;
}

export interface TicketTimeline {
  createdAt: number;
  /** The status the ticket starts in (stored tickets: queued). */
  initialStatus?: string;
  events: readonly ClockEvent[];
}

/**
 * Status classes, named as helpdesks name them: open (new/open: our side has the ticket),
 * on_hold (waiting on a person of ours outside the conversation: an approval), pending (waiting
 * on the customer), solved.
 */
export type StatusClass = 'open' | 'on_hold' | 'pending' | 'solved';

const CLASS_OF: Record<string, StatusClass> = {
  'pending further action': 'pending',
  pending: 'pending',
  awaiting_approval: 'on_hold',
  resolved: 'solved',
  closed: 'solved',
};
export const statusClass = (status: string): StatusClass => CLASS_OF[status] ?? 'open';

/** In which status classes each metric's clock runs (the others pause it). */
export const COUNTS_IN: Record<SlaMetric, ReadonlySet<StatusClass>> = {
  first_reply_time: new Set(['open', 'on_hold', 'pending']),
  next_reply_time: new Set(['open', 'on_hold', 'pending']),
  periodic_update: new Set(['open', 'on_hold']),
  requester_wait_time: new Set(['open', 'on_hold']),
  agent_work_time: new Set(['open']),
  resolution_time: new Set(['open', 'on_hold', 'pending']),
};

const MINUTE = 60_000;

class Cycle {
  elapsed = 0;
  /** When the counted time reached the target (its due time, once used up exactly). */
  reachedAt: number | undefined;
  breachedAt: number | undefined;
  fulfilledAt: number | undefined;
  constructor(readonly start: number) {}
}

interface MetricRun {
  metric: SlaMetric;
  targetMs: number;
  cycles: number;
  breaches: number;
  current: Cycle | undefined;
}

export interface ClockOptions {
  policy: Policy;
  calendar: Calendar | null;
  now: number;
}

/**
 * Every metric the policy has a target for, in SLA_METRICS order. Rules per metric:
 * - first_reply_time: from creation to the first public reply (a solve before any reply fulfils it);
 * - next_reply_time: from the oldest customer message not yet answered (after the first reply)
 *   to our next public reply; one cycle per unanswered run of messages;
 * - periodic_update: from each public reply to the next one while the ticket is unsolved;
 *   paused while pending or solved;
 * - requester_wait_time: all time open or on hold (not pending, not solved), over the whole life;
 * - agent_work_time: all time open (not on hold, not pending, not solved);
 * - resolution_time: all time not solved, from creation to the (latest) solve; a reopen resumes it.
 * Reply metrics end when the ticket is solved. Times count business time when a calendar is given.
 */
export function ticketClocks(timeline: TicketTimeline, { policy, calendar, now }: ClockOptions): MetricClockView[] {
  const bt = BusinessTime.for(calendar);
  const runs: MetricRun[] = [];
  for (const metric of SLA_METRICS) {
    const target = policy.targets[metric];
    if (target !== undefined) runs.push({ metric, targetMs: target * MINUTE, cycles: 0, breaches: 0, current: undefined });
  }
  const run = (m: SlaMetric) => runs.find((r) => r.metric === m);
  const open = (r: MetricRun | undefined, at: number) => {
    if (!r) return;
    r.current = new Cycle(at);
    r.cycles++;
  };
  const fulfil = (r: MetricRun | undefined, at: number) => {
    if (r?.current && r.current.fulfilledAt === undefined) r.current.fulfilledAt = at;
  };
  const isRunning = (r: MetricRun) => r.current !== undefined && r.current.fulfilledAt === undefined;

  const created = timeline.createdAt;
  let cls = statusClass(timeline.initialStatus ?? 'queued');
  let t = created;
  let replied = false;
  // Every metric with a whole-life clock starts at the creation, and so does the first reply.
  for (const m of ['first_reply_time', 'requester_wait_time', 'agent_work_time', 'resolution_time'] as const) open(run(m), created);

  /** Moves the running clocks from `t` to `to` under the current status class. */
  const advance = (to: number) => {
    if (to <= t) return;
    let span: number | undefined;
    for (const r of runs) {
      const c = r.current;
      if (!c || c.fulfilledAt !== undefined || !COUNTS_IN[r.metric].has(cls)) continue;
      const counted = (span ??= bt.between(t, to));
      if (c.reachedAt === undefined && c.elapsed + counted >= r.targetMs) c.reachedAt = bt.add(t, r.targetMs - c.elapsed);
      if (c.breachedAt === undefined && c.elapsed + counted > r.targetMs) {
        // The instant counting goes past the target: where it falls, or, when it falls on a closing
        // time (or the clock stopped right there), the next working instant — never the time of an
        // unrelated event that happened to start this span, and never before a check that still
        // saw the clock within target (a reply until then was in time).
        c.breachedAt = bt.nextOpen(bt.add(t, r.targetMs - c.elapsed));
        r.breaches++;
      }
      c.elapsed += counted;
    }
    t = to;
  };

  for (const e of timeline.events) {
    // Stored order (ids) is the order statuses changed in; an event's time is its transaction's
    // start, so one that waited for the ticket's row lock can be stamped before the event stored
    // ahead of it. It happens where the walk is: times never go back (no reply fulfilled before a
    // breach the walk already counted, no cycle starting before the last one ended).
    const at = Math.max(e.at, t);
    if (at > now) break;
    advance(at);
    if (e.kind === 'public_reply') {
      fulfil(run('first_reply_time'), at);
      fulfil(run('next_reply_time'), at);
      fulfil(run('periodic_update'), at);
      replied = true;
    }
    if (e.status !== undefined) {
      const before = cls;
      cls = statusClass(e.status);
      if (cls === 'solved' && before !== 'solved') {
        for (const m of ['first_reply_time', 'next_reply_time', 'periodic_update', 'requester_wait_time', 'agent_work_time', 'resolution_time'] as const) {
          fulfil(run(m), at);
        }
      } else if (before === 'solved' && cls !== 'solved') {
        // A reopen resumes the whole-life clocks where they stopped.
        for (const m of ['requester_wait_time', 'agent_work_time', 'resolution_time'] as const) {
          const c = run(m)?.current;
          if (c) c.fulfilledAt = undefined;
        }
      }
    }
    // Our reply starts the wait for the next update, unless it solved the ticket.
    if (e.kind === 'public_reply' && cls !== 'solved') open(run('periodic_update'), at);
    // A customer message waits for our next reply, unless the ticket stays solved after it ("thanks,
    // that worked"): reply clocks end on a solved ticket. Judged after its status, so a message that
    // reopens the ticket starts the cycle.
    if (e.kind === 'customer_message' && cls !== 'solved') {
      const next = run('next_reply_time');
      if (replied && next && !isRunning(next)) open(next, at);
    }
  }
  advance(now);

  return runs.map((r) => view(r, bt, cls, now, calendar !== null));
}

const minutes = (ms: number) => Math.round((ms / MINUTE) * 100) / 100;
const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

function view(r: MetricRun, bt: BusinessTime, cls: StatusClass, now: number, businessHours: boolean): MetricClockView {
  const base = { metric: r.metric, target_minutes: minutes(r.targetMs), business_hours: businessHours, breaches: r.breaches };
  const c = r.current;
  if (!c) {
    return { ...base, state: 'not_started', breached: false, elapsed_minutes: 0, remaining_minutes: null, due_at: null, breached_at: null, cycle_started_at: null, fulfilled_at: null };
  }
  const common = {
    ...base,
    breached: c.breachedAt !== undefined,
    elapsed_minutes: minutes(c.elapsed),
    breached_at: iso(c.breachedAt),
    cycle_started_at: iso(c.start),
  };
  if (c.fulfilledAt !== undefined) {
    return { ...common, state: 'fulfilled', remaining_minutes: null, due_at: null, fulfilled_at: iso(c.fulfilledAt) };
  }
  const counting = COUNTS_IN[r.metric].has(cls);
  // Where the target fell (or falls if the clock keeps running): once used up, that point — not
  // "now" — even if counting only went past it later (breached_at).
  const due = c.breachedAt !== undefined || counting ? (c.reachedAt ?? bt.add(now, r.targetMs - c.elapsed)) : undefined;
  return {
    ...common,
    state: counting ? 'running' : 'paused',
    remaining_minutes: minutes(r.targetMs - c.elapsed),
    due_at: iso(due),
    fulfilled_at: null,
  };
}

/** The running, not yet breached clock that reaches its target first. */
export function nextDue(clocks: readonly MetricClockView[]): { metric: SlaMetric; due_at: string; remaining_minutes: number } | null {
  let best: MetricClockView | undefined;
  for (const c of clocks) {
    if (c.state !== 'running' || c.breached || c.due_at === null) continue;
    if (!best || c.due_at < best.due_at!) best = c;
  }
  return best ? { metric: best.metric, due_at: best.due_at!, remaining_minutes: best.remaining_minutes! } : null;
}

/** Clocks running past their target now (an open breach: someone still has to act). */
export const overdue = (clocks: readonly MetricClockView[]) => clocks.filter((c) => c.breached && c.state !== 'fulfilled');

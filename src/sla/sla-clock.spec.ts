import { PolicySetSchema, type Calendar, type Policy } from './sla-policy.js';
import { nextDue, ticketClocks, type ClockEvent } from './sla-clock.js';
import type { MetricClockView } from './sla.types.js';

// Hand-computed cases (docs/sla.md, "Metric definitions"). Times are UTC unless a calendar says otherwise.
const T = (hhmm: string, day = '2026-11-23') => Date.parse(`${day}T${hhmm}:00Z`); // 2026-11-23 is a Monday
const policy = (targets: Policy['targets'], extra: Partial<Policy> = {}): Policy => ({ id: 'p', match: {}, actions: [], targets, ...extra });
const byMetric = (clocks: MetricClockView[]) => Object.fromEntries(clocks.map((c) => [c.metric, c]));
const ev = (hhmm: string, kind: ClockEvent['kind'], status?: string, day?: string): ClockEvent => ({ at: T(hhmm, day), kind, status });

describe('first reply time', () => {
  const p = policy({ first_reply_time: 60 });

  it('is fulfilled by the first public reply, and not breached when within target', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('09:40', 'public_reply', 'pending further action')] }, { policy: p, calendar: null, now: T('12:00') });
    expect(c).toMatchObject({ state: 'fulfilled', breached: false, elapsed_minutes: 40, fulfilled_at: '2026-11-23T09:40:00.000Z', breaches: 0 });
  });

  it('breaches at creation + target when the reply comes late: 09:00 + 60 min = 10:00', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('10:30', 'public_reply', 'resolved')] }, { policy: p, calendar: null, now: T('12:00') });
    expect(c).toMatchObject({ state: 'fulfilled', breached: true, breached_at: '2026-11-23T10:00:00.000Z', elapsed_minutes: 90, breaches: 1 });
  });

  it('runs until now without a reply: elapsed 45, remaining 15, due 10:00', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('09:01', 'other', 'escalated')] }, { policy: p, calendar: null, now: T('09:45') });
    expect(c).toMatchObject({ state: 'running', breached: false, elapsed_minutes: 45, remaining_minutes: 15, due_at: '2026-11-23T10:00:00.000Z' });
  });

  it('a customer message is not a reply, and the escalation holding message is not one either (the mapper decides; here: other)', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('09:10', 'customer_message'), ev('09:20', 'other', 'escalated')] }, { policy: p, calendar: null, now: T('10:15') });
    expect(c).toMatchObject({ state: 'running', breached: true, breached_at: '2026-11-23T10:00:00.000Z', remaining_minutes: -15 });
  });

  it('is fulfilled when the ticket is solved without a reply', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('09:30', 'other', 'resolved')] }, { policy: p, calendar: null, now: T('12:00') });
    expect(c).toMatchObject({ state: 'fulfilled', breached: false, fulfilled_at: '2026-11-23T09:30:00.000Z' });
  });
});

describe('next reply time', () => {
  const p = policy({ next_reply_time: 30 });

  it('does not start before the first reply, then one cycle per unanswered customer message', () => {
    // 09:00 created; 09:10 reply (asks a question, pending); 09:20 customer answers (cycle 1 starts);
    // 09:25 customer writes again (same cycle); 10:00 reply → 40 min > 30: breached at 09:50.
    // 10:05 customer writes (cycle 2); now 10:20 → running, elapsed 15, due 10:35.
    const events = [
      ev('09:10', 'public_reply', 'pending further action'),
      ev('09:20', 'customer_message', 'queued'),
      ev('09:25', 'customer_message'),
      ev('10:00', 'public_reply', 'in_progress'),
      ev('10:05', 'customer_message'),
    ];
    const [c] = ticketClocks({ createdAt: T('09:00'), events }, { policy: p, calendar: null, now: T('10:20') });
    expect(c).toMatchObject({ state: 'running', breached: false, elapsed_minutes: 15, cycle_started_at: '2026-11-23T10:05:00.000Z', due_at: '2026-11-23T10:35:00.000Z', breaches: 1 });
  });

  it('is not started on a ticket where the customer has not written since our reply', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('09:10', 'public_reply', 'in_progress')] }, { policy: p, calendar: null, now: T('12:00') });
    expect(c).toMatchObject({ state: 'not_started', breached: false, remaining_minutes: null, breaches: 0 });
  });
});

describe('periodic update', () => {
  const p = policy({ periodic_update: 60 });

  it('counts from each reply to the next while open, and pauses while pending on the customer', () => {
    // 09:10 reply, in_progress (cycle 1 starts); 09:40 reply and pending (cycle 1: 30 min; cycle 2 starts,
    // paused); 11:00 customer answers → queued (cycle 2 runs from 11:00); now 11:50 → elapsed 50, due 12:00.
    const events = [
      ev('09:10', 'public_reply', 'in_progress'),
      ev('09:40', 'public_reply', 'pending further action'),
      ev('11:00', 'customer_message', 'queued'),
    ];
    const [c] = ticketClocks({ createdAt: T('09:00'), events }, { policy: p, calendar: null, now: T('11:50') });
    expect(c).toMatchObject({ state: 'running', elapsed_minutes: 50, remaining_minutes: 10, due_at: '2026-11-23T12:00:00.000Z', cycle_started_at: '2026-11-23T09:40:00.000Z', breaches: 0 });
  });

  it('is paused while pending: no due time', () => {
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('09:10', 'public_reply', 'pending further action')] }, { policy: p, calendar: null, now: T('15:00') });
    expect(c).toMatchObject({ state: 'paused', elapsed_minutes: 0, due_at: null, breached: false });
  });
});

describe('requester wait, agent work and resolution time', () => {
  const p = policy({ requester_wait_time: 120, agent_work_time: 60, resolution_time: 180 });
  // 09:00 created (queued: open); 09:30 escalated (open); 10:00 awaiting approval (on hold);
  // 10:30 resolved with a reply; 11:00 customer reopens; 11:30 pending further action; now 12:30.
  const events = [
    ev('09:30', 'other', 'escalated'),
    ev('10:00', 'other', 'awaiting_approval'),
    ev('10:30', 'public_reply', 'resolved'),
    ev('11:00', 'customer_message', 'reopened'),
    ev('11:30', 'public_reply', 'pending further action'),
  ];
  const clocks = byMetric(ticketClocks({ createdAt: T('09:00'), events }, { policy: p, calendar: null, now: T('12:30') }));

  it('requester wait counts open and on-hold time, not pending or solved: 09:00-10:30 (90) + 11:00-11:30 (30) = 120, not over', () => {
    expect(clocks.requester_wait_time).toMatchObject({ state: 'paused', elapsed_minutes: 120, breached: false, remaining_minutes: 0 });
  });

  it('agent work counts open time only: 09:00-10:00 (60) + 11:00-11:30 (30) = 90, breached at 11:00 + 0 = 11:00', () => {
    // 60 min are used up exactly at 10:00 (on hold from then); the reopen at 11:00 goes over at once.
    expect(clocks.agent_work_time).toMatchObject({ state: 'paused', elapsed_minutes: 90, breached: true, breached_at: '2026-11-23T11:00:00.000Z', breaches: 1 });
  });

  it('resolution time counts every unsolved minute including pending: 90 + 30 + 60 = 180, resumed after the reopen', () => {
    expect(clocks.resolution_time).toMatchObject({ state: 'running', elapsed_minutes: 180, breached: false, remaining_minutes: 0, due_at: '2026-11-23T12:30:00.000Z' });
  });

  it('nextDue picks the running clock that is not breached', () => {
    expect(nextDue(Object.values(clocks))).toEqual({ metric: 'resolution_time', due_at: '2026-11-23T12:30:00.000Z', remaining_minutes: 0 });
  });

  it('only the metrics the policy targets are reported, in the documented order', () => {
    expect(Object.keys(clocks)).toEqual(['requester_wait_time', 'agent_work_time', 'resolution_time']);
  });
});

describe('business hours', () => {
  // Mon-Fri 09:00-17:00 in Berlin (UTC+1 in November); 2026-11-27 is a Friday, 2026-11-30 a Monday.
  const calendar: Calendar = PolicySetSchema.parse({
    calendars: [{ id: 'office', time_zone: 'Europe/Berlin', hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]])), holidays: ['2026-12-25'] }],
    policies: [{ id: 'x', targets: { first_reply_time: 1 } }],
  }).calendars[0]!;
  const p = policy({ first_reply_time: 120, resolution_time: 480 }, { business_hours: 'office' });

  it('a ticket created Friday 16:00 Berlin with a 2 h first-reply target is due Monday 10:00 Berlin (09:00Z)', () => {
    // Friday 16:00-17:00 = 60 business minutes; Monday 09:00-10:00 = the other 60.
    const created = Date.parse('2026-11-27T15:00:00Z'); // 16:00 Berlin
    const clocks = byMetric(ticketClocks({ createdAt: created, events: [] }, { policy: p, calendar, now: Date.parse('2026-11-28T12:00:00Z') }));
    expect(clocks.first_reply_time).toMatchObject({ state: 'running', business_hours: true, elapsed_minutes: 60, remaining_minutes: 60, due_at: '2026-11-30T09:00:00.000Z' });
  });

  it('breaches at the business instant the target is used up, even when the check runs later', () => {
    const created = Date.parse('2026-11-27T15:00:00Z');
    const clocks = byMetric(ticketClocks({ createdAt: created, events: [] }, { policy: p, calendar, now: Date.parse('2026-11-30T12:00:00Z') }));
    // Monday 09:00-13:00 Berlin = 240 more minutes: 60 + 240 = 300 elapsed.
    expect(clocks.first_reply_time).toMatchObject({ breached: true, breached_at: '2026-11-30T09:00:00.000Z', elapsed_minutes: 300 });
  });

  it('skips a holiday: created Thursday 24 Dec 16:30 Berlin, 8 h resolution target → due Monday 28 Dec 16:30', () => {
    // Thu 24th 16:30-17:00 = 30 min; Fri 25th holiday; weekend closed; Mon 28th 09:00-16:30 = 450 min → 480.
    const created = Date.parse('2026-12-24T15:30:00Z');
    const clocks = byMetric(ticketClocks({ createdAt: created, events: [] }, { policy: p, calendar, now: Date.parse('2026-12-26T10:00:00Z') }));
    expect(clocks.resolution_time).toMatchObject({ elapsed_minutes: 30, remaining_minutes: 450, due_at: '2026-12-28T15:30:00.000Z' });
  });
});

describe('hostile timelines', () => {
  it('events before the creation (clock skew) count from the creation; events after now are ignored', () => {
    const p = policy({ first_reply_time: 60 });
    const [c] = ticketClocks({ createdAt: T('09:00'), events: [ev('08:00', 'other', 'escalated'), ev('13:00', 'public_reply', 'resolved')] }, { policy: p, calendar: null, now: T('09:30') });
    expect(c).toMatchObject({ state: 'running', elapsed_minutes: 30, breached: false });
  });

  it('ten thousand events are walked once (no quadratic work): the result is still exact', () => {
    const p = policy({ next_reply_time: 5 });
    const events: ClockEvent[] = [ev('09:01', 'public_reply', 'in_progress')];
    for (let i = 0; i < 10_000; i++) events.push({ at: T('09:02') + i * 1000, kind: i % 2 ? 'public_reply' : 'customer_message' });
    const [c] = ticketClocks({ createdAt: T('09:00'), events }, { policy: p, calendar: null, now: T('12:00') });
    expect(c).toMatchObject({ state: 'fulfilled', breaches: 0 });
  });
});

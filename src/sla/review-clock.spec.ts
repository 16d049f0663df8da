import { ticketClocks } from './sla-clock.js';
import { CalendarSchema, type Policy } from './sla-policy.js';
import { timelineOf, type StoredClockEvent } from './ticket-timeline.js';
import type { MetricClockView } from './sla.types.js';

// Review cases (docs/sla.md, "Metric definitions", "Breach"), computed by hand.
const T = (iso: string) => new Date(`${iso}Z`);
const ev = (type: string, at: string, status: string | null): StoredClockEvent => ({ type, actor: 'x', at: T(at), status });
const policy = (targets: Policy['targets']): Policy => ({ id: 'p', match: {}, actions: [], targets });
const byMetric = (clocks: MetricClockView[]) => Object.fromEntries(clocks.map((c) => [c.metric, c]));
const clocks = (created: string, events: StoredClockEvent[], targets: Policy['targets'], now: string, calendar: ReturnType<typeof CalendarSchema.parse> | null = null) =>
  byMetric(ticketClocks(timelineOf(T(created), events), { policy: policy(targets), calendar, now: T(now).getTime() }));

describe('a customer message on a ticket that stays solved', () => {
  it('"thanks, that worked" on a resolved ticket starts no next reply cycle: the reply clocks stay ended', () => {
    // 09:00 created; 09:10 the agents resolve (a reply); 09:20 the customer confirms (stays resolved).
    const c = clocks(
      '2026-11-23T09:00:00',
      [ev('resolution', '2026-11-23T09:10:00', 'resolved'), ev('customer_reply', '2026-11-23T09:20:00', 'resolved'), ev('csat', '2026-11-23T09:25:00', 'resolved')],
      { first_reply_time: 60, next_reply_time: 60 },
      '2026-11-23T11:00:00',
    );
    expect(c.first_reply_time).toMatchObject({ state: 'fulfilled', fulfilled_at: '2026-11-23T09:10:00.000Z' });
    // docs/sla.md: in resolved/closed, first and next reply "end": no cycle paused on a solved ticket.
    expect(c.next_reply_time!.state).not.toBe('paused');
    expect(c.next_reply_time).toMatchObject({ state: 'not_started', cycle_started_at: null });
  });

  it('a customer message that reopens the ticket does start one (the cycle starts at that message)', () => {
    const c = clocks(
      '2026-11-23T09:00:00',
      [ev('resolution', '2026-11-23T09:10:00', 'resolved'), ev('customer_reply', '2026-11-23T09:20:00', 'reopened')],
      { next_reply_time: 60 },
      '2026-11-23T09:50:00',
    );
    expect(c.next_reply_time).toMatchObject({ state: 'running', cycle_started_at: '2026-11-23T09:20:00.000Z', elapsed_minutes: 30, due_at: '2026-11-23T10:20:00.000Z' });
  });
});

describe('the breach instant does not depend on unrelated events', () => {
  // Mon-Tue 09:00-17:00 UTC; 2026-11-23 is a Monday. Target 8 business hours from Mon 09:00: reached Mon 17:00.
  const cal = CalendarSchema.parse({ id: 'c', time_zone: 'UTC', hours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] } });

  // The target is used up exactly at Mon 17:00; a reply before Tue 09:00 is in time (a breach is
  // counted time *past* the target), so the clock goes past it at Tue 09:00, whatever happened overnight.
  it('without events after the close: breached when counting goes past the target, Tue 09:00', () => {
    const c = clocks('2026-11-23T09:00:00', [], { resolution_time: 480 }, '2026-11-24T10:00:00', cal);
    expect(c.resolution_time).toMatchObject({ breached: true, breached_at: '2026-11-24T09:00:00.000Z', due_at: '2026-11-23T17:00:00.000Z', elapsed_minutes: 540 });
  });

  it('a customer message at Mon 18:30 (after hours) does not move the breach to 18:30', () => {
    const c = clocks('2026-11-23T09:00:00', [ev('customer_reply', '2026-11-23T18:30:00', 'in_progress')], { resolution_time: 480 }, '2026-11-24T10:00:00', cal);
    expect(c.resolution_time).toMatchObject({ breached: true, breached_at: '2026-11-24T09:00:00.000Z' });
  });

  it('a reply at Mon 20:00 is in time; the same reply at Tue 09:30 breached at Tue 09:00', () => {
    const onTime = clocks('2026-11-23T09:00:00', [ev('agent_reply', '2026-11-23T20:00:00', 'in_progress')], { first_reply_time: 480 }, '2026-11-24T10:00:00', cal);
    expect(onTime.first_reply_time).toMatchObject({ state: 'fulfilled', breached: false, breaches: 0 });
    const late = clocks('2026-11-23T09:00:00', [ev('agent_reply', '2026-11-24T09:30:00', 'in_progress')], { first_reply_time: 480 }, '2026-11-24T10:00:00', cal);
    expect(late.first_reply_time).toMatchObject({ state: 'fulfilled', breached: true, breached_at: '2026-11-24T09:00:00.000Z' });
  });

  it('at Mon 20:00 the target is used up but not passed: not breached, due at 17:00 (where it fell), not "now"', () => {
    const c = clocks('2026-11-23T09:00:00', [], { resolution_time: 480 }, '2026-11-23T20:00:00', cal);
    expect(c.resolution_time).toMatchObject({ state: 'running', breached: false, remaining_minutes: 0, due_at: '2026-11-23T17:00:00.000Z' });
  });
});

describe('events recorded out of time order (ids follow commits, times follow transaction starts)', () => {
  it('a reply stored after a later-stamped event counts from where the walk is: never fulfilled before a breach it did not prevent', () => {
    // 60-min first reply target, due 10:00:00.000. A note's transaction stamped 10:00:00.500 commits
    // first; the reply's transaction began at 09:59:59.900 but waited for the row lock, so it is
    // stored after the note with the earlier time. The walk (in stored order) has counted past the
    // target at the note: the reply cannot then be "met late at 09:59:59.900".
    const c = clocks(
      '2026-11-23T09:00:00',
      [ev('note', '2026-11-23T10:00:00.500', 'in_progress'), ev('agent_reply', '2026-11-23T09:59:59.900', 'in_progress')],
      { first_reply_time: 60 },
      '2026-11-23T11:00:00',
    );
    const f = c.first_reply_time!;
    expect(f).toMatchObject({ state: 'fulfilled', breached: true, breached_at: '2026-11-23T10:00:00.000Z' });
    expect(Date.parse(f.fulfilled_at!)).toBeGreaterThanOrEqual(Date.parse(f.breached_at!));
    expect(f.elapsed_minutes).toBeCloseTo((Date.parse(f.fulfilled_at!) - Date.parse(f.cycle_started_at!)) / 60_000, 2);
  });
});

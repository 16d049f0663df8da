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

import { ticketClocks } from './sla-clock.js';
import { CalendarSchema, type Policy } from './sla-policy.js';
import { timelineOf, type StoredClockEvent } from './ticket-timeline.js';
import type { MetricClockView } from './sla.types.js';

// Review cases (docs/sla.md, "What counts as a reply"), computed by hand.
const T = (iso: string) => new Date(`${iso}Z`);
const ev = (type: string, at: string, status: string | null): StoredClockEvent => ({ type, actor: 'x', at: T(at), status });
const policy = (targets: Policy['targets']): Policy => ({ id: 'p', match: {}, actions: [], targets });
const byMetric = (clocks: MetricClockView[]) => Object.fromEntries(clocks.map((c) => [c.metric, c]));
const clocks = (created: string, events: StoredClockEvent[], targets: Policy['targets'], now: string, calendar: ReturnType<typeof CalendarSchema.parse> | null = null) =>
  byMetric(ticketClocks(timelineOf(T(created), events), { policy: policy(targets), calendar, now: T(now).getTime() }));

describe('what counts as a reply: a clarifying question the workflow superseded was never asked', () => {
  it('the customer wrote while the agents ran: the superseded question (status queued) does not fulfil the first reply', () => {
    // 09:00 created; the run asks a question at 09:00:03 but the customer wrote at 09:00:02, so the
    // question is kept as an event with status "queued" (superseded_by_reply) and the run goes again;
    // the second run escalates (holding message, not a reply). Nobody answered: at 10:30 the 60-min
    // first reply target is breached at 10:00.
    const c = clocks(
      '2026-11-23T09:00:00',
      [
        ev('triaged', '2026-11-23T09:00:01', 'processing'),
        ev('customer_reply', '2026-11-23T09:00:02', 'processing'),
        ev('clarification_requested', '2026-11-23T09:00:03', 'queued'),
        ev('triaged', '2026-11-23T09:00:04', 'processing'),
        ev('resolution', '2026-11-23T09:00:05', 'escalated'),
      ],
      { first_reply_time: 60 },
      '2026-11-23T10:30:00',
    );
    expect(c.first_reply_time).toMatchObject({ state: 'running', breached: true, breached_at: '2026-11-23T10:00:00.000Z', fulfilled_at: null });
  });

  it('a question that was asked (status pending further action) is a reply', () => {
    const c = clocks('2026-11-23T09:00:00', [ev('clarification_requested', '2026-11-23T09:10:00', 'pending further action')], { first_reply_time: 60 }, '2026-11-23T10:30:00');
    expect(c.first_reply_time).toMatchObject({ state: 'fulfilled', breached: false, fulfilled_at: '2026-11-23T09:10:00.000Z' });
  });
});

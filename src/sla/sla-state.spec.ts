import { evaluateTicket } from './sla-evaluation.js';
import { DEFAULT_POLICY_SET, PolicySetSchema, type PolicySet } from './sla-policy.js';
import { headlineClock, slaStateOf } from './sla-state.js';
import type { StoredClockEvent } from './ticket-timeline.js';

const T = (hhmm: string, day = '2026-11-23') => new Date(`${day}T${hhmm}:00Z`); // a Monday
const row = (over: { priority?: string | null; channel?: string | null; status?: string } = {}) => ({
  id: 't-1',
  status: over.status ?? 'escalated',
  priority: over.priority === undefined ? 'High' : over.priority,
  category: null,
  channel: over.channel ?? 'email',
  createdAt: T('09:00'),
});
const ev = (hhmm: string, type: string, status: string | null): StoredClockEvent => ({ type, actor: 'system', at: T(hhmm), status });
const state = (set: PolicySet, events: StoredClockEvent[], now: Date, over: Parameters<typeof row>[0] = {}) =>
  slaStateOf(evaluateTicket(row(over), events, set, now.getTime()).view);

describe('slaStateOf: the SLA line from the policy clocks', () => {
  it('built-in policies: the resolution clock, the fixed 4 / 24 / 72 h from creation', () => {
    const escalated = [ev('09:01', 'resolution', 'escalated')];
    for (const [priority, hours] of [['High', 4], ['Medium', 24], ['Low', 72], [null, 24]] as const) {
      const s = state(DEFAULT_POLICY_SET, escalated, T('10:00'), { priority });
      expect(s).toEqual({
        priority,
        metric: 'resolution_time',
        state: 'running',
        target_hours: hours,
        business_hours: false,
        deadline: new Date(T('09:00').getTime() + hours * 3_600_000).toISOString(),
        remaining_hours: hours - 1,
        breached: false,
      });
    }
  });

  it('breached: the deadline is the instant of the breach, remaining negative', () => {
    const s = state(DEFAULT_POLICY_SET, [ev('09:01', 'resolution', 'escalated')], T('15:30'));
    expect(s).toMatchObject({ metric: 'resolution_time', state: 'running', breached: true, deadline: '2026-11-23T13:00:00.000Z', remaining_hours: -2.5 });
  });

  it('solved within target: met, no deadline; solved late: the breach stays', () => {
    const onTime = state(DEFAULT_POLICY_SET, [ev('10:00', 'resolution', 'resolved')], T('16:00'), { status: 'resolved' });
    expect(onTime).toMatchObject({ metric: 'resolution_time', state: 'fulfilled', deadline: null, remaining_hours: null, breached: false });
    const late = state(DEFAULT_POLICY_SET, [ev('14:00', 'resolution', 'resolved')], T('16:00'), { status: 'resolved' });
    expect(late).toMatchObject({ state: 'fulfilled', deadline: '2026-11-23T13:00:00.000Z', remaining_hours: null, breached: true });
  });

  it('a pending ticket: the resolution clock keeps running (total resolution time)', () => {
    const s = state(DEFAULT_POLICY_SET, [ev('09:30', 'clarification_requested', 'pending further action')], T('10:00'), { status: 'pending further action' });
    expect(s).toMatchObject({ metric: 'resolution_time', state: 'running', deadline: '2026-11-23T13:00:00.000Z' });
  });

  it('without a resolution target: the running clock due first, else an open breach, else a paused clock', () => {
    const set = PolicySetSchema.parse({ policies: [{ id: 'replies', targets: { first_reply_time: '1h', periodic_update: '2h', agent_work_time: '8h' } }] });
    // Nobody replied yet: first reply (10:00) is due before agent work (17:00).
    expect(state(set, [ev('09:01', 'resolution', 'escalated')], T('09:30'))).toMatchObject({ metric: 'first_reply_time', deadline: '2026-11-23T10:00:00.000Z', breached: false });
    // Past 10:00 the first reply is breached and open: agent work is still due first.
    expect(state(set, [ev('09:01', 'resolution', 'escalated')], T('10:30'))).toMatchObject({ metric: 'agent_work_time', breached: false });
    // Pending after our question at 09:30: periodic update (2 h from the reply) and agent work pause; nothing runs, nothing is due.
    const pending = state(set, [ev('09:30', 'clarification_requested', 'pending further action')], T('10:00'), { status: 'pending further action' });
    expect(pending).toMatchObject({ metric: 'periodic_update', state: 'paused', deadline: null, remaining_hours: 2, breached: false });
  });

  it('no policy matches: nulls, not breached', () => {
    const set = PolicySetSchema.parse({ policies: [{ id: 'phone', match: { channel: ['phone'] }, targets: { resolution_time: '1h' } }] });
    const view = evaluateTicket(row(), [], set, T('12:00').getTime()).view;
    expect(headlineClock(view)).toBeUndefined();
    expect(slaStateOf(view)).toEqual({ priority: 'High', metric: null, state: null, target_hours: null, business_hours: null, deadline: null, remaining_hours: null, breached: false });
    expect(slaStateOf(undefined, 'Low')).toMatchObject({ priority: 'Low', metric: null, deadline: null });
  });
});

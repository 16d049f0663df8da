import { DEFAULT_POLICY_SET, PolicySetSchema } from './sla-policy.js';
import { atRiskOf, breachesOf, evaluateTicket, SlaStatsBuilder, type SlaTicketRow } from './sla-evaluation.js';
import { clockEventOf, solvedAt, timelineOf, type StoredClockEvent } from './ticket-timeline.js';

const T = (hhmm: string) => new Date(`2026-11-23T${hhmm}:00Z`);
const MIN = 60_000;
const e = (type: string, hhmm: string, status: string | null, actor = 'system'): StoredClockEvent => ({ type, actor, at: T(hhmm), status });
const row = (over: Partial<SlaTicketRow> = {}): SlaTicketRow => ({ id: 't1', status: 'escalated', priority: 'High', category: 'billing', channel: 'email', createdAt: T('09:00'), ...over });

describe('stored events → clock timeline', () => {
  it('counts people\'s replies and the agents\' answers as replies, not their escalation holding message', () => {
    expect(clockEventOf(e('agent_reply', '09:10', 'in_progress', 'agent')).kind).toBe('public_reply');
    expect(clockEventOf(e('resolution', '09:10', 'resolved', 'resolution_agent')).kind).toBe('public_reply');
    expect(clockEventOf(e('clarification_requested', '09:10', 'pending further action', 'resolution_agent')).kind).toBe('public_reply');
    expect(clockEventOf(e('resolution', '09:10', 'escalated', 'resolution_agent')).kind).toBe('other');
    expect(clockEventOf(e('customer_reply', '09:10', null, 'customer')).kind).toBe('customer_message');
    expect(clockEventOf(e('note', '09:10', null, 'agent')).kind).toBe('other');
  });

  it('skips the created event (the creation starts the clocks) and finds the latest solve', () => {
    const events = [e('created', '09:00', 'queued', 'customer'), e('resolution', '09:10', 'resolved'), e('reopened', '10:00', 'reopened', 'customer'), e('closed', '11:00', 'closed', 'agent')];
    const timeline = timelineOf(T('09:00'), events);
    expect(timeline.events).toHaveLength(3);
    expect(solvedAt(timeline, 'closed')).toBe(T('11:00').getTime());
    expect(solvedAt(timeline, 'reopened')).toBeUndefined();
  });
});

describe('evaluation, at-risk, breaches and stats', () => {
  // High (default): first reply 1 h, next reply 2 h, resolution 4 h.
  const escalated = [e('triaged', '09:00', 'processing'), e('resolution', '09:01', 'escalated', 'resolution_agent')];

  it('an escalated High ticket is not at risk 10 min in (under half its target used), is at 45 min, and is breached 70 min in (first reply)', () => {
    const at10 = evaluateTicket(row(), escalated, DEFAULT_POLICY_SET, T('09:10').getTime());
    expect(atRiskOf(at10, T('09:10').getTime(), 60 * MIN)).toEqual([]);
    const at45 = evaluateTicket(row(), escalated, DEFAULT_POLICY_SET, T('09:45').getTime());
    expect(at45.view.policy).toEqual({ id: 'high', name: 'High priority' });
    expect(atRiskOf(at45, T('09:45').getTime(), 30 * MIN)).toEqual([
      expect.objectContaining({ ticket_id: 't1', metric: 'first_reply_time', due_at: '2026-11-23T10:00:00.000Z', remaining_minutes: 15 }),
    ]);
    const at70 = evaluateTicket(row(), escalated, DEFAULT_POLICY_SET, T('10:10').getTime());
    expect(breachesOf(at70, T('10:10').getTime())).toEqual([expect.objectContaining({ metric: 'first_reply_time', breached_at: '2026-11-23T10:00:00.000Z', overdue_minutes: 10 })]);
    expect(at70.view.breached).toBe(true);
  });

  it('a solved ticket is neither at risk nor an open breach, but counts against compliance if it breached', () => {
    const late = [...escalated, e('agent_reply', '10:30', 'in_progress', 'agent'), e('resolved', '11:00', 'resolved', 'agent')];
    const ev = evaluateTicket(row({ status: 'resolved' }), late, DEFAULT_POLICY_SET, T('11:30').getTime());
    expect(atRiskOf(ev, T('11:30').getTime(), 24 * 60 * MIN)).toEqual([]);
    expect(breachesOf(ev, T('11:30').getTime())).toEqual([]);
    const stats = new SlaStatsBuilder(T('11:30').getTime(), 30 * MIN);
    stats.add(ev);
    stats.add(evaluateTicket(row({ id: 't2', status: 'resolved', priority: 'Low', category: null }), [e('resolution', '09:05', 'resolved', 'resolution_agent')], DEFAULT_POLICY_SET, T('11:30').getTime()));
    const out = stats.finish();
    expect(out.overall).toEqual({ open: 0, at_risk: 0, breached: 0, resolved_1h: 1, resolved_24h: 2, resolved_within_sla_1h: 0, resolved_within_sla_24h: 1, sla_compliance_24h: 0.5 });
    expect(out.by_priority.High!.resolved_within_sla_24h).toBe(0);
    expect(out.by_category.none!.resolved_24h).toBe(1);
  });

  it('a category named __proto__ is counted like any other (no prototype pollution)', () => {
    const stats = new SlaStatsBuilder(T('09:30').getTime(), 30 * MIN);
    stats.add(evaluateTicket(row({ category: '__proto__' }), escalated, DEFAULT_POLICY_SET, T('09:30').getTime()));
    const out = stats.finish();
    expect(Object.keys(out.by_category)).toEqual(['__proto__']);
    expect(JSON.stringify(out.by_category)).toMatch(/^\{"__proto__":\{"open":1,/);
    expect(({} as Record<string, unknown>).open).toBeUndefined();
  });

  it('a ticket no policy matches has no clocks and is never at risk', () => {
    const narrow = PolicySetSchema.parse({ policies: [{ id: 'h', match: { priority: ['Low'] }, targets: { first_reply_time: 5 } }] });
    const ev = evaluateTicket(row(), escalated, narrow, T('12:00').getTime());
    expect(ev.view).toMatchObject({ policy: null, metrics: [], next_due: null, breached: false });
    expect(atRiskOf(ev, T('12:00').getTime(), 60 * MIN)).toEqual([]);
  });
});

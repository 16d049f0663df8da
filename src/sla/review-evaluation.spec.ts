import { alertForAtRisk } from './sla-alerts.js';
import { atRiskOf, evaluateTicket, type SlaTicketRow } from './sla-evaluation.js';
import { PolicySetSchema } from './sla-policy.js';

// docs/sla.md, "At risk": a clock used up exactly at a closing time is not breached until counting
// resumes (the next morning); it is at risk meanwhile, due where its target fell.
const set = PolicySetSchema.parse({
  calendars: [{ id: 'office', time_zone: 'UTC', hours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] } }],
  policies: [{ id: 'p', business_hours: 'office', targets: { resolution_time: '8h' } }],
});
// Created Sunday evening: counting starts Mon 09:00, the 8 h are used up exactly at Mon 17:00.
const row: SlaTicketRow = { id: 't1', status: 'escalated', priority: 'High', category: null, channel: null, createdAt: new Date('2026-11-22T20:00:00Z') };

describe('at risk after a target used up exactly at the close', () => {
  it('Mon 20:00: at risk, due Mon 17:00, 0 minutes left — not "due in 3 h" (the alert reads the minutes unsigned)', () => {
    const now = Date.parse('2026-11-23T20:00:00Z');
    const e = evaluateTicket(row, [], set, now);
    const [item] = atRiskOf(e, now, 60 * 60_000);
    expect(item).toMatchObject({ metric: 'resolution_time', due_at: '2026-11-23T17:00:00.000Z', remaining_minutes: 0 });
    const clock = e.view.metrics.find((m) => m.metric === 'resolution_time')!;
    expect(alertForAtRisk(e.view, clock, item!, 'k').title).toContain('due at 2026-11-23T17:00:00.000Z'); // absolute: a reminder repeats it
  });
});

import { zodFieldErrors } from '../common/validation.js';
import { MonitoringRequestSchema } from './monitoring.schemas.js';

/** The monitoring body is validated by this zod schema on every path (HTTP and /run_agent/). */
const event = { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' };
const snapshot = { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T10:00:00+01:00', csat: 4 };

function errors(body: unknown): { path: string; message: string }[] {
  const r = MonitoringRequestSchema.safeParse(body);
  return r.success ? [] : zodFieldErrors(r.error);
}

describe('MonitoringRequestSchema', () => {
  it.each([
    ['both forms', { ticket_updates: [event, snapshot], sla_targets: { sla_compliance: 0.9 } }],
    ['empty list', { ticket_updates: [] }],
    ['date-only timestamp', { ticket_updates: [{ ...event, timestamp: '2026-11-24' }] }],
  ])('accepts %s', (_name, body) => {
    expect(errors(body)).toEqual([]);
  });

  it.each([
    ['local time without offset', { ticket_updates: [{ ...event, timestamp: '2026-11-24T09:00:00' }] }, 'ticket_updates[0].timestamp'],
    ['impossible date', { ticket_updates: [{ ...event, timestamp: '2026-13-45T09:00:00Z' }] }, 'ticket_updates[0].timestamp'],
    ['30 February', { ticket_updates: [{ ...event, timestamp: '2026-02-30T09:00:00Z' }] }, 'ticket_updates[0].timestamp'],
    ['event without status', { ticket_updates: [{ ticket_id: 'T', timestamp: '2026-11-24T09:00:00Z' }] }, 'ticket_updates[0].status'],
    ['event field on a snapshot', { ticket_updates: [{ ...snapshot, status: 'open' }] }, 'ticket_updates[0].status'],
    ['snapshot field on an event', { ticket_updates: [{ ...event, resolved_at: '2026-11-24T10:00:00Z' }] }, 'ticket_updates[0].resolved_at'],
    ['null created_at', { ticket_updates: [{ ticket_id: 'T', created_at: null, resolved_at: '2026-11-24T10:00:00Z' }] }, 'ticket_updates[0].created_at'],
    ['null csat', { ticket_updates: [{ ...snapshot, csat: null }] }, 'ticket_updates[0].csat'],
    ['null priority', { ticket_updates: [{ ...event, priority: null }] }, 'ticket_updates[0].priority'],
    ['an array as an update', { ticket_updates: [[snapshot]] }, 'ticket_updates[0]'],
    ['null as an update', { ticket_updates: [null] }, 'ticket_updates[0]'],
    ['csat 0', { ticket_updates: [{ ...snapshot, csat: 0 }] }, 'ticket_updates[0].csat'],
    ['csat 4.5', { ticket_updates: [{ ...snapshot, csat: 4.5 }] }, 'ticket_updates[0].csat'],
    ['empty ticket id', { ticket_updates: [{ ...snapshot, ticket_id: '' }] }, 'ticket_updates[0].ticket_id'],
    ['unknown field', { ticket_updates: [{ ...snapshot, owner: 'x' }] }, 'ticket_updates[0].owner'],
    ['unknown target', { ticket_updates: [], sla_targets: { nps: 50 } }, 'sla_targets.nps'],
    ['negative target', { ticket_updates: [], sla_targets: { backlog: -1 } }, 'sla_targets.backlog'],
    ['string target', { ticket_updates: [], sla_targets: { backlog: '5' } }, 'sla_targets.backlog'],
    ['missing list', { sla_targets: {} }, 'ticket_updates'],
    ['unknown top-level field', { ticket_updates: [], x: 1 }, 'x'],
    ['null list', { ticket_updates: null }, 'ticket_updates'],
  ])('rejects %s, naming %s', (_name, body, path) => {
    expect(errors(body).map((e) => e.path)).toContain(path);
  });

  it('explains the two forms when they are mixed', () => {
    expect(errors({ ticket_updates: [{ ...snapshot, status: 'open' }] })[0]!.message).toMatch(/belongs to an event/);
    expect(errors({ ticket_updates: [{ ...event, resolved_at: '2026-11-24T10:00:00Z' }] })[0]!.message).toMatch(/needs created_at/);
  });

  it('lists the known targets for an unknown key', () => {
    expect(errors({ ticket_updates: [], sla_targets: { nps: 50 } })[0]!.message).toMatch(/known targets: tickets_total, .*resolution_time_low/);
  });

  it('stops after 50 errors however many updates are wrong', () => {
    const bad = Array.from({ length: 10_000 }, () => ({ ticket_id: 'T', status: 'done', timestamp: 'never', x: 1 }));
    expect(errors({ ticket_updates: bad })).toHaveLength(50);
  });

  it('refuses an oversized list by its length', () => {
    const r = MonitoringRequestSchema.safeParse({ ticket_updates: new Array(200_001).fill(0) });
    expect(r.success).toBe(false);
    expect(zodFieldErrors(r.error!)).toHaveLength(1);
  });
});

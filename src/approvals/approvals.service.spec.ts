import { loadConfig } from '../config/configuration.js';
import type { SlaService } from '../sla/sla.service.js';
import type { TicketSlaView } from '../sla/sla.types.js';
import type { ApprovalsRepository, ApprovalWithTicket } from './approvals.repository.js';
import { approvalCursor, ApprovalsService } from './approvals.service.js';
import { SLA_SORT_MAX } from './sla-order.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A view whose resolution clock is due at `due` (null: no policy). */
function view(ticketId: string, due: string | null): TicketSlaView {
  const metrics = due
    ? [{ metric: 'resolution_time' as const, target_minutes: 240, business_hours: false, state: 'running' as const, breached: false, elapsed_minutes: 0, remaining_minutes: 240, due_at: due, breached_at: null, cycle_started_at: null, fulfilled_at: null, breaches: 0 }]
    : [];
  return { ticket_id: ticketId, status: 'awaiting_approval', priority: 'High', category: null, channel: null, policy: due ? { id: 'p', name: null } : null, calendar: null, metrics, next_due: null, breached: false, computed_at: '' };
}

function row(id: string, ticketId: string): ApprovalWithTicket {
  const at = new Date('2026-11-25T10:00:00.000Z');
  const approval = { id, ticketId, status: 'pending', action: 'issue_refund', arguments: { amount: 30, currency: 'USD', charge_reference: 'INV-1', reason: 'duplicate' }, customerId: null, agent: 'resolution_agent', requestedAt: at, expiresAt: at, decidedAt: null, decidedBy: null, reason: null };
  const ticket = { id: ticketId, status: 'awaiting_approval', priority: 'High', category: 'billing', channel: 'email', inquiryText: 'Refund the duplicate.', createdAt: at };
  return { approval, ticket, repliesSince: 0 } as unknown as ApprovalWithTicket;
}

const brief = (page: { approvals: { id: string; sla: { deadline: string | null } }[] }) => page.approvals.map((a) => ({ id: a.id, deadline: a.sla.deadline }));

function setup(candidates: { id: string; ticketId: string }[], due: Record<string, string | null>) {
  const read: string[][] = [];
  const repository = {
    candidates: async () => candidates,
    byIds: async (ids: string[]) => {
      read.push(ids);
      return ids.map((id) => row(id, candidates.find((c) => c.id === id)!.ticketId));
    },
  };
  const sla = { tickets: async (ids: string[]) => new Map(ids.map((id) => [id, view(id, due[id] ?? null)])) };
  const service = new ApprovalsService(repository as unknown as ApprovalsRepository, null as never, null as never, null as never, loadConfig({}), null as never, sla as unknown as SlaService);
  return { service, read };
}

const query = { status: ['pending' as const], sort: 'sla_deadline' as const, limit: 2 };

describe('ApprovalsService.list by SLA deadline', () => {
  it('orders by the clocks\' deadlines, reads full rows for the page only, and pages on (deadline, id)', async () => {
    const candidates = [1, 2, 3].map((n) => ({ id: uuid(n), ticketId: `t${n}` }));
    const { service, read } = setup(candidates, { t1: '2026-11-25T18:00:00.000Z', t2: null, t3: '2026-11-25T12:00:00.000Z' });
    const first = await service.list(query);
    expect(brief(first)).toEqual([
      { id: uuid(3), deadline: '2026-11-25T12:00:00.000Z' },
      { id: uuid(1), deadline: '2026-11-25T18:00:00.000Z' },
    ]);
    expect(read).toEqual([[uuid(3), uuid(1)]]);
    expect(approvalCursor.decode(first.next_cursor!, 'sla_deadline')).toEqual({ at: new Date('2026-11-25T18:00:00.000Z'), id: uuid(1) });
    const second = await service.list({ ...query, cursor: first.next_cursor! });
    expect(brief(second)).toEqual([{ id: uuid(2), deadline: null }]);
    expect(second.next_cursor).toBeNull();
  });

  it(`refuses to order more than ${SLA_SORT_MAX} approvals: a 400 asking to narrow the filter`, async () => {
    const many = Array.from({ length: SLA_SORT_MAX + 1 }, (_, i) => ({ id: uuid(i), ticketId: `t${i}` }));
    const { service } = setup(many, {});
    await expect(service.list(query)).rejects.toMatchObject({ problem: { status: 400, errors: [{ path: 'sort', message: expect.stringMatching(/narrow/) }] } });
  });

  it('a cursor belongs to its order', () => {
    const sla = approvalCursor.encode('sla_deadline', null, uuid(1));
    const requested = approvalCursor.encode('requested_at', new Date('2026-11-25T10:00:00.000Z'), uuid(1));
    expect(approvalCursor.decode(sla, 'sla_deadline')).toEqual({ at: null, id: uuid(1) });
    expect(approvalCursor.decode(sla, 'requested_at')).toBeUndefined();
    expect(approvalCursor.decode(requested, 'sla_deadline')).toBeUndefined();
    expect(approvalCursor.decode(requested, 'requested_at')).toEqual({ at: new Date('2026-11-25T10:00:00.000Z'), id: uuid(1) });
    expect(approvalCursor.decode('nonsense', 'requested_at')).toBeUndefined();
  });
});

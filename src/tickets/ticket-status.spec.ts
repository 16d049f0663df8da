import { applyExternalEvent, canRetry, EXTERNAL_EVENT_TYPES, TICKET_STATUSES, type ExternalEventType, type TicketStatus } from './ticket-status.js';

const after = (status: TicketStatus, type: ExternalEventType) => {
  const outcome = applyExternalEvent(status, type);
  return outcome.ok ? outcome.status : 'refused';
};

describe('applyExternalEvent', () => {
  it('a customer answering the clarifying question sends the ticket back to the agents', () => {
    expect(applyExternalEvent('pending further action', 'customer_reply')).toEqual({ ok: true, status: 'queued', rerun: true });
  });

  it('a customer writing on a resolved or closed ticket reopens it for a person (no rerun)', () => {
    expect(applyExternalEvent('resolved', 'customer_reply')).toEqual({ ok: true, status: 'reopened', rerun: false });
    expect(applyExternalEvent('closed', 'customer_reply')).toEqual({ ok: true, status: 'reopened', rerun: false });
    expect(applyExternalEvent('escalated', 'customer_reply')).toEqual({ ok: true, status: 'escalated', rerun: false });
  });

  it('people work escalated and failed tickets; a reply puts them in progress', () => {
    expect(after('escalated', 'agent_reply')).toBe('in_progress');
    expect(after('failed', 'agent_reply')).toBe('in_progress');
    expect(after('resolved', 'agent_reply')).toBe('resolved');
    expect(after('closed', 'agent_reply')).toBe('refused');
  });

  it('resolve, reopen, close and rate follow the lifecycle', () => {
    expect(after('in_progress', 'resolved')).toBe('resolved');
    expect(after('resolved', 'resolved')).toBe('refused');
    expect(after('resolved', 'reopened')).toBe('reopened');
    expect(after('escalated', 'reopened')).toBe('refused');
    expect(after('reopened', 'closed')).toBe('closed');
    expect(after('closed', 'closed')).toBe('refused');
    expect(after('resolved', 'csat')).toBe('resolved');
    expect(after('in_progress', 'csat')).toBe('refused');
  });

  it('while the agents run only notes and customer messages are taken', () => {
    for (const status of ['queued', 'processing'] as const) {
      for (const type of EXTERNAL_EVENT_TYPES) {
        const expected = type === 'note' || type === 'customer_reply' ? status : 'refused';
        expect([status, type, after(status, type)]).toEqual([status, type, expected]);
      }
    }
  });

  it('a note never changes the status, and every refusal says why', () => {
    for (const status of TICKET_STATUSES) {
      expect(after(status, 'note')).toBe(status);
      for (const type of EXTERNAL_EVENT_TYPES) {
        const outcome = applyExternalEvent(status, type);
        if (!outcome.ok) expect(outcome.reason.length).toBeGreaterThan(10);
      }
    }
  });

  it('a ticket awaiting approval accepts only notes, customer replies and a take-over until the decision', () => {
    for (const type of EXTERNAL_EVENT_TYPES) {
      const expected = type === 'note' || type === 'customer_reply' ? 'awaiting_approval' : type === 'take_over' ? 'in_progress' : 'refused';
      expect([type, after('awaiting_approval', type)]).toEqual([type, expected]);
    }
  });

  it('take_over gives any settled ticket to a person; handback gives escalated, in-progress, reopened or failed ones to the agents', () => {
    expect(TICKET_STATUSES.filter((s) => after(s, 'take_over') === 'in_progress')).toEqual([
      'pending further action',
      'in_progress',
      'resolved',
      'escalated',
      'reopened',
      'failed',
      'awaiting_approval',
    ]);
    expect(TICKET_STATUSES.filter((s) => after(s, 'handback') === 'queued')).toEqual(['in_progress', 'escalated', 'reopened', 'failed']);
    expect(applyExternalEvent('escalated', 'handback')).toEqual({ ok: true, status: 'queued', rerun: true });
  });

  it('a confirming customer message keeps a resolved ticket resolved; any other reopens it', () => {
    expect(applyExternalEvent('resolved', 'customer_reply', { confirmsResolution: true })).toEqual({ ok: true, status: 'resolved', rerun: false });
    expect(applyExternalEvent('resolved', 'customer_reply', { confirmsResolution: false })).toEqual({ ok: true, status: 'reopened', rerun: false });
    expect(applyExternalEvent('closed', 'customer_reply', { confirmsResolution: true })).toEqual({ ok: true, status: 'reopened', rerun: false });
  });

  it('a failed or stalled ticket can be retried; a settled one cannot', () => {
    expect(TICKET_STATUSES.filter(canRetry)).toEqual(['queued', 'processing', 'failed']);
  });
});

/**
 * Ticket statuses and what the events people and helpdesks post do to them. Pure, so the rules
 * are tested without a database.
 */
export const TICKET_STATUSES = [
  'queued', // stored, the agents have not run yet
  'processing', // the triage → resolution workflow is running
  'pending further action', // waiting for the customer (a clarifying question was asked)
  'in_progress', // a person is working on it
  'resolved',
  'escalated',
  'reopened',
  'closed',
  'failed', // an agent run failed; POST /tickets/:id/retry runs it again
  'awaiting_approval', // the agents proposed an account action; the run is paused until a person decides
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Events a person or a helpdesk posts (POST /tickets/:id/events). */
export const EXTERNAL_EVENT_TYPES = ['agent_reply', 'customer_reply', 'note', 'resolved', 'reopened', 'closed', 'csat', 'take_over', 'handback'] as const;
export type ExternalEventType = (typeof EXTERNAL_EVENT_TYPES)[number];

/** Who posts each event (stored as the event's actor). */
export const EXTERNAL_EVENT_ACTOR: Record<ExternalEventType, 'agent' | 'customer'> = {
  agent_reply: 'agent',
  customer_reply: 'customer',
  note: 'agent',
  resolved: 'agent',
  reopened: 'customer',
  closed: 'agent',
  csat: 'customer',
  take_over: 'agent',
  handback: 'agent',
};

export type EventOutcome =
  | { ok: true; status: TicketStatus; rerun: boolean }
  | { ok: false; reason: string };

/** The agents own a ticket while they run it; people post again when it has settled. */
const RUNNING: readonly TicketStatus[] = ['queued', 'processing'];

/** Statuses a person can hand back to the agents (they run the workflow again on the conversation). */
const HANDBACK_FROM: readonly TicketStatus[] = ['escalated', 'in_progress', 'reopened', 'failed'];

/**
 * The status after an external event, and whether the agents run again: a customer who answers
 * the clarifying question gets the workflow again with the answer, and so does a ticket a person
 * hands back; everything else is recorded. `confirmsResolution`: the customer's message on a
 * resolved ticket says it worked (it then stays resolved instead of reopening).
 */
export function applyExternalEvent(status: TicketStatus, type: ExternalEventType, context: { confirmsResolution?: boolean } = {}): EventOutcome {
  if (type === 'note') return { ok: true, status, rerun: false };
  if (RUNNING.includes(status) && type !== 'customer_reply') {
    return { ok: false, reason: `the agents are still working on this ticket (status "${status}"); post again when it has settled` };
  }
  // A paused run waits for its decision: a person decides it (or takes the ticket over) first.
  if (status === 'awaiting_approval' && type !== 'customer_reply' && type !== 'take_over') {
    return { ok: false, reason: 'the ticket is waiting for an approval decision: approve or reject it (POST /approvals/{id}/approve|reject) or take the ticket over first' };
  }
  switch (type) {
    case 'customer_reply':
      // "queued" again: the agents have not read the newest input (a crash before they do is recovered).
      if (status === 'pending further action') return { ok: true, status: 'queued', rerun: true };
      // "Thanks, that worked" keeps a resolved ticket resolved (and verifies the resolution).
      if (status === 'resolved' && context.confirmsResolution) return { ok: true, status, rerun: false };
      // Otherwise a customer writing on a resolved or closed ticket has not been helped: it needs a person.
      if (status === 'resolved' || status === 'closed') return { ok: true, status: 'reopened', rerun: false };
      return { ok: true, status, rerun: false };
    case 'take_over':
      if (status === 'closed') return { ok: false, reason: 'the ticket is closed; reopen it first' };
      return { ok: true, status: 'in_progress', rerun: false };
    case 'handback':
      if (!HANDBACK_FROM.includes(status)) return { ok: false, reason: `only an escalated, in-progress, reopened or failed ticket can be handed back to the agents (status "${status}")` };
      return { ok: true, status: 'queued', rerun: true };
    case 'agent_reply':
      if (status === 'closed') return { ok: false, reason: 'the ticket is closed; reopen it first' };
      return { ok: true, status: status === 'resolved' ? 'resolved' : 'in_progress', rerun: false };
    case 'resolved':
      if (status === 'resolved' || status === 'closed') return { ok: false, reason: `the ticket is already ${status}` };
      return { ok: true, status: 'resolved', rerun: false };
    case 'reopened':
      if (status !== 'resolved' && status !== 'closed') return { ok: false, reason: `only a resolved or closed ticket can be reopened (status "${status}")` };
      return { ok: true, status: 'reopened', rerun: false };
    case 'closed':
      if (status === 'closed') return { ok: false, reason: 'the ticket is already closed' };
      return { ok: true, status: 'closed', rerun: false };
    case 'csat':
      if (status !== 'resolved' && status !== 'closed') return { ok: false, reason: 'satisfaction is rated on a resolved or closed ticket' };
      return { ok: true, status, rerun: false };
  }
}

/**
 * Statuses from which POST /tickets/:id/retry runs the agents again: a failed run, or one that
 * stalled (queued or processing; the claim then takes it only if no live run holds its lease).
 */
export function canRetry(status: TicketStatus): boolean {
  return status === 'failed' || status === 'queued' || status === 'processing';
}

import type { ClockEvent, TicketTimeline } from './sla-clock.js';

/** What the mapping reads from a stored event (the repository selects only these). */
export interface StoredClockEvent {
  type: string;
  actor: string;
  at: Date;
  /** `data.status`: the status the event left the ticket in. */
  status: string | null;
}

/**
 * Stored ticket events → the SLA clocks' timeline (docs/sla.md, "What counts as a reply"):
 * - the customer writing (`customer_reply`) is a customer message; the inquiry itself is the
 *   creation, which starts the clocks;
 * - a public reply is a person's `agent_reply`, or the agents' answer that resolved the ticket
 *   or asked the customer a question; the agents' holding message when they escalate is not:
 *   the customer still waits for a person; nor is an answer the workflow superseded (the customer
 *   wrote while it ran: stored with status "queued", the agents ran again);
 * - every event's `data.status` moves the ticket's status.
 */
export function clockEventOf(e: StoredClockEvent): ClockEvent {
  const status = e.status ?? undefined;
  let kind: ClockEvent['kind'] = 'other';
  if (e.type === 'customer_reply') kind = 'customer_message';
  else if (e.type === 'agent_reply') kind = 'public_reply';
  // A question is asked only if it left the ticket waiting on the customer: one the workflow
  // superseded because the customer wrote meanwhile (status "queued") was never sent.
  else if (e.type === 'clarification_requested' && status === 'pending further action') kind = 'public_reply';
  else if (e.type === 'resolution' && status === 'resolved') kind = 'public_reply';
  return { at: e.at.getTime(), kind, status };
}

export function timelineOf(createdAt: Date, events: readonly StoredClockEvent[]): TicketTimeline {
  const out: ClockEvent[] = [];
  for (const e of events) if (e.type !== 'created') out.push(clockEventOf(e));
  return { createdAt: createdAt.getTime(), initialStatus: 'queued', events: out };
}

/** When the ticket was last solved (resolved or closed), if it is solved now. */
export function solvedAt(timeline: TicketTimeline, currentStatus: string): number | undefined {
  if (currentStatus !== 'resolved' && currentStatus !== 'closed') return undefined;
  let solved: number | undefined;
  let wasSolved = false;
  for (const e of timeline.events) {
    if (e.status === undefined) continue;
    const isSolved = e.status === 'resolved' || e.status === 'closed';
    if (isSolved && !wasSolved) solved = Math.max(e.at, timeline.createdAt);
    wasSolved = isSolved;
  }
  return solved;
}

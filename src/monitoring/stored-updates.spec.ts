import { collectors, sortMetrics, type Metric, type MetricName } from './metrics.js';
import { automatedOutcome, StoredReportBuilder, storedTicketUpdates, type StoredEvent, type StoredTicket, type StoredTicketHistory } from './stored-updates.js';
import { buildTicketFacts } from './ticket-facts.js';

const H = 3_600_000;
const T0 = Date.parse('2026-11-24T09:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H);

function ticket(id: string, createdHours: number, priority: string | null = 'Medium', category: string | null = 'technical'): StoredTicket {
  return { id, createdAt: at(createdHours), priority, category };
}

/** Events as the tickets module records them (data abridged). */
const ev = {
  created: (h: number): StoredEvent => ({ type: 'created', actor: 'customer', at: at(h), data: { status: 'queued', channel: 'email' } as StoredEvent['data'] }),
  triaged: (h: number): StoredEvent => ({ type: 'triaged', actor: 'triage_agent', at: at(h), data: { status: 'processing' } }),
  resolution: (h: number, status: 'resolved' | 'escalated' | 'pending further action'): StoredEvent => ({
    type: 'resolution',
    actor: 'resolution_agent',
    at: at(h),
    data: { status },
  }),
  runFailed: (h: number): StoredEvent => ({ type: 'run_failed', actor: 'system', at: at(h), data: { status: 'failed' } }),
  retry: (h: number): StoredEvent => ({ type: 'retry', actor: 'system', at: at(h), data: {} }),
  agentReply: (h: number): StoredEvent => ({ type: 'agent_reply', actor: 'agent', at: at(h), data: { status: 'in_progress' } }),
  customerReply: (h: number, status?: string): StoredEvent => ({ type: 'customer_reply', actor: 'customer', at: at(h), data: status ? { status } : {} }),
  resolved: (h: number): StoredEvent => ({ type: 'resolved', actor: 'agent', at: at(h), data: { status: 'resolved' } }),
  reopened: (h: number): StoredEvent => ({ type: 'reopened', actor: 'customer', at: at(h), data: { status: 'reopened' } }),
  closed: (h: number): StoredEvent => ({ type: 'closed', actor: 'system', at: at(h), data: { status: 'closed' } }),
  csat: (h: number, score: unknown): StoredEvent => ({ type: 'csat', actor: 'customer', at: at(h), data: { score } }),
};

/** The metrics of stored histories, through the same facts and collectors as POST /run_performance_monitoring/. */
function metricsOf(histories: [StoredTicket, StoredEvent[]][], targets = { High: 4, Medium: 24, Low: 72 }): Partial<Record<MetricName, number>> {
  const { facts, errors } = buildTicketFacts(histories.flatMap(([t, events]) => storedTicketUpdates(t, events)));
  expect(errors).toEqual([]);
  const metrics: Metric[] = sortMetrics([
    ...collectors.volume(facts),
    ...collectors.firstResponse(facts),
    ...collectors.resolution(facts, targets),
    ...collectors.reopen(facts),
    ...collectors.satisfaction(facts),
  ]);
  return Object.fromEntries(metrics.map((m) => [m.metric_name, m.value]));
}

// A: High, the AI resolves it after 0.5 h; csat 5.
const A: [StoredTicket, StoredEvent[]] = [
  ticket('A', 0, 'High'),
  [ev.created(0), ev.triaged(0.01), ev.resolution(0.5, 'resolved'), ev.csat(1, 5)],
];
// B: Low, the AI escalates after 0.1 h, a person replies at 2 h and resolves at 5 h; the customer
// reopens at 6 h and the person resolves again at 7 h (resolution 7 h, reopened); csat 3.
const B: [StoredTicket, StoredEvent[]] = [
  ticket('B', 0, 'Low'),
  [ev.created(0), ev.triaged(0.01), ev.resolution(0.1, 'escalated'), ev.agentReply(2), ev.resolved(5), ev.reopened(6), ev.resolved(7), ev.csat(8, 3)],
];
// C: Medium, the AI asks a question after 0.2 h; the customer answers at 1 h (the workflow runs
// again: processing), and the AI resolves at 1.5 h. Never resolved before, so not a reopen.
const C: [StoredTicket, StoredEvent[]] = [
  ticket('C', 0, 'Medium'),
  [ev.created(0), ev.triaged(0.01), ev.resolution(0.2, 'pending further action'), ev.customerReply(1, 'processing'), ev.triaged(1.01), ev.resolution(1.5, 'resolved')],
];
// D: the workflow failed and is being retried: open, no response yet.
const D: [StoredTicket, StoredEvent[]] = [ticket('D', 0, null, null), [ev.created(0), ev.runFailed(0.02), ev.retry(0.03)]];

describe('stored ticket history → monitoring updates', () => {
  it('a ticket the AI resolves in 0.5 h: first response 0.5 h, resolution 0.5 h', () => {
    expect(metricsOf([A])).toEqual({
      tickets_total: 1,
      tickets_resolved: 1,
      backlog: 0,
      avg_first_response_time: 0.5,
      avg_resolution_time: 0.5,
      p90_resolution_time: 0.5,
      sla_compliance: 1, // High target 4 h
      reopen_rate: 0,
      customer_satisfaction: 5,
    });
  });

  it('maps statuses, actors and csat event by event', () => {
    expect(storedTicketUpdates(...B)).toEqual([
      { ticket_id: 'B', status: 'open', timestamp: '2026-11-24T09:00:00.000Z', actor: 'customer', priority: 'Low', category: 'technical' },
      // `created` is the open step above, not repeated
      { ticket_id: 'B', status: 'open', timestamp: '2026-11-24T09:00:36.000Z', actor: 'system' }, // triaged: processing → open
      { ticket_id: 'B', status: 'escalated', timestamp: '2026-11-24T09:06:00.000Z', actor: 'system' }, // the AI escalates: system
      { ticket_id: 'B', status: 'in_progress', timestamp: '2026-11-24T11:00:00.000Z', actor: 'agent' },
      { ticket_id: 'B', status: 'resolved', timestamp: '2026-11-24T14:00:00.000Z', actor: 'agent' },
      { ticket_id: 'B', status: 'reopened', timestamp: '2026-11-24T15:00:00.000Z', actor: 'customer' },
      { ticket_id: 'B', status: 'resolved', timestamp: '2026-11-24T16:00:00.000Z', actor: 'agent' },
      { ticket_id: 'B', status: 'resolved', timestamp: '2026-11-24T17:00:00.000Z', actor: 'customer', csat: 3 }, // csat keeps the status
    ]);
    expect(storedTicketUpdates(...C).map((u) => [u.status, u.actor])).toEqual([
      ['open', 'customer'],
      ['open', 'system'],
      ['pending', 'agent'], // the AI's question answered the customer
      ['open', 'customer'], // the customer's reply re-ran the workflow
      ['open', 'system'],
      ['resolved', 'agent'],
    ]);
    expect(storedTicketUpdates(...D).map((u) => [u.status, u.actor])).toEqual([
      ['open', 'customer'],
      ['open', 'system'], // failed → open
      ['open', 'system'], // retry without a status keeps it
    ]);
  });

  it('a scripted history of four tickets: every metric', () => {
    expect(metricsOf([A, B, C, D])).toEqual({
      tickets_total: 4,
      tickets_resolved: 3, // A, B (after its reopen), C
      backlog: 1, // D
      avg_first_response_time: 0.2667, // A 0.5 (AI reply), B 0.1 (escalation), C 0.2 (AI question); D none → (0.5+0.1+0.2)/3
      avg_resolution_time: 3, // A 0.5, B 7 (created → resolved after the reopen), C 1.5 → 9/3
      p90_resolution_time: 5.9, // [0.5, 1.5, 7]: rank 1.8 → 1.5 + 0.8 × 5.5
      sla_compliance: 1, // High 0.5 ≤ 4, Low 7 ≤ 72, Medium 1.5 ≤ 24
      reopen_rate: 0.3333, // B of the 3 ever resolved
      customer_satisfaction: 4, // (5 + 3) / 2
    });
    // The per-priority targets apply to the stored priority: B (Low, 7 h) misses a 6 h Low target.
    expect(metricsOf([A, B, C, D], { High: 4, Medium: 24, Low: 6 }).sla_compliance).toBe(0.6667);
  });

  it('a customer reply that re-runs the workflow on a resolved ticket is a reopen', () => {
    const reopenedByReply: [StoredTicket, StoredEvent[]] = [
      ticket('E', 0),
      [ev.created(0), ev.resolution(1, 'resolved'), ev.customerReply(2, 'processing'), ev.triaged(2.01), ev.resolution(3, 'resolved')],
    ];
    expect(metricsOf([reopenedByReply])).toMatchObject({ tickets_resolved: 1, avg_resolution_time: 3, reopen_rate: 1, avg_first_response_time: 1 });
  });

  it('a customer reply without a status changes nothing; closing counts as resolving', () => {
    const h: [StoredTicket, StoredEvent[]] = [ticket('F', 0), [ev.created(0), ev.customerReply(0.5), ev.agentReply(1), ev.customerReply(1.5), ev.closed(2)]];
    expect(metricsOf([h])).toMatchObject({ tickets_resolved: 1, avg_first_response_time: 1, avg_resolution_time: 2, reopen_rate: 0 });
  });

  it('an unresolved ticket with only a human reply: first response, backlog', () => {
    const h: [StoredTicket, StoredEvent[]] = [ticket('G', 0), [ev.created(0), ev.triaged(0), ev.resolution(0.25, 'escalated'), ev.agentReply(3)]];
    expect(metricsOf([h])).toEqual({ tickets_total: 1, tickets_resolved: 0, backlog: 1, avg_first_response_time: 0.25 });
  });

  it('never moves the creation: events recorded before created_at (clock skew) count at created_at', () => {
    const h: [StoredTicket, StoredEvent[]] = [ticket('H', 1), [ev.created(0.99), ev.resolution(0.999, 'resolved')]];
    const updates = storedTicketUpdates(...h);
    expect(updates.map((u) => u.timestamp)).toEqual(['2026-11-24T10:00:00.000Z', '2026-11-24T10:00:00.000Z']);
    expect(metricsOf([h])).toMatchObject({ tickets_resolved: 1, avg_resolution_time: 0 });
  });

  it('keeps only valid priorities and csat scores (a numeric string score counts)', () => {
    expect(storedTicketUpdates(ticket('I', 0, 'Urgent', null), [])).toEqual([
      { ticket_id: 'I', status: 'open', timestamp: '2026-11-24T09:00:00.000Z', actor: 'customer' },
    ]);
    const csats = [ev.csat(1, 0), ev.csat(1, 6), ev.csat(1, 4.5), ev.csat(1, 'x'), ev.csat(1, null), ev.csat(1, '4')];
    expect(storedTicketUpdates(ticket('J', 0), csats).map((u) => u.csat)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, 4]);
  });

  it('the AI clarifying question (clarification_requested) answers the customer; internal notes are skipped', () => {
    const h: [StoredTicket, StoredEvent[]] = [
      ticket('L', 0),
      [
        ev.created(0),
        { type: 'note', actor: 'agent', at: at(0.1), data: { status: 'queued' } },
        ev.triaged(0.2),
        { type: 'clarification_requested', actor: 'resolution_agent', at: at(0.3), data: { status: 'pending further action' } },
      ],
    ];
    expect(storedTicketUpdates(...h).map((u) => [u.status, u.actor])).toEqual([
      ['open', 'customer'],
      ['open', 'system'],
      ['pending', 'agent'],
    ]);
    expect(metricsOf([h])).toMatchObject({ avg_first_response_time: 0.3, backlog: 1 });
  });

  it('an unknown stored status keeps the previous one', () => {
    const h = storedTicketUpdates(ticket('K', 0), [
      ev.agentReply(1),
      { type: 'helpdesk_sync', actor: 'agent', at: at(2), data: { status: 'on_hold' } },
      { type: 'helpdesk_sync', actor: 'agent', at: at(3), data: { status: 'constructor' } },
    ]);
    expect(h.map((u) => u.status)).toEqual(['open', 'in_progress', 'in_progress', 'in_progress']);
  });
});

describe('StoredReportBuilder', () => {
  const history = ([t, events]: [StoredTicket, StoredEvent[]], groupKey: string | null): StoredTicketHistory => ({ ticket: t, events, groupKey });

  it('without group_by: one group, key null, the same metrics as all tickets at once, over several pages', () => {
    const builder = new StoredReportBuilder(undefined);
    builder.addPage([history(A, 'High'), history(B, 'Low')]);
    builder.addPage([history(C, 'Medium'), history(D, null)]);
    expect(builder.tickets).toBe(4);
    const [group, ...rest] = builder.finish({ avg_resolution_time: 2, customer_satisfaction: 4.5, reopen_rate: 0.5 });
    expect(rest).toEqual([]);
    expect(group!.key).toBeNull();
    expect(Object.fromEntries(group!.metrics.map((m) => [m.metric_name, m.value]))).toEqual(metricsOf([A, B, C, D]));
    // avg_resolution_time 3 > 2 and csat 4 < 4.5 breach; reopen_rate 0.3333 ≤ 0.5 does not
    expect(group!.sla_breaches).toEqual(['avg_resolution_time', 'customer_satisfaction']);
  });

  it('without tickets: still one group with the volume metrics at 0', () => {
    const builder = new StoredReportBuilder(undefined);
    expect(builder.finish({})).toEqual([
      {
        key: null,
        metrics: [
          { metric_name: 'tickets_total', value: 0 },
          { metric_name: 'tickets_resolved', value: 0 },
          { metric_name: 'backlog', value: 0 },
        ],
        sla_breaches: [],
        resolution_quality: {
          automated_resolutions: 0,
          verified_resolutions: 0,
          not_verified_resolutions: 0,
          verification_pending: 0,
          automated_resolution_rate: null,
          verified_resolution_rate: null,
        },
      },
    ]);
    expect(new StoredReportBuilder('day').finish({})).toEqual([]);
  });

  it('grouped: one group per key, ordered, null last; resolution targets per priority', () => {
    const builder = new StoredReportBuilder('priority');
    builder.addPage([history(D, null), history(B, 'Low'), history(A, 'High'), history(C, 'Medium')]);
    const groups = builder.finish({ resolution_time_low: 6, sla_compliance: 0.9 });
    expect(groups.map((g) => g.key)).toEqual([{ priority: 'High' }, { priority: 'Low' }, { priority: 'Medium' }, { priority: null }]);
    const low = groups[1]!;
    expect(low.metrics).toContainEqual({ metric_name: 'sla_compliance', value: 0 }); // 7 h > 6 h
    expect(low.sla_breaches).toEqual(['sla_compliance']);
    expect(groups[3]!.metrics).toEqual([
      { metric_name: 'tickets_total', value: 1 },
      { metric_name: 'tickets_resolved', value: 0 },
      { metric_name: 'backlog', value: 1 },
    ]);
  });
});

describe('resolution quality', () => {
  const verified = (resolutionEventId: string | null = null) => ({ status: 'verified', resolutionEventId });
  const withIds = (events: StoredEvent[]) => events.map((e, i) => ({ ...e, id: i + 1 }));

  it('automatedOutcome: null unless the agents resolved the ticket; the stored status when it is about the latest automated resolution', () => {
    // B: escalated by the agents, resolved by a person — not an automated resolution, whatever is stored
    expect(automatedOutcome({ ...B[0], verification: verified() }, B[1])).toBeNull();
    expect(automatedOutcome(A[0], A[1])).toBe('pending'); // never reviewed
    expect(automatedOutcome({ ...A[0], verification: verified() }, A[1])).toBe('verified');
    expect(automatedOutcome({ ...A[0], verification: { status: 'not_verified', resolutionEventId: null } }, A[1])).toBe('not_verified');
    expect(automatedOutcome({ ...A[0], verification: { status: 'pending', resolutionEventId: null } }, A[1])).toBe('pending');
    // with event ids: a verification about an earlier automated resolution is pending for the latest
    const again = withIds([...A[1], ev.reopened(2), ev.resolution(3, 'resolved')]);
    expect(automatedOutcome({ ...A[0], verification: verified('3') }, again)).toBe('pending');
    expect(automatedOutcome({ ...A[0], verification: verified('6') }, again)).toBe('verified');
  });

  it('the verification events are annotations, not steps: the metrics do not change', () => {
    const annotated: StoredEvent[] = [...A[1], { type: 'resolution_verified', actor: 'system', at: at(72.5), data: {} }, { type: 'resolution_not_verified', actor: 'system', at: at(80), data: {} }];
    expect(storedTicketUpdates(A[0], annotated)).toEqual(storedTicketUpdates(...A));
  });

  it('per group: automated, verified, not verified and pending counts; rates over all tickets of the group', () => {
    const builder = new StoredReportBuilder('priority');
    const history = ([t, events]: [StoredTicket, StoredEvent[]], groupKey: string | null, verification?: StoredTicket['verification']): StoredTicketHistory => ({
      ticket: { ...t, verification },
      events,
      groupKey,
    });
    // A verified, C (automated) not verified, B a person's, D failed; a second High ticket resolved by the agents, pending
    const E: [StoredTicket, StoredEvent[]] = [ticket('E', 1, 'High'), [ev.created(1), ev.resolution(1.2, 'resolved')]];
    builder.addPage([history(A, 'High', verified()), history(B, 'Low', verified()), history(C, 'Medium', { status: 'not_verified', resolutionEventId: null }), history(D, null), history(E, 'High')]);
    const groups = builder.finish({});
    expect(Object.fromEntries(groups.map((g) => [String(g.key!.priority), g.resolution_quality]))).toEqual({
      High: { automated_resolutions: 2, verified_resolutions: 1, not_verified_resolutions: 0, verification_pending: 1, automated_resolution_rate: 1, verified_resolution_rate: 0.5 },
      Low: { automated_resolutions: 0, verified_resolutions: 0, not_verified_resolutions: 0, verification_pending: 0, automated_resolution_rate: 0, verified_resolution_rate: 0 },
      Medium: { automated_resolutions: 1, verified_resolutions: 0, not_verified_resolutions: 1, verification_pending: 0, automated_resolution_rate: 1, verified_resolution_rate: 0 },
      null: { automated_resolutions: 0, verified_resolutions: 0, not_verified_resolutions: 0, verification_pending: 0, automated_resolution_rate: 0, verified_resolution_rate: 0 },
    });
    const all = new StoredReportBuilder(undefined);
    all.addPage([history(A, null, verified()), history(B, null), history(C, null), history(D, null), history(E, null)]);
    expect(all.finish({})[0]!.resolution_quality).toEqual({
      automated_resolutions: 3,
      verified_resolutions: 1,
      not_verified_resolutions: 0,
      verification_pending: 2,
      automated_resolution_rate: 0.6,
      verified_resolution_rate: 0.2,
    });
  });
});

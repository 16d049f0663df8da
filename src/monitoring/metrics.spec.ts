import {
  DEFAULT_RESOLUTION_TARGETS,
  METRIC_NAMES,
  collectors,
  percentile,
  sortMetrics,
  type Metric,
  type MetricName,
  type ResolutionTargets,
} from './metrics.js';
import { buildTicketFacts, type TicketFacts, type TicketUpdate } from './ticket-facts.js';

const HOUR = 3_600_000;

/** Every collector over the facts of `updates`, in the documented order (as the agent reports them). */
function metricsOf(updates: TicketUpdate[], targets: ResolutionTargets = DEFAULT_RESOLUTION_TARGETS): Metric[] {
  const { facts, errors } = buildTicketFacts(updates);
  expect(errors).toEqual([]);
  return sortMetrics([
    ...collectors.volume(facts),
    ...collectors.firstResponse(facts),
    ...collectors.resolution(facts, targets),
    ...collectors.reopen(facts),
    ...collectors.satisfaction(facts),
  ]);
}

/** The same metrics as a name → value map (absent metric → key absent). */
function valuesOf(updates: TicketUpdate[], targets?: ResolutionTargets): Partial<Record<MetricName, number>> {
  return Object.fromEntries(metricsOf(updates, targets).map((m) => [m.metric_name, m.value]));
}

function factsOf(updates: TicketUpdate[]): TicketFacts[] {
  const { facts, errors } = buildTicketFacts(updates);
  expect(errors).toEqual([]);
  return facts;
}

/** A resolved snapshot created at 2026-11-24T00:00Z and resolved `hours` later. */
function resolvedAfter(id: string, hours: number, priority?: TicketUpdate['priority']): TicketUpdate {
  const created = Date.parse('2026-11-24T00:00:00Z');
  return {
    ticket_id: id,
    created_at: new Date(created).toISOString(),
    resolved_at: new Date(created + hours * HOUR).toISOString(),
    ...(priority ? { priority } : {}),
  };
}

describe('metric rules', () => {
  describe('empty input', () => {
    it('builds no facts and no errors', () => {
      expect(buildTicketFacts([])).toEqual({ facts: [], errors: [] });
    });

    it('reports only tickets_total, tickets_resolved and backlog, all 0; every other metric is omitted', () => {
      expect(metricsOf([])).toEqual([
        { metric_name: 'tickets_total', value: 0 },
        { metric_name: 'tickets_resolved', value: 0 },
        { metric_name: 'backlog', value: 0 },
      ]);
    });

    it('each data-dependent collector returns nothing for no facts', () => {
      expect(collectors.firstResponse([])).toEqual([]);
      expect(collectors.resolution([])).toEqual([]);
      expect(collectors.reopen([])).toEqual([]);
      expect(collectors.satisfaction([])).toEqual([]);
    });
  });

  describe('one ticket', () => {
    it('event form: every metric from one resolved ticket', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:30:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T12:00:00Z', actor: 'agent', csat: 5 },
      ];
      expect(metricsOf(updates)).toEqual([
        { metric_name: 'tickets_total', value: 1 }, // 1 ticket
        { metric_name: 'tickets_resolved', value: 1 }, // resolved at 12:00
        { metric_name: 'backlog', value: 0 }, // 1 - 1
        { metric_name: 'avg_first_response_time', value: 0.5 }, // 09:30 - 09:00 = 0.5 h
        { metric_name: 'avg_resolution_time', value: 3 }, // 12:00 - 09:00 = 3 h
        { metric_name: 'p90_resolution_time', value: 3 }, // one value: rank 0.9·0 = 0 → 3
        { metric_name: 'sla_compliance', value: 1 }, // 3 h ≤ High 4 h → 1/1
        { metric_name: 'reopen_rate', value: 0 }, // 0 reopened / 1 ever resolved
        { metric_name: 'customer_satisfaction', value: 5 }, // mean(5)
      ]);
    });

    it('event form: the facts of the ticket', () => {
      const facts = factsOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High', category: 'billing' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:30:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T12:00:00Z', actor: 'agent', csat: 5 },
      ]);
      expect(facts).toEqual([
        {
          id: 'T-1',
          createdAt: Date.parse('2026-11-24T09:00:00Z'),
          firstResponseAt: Date.parse('2026-11-24T09:30:00Z'),
          resolvedAt: Date.parse('2026-11-24T12:00:00Z'),
          everResolved: true,
          reopened: false,
          priority: 'High',
          category: 'billing',
          csat: 5,
        },
      ]);
    });

    it('snapshot form: every metric from one resolved ticket', () => {
      const updates: TicketUpdate[] = [
        {
          ticket_id: 'T-1',
          created_at: '2026-11-24T09:00:00Z',
          first_response_at: '2026-11-24T09:45:00Z',
          resolved_at: '2026-11-24T14:00:00Z',
          priority: 'High',
          csat: 3,
        },
      ];
      expect(metricsOf(updates)).toEqual([
        { metric_name: 'tickets_total', value: 1 },
        { metric_name: 'tickets_resolved', value: 1 },
        { metric_name: 'backlog', value: 0 },
        { metric_name: 'avg_first_response_time', value: 0.75 }, // 09:45 - 09:00 = 45 min = 0.75 h
        { metric_name: 'avg_resolution_time', value: 5 }, // 14:00 - 09:00 = 5 h
        { metric_name: 'p90_resolution_time', value: 5 }, // single value
        { metric_name: 'sla_compliance', value: 0 }, // 5 h > High 4 h → 0/1
        { metric_name: 'reopen_rate', value: 0 }, // 0/1
        { metric_name: 'customer_satisfaction', value: 3 },
      ]);
    });

    it('a lone open ticket: volume only (no response, no resolution, no csat)', () => {
      expect(metricsOf([{ ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' }])).toEqual([
        { metric_name: 'tickets_total', value: 1 },
        { metric_name: 'tickets_resolved', value: 0 },
        { metric_name: 'backlog', value: 1 }, // 1 - 0
      ]);
    });
  });

  describe('unresolved tickets', () => {
    it('count in backlog and have no resolution time', () => {
      const v = valuesOf([
        // T-1: resolved after 2 h
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        // T-2: answered after 1 h, never resolved
        { ticket_id: 'T-2', status: 'open', timestamp: '2026-11-24T10:00:00Z', actor: 'customer' },
        { ticket_id: 'T-2', status: 'in_progress', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        // T-3: snapshot without resolved_at
        { ticket_id: 'T-3', created_at: '2026-11-24T08:00:00Z', first_response_at: '2026-11-24T12:00:00Z' },
      ]);
      expect(v.tickets_total).toBe(3); // T-1, T-2, T-3
      expect(v.tickets_resolved).toBe(1); // T-1
      expect(v.backlog).toBe(2); // 3 - 1 (T-2, T-3)
      expect(v.avg_resolution_time).toBe(2); // only T-1: 11:00 - 09:00 = 2 h
      expect(v.p90_resolution_time).toBe(2); // only T-1
      expect(v.sla_compliance).toBe(1); // T-1: 2 h ≤ Medium 24 h → 1/1
      // T-1 resolved at +2 h (agent), T-2 +1 h, T-3 +4 h → (2 + 1 + 4) / 3 = 2.3333
      expect(v.avg_first_response_time).toBe(2.3333);
      expect(v.reopen_rate).toBe(0); // 0 reopened / 1 ever resolved
    });

    it('with no resolved ticket at all, resolution metrics and reopen_rate are omitted', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'pending', timestamp: '2026-11-24T09:10:00Z', actor: 'agent' },
        { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z' },
      ]);
      expect(v).toEqual({
        tickets_total: 2,
        tickets_resolved: 0,
        backlog: 2, // 2 - 0
        avg_first_response_time: 0.1667, // T-1 only: 10 min = 0.16667 h → 0.1667
      });
    });
  });

  describe('reopened tickets', () => {
    it('resolved → reopened → resolved: resolution time runs from creation to the final resolve', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T10:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T13:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T17:00:00Z', actor: 'agent' },
      ];
      const v = valuesOf(updates);
      expect(v.tickets_resolved).toBe(1);
      expect(v.backlog).toBe(0);
      expect(v.avg_resolution_time).toBe(8); // 17:00 - 09:00 = 8 h (not 11:00 - 09:00 = 2 h)
      expect(v.sla_compliance).toBe(1); // 8 h ≤ Medium 24 h
      expect(v.reopen_rate).toBe(1); // 1 reopened / 1 ever resolved
      expect(v.avg_first_response_time).toBe(1); // 10:00 - 09:00
      expect(factsOf(updates)[0]).toMatchObject({
        resolvedAt: Date.parse('2026-11-24T17:00:00Z'),
        everResolved: true,
        reopened: true,
      });
    });

    it('resolved then reopened and not resolved again: in the backlog, but counted for reopen_rate', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T10:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T12:00:00Z', actor: 'customer' },
      ];
      expect(valuesOf(updates)).toEqual({
        tickets_total: 1,
        tickets_resolved: 0, // not resolved now
        backlog: 1, // 1 - 0
        avg_first_response_time: 1, // the resolve at 10:00 by an agent: 1 h
        reopen_rate: 1, // 1 reopened / 1 ever resolved
        // no avg_resolution_time / p90 / sla_compliance: no ticket is resolved now
      });
      expect(factsOf(updates)[0]).toMatchObject({ everResolved: true, reopened: true });
      expect(factsOf(updates)[0]!.resolvedAt).toBeUndefined();
    });

    it('reopen_rate = reopened tickets / tickets ever resolved (never-resolved tickets are not in the denominator)', () => {
      const v = valuesOf([
        // T-1: resolved, reopened, resolved again (6 h)
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T10:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T11:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T15:00:00Z', actor: 'agent' },
        // T-2: resolved once (2 h)
        { ticket_id: 'T-2', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-2', status: 'closed', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        // T-3: never resolved
        { ticket_id: 'T-3', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        // T-4: resolved, then reopened and still open
        { ticket_id: 'T-4', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-4', status: 'resolved', timestamp: '2026-11-24T09:30:00Z', actor: 'agent' },
        { ticket_id: 'T-4', status: 'reopened', timestamp: '2026-11-24T10:00:00Z', actor: 'customer' },
      ]);
      expect(v.tickets_total).toBe(4);
      expect(v.tickets_resolved).toBe(2); // T-1, T-2
      expect(v.backlog).toBe(2); // T-3, T-4
      expect(v.reopen_rate).toBe(0.6667); // reopened {T-1, T-4} / ever resolved {T-1, T-2, T-4} = 2/3
      expect(v.avg_resolution_time).toBe(4); // (T-1 6 h + T-2 2 h) / 2 = 4
    });

    it('a second resolved/closed after the resolve does not move the resolution time', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'closed', timestamp: '2026-11-24T15:00:00Z', actor: 'system' },
      ]);
      expect(v.avg_resolution_time).toBe(2); // first resolve after the latest open: 11:00 - 09:00
      expect(v.reopen_rate).toBe(0); // closing is not a reopen: 0/1
    });

    it('an `open` status after a resolve also reopens the ticket', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T10:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T11:00:00Z', actor: 'customer' },
      ];
      expect(factsOf(updates)[0]).toMatchObject({ everResolved: true, reopened: true, resolvedAt: undefined });
      expect(valuesOf(updates).backlog).toBe(1);
    });
  });

  describe('snapshot and event forms mixed', () => {
    it('for different tickets', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:30:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T12:00:00Z', actor: 'agent', csat: 5 },
        { ticket_id: 'T-2', created_at: '2026-11-24T10:00:00Z', first_response_at: '2026-11-24T11:00:00Z', priority: 'Low' },
        { ticket_id: 'T-3', created_at: '2026-11-24T08:00:00Z', first_response_at: '2026-11-24T08:15:00Z', resolved_at: '2026-11-24T20:00:00Z', csat: 2 },
      ]);
      expect(v).toEqual({
        tickets_total: 3,
        tickets_resolved: 2, // T-1 (event), T-3 (snapshot)
        backlog: 1, // T-2
        avg_first_response_time: 0.5833, // (T-1 0.5 + T-2 1 + T-3 0.25) / 3 = 1.75 / 3 = 0.58333
        avg_resolution_time: 7.5, // (T-1 3 + T-3 12) / 2
        p90_resolution_time: 11.1, // sorted [3, 12], rank 0.9 → 3 + 0.9·9 = 11.1
        sla_compliance: 1, // T-1 3 ≤ High 4 ✓, T-3 12 ≤ Medium 24 ✓ → 2/2
        reopen_rate: 0, // 0/2
        customer_satisfaction: 3.5, // (5 + 2) / 2
      });
    });

    it('for the same ticket: a snapshot followed by a reopen and a resolve as events', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T09:20:00Z', resolved_at: '2026-11-24T11:00:00Z', priority: 'Low' },
        { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T12:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T15:00:00Z', actor: 'agent', csat: 4 },
      ];
      expect(valuesOf(updates)).toEqual({
        tickets_total: 1, // one ticket, three updates
        tickets_resolved: 1,
        backlog: 0,
        avg_first_response_time: 0.3333, // snapshot's 09:20 - 09:00 = 20 min = 0.33333 h (earlier than any event)
        avg_resolution_time: 6, // final resolve 15:00 - created 09:00
        p90_resolution_time: 6,
        sla_compliance: 1, // 6 h ≤ Low 72 h
        reopen_rate: 1, // 1/1
        customer_satisfaction: 4,
      });
    });

    it('for the same ticket: events first, then a snapshot with the same created_at', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T13:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T10:00:00Z' },
      ];
      const facts = factsOf(updates);
      expect(facts).toHaveLength(1);
      expect(facts[0]).toMatchObject({
        createdAt: Date.parse('2026-11-24T09:00:00Z'),
        firstResponseAt: Date.parse('2026-11-24T10:00:00Z'), // snapshot 10:00 is earlier than the resolve at 13:00
        resolvedAt: Date.parse('2026-11-24T13:00:00Z'),
        reopened: false, // the snapshot's open is at creation, before the resolve
        priority: 'High',
      });
      const v = valuesOf(updates);
      expect(v.avg_first_response_time).toBe(1); // 10:00 - 09:00
      expect(v.avg_resolution_time).toBe(4); // 13:00 - 09:00
      expect(v.sla_compliance).toBe(1); // 4 h ≤ High 4 h (equal is within)
    });

    it('for the same ticket: an event response earlier than the snapshot first_response_at wins', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T11:00:00Z' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:06:00Z', actor: 'agent' },
      ]);
      expect(v.avg_first_response_time).toBe(0.1); // min(09:06, 11:00) - 09:00 = 6 min = 0.1 h
    });
  });

  describe('first response', () => {
    it('the first update by an agent counts, even without a status change', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:15:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T10:00:00Z', actor: 'agent' },
      ]);
      expect(v.avg_first_response_time).toBe(0.25); // 09:15 - 09:00
    });

    it('customer updates never count, whatever their status', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:30:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'pending', timestamp: '2026-11-24T10:00:00Z', actor: 'system' },
      ]);
      expect(v.avg_first_response_time).toBe(1); // the system's pending at 10:00, not the customer's 09:30
    });

    it('a status change away from open by a non-customer (system or no actor) counts; open/reopened do not', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:30:00Z', actor: 'system' },
        { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T10:00:00Z' },
        { ticket_id: 'T-1', status: 'escalated', timestamp: '2026-11-24T10:30:00Z' },
        { ticket_id: 'T-2', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-2', status: 'pending', timestamp: '2026-11-24T09:45:00Z', actor: 'system' },
      ]);
      // T-1: escalated (no actor) at 10:30 → 1.5 h; T-2: pending by system at 09:45 → 0.75 h; (1.5 + 0.75) / 2 = 1.125
      expect(v.avg_first_response_time).toBe(1.125);
    });

    it('the creating update never counts, even when an agent created the ticket', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T10:00:00Z', actor: 'system' },
        // T-2 was created by an agent and has no other update
        { ticket_id: 'T-2', status: 'in_progress', timestamp: '2026-11-24T09:00:00Z', actor: 'agent' },
      ]);
      expect(v.avg_first_response_time).toBe(1); // only T-1: 10:00 - 09:00 = 1 h (T-2 has no response; 0 h would drag it to 0.5)
    });

    it('a ticket with only a creating update has no first response: the metric is omitted', () => {
      expect(valuesOf([{ ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:00:00Z', actor: 'agent' }])).not.toHaveProperty(
        'avg_first_response_time',
      );
    });

    it('the earliest response by time wins, not the first in input order', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'pending', timestamp: '2026-11-24T09:45:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
      ]);
      expect(v.avg_first_response_time).toBe(0.75); // sorted: open 09:00 (creation), pending 09:45 → 0.75 h
    });

    it('a snapshot first_response_at equal to created_at is a 0 h response and no error', () => {
      const { facts, errors } = buildTicketFacts([
        { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T09:00:00Z' },
      ]);
      expect(errors).toEqual([]);
      expect(collectors.firstResponse(facts)).toEqual([{ metric_name: 'avg_first_response_time', value: 0 }]);
    });

    it('a snapshot without first_response_at gets its first response from its resolve (a status change by a non-customer)', () => {
      // A snapshot is the same steps as events: open at created_at, resolved (no actor) at resolved_at.
      const v = valuesOf([{ ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T11:30:00Z' }]);
      expect(v.avg_first_response_time).toBe(2.5); // 11:30 - 09:00
    });

    it('averages over the tickets that have a first response', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T09:10:00Z' }, // 1/6 h
        { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T09:20:00Z' }, // 2/6 h
        { ticket_id: 'T-3', created_at: '2026-11-24T09:00:00Z', first_response_at: '2026-11-24T10:00:00Z' }, // 1 h
        { ticket_id: 'T-4', created_at: '2026-11-24T09:00:00Z' }, // none
      ]);
      expect(v.avg_first_response_time).toBe(0.5); // (1/6 + 2/6 + 6/6) / 3 = (9/6) / 3 = 0.5
    });
  });

  describe('per-priority SLA targets', () => {
    it('defaults High 4 h, Medium 24 h, Low 72 h; equal to the target is within it', () => {
      expect(DEFAULT_RESOLUTION_TARGETS).toEqual({ High: 4, Medium: 24, Low: 72 });
      const v = valuesOf([
        resolvedAfter('H-in', 4, 'High'), // 4 ≤ 4 ✓
        resolvedAfter('H-out', 5, 'High'), // 5 > 4 ✗
        resolvedAfter('M-in', 24, 'Medium'), // 24 ≤ 24 ✓
        resolvedAfter('M-out', 25, 'Medium'), // 25 > 24 ✗
        resolvedAfter('L-in', 72, 'Low'), // 72 ≤ 72 ✓
        resolvedAfter('L-out', 73, 'Low'), // 73 > 72 ✗
      ]);
      expect(v.sla_compliance).toBe(0.5); // 3 within / 6 resolved
      expect(v.avg_resolution_time).toBe(33.8333); // (4+5+24+25+72+73) / 6 = 203 / 6 = 33.83333
      expect(v.p90_resolution_time).toBe(72.5); // sorted [4,5,24,25,72,73], rank 0.9·5 = 4.5 → 72 + 0.5·(73-72)
    });

    it('a ticket without a priority is held to the Medium target', () => {
      // 10 h: within Medium 24 (but would fail High 4); 30 h: fails Medium 24 (but would pass Low 72)
      expect(valuesOf([resolvedAfter('T-1', 10)]).sla_compliance).toBe(1); // 10 ≤ 24
      expect(valuesOf([resolvedAfter('T-1', 30)]).sla_compliance).toBe(0); // 30 > 24
      expect(valuesOf([resolvedAfter('T-1', 24)]).sla_compliance).toBe(1); // 24 ≤ 24
      expect(valuesOf([resolvedAfter('T-1', 24.5)]).sla_compliance).toBe(0); // 24.5 > 24
    });

    it('custom targets replace the defaults', () => {
      const targets: ResolutionTargets = { High: 1, Medium: 2, Low: 3 };
      const v = valuesOf(
        [
          resolvedAfter('H', 1, 'High'), // 1 ≤ 1 ✓
          resolvedAfter('M', 3, 'Medium'), // 3 > 2 ✗ (would pass the default 24)
          resolvedAfter('L', 3, 'Low'), // 3 ≤ 3 ✓
          resolvedAfter('N', 2), // no priority → Medium 2: 2 ≤ 2 ✓
        ],
        targets,
      );
      expect(v.sla_compliance).toBe(0.75); // 3 / 4
    });

    it('the resolution collector uses the default targets when none are given', () => {
      const facts = factsOf([resolvedAfter('H', 5, 'High'), resolvedAfter('M', 5)]);
      // H: 5 > 4 ✗, M: 5 ≤ 24 ✓ → 1/2
      expect(collectors.resolution(facts)).toContainEqual({ metric_name: 'sla_compliance', value: 0.5 });
    });

    it('only tickets resolved now are in sla_compliance', () => {
      const v = valuesOf([
        resolvedAfter('T-1', 30, 'Low'), // 30 ≤ 72 ✓
        { ticket_id: 'T-2', created_at: '2026-11-01T00:00:00Z', priority: 'High' }, // open for weeks: not counted
      ]);
      expect(v.sla_compliance).toBe(1); // 1/1
    });

    it('the latest priority wins, by time (not input order)', () => {
      const updates: TicketUpdate[] = [
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T14:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T10:00:00Z', actor: 'agent', priority: 'Low' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
      ];
      expect(factsOf(updates)[0]!.priority).toBe('Low'); // Low at 10:00 is later than High at 09:00
      expect(valuesOf(updates).sla_compliance).toBe(1); // 14:00 - 09:00 = 5 h ≤ Low 72 (High 4 would fail)
    });

    it('with equal timestamps the later update in input order wins', () => {
      const facts = factsOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', priority: 'High', category: 'billing' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', priority: 'Medium', category: 'technical' },
      ]);
      expect(facts[0]).toMatchObject({ priority: 'Medium', category: 'technical' });
    });
  });

  describe('p90 resolution time (linear interpolation, percentile_cont)', () => {
    it('percentile() interpolates between the closest ranks', () => {
      expect(percentile([10], 0.9)).toBe(10); // rank 0
      expect(percentile([1, 2], 0.9)).toBeCloseTo(1.9, 10); // rank 0.9 → 1 + 0.9·1
      expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10); // rank 0.9·9 = 8.1 → 9 + 0.1·1
      expect(percentile([0, 10, 20, 30, 40], 0.5)).toBe(20); // rank 2, exact
      expect(percentile([0, 10, 20, 30, 40], 1)).toBe(40); // rank 4
      expect(percentile([0, 10, 20, 30, 40], 0)).toBe(0); // rank 0
    });

    it('p90 of five resolution times given unsorted', () => {
      const v = valuesOf([
        resolvedAfter('T-16', 16),
        resolvedAfter('T-1', 1),
        resolvedAfter('T-8', 8),
        resolvedAfter('T-2', 2),
        resolvedAfter('T-4', 4),
      ]);
      expect(v.p90_resolution_time).toBe(12.8); // sorted [1,2,4,8,16], rank 0.9·4 = 3.6 → 8 + 0.6·(16-8) = 12.8
      expect(v.avg_resolution_time).toBe(6.2); // (1+2+4+8+16) / 5 = 31 / 5
      expect(v.sla_compliance).toBe(1); // all ≤ Medium 24
    });

    it('p90 of ten resolution times', () => {
      const v = valuesOf([10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((h) => resolvedAfter(`T-${h}`, h)));
      expect(v.p90_resolution_time).toBe(9.1); // rank 0.9·9 = 8.1 → 9 + 0.1·(10-9)
      expect(v.avg_resolution_time).toBe(5.5); // 55 / 10
    });

    it('is rounded to 4 decimals', () => {
      const v = valuesOf([resolvedAfter('A', 0), resolvedAfter('B', 1 / 3)]);
      expect(v.p90_resolution_time).toBe(0.3); // 0 + 0.9·(1/3) = 0.3
      expect(v.avg_resolution_time).toBe(0.1667); // (0 + 1/3) / 2 = 0.16667
    });
  });

  describe('customer satisfaction', () => {
    it('is the mean of the latest csat of each ticket that has one', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T10:00:00Z', actor: 'agent', csat: 2 },
        { ticket_id: 'T-1', status: 'closed', timestamp: '2026-11-24T12:00:00Z', actor: 'customer', csat: 5 },
        { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T10:00:00Z', csat: 4 },
        { ticket_id: 'T-3', created_at: '2026-11-24T09:00:00Z' }, // no csat: not in the mean
      ]);
      expect(v.customer_satisfaction).toBe(4.5); // (T-1 latest 5 + T-2 4) / 2 — not (2 + 5 + 4) / 3
    });

    it('the latest csat by time wins even when it comes first in the input', () => {
      const facts = factsOf([
        { ticket_id: 'T-1', status: 'closed', timestamp: '2026-11-24T12:00:00Z', actor: 'customer', csat: 5 },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T10:00:00Z', actor: 'agent', csat: 1 },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
      ]);
      expect(facts[0]!.csat).toBe(5);
      expect(collectors.satisfaction(facts)).toEqual([{ metric_name: 'customer_satisfaction', value: 5 }]);
    });

    it('is rounded to 4 decimals', () => {
      const v = valuesOf([
        { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', csat: 5 },
        { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z', csat: 4 },
        { ticket_id: 'T-3', created_at: '2026-11-24T09:00:00Z', csat: 4 },
      ]);
      expect(v.customer_satisfaction).toBe(4.3333); // 13 / 3 = 4.33333
    });

    it('is omitted when no ticket has a csat', () => {
      expect(valuesOf([resolvedAfter('T-1', 1)])).not.toHaveProperty('customer_satisfaction');
    });
  });

  describe('unsorted input timestamps', () => {
    const sorted: TicketUpdate[] = [
      { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
      { ticket_id: 'T-2', status: 'open', timestamp: '2026-11-24T09:30:00Z', actor: 'customer', priority: 'Low' },
      { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T10:00:00Z', actor: 'agent' },
      { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
      { ticket_id: 'T-2', status: 'pending', timestamp: '2026-11-24T12:00:00Z', actor: 'agent' },
      { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T12:30:00Z', actor: 'customer' },
      { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T15:00:00Z', actor: 'agent', csat: 3 },
      { ticket_id: 'T-2', status: 'closed', timestamp: '2026-11-25T09:30:00Z', actor: 'agent', csat: 4 },
    ];
    const expected = {
      tickets_total: 2,
      tickets_resolved: 2,
      backlog: 0,
      avg_first_response_time: 1.75, // T-1 10:00 - 09:00 = 1 h; T-2 12:00 - 09:30 = 2.5 h; (1 + 2.5) / 2
      avg_resolution_time: 15, // T-1 15:00 - 09:00 = 6 h; T-2 24 h; (6 + 24) / 2
      p90_resolution_time: 22.2, // [6, 24], rank 0.9 → 6 + 0.9·18 = 22.2
      sla_compliance: 0.5, // T-1 6 > High 4 ✗; T-2 24 ≤ Low 72 ✓ → 1/2
      reopen_rate: 0.5, // T-1 reopened / {T-1, T-2} ever resolved
      customer_satisfaction: 3.5, // (3 + 4) / 2
    };

    it('sorted input gives the hand-computed metrics', () => {
      expect(valuesOf(sorted)).toEqual(expected);
    });

    it('reversed input gives the same metrics', () => {
      expect(valuesOf([...sorted].reverse())).toEqual(expected);
    });

    it('shuffled input gives the same metrics', () => {
      const order = [5, 2, 7, 0, 3, 6, 1, 4];
      expect(valuesOf(order.map((i) => sorted[i]!))).toEqual(expected);
    });

    it('a reopen listed before the first resolve is still a reopen; creation is the earliest update', () => {
      const facts = factsOf([
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T17:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'reopened', timestamp: '2026-11-24T13:00:00Z', actor: 'customer' },
        { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T11:00:00Z', actor: 'agent' },
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer' },
      ]);
      expect(facts[0]).toMatchObject({
        createdAt: Date.parse('2026-11-24T09:00:00Z'),
        firstResponseAt: Date.parse('2026-11-24T11:00:00Z'),
        resolvedAt: Date.parse('2026-11-24T17:00:00Z'), // 8 h after creation
        everResolved: true,
        reopened: true,
      });
    });
  });

  describe('buildTicketFacts errors', () => {
    it('resolved_at before created_at names ticket_updates[i].resolved_at', () => {
      const { errors } = buildTicketFacts([
        { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z' },
        { ticket_id: 'T-2', created_at: '2026-11-24T10:00:00Z', resolved_at: '2026-11-24T09:59:59Z' },
      ]);
      expect(errors).toEqual([{ path: 'ticket_updates[1].resolved_at', message: 'must not be before created_at' }]);
    });

    it('first_response_at before created_at names ticket_updates[i].first_response_at', () => {
      const { errors } = buildTicketFacts([
        { ticket_id: 'T-1', created_at: '2026-11-24T10:00:00Z', first_response_at: '2026-11-24T09:00:00Z' },
      ]);
      expect(errors).toEqual([{ path: 'ticket_updates[0].first_response_at', message: 'must not be before created_at' }]);
    });

    it('reports both fields of one update, and errors of several updates, in input order', () => {
      const { errors } = buildTicketFacts([
        { ticket_id: 'T-1', created_at: '2026-11-24T10:00:00Z', first_response_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T08:00:00Z' },
        { ticket_id: 'T-2', created_at: '2026-11-24T10:00:00Z', resolved_at: '2026-11-24T11:00:00Z' },
        { ticket_id: 'T-3', created_at: '2026-11-24T10:00:00Z', resolved_at: '2026-11-23T10:00:00Z' },
      ]);
      expect(errors).toEqual([
        { path: 'ticket_updates[0].first_response_at', message: 'must not be before created_at' },
        { path: 'ticket_updates[0].resolved_at', message: 'must not be before created_at' },
        { path: 'ticket_updates[2].resolved_at', message: 'must not be before created_at' },
      ]);
    });

    it('times equal to created_at are not errors', () => {
      const { errors } = buildTicketFacts([
        { ticket_id: 'T-1', created_at: '2026-11-24T10:00:00Z', first_response_at: '2026-11-24T10:00:00Z', resolved_at: '2026-11-24T10:00:00Z' },
      ]);
      expect(errors).toEqual([]);
    });

    it('compares instants, not strings (offsets are honoured)', () => {
      const { errors } = buildTicketFacts([
        // 10:00+02:00 = 08:00Z, so 09:00Z is one hour after creation
        { ticket_id: 'T-1', created_at: '2026-11-24T10:00:00+02:00', first_response_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T09:30:00Z' },
      ]);
      expect(errors).toEqual([]);
    });
  });

  describe('sortMetrics', () => {
    it('puts metrics in the documented order without mutating the input', () => {
      const shuffled: Metric[] = [...METRIC_NAMES].reverse().map((metric_name, i) => ({ metric_name, value: i }));
      const copy = [...shuffled];
      expect(sortMetrics(shuffled).map((m) => m.metric_name)).toEqual([...METRIC_NAMES]);
      expect(shuffled).toEqual(copy);
    });
  });
});

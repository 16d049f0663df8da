import 'reflect-metadata';
import { eq, sql, type SQL } from 'drizzle-orm';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import { ProblemException } from '../common/problem-details.js';
import { createValidationPipe } from '../common/validation.js';
import { Database } from '../database/database.js';
import { ticketEvents, tickets } from '../database/schema.js';
import { MonitoringReportRepository, resolveReportRange } from './monitoring-report.repository.js';
import { MonitoringReportQueryDto } from './monitoring.dto.js';
import { StoredReportBuilder, type StoredEvent, type StoredTicket } from './stored-updates.js';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.parse('2026-11-24T09:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H);

function problemOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProblemException && err.problem.status === 400) return err.problem.errors ?? [];
    throw err;
  }
  throw new Error('expected a 400 problem');
}

describe('resolveReportRange', () => {
  const now = new Date('2026-12-01T12:00:00Z');

  it('defaults: the last 30 days up to now; `from` alone ends now; `to` alone starts 30 days before', () => {
    expect(resolveReportRange({}, now)).toEqual({ from: new Date(now.getTime() - 30 * DAY), to: now });
    expect(resolveReportRange({ from: '2026-11-01' }, now)).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: now });
    expect(resolveReportRange({ to: '2026-11-01T00:00:00+01:00' }, now)).toEqual({
      from: new Date('2026-10-01T23:00:00Z'),
      to: new Date('2026-10-31T23:00:00Z'),
    });
  });

  it('from ≥ to is a 400 naming the field given', () => {
    expect(problemOf(() => resolveReportRange({ from: '2026-11-02', to: '2026-11-01' }, now))).toEqual([{ path: 'to', message: 'must be after from' }]);
    expect(problemOf(() => resolveReportRange({ from: '2026-11-01', to: '2026-11-01' }, now))).toEqual([{ path: 'to', message: 'must be after from' }]);
    expect(problemOf(() => resolveReportRange({ from: '2026-12-02' }, now))[0]!.path).toBe('from');
  });

  it('at most 366 days', () => {
    expect(resolveReportRange({ from: '2025-01-01', to: '2026-01-02' }, now).from).toEqual(new Date('2025-01-01T00:00:00Z')); // 366 days
    expect(problemOf(() => resolveReportRange({ from: '2025-01-01', to: '2026-01-02T00:00:00.001Z' }, now))).toEqual([
      { path: 'to', message: 'must be at most 366 days after from' },
    ]);
    expect(problemOf(() => resolveReportRange({ from: '2024-01-01' }, now))[0]!.path).toBe('from');
  });
});

describe('MonitoringReportQueryDto (global ValidationPipe)', () => {
  const pipe = createValidationPipe();
  const validate = (query: Record<string, unknown>) => pipe.transform(query, { type: 'query', metatype: MonitoringReportQueryDto });
  const errorsOf = async (query: Record<string, unknown>) => {
    try {
      await validate(query);
    } catch (err) {
      if (err instanceof ProblemException && err.problem.status === 400) return err.problem.errors;
      throw err;
    }
    throw new Error('expected a 400 problem');
  };

  it('accepts timestamps, group_by and numeric SLA targets (as query strings)', async () => {
    const dto = (await validate({ from: '2026-11-01', to: '2026-11-30T00:00:00Z', group_by: 'day', resolution_time_high: '2.5', sla_compliance: '0.9' })) as MonitoringReportQueryDto;
    expect(dto).toMatchObject({ from: '2026-11-01', group_by: 'day', resolution_time_high: 2.5, sla_compliance: 0.9 });
    expect(await validate({})).toEqual(new MonitoringReportQueryDto());
  });

  it.each([
    [{ from: '2026-11-01T09:00:00' }, 'from'], // no offset
    [{ to: '2026-11-01T09:00:00 02:00' }, 'to'], // "+" decoded as a space
    [{ from: ['2026-11-01', '2026-11-02'] }, 'from'],
    [{ group_by: 'week' }, 'group_by'],
    [{ resolution_time_high: 'abc' }, 'resolution_time_high'],
    [{ avg_resolution_time: '-1' }, 'avg_resolution_time'],
    [{ sla_compliance: '1.5' }, 'sla_compliance'],
    [{ customer_satisfaction: '0' }, 'customer_satisfaction'],
    [{ backlog: '1e3' }, 'backlog'],
    [{ unknown_target: '1' }, 'unknown_target'],
  ])('%j is a 400 naming %s', async (query, path) => {
    const errors = await errorsOf(query);
    expect(errors?.map((e) => e.path)).toEqual([path]);
  });

  it('says how to write + in a URL', async () => {
    expect((await errorsOf({ to: '2026-11-01T09:00:00 02:00' }))?.[0]?.message).toContain('%2B');
    expect((await errorsOf({ group_by: 'week' }))?.[0]?.message).toBe('group_by must be one of: category, priority, channel, day');
  });
});

// Histories as the tickets module records them (see stored-updates.spec.ts for the rules).
type Row = {
  id: string;
  created: Date;
  priority: string | null;
  category: string | null;
  channel: string | null;
  events: (StoredEvent & { data: Record<string, unknown> })[];
  /** The stored verification's status (about the ticket's automated resolution). */
  verification?: 'verified' | 'not_verified';
};
const e = (type: string, actor: string, hours: number, data: Record<string, unknown> = {}) => ({ type, actor, at: at(hours), data });
const HISTORIES: Row[] = [
  {
    id: 'A',
    created: at(0),
    priority: 'High',
    category: 'technical',
    channel: 'email',
    events: [
      e('created', 'customer', 0, { status: 'queued', channel: 'email' }),
      e('triaged', 'triage_agent', 0.01, { status: 'processing', output: { category: 'technical' }, duration_ms: 3 }),
      e('resolution', 'resolution_agent', 0.5, { status: 'resolved', output: { resolution_reply: 'x'.repeat(2000) } }),
      e('csat', 'customer', 1, { status: 'resolved', score: 5 }),
    ],
    verification: 'verified',
  },
  {
    id: 'B',
    created: at(1),
    priority: 'Low',
    category: 'billing',
    channel: 'chat',
    events: [
      e('created', 'customer', 1, { status: 'queued' }),
      e('triaged', 'triage_agent', 1.01, { status: 'processing' }),
      e('resolution', 'resolution_agent', 1.1, { status: 'escalated' }),
      e('agent_reply', 'agent', 3, { status: 'in_progress', message: 'Looking into it' }),
      e('resolved', 'agent', 6, { status: 'resolved' }),
      e('customer_reply', 'customer', 7, { status: 'reopened', message: 'Still broken' }),
      e('resolved', 'agent', 8, { status: 'resolved' }),
      e('csat', 'customer', 9, { status: 'resolved', score: 3 }),
    ],
  },
  {
    id: 'C',
    // the next UTC day
    created: at(15.5),
    priority: 'Medium',
    category: 'technical',
    channel: null,
    events: [
      e('created', 'customer', 15.5, { status: 'queued' }),
      e('triaged', 'triage_agent', 15.51, { status: 'processing' }),
      e('clarification_requested', 'resolution_agent', 15.7, { status: 'pending further action' }),
      e('customer_reply', 'customer', 16.5, { status: 'queued' }),
      e('triaged', 'triage_agent', 16.51, { status: 'processing' }),
      e('resolution', 'resolution_agent', 17, { status: 'resolved' }),
    ],
    verification: 'not_verified',
  },
  {
    id: 'D',
    created: at(16),
    priority: null,
    category: null,
    channel: 'email',
    events: [e('created', 'customer', 16, { status: 'queued' }), e('run_failed', 'system', 16.02, { status: 'failed' }), e('retry', 'system', 16.03, { attempt: 2 })],
  },
];
const FROM = at(-1);
const TO = at(48);

describeEachDatabase('MonitoringReportRepository', (testDb) => {
  let database: Database;
  let repo: MonitoringReportRepository;

  beforeAll(async () => {
    database = await testDb.open();
    repo = new MonitoringReportRepository(database);
    const insertTicket = (r: Pick<Row, 'id' | 'priority' | 'category' | 'channel'> & { created: Date | SQL }) =>
      database.db.insert(tickets).values({
        id: r.id,
        status: 'queued',
        inquiryText: 'help',
        metadata: { channel: r.channel ?? 'email' },
        channel: r.channel,
        category: r.category,
        priority: r.priority,
        createdAt: r.created,
      });
    for (const r of HISTORIES) {
      await insertTicket(r);
      const rows = await database.db
        .insert(ticketEvents)
        .values(r.events.map((ev) => ({ ticketId: r.id, ...ev })))
        .returning({ id: ticketEvents.id, type: ticketEvents.type });
      if (r.verification) {
        // As VerificationService stores it: about the ticket's (latest) automated resolution.
        const resolution = rows.filter((row) => row.type === 'resolution').at(-1)!;
        await database.db
          .update(tickets)
          .set({ verification: { status: r.verification, resolution_event_id: String(resolution.id), judgments: [] } })
          .where(eq(tickets.id, r.id));
      }
    }
    // Just outside the range on both ends (the range is [from, to)), and one exactly at `from`.
    await insertTicket({ id: 'before', created: new Date(FROM.getTime() - 1), priority: 'High', category: 'technical', channel: 'email' });
    await insertTicket({ id: 'at-to', created: TO, priority: 'High', category: 'technical', channel: 'email' });
    await insertTicket({ id: 'at-from', created: FROM, priority: 'High', category: 'other', channel: 'phone' });
    // Seven tickets within one millisecond, five of them at the same microsecond: the keyset
    // cursor must neither skip nor repeat any of them.
    for (let i = 0; i < 7; i++) {
      const created = i < 5 ? sql`'2026-11-26T00:00:00.123456Z'::timestamptz` : sql`'2026-11-26T00:00:00.123789Z'::timestamptz`;
      await insertTicket({ id: `tie-${i}`, created, priority: 'Low', category: 'tie', channel: 'web' });
    }
  });

  afterAll(async () => {
    await database?.close();
    await testDb.cleanup();
  });

  /** The same histories through the pure path (no database). */
  function expectedGroups(groupBy: 'priority' | undefined, ids: string[], targets = {}) {
    const builder = new StoredReportBuilder(groupBy);
    builder.addPage(
      HISTORIES.filter((h) => ids.includes(h.id)).map((h) => ({
        ticket: {
          id: h.id,
          createdAt: h.created,
          priority: h.priority,
          category: h.category,
          verification: h.verification ? { status: h.verification, resolutionEventId: null } : null,
        } satisfies StoredTicket,
        events: h.events,
        groupKey: groupBy ? h[groupBy] : null,
      })),
    );
    return builder.finish(targets);
  }

  it('computes the metric rules over the stored history, the same as the pure mapping', async () => {
    const report = await repo.report({ from: at(-0.5), to: at(20), targets: { avg_resolution_time: 2 } });
    expect(report).toMatchObject({ from: '2026-11-24T08:30:00.000Z', to: '2026-11-25T05:00:00.000Z', group_by: null, tickets: 4 });
    expect(report.groups).toEqual(expectedGroups(undefined, ['A', 'B', 'C', 'D'], { avg_resolution_time: 2 }));
    const values = Object.fromEntries(report.groups[0]!.metrics.map((m) => [m.metric_name, m.value]));
    expect(values).toEqual({
      tickets_total: 4,
      tickets_resolved: 3,
      backlog: 1,
      avg_first_response_time: 0.2667, // A 0.5 (AI reply), B 0.1 (escalation), C 0.2 (AI question)
      avg_resolution_time: 3, // A 0.5, B 7 (after the reopen), C 1.5
      p90_resolution_time: 5.9,
      sla_compliance: 1,
      reopen_rate: 0.3333,
      customer_satisfaction: 4,
    });
    expect(report.groups[0]!.sla_breaches).toEqual(['avg_resolution_time']);
    // A and C resolved by the agents (A verified, C not), B by a person, D failed
    expect(report.groups[0]!.resolution_quality).toEqual({
      automated_resolutions: 2,
      verified_resolutions: 1,
      not_verified_resolutions: 1,
      verification_pending: 0,
      automated_resolution_rate: 0.5,
      verified_resolution_rate: 0.25,
    });
  });

  it('a stored verification about an earlier automated resolution counts as pending', async () => {
    const [latest] = await database.db
      .insert(ticketEvents)
      .values({ ticketId: 'A', type: 'resolution', actor: 'resolution_agent', at: at(2), data: { status: 'resolved' } })
      .returning({ id: ticketEvents.id });
    try {
      const report = await repo.report({ from: at(-0.5), to: at(20), targets: {} });
      expect(report.groups[0]!.resolution_quality).toMatchObject({ automated_resolutions: 2, verified_resolutions: 0, verification_pending: 1 });
    } finally {
      await database.db.delete(ticketEvents).where(eq(ticketEvents.id, latest!.id));
    }
  });

  it('selects tickets created in [from, to)', async () => {
    const report = await repo.report({ from: FROM, to: TO, targets: {} });
    // A-D, at-from and the 7 ties; not `before` nor `at-to`
    expect(report.tickets).toBe(12);
    expect(await repo.countTickets({ from: FROM, to: TO })).toBe(12);
  });

  it('pages by (created_at, seq) without skipping or repeating ties within a millisecond', async () => {
    const ids: string[] = [];
    let pages = 0;
    for await (const page of repo.pages({ from: FROM, to: TO }, 2)) {
      pages++;
      for (const h of page) ids.push(h.ticket.id);
    }
    expect(pages).toBe(6);
    expect(ids).toEqual(['at-from', 'A', 'B', 'C', 'D', 'tie-0', 'tie-1', 'tie-2', 'tie-3', 'tie-4', 'tie-5', 'tie-6']);
    const small = await repo.report({ from: FROM, to: TO, groupBy: 'category', targets: {} }, 2);
    expect(small.groups).toEqual((await repo.report({ from: FROM, to: TO, groupBy: 'category', targets: {} })).groups);
  });

  it('reads only the status and score of each event', async () => {
    for await (const page of repo.pages({ from: at(-0.5), to: at(0.5) })) {
      expect(page.map((h) => h.events.map((ev) => ev.data))).toEqual([[{ status: 'queued' }, { status: 'processing' }, { status: 'resolved' }, { status: 'resolved', score: '5' }]]);
    }
  });

  it('groups by priority with the per-priority resolution targets; null last', async () => {
    const report = await repo.report({ from: at(-0.5), to: at(20), groupBy: 'priority', targets: { resolution_time_low: 6, sla_compliance: 0.9 } });
    expect(report.groups).toEqual(expectedGroups('priority', ['A', 'B', 'C', 'D'], { resolution_time_low: 6, sla_compliance: 0.9 }));
    expect(report.groups.map((g) => g.key)).toEqual([{ priority: 'High' }, { priority: 'Low' }, { priority: 'Medium' }, { priority: null }]);
    expect(report.groups[1]!.sla_breaches).toEqual(['sla_compliance']); // B: 7 h > 6 h
  });

  it('groups by channel, category and UTC day (keys computed by the database)', async () => {
    const keys = async (groupBy: 'channel' | 'category' | 'day') =>
      (await repo.report({ from: FROM, to: TO, groupBy, targets: {} })).groups.map((g) => [g.key, g.metrics[0]!.value]);
    expect(await keys('channel')).toEqual([
      [{ channel: 'chat' }, 1],
      [{ channel: 'email' }, 2],
      [{ channel: 'phone' }, 1],
      [{ channel: 'web' }, 7],
      [{ channel: null }, 1],
    ]);
    expect(await keys('category')).toEqual([
      [{ category: 'billing' }, 1],
      [{ category: 'other' }, 1],
      [{ category: 'technical' }, 2],
      [{ category: 'tie' }, 7],
      [{ category: null }, 1],
    ]);
    // A, B and at-from (08:00) on the 24th; C (00:30) and D (01:00) on the 25th
    expect(await keys('day')).toEqual([
      [{ day: '2026-11-24' }, 3],
      [{ day: '2026-11-25' }, 2],
      [{ day: '2026-11-26' }, 7],
    ]);
  });

  it('an empty range: one group with zero volume, or no groups when grouped', async () => {
    const empty = { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-02-01T00:00:00Z'), targets: {} };
    expect((await repo.report(empty)).groups).toEqual([
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
    expect((await repo.report({ ...empty, groupBy: 'day' })).groups).toEqual([]);
  });
});

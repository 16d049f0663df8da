import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { storedTicketUpdates } from '../src/monitoring/stored-updates.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

const LOCKED_OUT = { inquiry_text: 'I forgot my password and now I cannot log in to my account', metadata: { channel: 'email', customer_id: 'c-42' } };
const VAGUE = { inquiry_text: 'hello?', metadata: { channel: 'chat', customer_id: 'c-7' } };
// A security incident always goes to a person (escalation rules).
const HACKED = { inquiry_text: 'Someone hacked my account and changed the billing email', metadata: { channel: 'chat' } };

interface TicketView {
  id: string;
  status: string;
  triage: { category: string; priority: string } | null;
  created_at: string;
  events: { type: string; actor: string; at: string; data: Record<string, unknown> }[];
}
type Metrics = Record<string, number>;
const valuesOf = (metrics: { metric_name: string; value: number }[]): Metrics => Object.fromEntries(metrics.map((m) => [m.metric_name, m.value]));

describeEachDatabase('GET /monitoring/report', (db) => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  let range: { from: string; to: string };
  const ticketIds: string[] = [];

  beforeAll(async () => {
    app = await createTestApp(db.env());
    const from = new Date(Date.now() - 60_000).toISOString();
    const post = (id: string, event: object) => http().post(`/tickets/${id}/events`).send(event).expect(201);

    // 1. resolved by the AI, rated 5
    const a = (await http().post('/tickets').send(LOCKED_OUT).expect(201)).body as TicketView;
    expect(a.status).toBe('resolved');
    await post(a.id, { type: 'csat', score: 5 });
    // 2. escalated, a person replies and resolves; rated 3, then the customer reopens it
    const b = (await http().post('/tickets').send(HACKED).expect(201)).body as TicketView;
    expect(b.status).toBe('escalated');
    await post(b.id, { type: 'agent_reply', message: 'We locked the account and restored your email.' });
    await post(b.id, { type: 'resolved' });
    await post(b.id, { type: 'csat', score: 3 });
    await post(b.id, { type: 'reopened', reason: 'it happened again' });
    // 3. a clarifying question, answered: the agents run again and resolve it
    const c = (await http().post('/tickets').send(VAGUE).expect(201)).body as TicketView;
    expect(c.status).toBe('pending further action');
    const answered = await post(c.id, { type: 'customer_reply', message: 'I forgot my password and the reset email never arrives, I cannot log in' });
    expect(answered.body.status).toBe('resolved');
    ticketIds.push(a.id, b.id, c.id);
    range = { from, to: new Date(Date.now() + 60_000).toISOString() };
  });
  afterAll(async () => {
    await app.close();
    await db.cleanup();
  });

  it('reports the metric rules over the stored tickets; one group, key null', async () => {
    const res = await http().get('/monitoring/report').query(range).expect(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.body).toMatchObject({ from: range.from, to: range.to, group_by: null, sla_targets: {}, tickets: 3 });
    expect(typeof res.body.generated_at).toBe('string');
    expect(res.body).not.toHaveProperty('alerts_sent');
    expect(res.body.groups).toHaveLength(1);
    const [group] = res.body.groups;
    expect(group.key).toBeNull();
    expect(group.sla_breaches).toEqual([]);
    const values = valuesOf(group.metrics);
    expect(values).toMatchObject({
      tickets_total: 3,
      tickets_resolved: 2, // the AI's two; the escalated one was reopened
      backlog: 1,
      sla_compliance: 1,
      reopen_rate: 0.3333, // 1 of the 3 ever resolved
      customer_satisfaction: 4, // (5 + 3) / 2
    });
    // Every ticket was answered (AI reply, escalation, AI question) within the test's few seconds.
    expect(values.avg_first_response_time).toBeGreaterThanOrEqual(0);
    expect(values.avg_first_response_time).toBeLessThan(0.02);
    expect(Object.keys(values)).toEqual([
      'tickets_total',
      'tickets_resolved',
      'backlog',
      'avg_first_response_time',
      'avg_resolution_time',
      'p90_resolution_time',
      'sla_compliance',
      'reopen_rate',
      'customer_satisfaction',
    ]);
  });

  it('equals POST /run_performance_monitoring/ over the same history mapped to ticket updates', async () => {
    const ticketUpdates = [];
    for (const id of ticketIds) {
      const t = (await http().get(`/tickets/${id}`).expect(200)).body as TicketView;
      ticketUpdates.push(
        ...storedTicketUpdates(
          { id: t.id, createdAt: new Date(t.created_at), priority: t.triage?.priority ?? null, category: t.triage?.category ?? null },
          t.events.map((e) => ({ type: e.type, actor: e.actor, at: new Date(e.at), data: e.data })),
        ),
      );
    }
    const targets = { customer_satisfaction: 4.5, reopen_rate: 0.2 };
    const posted = await http().post('/run_performance_monitoring/').send({ ticket_updates: ticketUpdates, sla_targets: targets }).expect(200);
    const report = await http()
      .get('/monitoring/report')
      .query({ ...range, ...targets })
      .expect(200);
    expect(report.body.sla_targets).toEqual(targets);
    expect(report.body.groups[0].metrics).toEqual(posted.body.monitoring_result.metrics);
    expect(report.body.groups[0].sla_breaches).toEqual(['reopen_rate', 'customer_satisfaction']);
    expect(report.body.groups[0].sla_breaches).toEqual(posted.body.monitoring_result.sla_breaches);
  });

  it('groups by priority, category, channel and UTC day', async () => {
    const keys = async (group_by: string) =>
      (await http().get('/monitoring/report').query({ ...range, group_by }).expect(200)).body.groups.map((g: { key: object; metrics: { value: number }[] }) => [g.key, g.metrics[0]!.value]);
    const byChannel = await keys('channel');
    expect(byChannel).toEqual([
      [{ channel: 'chat' }, 2],
      [{ channel: 'email' }, 1],
    ]);
    const byDay = await keys('day');
    const days = [...new Set([range.from.slice(0, 10), new Date().toISOString().slice(0, 10)])];
    expect(byDay.map(([key]: [{ day: string }]) => key.day).every((d: string) => days.includes(d))).toBe(true);
    expect(byDay.reduce((n: number, [, total]: [unknown, number]) => n + total, 0)).toBe(3);
    for (const g of ['priority', 'category']) {
      const groups = await keys(g);
      expect(groups.reduce((n: number, [, total]: [unknown, number]) => n + total, 0)).toBe(3);
      expect(groups.every(([key]: [Record<string, unknown>]) => Object.keys(key).join() === g)).toBe(true);
    }
  });

  it('defaults to the last 30 days', async () => {
    const res = await http().get('/monitoring/report/').expect(200);
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(30 * 86_400_000);
    expect(res.body.tickets).toBeGreaterThanOrEqual(3);
  });

  it.each([
    [{ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'to'],
    [{ from: '2025-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, 'to'],
    [{ from: '2026-11-01T09:00:00' }, 'from'],
    [{ group_by: 'week' }, 'group_by'],
    [{ sla_compliance: '95' }, 'sla_compliance'],
    [{ resolution_time_high: 'soon' }, 'resolution_time_high'],
    [{ foo: 'bar' }, 'foo'],
  ])('400 problem details naming the field for %j', async (query, field) => {
    const res = await http().get('/monitoring/report').query(query).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 400, errors: [expect.objectContaining({ path: field })] });
  });

  it('takes an offset written as %2B', async () => {
    await http().get('/monitoring/report?from=2026-11-01T00:00:00%2B02:00&to=2026-11-02T00:00:00%2B02:00').expect(200);
  });

  it('is documented as a read-only report', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body;
    const op = doc.paths['/monitoring/report'].get;
    expect(op.tags).toEqual(['monitoring']);
    expect(op.summary).toMatch(/read-only/i);
    expect(op.summary).toMatch(/no alert/);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '429', '503']);
    expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['from', 'to', 'group_by', 'resolution_time_high', 'sla_compliance']));
    expect(doc.components.schemas.MonitoringReportDto.properties.groups).toBeDefined();
  });
});

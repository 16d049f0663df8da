import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp } from './helpers/test-app.js';
import { describeEachDatabase } from './helpers/databases.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';
import { SlaCheckService } from '../src/sla/sla-check.service.js';
import { SlaService } from '../src/sla/sla.service.js';
import { HandoffService } from '../src/handoff/handoff.service.js';

// The offline model escalates this (account security): nobody has replied, so the clocks run.
const HACKED = { inquiry_text: 'I think someone hacked my account and changed my email', metadata: { channel: 'email', customer_id: 'c-77' } };
const RESOLVABLE = { inquiry_text: 'I forgot my password and now I cannot log in to my account', metadata: { channel: 'chat' } };
const MIN = 60_000;

describeEachDatabase('SLA monitoring over stored tickets', (database) => {
  let app: NestExpressApplication;
  const slack = new WebhookReceiver();
  const http = () => request(app.getHttpServer());
  const check = (at: number) => app.get(SlaCheckService).check(new Date(at));

  beforeAll(async () => {
    const url = await slack.start('/services/T000/B000/secret-token');
    app = await createTestApp({ ...(await database.env()), ALERT_WEBHOOK_URL: url, ALERT_RETRIES: '0', ALERT_RENOTIFY_MINUTES: '60', SLA_AT_RISK_MINUTES: '30' });
  });
  afterAll(async () => {
    await app.get(HandoffService).idle();
    await app.close();
    await slack.stop();
  });

  it('serves the built-in policies until a lead writes some; a bad set is a 400 naming the field', async () => {
    const res = await http().get('/monitoring/policies').expect(200);
    expect(res.body).toMatchObject({ source: 'default', version: 0 });
    expect(res.body.policies.map((p: { id: string }) => p.id)).toEqual(['high', 'medium', 'low']);

    const bad = await http()
      .put('/monitoring/policies')
      .send({ calendars: [{ id: 'office', time_zone: 'Mars/Olympus', hours: { mon: [{ start: '09:00', end: '17:00' }] } }], policies: [{ id: 'a', targets: { first_reply_time: 'soon' } }] })
      .expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['calendars.0.time_zone', 'policies.0.targets.first_reply_time']);
    const unknownCalendar = await http().put('/monitoring/policies').send({ policies: [{ id: 'a', business_hours: 'nope', targets: { first_reply_time: 60 } }] }).expect(400);
    expect(unknownCalendar.body.errors[0]).toMatchObject({ path: 'policies.0.business_hours' });
    await http().put('/monitoring/policies').send([]).expect(400);
  });

  it('a written policy applies at once, with optimistic concurrency through If-Match', async () => {
    const body = {
      policies: [
        { id: 'urgent', name: 'Security and High', match: { priority: ['High'] }, targets: { first_reply_time: '1h', resolution_time: '4h' }, actions: [{ metric: 'first_reply_time', before: 20, action: 'escalate' }] },
        { id: 'standard', targets: { first_reply_time: '4h', next_reply_time: '2h', resolution_time: '24h' } },
      ],
    };
    const put = await http().put('/monitoring/policies').set('If-Match', '"0"').send(body).expect(200);
    expect(put.headers.etag).toBe('"1"');
    expect(put.body).toMatchObject({ source: 'api', version: 1 });
    expect(put.body.policies[0].targets).toEqual({ first_reply_time: 60, resolution_time: 240 });
    await http().put('/monitoring/policies').set('If-Match', '"0"').send(body).expect(412);
    await http().put('/monitoring/policies').set('If-Match', 'yesterday').send(body).expect(400);
    expect((await http().get('/monitoring/policies').expect(200)).body.version).toBe(1);
  });

  it("a ticket's clocks: the agents' answer fulfils the first reply; an escalation leaves it running", async () => {
    const solved = await http().post('/tickets').send(RESOLVABLE).expect(201);
    const sla = await http().get(`/tickets/${solved.body.id}/sla`).expect(200);
    expect(solved.body.status).toBe('resolved');
    const first = sla.body.metrics.find((m: { metric: string }) => m.metric === 'first_reply_time');
    expect(first).toMatchObject({ state: 'fulfilled', breached: false });

    const hacked = await http().post('/tickets').send(HACKED).expect(201);
    expect(hacked.body).toMatchObject({ status: 'escalated', triage: { priority: 'High' } });
    const open = await http().get(`/tickets/${hacked.body.id}/sla`).expect(200);
    expect(open.body.policy).toEqual({ id: 'urgent', name: 'Security and High' });
    expect(open.body.metrics.map((m: { metric: string; state: string }) => [m.metric, m.state])).toEqual([
      ['first_reply_time', 'running'],
      ['resolution_time', 'running'],
    ]);
    expect(open.body.next_due.metric).toBe('first_reply_time');
    await http().get('/tickets/does-not-exist/sla').expect(404);
  });

  it('at-risk lists the ticket before its breach; a check alerts once, escalation happens once, and one alert per breach under repeated checks', async () => {
    const hacked = await http().post('/tickets').send({ ...HACKED, metadata: { channel: 'phone', customer_id: 'c-78' } }).expect(201);
    const id: string = hacked.body.id;
    const created = Date.parse((await http().get(`/tickets/${id}`).expect(200)).body.created_at);

    // Just created: due within 2 h, but not half of its 1 h target used yet: not about to breach.
    const atRisk = await http().get('/monitoring/at-risk').query({ within: '2h' }).expect(200);
    expect(atRisk.body.within_minutes).toBe(120);
    expect(atRisk.body.items.some((i: { ticket_id: string }) => i.ticket_id === id)).toBe(false);
    const listed = await app.get(SlaService).atRisk(120, 100, created + 40 * MIN);
    expect(listed.items.filter((i) => i.ticket_id === id).map((i) => [i.metric, i.remaining_minutes])).toEqual([['first_reply_time', 20]]);
    await http().get('/monitoring/at-risk').query({ within: 'soon' }).expect(400);
    await http().get('/monitoring/at-risk').query({ within: '20000h' }).expect(400);

    // 45 minutes in: 15 left, within the 30-minute at-risk window → one at-risk alert.
    slack.requests.length = 0;
    const early = await check(created + 45 * MIN);
    expect(early).toMatchObject({ at_risk: expect.any(Number) });
    const risky = slack.requests.filter((r) => r.body.text.includes(id));
    expect(risky).toHaveLength(1);
    expect(risky[0]!.body.text).toContain('SLA at risk');

    // 70 minutes in: breached. Three checks → one breach alert.
    for (const m of [70, 71, 72]) await check(created + m * MIN);
    const breach = slack.requests.filter((r) => r.body.text.includes(id) && r.body.text.includes('SLA breached'));
    expect(breach).toHaveLength(1);
    const log = await http().get('/monitoring/alerts').query({ ticket_id: id }).expect(200);
    expect(log.body.alerts.map((a: { kind: string; status: string }) => [a.kind, a.status]).sort()).toEqual([
      ['at_risk', 'delivered'],
      ['breach', 'delivered'],
    ]);
    // The Slack token in the URL never reaches the log.
    expect(JSON.stringify(log.body)).not.toContain('secret-token');

    // Re-notified after ALERT_RENOTIFY_MINUTES (60) while the breach lasts: once more at +135.
    await check(created + 100 * MIN);
    await check(created + 135 * MIN);
    expect(slack.requests.filter((r) => r.body.text.includes(id) && r.body.text.includes('SLA breached'))).toHaveLength(2);
  });

  it('pre-breach actions run once per clock cycle and are ticket events: escalate (with a hand-off) and raise priority', async () => {
    const policies = (await http().get('/monitoring/policies').expect(200)).body;
    await http()
      .put('/monitoring/policies')
      .send({
        policies: [
          { id: 'urgent', match: { priority: ['High'] }, targets: { resolution_time: '4h' }, actions: [{ metric: 'resolution_time', before: 60, action: 'escalate' }] },
          { id: 'standard', targets: { resolution_time: '24h' }, actions: [{ metric: 'resolution_time', before: '2h', action: 'raise_priority' }] },
        ],
      })
      .expect(200);

    // A High ticket the customer reopened: nobody of ours is on it.
    const high = await http().post('/tickets').send(HACKED).expect(201);
    await http().post(`/tickets/${high.body.id}/events`).send({ type: 'closed' }).expect(201);
    await http().post(`/tickets/${high.body.id}/events`).send({ type: 'reopened' }).expect(201);
    const highCreated = Date.parse((await http().get(`/tickets/${high.body.id}`)).body.created_at);
    await check(highCreated + 2 * 60 * MIN); // 2 h left: nothing yet
    expect((await http().get(`/tickets/${high.body.id}`)).body.status).toBe('reopened');
    await check(highCreated + 190 * MIN); // 50 min left (< 60): escalated
    await check(highCreated + 200 * MIN);
    await app.get(HandoffService).idle();
    const escalated = (await http().get(`/tickets/${high.body.id}`)).body;
    expect(escalated.status).toBe('escalated');
    const events = escalated.events.filter((e: { type: string }) => e.type === 'sla_escalated');
    expect(events).toHaveLength(1);
    expect(events[0].data).toMatchObject({ metric: 'resolution_time', policy: 'urgent', status: 'escalated' });
    const handoff = await http().get(`/tickets/${high.body.id}/handoff`).expect(200);
    expect(handoff.body.reason_kind).toBe('sla');

    // A Medium ticket resolved by the agents, then reopened: its resolution clock resumes.
    const medium = await http().post('/tickets').send(RESOLVABLE).expect(201);
    expect(medium.body.triage.priority).not.toBe('High');
    await http().post(`/tickets/${medium.body.id}/events`).send({ type: 'reopened' }).expect(201);
    const mediumCreated = Date.parse((await http().get(`/tickets/${medium.body.id}`)).body.created_at);
    await check(mediumCreated + 22.5 * 60 * MIN); // 90 min left (< 2 h)
    await check(mediumCreated + 22.6 * 60 * MIN);
    const raised = (await http().get(`/tickets/${medium.body.id}`)).body;
    const raises = raised.events.filter((e: { type: string }) => e.type === 'sla_priority_raised');
    expect(raises).toHaveLength(1);
    expect(raises[0].data).toMatchObject({ from: medium.body.triage.priority, metric: 'resolution_time', policy: 'standard' });
    expect(raised.priority ?? raised.triage?.priority).toBeDefined();
    const sla = await http().get(`/tickets/${medium.body.id}/sla`).expect(200);
    expect(sla.body.priority).toBe(raises[0].data.to);

    await http().put('/monitoring/policies').send({ calendars: policies.calendars, policies: policies.policies }).expect(200);
  });

  it('each check stores the hour\'s snapshot; trends return it; overview counts the open tickets', async () => {
    const now = Date.now();
    await check(now);
    const trends = await http().get('/monitoring/trends').query({ granularity: 'hour', from: new Date(now - 3 * 3_600_000).toISOString() }).expect(200);
    expect(trends.body.series).toHaveLength(1);
    const points = trends.body.series[0].points;
    expect(points.length).toBeGreaterThanOrEqual(1);
    const overview = await http().get('/monitoring/overview').expect(200);
    expect(overview.body.overall.open).toBeGreaterThanOrEqual(2);
    expect(overview.body.last_check).toMatchObject({ tickets: expect.any(Number) });
    const byPriority = await http().get('/monitoring/trends').query({ dimension: 'priority' }).expect(200);
    expect(byPriority.body.series.map((s: { key: string }) => s.key)).toContain('High');
    await http().get('/monitoring/trends').query({ granularity: 'week' }).expect(400);
    await http().get('/monitoring/trends').query({ from: 'yesterday' }).expect(400);
    await http().get('/monitoring/trends').query({ from: '2026-12-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }).expect(400);
  });

  it('POST /monitoring/checks runs a check now', async () => {
    const res = await http().post('/monitoring/checks').expect(200);
    expect(res.body).toMatchObject({ tickets: expect.any(Number), alerts_raised: expect.any(Number) });
  });
});

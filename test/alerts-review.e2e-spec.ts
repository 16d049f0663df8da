import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { HandoffService } from '../src/handoff/handoff.service.js';
import { SlaCheckService } from '../src/sla/sla-check.service.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ID = '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93';

describeEachDatabase('review: GET /monitoring/alerts with hostile query strings', (db) => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp(db.env());
  });
  afterAll(async () => {
    await app.close();
    await db.cleanup();
  });

  it.each([
    ['a forged cursor before year 1', cursorOf(['-271821-04-20T00:00:00.000Z', ID])],
    ['a forged cursor in year 0', cursorOf(['0000-01-01T00:00:00.000Z', ID])],
    ['a forged cursor after year 9999', cursorOf(['+275760-09-13T00:00:00.000Z', ID])],
    ['a forged cursor in year 10000', cursorOf(['+010000-01-01T00:00:00.000Z', ID])],
  ])('%s: 400 naming the cursor (not a database error), never 5xx', async (_name, cursor) => {
    const res = await http().get(`/monitoring/alerts?cursor=${cursor}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
    expect(JSON.stringify(res.body)).not.toMatch(/out of range|cannot be stored/);
  });

  it.each([
    'cursor=' + cursorOf(5),
    'cursor=' + cursorOf(null),
    'cursor=' + cursorOf(['2026-11-25T10:00:00.000Z']),
    'cursor=!!!',
    'cursor=a&cursor=b',
    'limit=0',
    'limit=201',
    'limit=1e3',
    'limit=-1',
    'limit=9999999',
    'status=delivered,nope',
    'status=',
    'status=,,,',
    'kind=digest&kind=breach',
    'kind[]=breach',
    'status[a]=b',
    `ticket_id=${'x'.repeat(201)}`,
    'ticket_id=a&ticket_id=b',
    'ticket_id=%ED%A0%80',
    'ticket_id=%F0%9F%98%80',
  ])('%s: no 5xx', async (query) => {
    const res = await http().get(`/monitoring/alerts?${query}`);
    expect(res.status).toBeLessThan(500);
  });
});

// The offline model escalates this (account security): High, nobody has replied, the clocks run.
const HACKED = { inquiry_text: 'I think someone hacked my account and changed my email', metadata: { channel: 'email', customer_id: 'c-77' } };
const MIN = 60_000;

describeEachDatabase('review: a breach that is over, then open again', (db) => {
  const slack = new WebhookReceiver();
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const check = (at: number) => app.get(SlaCheckService).check(new Date(at));

  beforeAll(async () => {
    app = await createTestApp({ ...db.env(), ALERT_WEBHOOK_URL: await slack.start('/services/T000/B000/secret'), ALERT_RETRIES: '0', ALERT_RENOTIFY_MINUTES: '60' });
  });
  afterAll(async () => {
    await app.get(HandoffService).idle();
    await app.close();
    await slack.stop();
    await db.cleanup();
  });

  it('a reopened ticket whose resolution clock is breached again is alerted again (and re-notified while it lasts)', async () => {
    const ticket = await http().post('/tickets').send(HACKED).expect(201);
    const id = ticket.body.id as string;
    const created = Date.parse(ticket.body.created_at);
    const resolutionBreaches = () => slack.requests.filter((r) => r.body.alert?.ticket_id === id && r.body.alert?.metric === 'resolution_time' && r.body.alert?.kind === 'breach');

    await check(created + 5 * 60 * MIN);
    expect(resolutionBreaches()).toHaveLength(1);
    const [alert] = (await http().get('/monitoring/alerts').query({ ticket_id: id, kind: 'breach' }).expect(200)).body.alerts.filter((a: { metric: string }) => a.metric === 'resolution_time');
    expect(alert).toMatchObject({ status: 'delivered', notifications: 1 });

    // Solved: the breach is over, the alert resolved.
    await http().post(`/tickets/${id}/events`).send({ type: 'closed' }).expect(201);
    await check(created + 5 * 60 * MIN + MIN);
    expect((await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body.resolved_at).not.toBeNull();

    // The customer reopens it: the resolution clock resumes, already past its target — breached again.
    await http().post(`/tickets/${id}/events`).send({ type: 'reopened' }).expect(201);
    const sla = (await http().get(`/tickets/${id}/sla`).expect(200)).body;
    expect(sla.status).toBe('reopened');
    await check(created + 6 * 60 * MIN);
    expect((await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body).toMatchObject({ resolved_at: null, notifications: 2 });
    expect(resolutionBreaches()).toHaveLength(2);
    // …and reminded while it lasts.
    await check(created + 7 * 60 * MIN + MIN);
    expect(resolutionBreaches()).toHaveLength(3);
  });
});

import { jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { sql } from 'drizzle-orm';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AlertDispatcher } from '../src/alerts/alert.dispatcher.js';
import { AlertsRepository } from '../src/alerts/alerts.repository.js';
import type { AlertLogItem, AlertRequest } from '../src/alerts/alerts.types.js';
import { Database } from '../src/database/database.js';
import { describeEachDatabase } from './helpers/databases.js';
import { expectProblem, paths } from './helpers/problems.js';
import { createTestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

const SECRET = 'alert-test-secret';
/** A Slack incoming-webhook URL's path is its credential: it must never reach the log. */
const SLACK_PATH = '/services/T0000TEST/B0000TEST/sLaCkToKeN0123456789';
const MIN = 60_000;
const later = (t: Date, minutes: number) => new Date(t.getTime() + minutes * MIN);

function breach(ticket: string, over: Partial<AlertRequest> = {}): AlertRequest {
  return {
    dedupeKey: `breach:${ticket}:first_reply_time:2026-11-25T09:00:00.000Z`,
    kind: 'breach',
    ticketId: ticket,
    metric: 'first_reply_time',
    title: `SLA breached: first reply time on ${ticket} (High)`,
    lines: ['*Target:* 60 min', '*Elapsed:* 75 min'],
    fields: { priority: 'High', target_minutes: 60, elapsed_minutes: 75 },
    ...over,
  };
}

/** What one alert's notifications brought to a receiver. */
const forAlert = (r: WebhookReceiver, id: string) => r.requests.filter((q) => q.headers['x-alert-id'] === id);

/** HMAC-SHA256 over the raw body as received, the way a receiver checks it. */
const verifies = (headers: IncomingHttpHeaders, raw: string) => headers['x-signature-256'] === `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;

/** A loopback port nobody listens on (yet): bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A receiver that comes up later on a given port (the webhook "was down"). */
async function listenOn(port: number, got: { headers: IncomingHttpHeaders; raw: string }[]): Promise<Server> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      got.push({ headers: req.headers, raw });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

const breaching = {
  ticket_updates: [
    { ticket_id: 'M-1', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T19:00:00Z', priority: 'High' },
    { ticket_id: 'M-2', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T10:00:00Z', priority: 'High' },
  ],
  sla_targets: { sla_compliance: 0.9 },
};

describeEachDatabase('alert delivery to the Slack-compatible and generic webhooks', (db) => {
  const slack = new WebhookReceiver();
  const generic = new WebhookReceiver();
  let app: NestExpressApplication;
  let env: Record<string, string>;
  let alerts: AlertDispatcher;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    env = {
      ...db.env(),
      ALERT_WEBHOOK_URL: await slack.start(SLACK_PATH),
      ALERT_GENERIC_WEBHOOK_URL: await generic.start('/alerts'),
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_RETRIES: '2',
      ALERT_RENOTIFY_MINUTES: '240',
    };
    app = await createTestApp(env);
    alerts = app.get(AlertDispatcher);
  });
  afterAll(async () => {
    await app.close();
    await slack.stop();
    await generic.stop();
    await db.cleanup();
  });
  beforeEach(() => {
    for (const r of [slack, generic]) {
      r.requests.length = 0;
      r.statuses = [];
    }
  });

  it('raises a breach alert: both channels get it, signed over the raw body, with Idempotency-Key <id>:1; the log says where it went', async () => {
    const { created, alert } = await alerts.raise(breach('T-1'));
    expect(created).toBe(true);
    expect(alert).toMatchObject({ kind: 'breach', ticket_id: 'T-1', metric: 'first_reply_time', status: 'delivered', attempts: 1, notifications: 1, resolved_at: null });
    expect(alert.delivered_at).toEqual(expect.any(String));
    expect(Date.parse(alert.renotify_at!) - Date.parse(alert.created_at)).toBe(240 * MIN);
    expect(alert.deliveries.map((d) => [d.channel, d.delivered, d.http_status, d.attempts])).toEqual([
      ['slack', true, 200, 1],
      ['generic', true, 200, 1],
    ]);
    const [s] = forAlert(slack, alert.id);
    const [g] = forAlert(generic, alert.id);
    expect(s!.body.text).toMatch(/^:rotating_light: SLA breached: first reply time on T-1 \(High\)\n\*Target:\* 60 min/);
    expect(s!.body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(g!.body).toMatchObject({ id: alert.id, kind: 'breach', ticket_id: 'T-1', fields: { priority: 'High', elapsed_minutes: 75 }, notification: 1 });
    for (const r of [s!, g!]) {
      expect(verifies(r.headers, r.raw)).toBe(true);
      expect(verifies(r.headers, `${r.raw} `)).toBe(false);
      expect(r.headers['idempotency-key']).toBe(`${alert.id}:1`);
      expect(r.headers['x-alert-timestamp']).toMatch(/^\d{10}$/);
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect((await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body).toEqual(alert);
  });

  it("never logs the Slack URL's path (its token): the host only, in the API and in the table", async () => {
    await alerts.raise(breach('T-token'));
    const listed = JSON.stringify((await http().get('/monitoring/alerts?limit=200').expect(200)).body);
    const stored = JSON.stringify(((await app.get(Database).db.execute(sql`select * from sla_alerts`)) as unknown as { rows: unknown[] }).rows);
    for (const text of [listed, stored]) {
      expect(text).toContain(`"host":"${new URL(env.ALERT_WEBHOOK_URL!).host}"`);
      expect(text).not.toContain('sLaCkToKeN');
      expect(text).not.toContain('/services/');
    }
  });

  it('a 500 then a 200: delivered once, attempts 2, both tries with the same body and Idempotency-Key', async () => {
    slack.statuses = [500];
    const { alert } = await alerts.raise(breach('T-500'));
    expect(alert).toMatchObject({ status: 'delivered', attempts: 2, notifications: 1 });
    expect(alert.deliveries.find((d) => d.channel === 'slack')).toMatchObject({ delivered: true, http_status: 200, attempts: 2, error: null });
    const tries = forAlert(slack, alert.id);
    expect(tries).toHaveLength(2);
    expect(new Set(tries.map((t) => `${t.headers['idempotency-key']} ${t.raw}`)).size).toBe(1);
    expect(forAlert(generic, alert.id)).toHaveLength(1);
  });

  it('the same key raised twice, then five times at once: one alert, one delivery, created true once', async () => {
    const first = await alerts.raise(breach('T-twice'));
    const second = await alerts.raise(breach('T-twice', { title: 'a second caller' }));
    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.alert).toMatchObject({ id: first.alert.id, title: first.alert.title, notifications: 1 });
    expect(forAlert(slack, first.alert.id)).toHaveLength(1);

    const all = await Promise.all(Array.from({ length: 5 }, () => alerts.raise(breach('T-five'))));
    expect(all.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(all.map((r) => r.alert.id)).size).toBe(1);
    const id = all[0]!.alert.id;
    expect(forAlert(slack, id)).toHaveLength(1);
    expect(forAlert(generic, id)).toHaveLength(1);
    expect((await http().get(`/monitoring/alerts/${id}`).expect(200)).body).toMatchObject({ status: 'delivered', notifications: 1, attempts: 1 });
  });

  it('the sweep re-notifies only once renotify_at has passed, while the key is active; then never again once it is not', async () => {
    const t0 = new Date();
    const { alert } = await alerts.raise(breach('T-renotify'), t0);
    const key = alert.dedupe_key;
    const active = new Set([key]);

    expect(await alerts.sweep(active, later(t0, 239))).toMatchObject({ renotified: 0, retried: 0 });
    expect(forAlert(slack, alert.id)).toHaveLength(1);

    expect(await alerts.sweep(active, later(t0, 241))).toMatchObject({ renotified: 1, retried: 0 });
    const reminder = forAlert(slack, alert.id)[1]!;
    expect(reminder.headers['idempotency-key']).toBe(`${alert.id}:2`);
    expect(verifies(reminder.headers, reminder.raw)).toBe(true);
    expect(reminder.body.text).toContain('(reminder 1, first sent');
    expect(forAlert(generic, alert.id).map((r) => r.body.notification)).toEqual([1, 2]);
    const after = (await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body;
    expect(after).toMatchObject({ status: 'delivered', notifications: 2, attempts: 2, delivered_at: alert.delivered_at, renotify_at: later(t0, 481).toISOString() });
    expect(after.deliveries.map((d: { notification: number }) => d.notification)).toEqual([1, 1, 2, 2]);

    // Not due again yet: nothing.
    expect(await alerts.sweep(active, later(t0, 300))).toMatchObject({ renotified: 0 });
    // The check no longer reports the breach: resolved, and no more notifications even when due.
    const swept = await alerts.sweep(new Set(), later(t0, 301));
    expect(swept.resolved).toBeGreaterThanOrEqual(1);
    expect((await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body.resolved_at).toBe(later(t0, 301).toISOString());
    expect(await alerts.sweep(active, later(t0, 2_000))).toMatchObject({ renotified: 0, retried: 0 });
    expect(forAlert(slack, alert.id)).toHaveLength(2);
  });

  it('one channel took it, the other did not: the sweep sends that notification again to the missed channel alone (same Idempotency-Key) until it gets it; the reminder keeps its time', async () => {
    const t0 = new Date();
    generic.statuses = [500, 500, 500]; // ALERT_RETRIES=2: the whole first POST fails
    const { alert } = await alerts.raise(breach('T-half'), t0);
    expect(alert).toMatchObject({ status: 'delivered', notifications: 1, renotify_at: later(t0, 1).toISOString() });
    expect(alert.deliveries.map((d) => [d.channel, d.delivered, d.http_status])).toEqual([
      ['slack', true, 200],
      ['generic', false, 500],
    ]);
    const active = new Set([alert.dedupe_key]);

    // Still failing: retried alone, with the backoff; Slack hears nothing more.
    generic.statuses = [503, 503, 503];
    expect(await alerts.sweep(active, later(t0, 1))).toMatchObject({ renotified: 0, retried: 1 });
    expect(forAlert(slack, alert.id)).toHaveLength(1);
    expect((await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body).toMatchObject({ status: 'delivered', notifications: 1, renotify_at: later(t0, 2).toISOString() });

    // Up again: it gets notification 1, the key its failed tries had; the reminder stays 240 min after the first delivery.
    expect(await alerts.sweep(active, later(t0, 2))).toMatchObject({ renotified: 0, retried: 1 });
    const got = forAlert(generic, alert.id);
    expect(got).toHaveLength(7);
    expect(new Set(got.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`${alert.id}:1`]));
    expect(got.at(-1)!.body).toMatchObject({ id: alert.id, notification: 1 });
    expect(verifies(got.at(-1)!.headers, got.at(-1)!.raw)).toBe(true);
    expect(forAlert(slack, alert.id)).toHaveLength(1);
    const through = (await http().get(`/monitoring/alerts/${alert.id}`).expect(200)).body as AlertLogItem;
    expect(through).toMatchObject({ status: 'delivered', notifications: 1, delivered_at: t0.toISOString(), renotify_at: later(t0, 240).toISOString() });
    expect(through.deliveries.map((d) => [d.notification, d.channel, d.delivered])).toEqual([
      [1, 'slack', true],
      [1, 'generic', false],
      [1, 'generic', false],
      [1, 'generic', true],
    ]);
    expect(await alerts.sweep(active, later(t0, 100))).toMatchObject({ renotified: 0, retried: 0 });

    // The reminder goes to both, as notification 2.
    expect(await alerts.sweep(active, later(t0, 240))).toMatchObject({ renotified: 1, retried: 0 });
    expect(forAlert(slack, alert.id).map((r) => r.headers['idempotency-key'])).toEqual([`${alert.id}:1`, `${alert.id}:2`]);
    expect(forAlert(generic, alert.id).at(-1)!.headers['idempotency-key']).toBe(`${alert.id}:2`);
    await alerts.sweep(new Set(), later(t0, 241));
  });

  it('POST /run_performance_monitoring/ alerts go through the log (kind metrics, one per request) and alerts_sent says whether a channel took it', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await http().post('/run_performance_monitoring/').send(breaching).expect(200);
      expect(res.body.monitoring_result).toMatchObject({ sla_breaches: ['sla_compliance'], alerts_sent: true });
      expect(res.body.monitoring_result.dashboard_report).toMatch(/sent — delivered to the alert webhook \(HTTP 200\) and the generic alert webhook \(HTTP 200\)/);
    }
    const logged = (await http().get('/monitoring/alerts?kind=metrics').expect(200)).body.alerts;
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatchObject({ kind: 'metrics', status: 'delivered', renotify_at: null, fields: { breaches: 1, sla_compliance: 0.5, sla_compliance_target: 0.9 } });
    expect(logged[0].dedupe_key).not.toBe(logged[1].dedupe_key);
    const slackBody = forAlert(slack, logged[0].id)[0]!.body;
    expect(slackBody.breaches).toEqual([{ metric_name: 'sla_compliance', value: 0.5, target: 0.9, direction: 'below' }]);
    // A metrics alert is never re-sent by the sweep.
    slack.requests.length = 0;
    await alerts.sweep(new Set(), later(new Date(), 10_000));
    expect(slack.requests).toHaveLength(0);
  });

  it('GET /monitoring/alerts: newest first, filtered by status, kind and ticket_id, in cursor pages; bad queries are 400s naming the field', async () => {
    const t0 = new Date();
    const raised = [];
    for (let i = 0; i < 3; i++) raised.push((await alerts.raise(breach('T-list', { dedupeKey: `breach:T-list:m${i}`, metric: `m${i}` }), later(t0, i))).alert);
    raised.push((await alerts.raise(breach('T-list', { dedupeKey: 'at_risk:T-list:m9', kind: 'at_risk', metric: 'm9' }), later(t0, 3))).alert);
    const newestFirst = [...raised].reverse().map((a) => a.id);

    const page1 = (await http().get('/monitoring/alerts?ticket_id=T-list&limit=3').expect(200)).body;
    expect(page1.alerts.map((a: { id: string }) => a.id)).toEqual(newestFirst.slice(0, 3));
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = (await http().get(`/monitoring/alerts?ticket_id=T-list&limit=3&cursor=${page1.next_cursor}`).expect(200)).body;
    expect(page2).toEqual({ alerts: [expect.objectContaining({ id: newestFirst[3] })], next_cursor: null });

    expect((await http().get('/monitoring/alerts?ticket_id=T-list&kind=at_risk').expect(200)).body.alerts.map((a: { metric: string }) => a.metric)).toEqual(['m9']);
    expect((await http().get('/monitoring/alerts?ticket_id=T-list&kind=breach,at_risk&status=delivered').expect(200)).body.alerts).toHaveLength(4);
    expect((await http().get('/monitoring/alerts?ticket_id=T-list&status=failed,not_configured').expect(200)).body.alerts).toEqual([]);
    expect((await http().get('/monitoring/alerts?ticket_id=nobody').expect(200)).body).toEqual({ alerts: [], next_cursor: null });

    for (const [query, path] of [
      ['status=maybe', 'status'],
      ['status=delivered,lost', 'status'],
      ['kind=outage', 'kind'],
      ['limit=0', 'limit'],
      ['limit=1000', 'limit'],
      ['cursor=nonsense', 'cursor'],
      ['color=red', 'color'],
    ]) {
      const res = await http().get(`/monitoring/alerts?${query}`);
      expectProblem(res, 400);
      expect([query, paths(res)]).toEqual([query, expect.arrayContaining([path])]);
    }
    for (const id of ['not-an-id', '11111111-2222-4333-8444-555555555555']) {
      const res = await http().get(`/monitoring/alerts/${id}`);
      expectProblem(res, 404);
      expect(res.body.type).toBe('https://support-agents.dev/problems/alert-not-found');
    }
  });

  // PGlite locks its data directory to one process, so only PostgreSQL can share a schema.
  (db.name === 'PostgreSQL' ? it : it.skip)(
    db.name === 'PostgreSQL'
      ? 'two instances: the same key raised on both at once is delivered once; their sweeps at once send one reminder'
      : 'two instances on one database — SKIPPED on PGlite: one process per data directory by design',
    async () => {
      const other = await createTestApp(env);
      try {
        const b = other.get(AlertDispatcher);
        const t0 = new Date();
        const raised = await Promise.all([alerts.raise(breach('T-two'), t0), b.raise(breach('T-two'), t0), alerts.raise(breach('T-two'), t0), b.raise(breach('T-two'), t0)]);
        expect(raised.filter((r) => r.created)).toHaveLength(1);
        const id = raised[0]!.alert.id;
        expect(forAlert(slack, id)).toHaveLength(1);
        const active = new Set([raised[0]!.alert.dedupe_key]);
        const swept = await Promise.all([alerts.sweep(active, later(t0, 241)), b.sweep(active, later(t0, 241)), alerts.sweep(active, later(t0, 241))]);
        expect(swept.reduce((n, s) => n + s.renotified, 0)).toBe(1);
        expect(forAlert(slack, id).map((r) => r.headers['idempotency-key'])).toEqual([`${id}:1`, `${id}:2`]);
      } finally {
        await other.close();
      }
    },
  );
});

describeEachDatabase('alert delivery while the webhook is down', (db) => {
  let app: NestExpressApplication;
  let alerts: AlertDispatcher;
  let port: number;
  let server: Server | undefined;
  const got: { headers: IncomingHttpHeaders; raw: string }[] = [];
  const READ = 'alerts-read-key-0123456789abcdef';
  const RUN = 'alerts-run-key-0123456789abcdef0';
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    port = await closedPort();
    app = await createTestApp({
      ...db.env(),
      ALERT_GENERIC_WEBHOOK_URL: `http://127.0.0.1:${port}/alerts`,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_RETRIES: '1',
      API_KEYS: `${READ}:monitoring:read,${RUN}:agents:run`,
    });
    alerts = app.get(AlertDispatcher);
  });
  afterAll(async () => {
    await app.close();
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await db.cleanup();
  });

  it('is logged failed with the reason; the sweep retries it with a backoff and delivers it (same notification) once the receiver is up', async () => {
    const t0 = new Date();
    const { created, alert } = await alerts.raise(breach('T-down'), t0);
    expect(created).toBe(true);
    expect(alert).toMatchObject({ status: 'failed', attempts: 2, notifications: 0, delivered_at: null, renotify_at: later(t0, 1).toISOString() });
    expect(alert.deliveries).toEqual([
      { notification: 1, channel: 'generic', host: `127.0.0.1:${port}`, delivered: false, http_status: null, attempts: 2, error: 'network error (ECONNREFUSED)', at: t0.toISOString() },
    ]);
    const failed = (await http().get('/monitoring/alerts?status=failed').set('authorization', `Bearer ${READ}`).expect(200)).body.alerts;
    expect(failed.map((a: { id: string }) => a.id)).toEqual([alert.id]);

    const active = new Set([alert.dedupe_key]);
    expect(await alerts.sweep(active, later(t0, 0.5))).toEqual({ renotified: 0, retried: 0, digested: 0, resolved: 0, interrupted: 0 }); // not due yet
    expect(await alerts.sweep(active, later(t0, 1))).toEqual({ renotified: 0, retried: 1, digested: 0, resolved: 0, interrupted: 0 }); // still down
    const again = (await http().get(`/monitoring/alerts/${alert.id}`).set('authorization', `Bearer ${READ}`).expect(200)).body;
    expect(again).toMatchObject({ status: 'failed', attempts: 4, renotify_at: later(t0, 2).toISOString() });

    server = await listenOn(port, got);
    expect(await alerts.sweep(active, later(t0, 2))).toEqual({ renotified: 0, retried: 1, digested: 0, resolved: 0, interrupted: 0 });
    expect(got).toHaveLength(1);
    expect(got[0]!.headers['idempotency-key']).toBe(`${alert.id}:1`);
    expect(verifies(got[0]!.headers, got[0]!.raw)).toBe(true);
    const delivered = (await http().get(`/monitoring/alerts/${alert.id}`).set('authorization', `Bearer ${READ}`).expect(200)).body;
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 5, notifications: 1, delivered_at: later(t0, 2).toISOString(), renotify_at: later(t0, 242).toISOString() });
  });

  it('keeps retrying a breach nobody took while its key is active: 1, 1, 2, 4 … minutes apart, at most 30; stops once the key is no longer active', async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const t0 = new Date();
    const { alert } = await alerts.raise(breach('T-gone'), t0);
    const active = new Set([alert.dedupe_key]);
    let item = alert;
    const gaps: number[] = [];
    // Until the cap has held twice: about an hour of a receiver that is down.
    while (gaps.filter((g) => g === 30).length < 2) {
      const at = Date.parse(item.renotify_at!);
      expect(await alerts.sweep(active, new Date(at))).toMatchObject({ retried: 1 });
      item = (await http().get(`/monitoring/alerts/${alert.id}`).set('authorization', `Bearer ${READ}`).expect(200)).body;
      gaps.push((Date.parse(item.renotify_at!) - at) / MIN);
      expect(gaps.length).toBeLessThan(10);
    }
    expect([(Date.parse(alert.renotify_at!) - t0.getTime()) / MIN, ...gaps]).toEqual([1, 1, 2, 4, 8, 16, 30, 30]);
    // Every try is notification 1 (ALERT_RETRIES=1: two HTTP attempts each), well past the old cap of 10 attempts.
    expect(item).toMatchObject({ status: 'failed', attempts: 16, notifications: 0 });
    expect(new Set(item.deliveries.map((d) => d.notification))).toEqual(new Set([1]));

    // The check no longer reports it: resolved, never tried again.
    const over = new Date(Date.parse(item.renotify_at!));
    expect(await alerts.sweep(new Set(), over)).toMatchObject({ retried: 0, resolved: 1 });
    expect(await alerts.sweep(active, later(over, 10_000))).toMatchObject({ retried: 0 });
    expect((await http().get(`/monitoring/alerts/${alert.id}`).set('authorization', `Bearer ${READ}`).expect(200)).body).toMatchObject({ status: 'failed', attempts: 16, resolved_at: over.toISOString() });
  });

  it('needs the monitoring:read scope', async () => {
    await http().get('/monitoring/alerts').expect(401);
    expectProblem(await http().get('/monitoring/alerts').set('authorization', `Bearer ${RUN}`), 403);
  });
});

describeEachDatabase('alert delivery with no channel configured', (db) => {
  let app: NestExpressApplication;
  let env: Record<string, string>;
  beforeAll(async () => {
    env = db.env();
    app = await createTestApp(env);
  });
  afterAll(async () => {
    await app.close();
    await db.cleanup();
  });

  it('logs the alert not_configured; /run_performance_monitoring/ says why in the report', async () => {
    const { alert } = await app.get(AlertDispatcher).raise(breach('T-nowhere'));
    expect(alert).toMatchObject({ status: 'not_configured', attempts: 0, notifications: 0, deliveries: [] });
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(breaching).expect(200);
    expect(res.body.monitoring_result.alerts_sent).toBe(false);
    expect(res.body.monitoring_result.dashboard_report).toContain('not sent — no alert channel is configured (set ALERT_WEBHOOK_URL or ALERT_GENERIC_WEBHOOK_URL)');
    expect((await request(app.getHttpServer()).get('/monitoring/alerts?status=not_configured').expect(200)).body.alerts).toHaveLength(2);
    // Sent once, like any metrics alert: nothing due later.
    expect((await request(app.getHttpServer()).get('/monitoring/alerts?kind=metrics').expect(200)).body.alerts[0]).toMatchObject({ status: 'not_configured', renotify_at: null });
    await app.get(AlertDispatcher).sweep(new Set());
  });

  it('raiseMany beyond ALERT_MAX_PER_CHECK: no digest to nowhere — each alert is inserted not_configured (no update per alert), and the first sweep after a channel is set sends them', async () => {
    const t0 = new Date();
    const many = Array.from({ length: 12 }, (_, i) => breach(`T-none-${i}`, { dedupeKey: `breach:T-none-${i}:first_reply_time` }));
    const repository = app.get(AlertsRepository);
    const record = jest.spyOn(repository, 'record');
    const recordMany = jest.spyOn(repository, 'recordMany');
    try {
      expect(await app.get(AlertDispatcher).raiseMany(many, t0)).toEqual({ created: 12, delivered_individually: 0, digested: 0 });
      expect(record).not.toHaveBeenCalled();
      expect(recordMany).not.toHaveBeenCalled();
    } finally {
      record.mockRestore();
      recordMany.mockRestore();
    }
    const logged = ((await request(app.getHttpServer()).get('/monitoring/alerts?status=not_configured&limit=100').expect(200)).body.alerts as AlertLogItem[]).filter((a) => a.ticket_id?.startsWith('T-none-'));
    expect(logged).toHaveLength(12);
    for (const a of logged) expect(a).toMatchObject({ attempts: 0, notifications: 0, deliveries: [], last_attempt_at: t0.toISOString(), renotify_at: t0.toISOString() });
    expect((await request(app.getHttpServer()).get('/monitoring/alerts?kind=digest').expect(200)).body.alerts).toEqual([]);
    // Still no channel: the sweep leaves them for later.
    expect(await app.get(AlertDispatcher).sweep(new Set(many.map((a) => a.dedupeKey)), later(t0, 1))).toMatchObject({ retried: 0 });

    // Restarted with a channel: the next check's sweep sends them (10 on their own, a digest of 2).
    await app.close();
    const slack = new WebhookReceiver();
    app = await createTestApp({ ...env, ALERT_WEBHOOK_URL: await slack.start('/hook'), ALERT_MAX_PER_CHECK: '10' });
    try {
      expect(await app.get(AlertDispatcher).sweep(new Set(many.map((a) => a.dedupeKey)), later(t0, 2))).toEqual({ renotified: 0, retried: 12, digested: 2, resolved: 0, interrupted: 0 });
      expect(slack.requests).toHaveLength(11);
      expect(slack.requests.slice(0, 10).every((r) => r.headers['idempotency-key'] === `${r.headers['x-alert-id']}:1`)).toBe(true);
    } finally {
      await slack.stop();
    }
  });
});

describeEachDatabase('alert delivery to a receiver that asks to wait (Retry-After)', (db) => {
  let app: NestExpressApplication;
  let alerts: AlertDispatcher;
  let server: Server;
  /** [status, Retry-After] answers, then 200. */
  let script: [number, string][] = [];
  const got: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume().on('end', () => {
        got.push(req.headers);
        const [status, retryAfter] = script.shift() ?? [200, ''];
        res.writeHead(status, retryAfter ? { 'retry-after': retryAfter } : {}).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    app = await createTestApp({ ...db.env(), ALERT_GENERIC_WEBHOOK_URL: `http://127.0.0.1:${port}/alerts`, ALERT_RETRIES: '2' });
    alerts = app.get(AlertDispatcher);
  });
  afterAll(async () => {
    await app.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await db.cleanup();
  });

  it('429 with Retry-After: 600 — no more tries in that POST, the next one 10 minutes later (not the 1-minute backoff)', async () => {
    const t0 = new Date();
    script = [[429, '600']];
    const { alert } = await alerts.raise(breach('T-wait'), t0);
    expect(got).toHaveLength(1);
    expect(alert).toMatchObject({ status: 'failed', attempts: 1, renotify_at: later(t0, 10).toISOString() });
    expect(alert.deliveries).toEqual([expect.objectContaining({ channel: 'generic', delivered: false, http_status: 429, retry_after_ms: 600_000, error: 'webhook answered 429' })]);
    const active = new Set([alert.dedupe_key]);
    expect(await alerts.sweep(active, later(t0, 1))).toMatchObject({ retried: 0 });
    expect(got).toHaveLength(1);
    expect(await alerts.sweep(active, later(t0, 10))).toMatchObject({ retried: 1 });
    expect(got.map((h) => h['idempotency-key'])).toEqual([`${alert.id}:1`, `${alert.id}:1`]);
    expect((await request(app.getHttpServer()).get(`/monitoring/alerts/${alert.id}`).expect(200)).body).toMatchObject({ status: 'delivered', notifications: 1, delivered_at: later(t0, 10).toISOString() });
  });

  it('503 with an HTTP date two hours away: waits 30 minutes at most', async () => {
    const t0 = new Date();
    script = [[503, new Date(Date.now() + 2 * 3_600_000).toUTCString()]];
    const { alert } = await alerts.raise(breach('T-date'), t0);
    expect(alert).toMatchObject({ status: 'failed', renotify_at: later(t0, 30).toISOString() });
    expect(alert.deliveries[0]).toMatchObject({ http_status: 503, retry_after_ms: 30 * MIN });
  });
});

import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

/** The alert webhook: what arrived, with its media type. */
class Receiver extends WebhookReceiver {
  get bodies() {
    return this.requests.map((r) => ({ contentType: r.headers['content-type'], body: r.body }));
  }
  override start() {
    return super.start('/hooks/sla');
  }
}

const breaching = {
  ticket_updates: [
    { ticket_id: 'T-1', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T19:00:00Z', priority: 'High' },
    { ticket_id: 'T-2', created_at: '2026-11-24T09:00:00Z', resolved_at: '2026-11-24T10:00:00Z', priority: 'High' },
  ],
  sla_targets: { sla_compliance: 0.9, avg_resolution_time: 4 },
};

describe('SLA alerts to ALERT_WEBHOOK_URL', () => {
  const receiver = new Receiver();
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ ALERT_WEBHOOK_URL: await receiver.start(), ALERT_RETRIES: '2' });
  });
  afterAll(async () => {
    await app.close();
    await receiver.stop();
  });

  it('delivers one Slack-compatible alert listing the breaches; alerts_sent is true', async () => {
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(breaching).expect(200);
    const r = res.body.monitoring_result;
    // T-1 took 10 h (> 4 h High target), T-2 1 h: compliance 0.5 < 0.9; average 5.5 h > 4 h.
    expect(r.sla_breaches).toEqual(['avg_resolution_time', 'sla_compliance']);
    expect(r.alerts_sent).toBe(true);
    expect(receiver.bodies).toHaveLength(1);
    const { contentType, body } = receiver.bodies[0];
    expect(contentType).toBe('application/json');
    expect(body.text).toMatch(/SLA breach/);
    expect(body.text).toMatch(/sla_compliance = 0.5/);
    expect(body.blocks[0]).toMatchObject({ type: 'section' });
    expect(r.dashboard_report).toMatch(/Alert:\*\* sent/);
  });

  it('retries a 503 and then delivers', async () => {
    receiver.requests.length = 0;
    receiver.statuses = [503];
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(breaching).expect(200);
    expect(res.body.monitoring_result.alerts_sent).toBe(true);
    expect(receiver.bodies).toHaveLength(2);
  });

  it('alerts_sent is false when the receiver rejects the alert, and the report says why', async () => {
    receiver.requests.length = 0;
    receiver.statuses = [400];
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(breaching).expect(200);
    expect(res.body.monitoring_result.alerts_sent).toBe(false);
    expect(receiver.bodies).toHaveLength(1); // a 4xx is not retried
    expect(res.body.monitoring_result.dashboard_report).toMatch(/webhook answered 400/);
  });

  it('sends nothing when no target is breached', async () => {
    receiver.requests.length = 0;
    const res = await request(app.getHttpServer())
      .post('/run_performance_monitoring/')
      .send({ ...breaching, sla_targets: { avg_resolution_time: 100 } })
      .expect(200);
    expect(res.body.monitoring_result).toMatchObject({ sla_breaches: [], alerts_sent: false });
    expect(receiver.bodies).toHaveLength(0);
  });
});

describe('SLA alerts with an unreachable webhook', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: connection refused.
    app = await createTestApp({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook', ALERT_RETRIES: '1' });
  });
  afterAll(() => app.close());

  it('reports alerts_sent false, not an error', async () => {
    const res = await request(app.getHttpServer()).post('/run_performance_monitoring/').send(breaching).expect(200);
    expect(res.body.monitoring_result.alerts_sent).toBe(false);
    expect(res.body.monitoring_result.dashboard_report).toMatch(/failed/);
  });
});

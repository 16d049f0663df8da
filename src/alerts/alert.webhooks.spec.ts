import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookReceiver } from '../../test/helpers/webhook-receiver.js';
import { loadConfig } from '../config/configuration.js';
import { alertSignature, type OutgoingAlert } from './alert-messages.js';
import { AlertWebhooks } from './alert.webhooks.js';

const ALERT: OutgoingAlert = {
  id: '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93',
  kind: 'at_risk',
  dedupe_key: 'at_risk:T-9:resolution_time:2026-11-25T09:00:00.000Z',
  ticket_id: 'T-9',
  metric: 'resolution_time',
  title: 'SLA at risk: resolution time on T-9 (Medium)',
  lines: ['*Due:* in 20 min'],
  fields: { remaining_minutes: 20 },
  notification: 1,
  created_at: '2026-11-25T10:00:00.000Z',
};

function webhooks(env: Record<string, string>): AlertWebhooks {
  return new AlertWebhooks(loadConfig({ LLM_PROVIDER: 'offline', ALERT_RETRIES: '2', ...env }));
}

describe('AlertWebhooks', () => {
  const slack = new WebhookReceiver();
  const generic = new WebhookReceiver();
  let slackUrl: string;
  let genericUrl: string;
  beforeAll(async () => {
    slackUrl = await slack.start('/services/T000/B000/SLACKTOKEN');
    genericUrl = await generic.start('/alerts');
  });
  beforeEach(() => {
    for (const r of [slack, generic]) {
      r.requests.length = 0;
      r.statuses = [];
      r.hang = false;
    }
  });
  afterAll(async () => {
    await slack.stop();
    await generic.stop();
  });

  it('no channel configured: nothing is sent, no result', async () => {
    const w = webhooks({});
    expect(w.configured).toBe(false);
    expect(await w.deliver(ALERT)).toEqual([]);
  });

  it('posts each channel its body at once, signed over the raw body, with the per-notification Idempotency-Key; results name the host only', async () => {
    const results = await webhooks({ ALERT_WEBHOOK_URL: slackUrl, ALERT_GENERIC_WEBHOOK_URL: genericUrl, ALERT_WEBHOOK_SECRET: 'shh' }).deliver(ALERT);
    expect(results.map((r) => [r.channel, r.delivered, r.http_status, r.attempts])).toEqual([
      ['slack', true, 200, 1],
      ['generic', true, 200, 1],
    ]);
    expect(results[0]!.host).toBe(new URL(slackUrl).host);
    expect(JSON.stringify(results)).not.toContain('SLACKTOKEN');
    const [s] = slack.requests;
    const [g] = generic.requests;
    expect(s!.body.text).toMatch(/^:warning: SLA at risk/);
    expect(g!.body).toMatchObject({ id: ALERT.id, kind: 'at_risk', fields: { remaining_minutes: 20 } });
    for (const r of [s!, g!]) {
      expect(r.headers['x-signature-256']).toBe(alertSignature(r.raw, 'shh'));
      expect(r.headers['idempotency-key']).toBe(`${ALERT.id}:1`);
      expect(Number(r.headers['x-alert-timestamp'])).toBe(Math.floor(Date.parse(g!.body.sent_at) / 1000));
    }
  });

  it('retries 429 and 5xx (the same body and key), not another 4xx', async () => {
    slack.statuses = [429, 502];
    generic.statuses = [404];
    const [s, g] = await webhooks({ ALERT_WEBHOOK_URL: slackUrl, ALERT_GENERIC_WEBHOOK_URL: genericUrl }).deliver(ALERT);
    expect(s).toMatchObject({ delivered: true, attempts: 3, http_status: 200 });
    expect(new Set(slack.requests.map((r) => r.raw + r.headers['idempotency-key'])).size).toBe(1);
    expect(g).toMatchObject({ delivered: false, attempts: 1, http_status: 404, error: 'webhook answered 404' });
  });

  it('a receiver that never answers: ALERT_TIMEOUT_MS per attempt, then failed with the reason (never the URL)', async () => {
    slack.hang = true;
    const [s] = await webhooks({ ALERT_WEBHOOK_URL: slackUrl, ALERT_TIMEOUT_MS: '150', ALERT_RETRIES: '1' }).deliver(ALERT);
    expect(s).toMatchObject({ delivered: false, attempts: 2, http_status: null, error: 'no answer within 150 ms' });
  });
});

describe('AlertWebhooks and Retry-After', () => {
  /** A receiver answering the scripted [status, Retry-After] pairs, then 200; when each request came. */
  let server: Server;
  let url: string;
  let script: [number, string | undefined][] = [];
  const seen: number[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume().on('end', () => {
        seen.push(performance.now());
        const [status, retryAfter] = script.shift() ?? [200, undefined];
        res.writeHead(status, retryAfter === undefined ? {} : { 'retry-after': retryAfter }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  beforeEach(() => {
    script = [];
    seen.length = 0;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('429 with Retry-After longer than the POST would wait: no more tries now, the delay in the result for the next try', async () => {
    script = [[429, '120']];
    const [s] = await webhooks({ ALERT_WEBHOOK_URL: url }).deliver(ALERT);
    expect(s).toMatchObject({ delivered: false, attempts: 1, http_status: 429, error: 'webhook answered 429', retry_after_ms: 120_000 });
    expect(seen).toHaveLength(1);
  });

  it('503 with an HTTP date: the same, capped at 30 minutes', async () => {
    script = [[503, new Date(Date.now() + 2 * 3_600_000).toUTCString()]];
    const [s] = await webhooks({ ALERT_WEBHOOK_URL: url }).deliver(ALERT);
    expect(s).toMatchObject({ delivered: false, attempts: 1, http_status: 503, retry_after_ms: 30 * 60_000 });
  });

  it('a short Retry-After is waited out before the next try of the same POST', async () => {
    script = [[429, '1']];
    const [s] = await webhooks({ ALERT_WEBHOOK_URL: url }).deliver(ALERT);
    expect(s).toMatchObject({ delivered: true, attempts: 2, http_status: 200 });
    expect(s!.retry_after_ms).toBeUndefined();
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(990);
  });

  it('without Retry-After (or on another 5xx) the usual retries run', async () => {
    script = [[429, undefined], [500, '600']];
    const [s] = await webhooks({ ALERT_WEBHOOK_URL: url }).deliver(ALERT);
    expect(s).toMatchObject({ delivered: true, attempts: 3 });
  });

  it('deliver(…, only): posts to the named channels alone', async () => {
    const w = webhooks({ ALERT_WEBHOOK_URL: url, ALERT_GENERIC_WEBHOOK_URL: url });
    expect((await w.deliver(ALERT, new Date(), ['generic'])).map((r) => r.channel)).toEqual(['generic']);
    expect(seen).toHaveLength(1);
    expect(await w.deliver(ALERT, new Date(), [])).toEqual([]);
  });
});

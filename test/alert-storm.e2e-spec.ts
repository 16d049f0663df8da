import { jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';
import { AlertDispatcher } from '../src/alerts/alert.dispatcher.js';
import { AlertsRepository } from '../src/alerts/alerts.repository.js';
import type { AlertLogItem, AlertRequest } from '../src/alerts/alerts.types.js';
import { HandoffService } from '../src/handoff/handoff.service.js';
import { SlaCheckService, urgentFirst } from '../src/sla/sla-check.service.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';
import { WebhookReceiver } from './helpers/webhook-receiver.js';

const SECRET = 'storm-test-secret';
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const later = (t: Date, minutes: number) => new Date(t.getTime() + minutes * MIN);

/** `n` breach alerts of one storm, the most urgent first (as the SLA check orders them). */
function storm(name: string, n: number): AlertRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    dedupeKey: `breach:${name}-${i + 1}:first_reply_time:2026-11-25T09:00:00.000Z`,
    kind: 'breach' as const,
    ticketId: `${name}-${i + 1}`,
    metric: 'first_reply_time',
    title: `SLA breached: first reply time on ${name}-${i + 1} (${i % 3 === 0 ? 'High' : 'Medium'})`,
    lines: ['*First reply time* target of 1 h breached.'],
    fields: { ticket_id: `${name}-${i + 1}`, metric: 'first_reply_time', priority: i % 3 === 0 ? 'High' : 'Medium', breached_at: new Date(Date.UTC(2026, 10, 25, 10, i)).toISOString() },
  }));
}

describeEachDatabase('alert storms: at most ALERT_MAX_PER_CHECK messages of their own, one digest for the rest', (db) => {
  const slack = new WebhookReceiver();
  let app: NestExpressApplication;
  let env: Record<string, string>;
  let alerts: AlertDispatcher;
  const http = () => request(app.getHttpServer());

  /** Every logged alert of one storm (by its keys), in the storm's order. */
  async function logged(keys: string[]): Promise<AlertLogItem[]> {
    const all: AlertLogItem[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page: { alerts: AlertLogItem[]; next_cursor: string | null } = (await http().get('/monitoring/alerts').query({ limit: 200, ...(cursor ? { cursor } : {}) }).expect(200)).body;
      all.push(...page.alerts);
      cursor = page.next_cursor;
    }
    const byKey = new Map(all.map((a) => [a.dedupe_key, a]));
    return keys.map((k) => byKey.get(k)!);
  }
  const ids = (items: readonly { id: string }[]) => items.map((a) => a.id);
  const posted = () => slack.requests.map((r) => r.headers['x-alert-id'] as string);

  beforeAll(async () => {
    env = {
      ...db.env(),
      ALERT_WEBHOOK_URL: await slack.start('/services/T000/B000/storm-token'),
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_RETRIES: '0',
      ALERT_RENOTIFY_MINUTES: '240',
      ALERT_MAX_PER_CHECK: '10',
    };
    app = await createTestApp(env);
    alerts = app.get(AlertDispatcher);
  });
  afterAll(async () => {
    await app.close();
    await slack.stop();
    await db.cleanup();
  });
  beforeEach(() => {
    slack.requests.length = 0;
    slack.statuses = [];
  });
  // Each storm is over when its test ends: the next sweep resolves (and so leaves alone) its alerts.
  afterEach(() => alerts.sweep(new Set(), new Date()));

  it('25 new breaches: 11 POSTs — the 10 most urgent on their own, then one signed digest naming the 15 more; every row logged delivered or digested', async () => {
    const t0 = new Date();
    const list = storm('S', 25);
    const result = await alerts.raiseMany(list, t0);
    expect(result).toMatchObject({ created: 25, delivered_individually: 10, digested: 15 });
    const digest = result.digest!;
    expect(digest).toMatchObject({ kind: 'digest', dedupe_key: `digest:${t0.toISOString()}`, status: 'delivered', notifications: 1, ticket_id: null, renotify_at: null });
    expect(digest.title).toBe('SLA: 15 more breaches');
    expect(digest.fields).toMatchObject({ alerts: 15, breaches: 15, at_risk: 0, sent_individually: 10, breaches_first_reply_time: 15, priority_high: 5, priority_medium: 10 });

    expect(slack.requests).toHaveLength(11);
    const rows = await logged(list.map((a) => a.dedupeKey));
    // Sent four at a time, so they arrive in any order; the digest comes last.
    expect(posted().slice(0, 10).sort()).toEqual(ids(rows.slice(0, 10)).sort());
    const last = slack.requests[10]!;
    expect(last.headers['x-alert-id']).toBe(digest.id);
    expect(last.headers['idempotency-key']).toBe(`${digest.id}:1`);
    expect(last.headers['x-signature-256']).toBe(`sha256=${createHmac('sha256', SECRET).update(last.raw).digest('hex')}`);
    expect(last.body.text).toMatch(/^:rotating_light: SLA: 15 more breaches\n25 new alerts in one check: the 10 most urgent were sent on their own/);
    expect(last.body.text).toContain('• SLA breached: first reply time on S-11 (Medium)');
    expect(last.body.text).toContain(`status=digested (digest_id ${digest.id})`);
    expect(last.body.alert_ids).toEqual(ids(rows.slice(10)));

    expect(rows.map((r) => r.status)).toEqual([...Array(10).fill('delivered'), ...Array(15).fill('digested')]);
    for (const r of rows) expect(r).toMatchObject({ notifications: 1, delivered_at: t0.toISOString(), renotify_at: later(t0, 240).toISOString() });
    for (const r of rows.slice(0, 10)) expect(r.digest_id).toBeNull();
    for (const r of rows.slice(10)) {
      expect(r.digest_id).toBe(digest.id);
      expect(r.deliveries).toEqual([expect.objectContaining({ notification: 1, channel: 'slack', delivered: true, http_status: 200, digest_id: digest.id })]);
    }
    const digested = (await http().get('/monitoring/alerts').query({ status: 'digested', limit: 200 }).expect(200)).body.alerts as AlertLogItem[];
    expect(ids(digested.filter((a) => a.digest_id === digest.id)).sort()).toEqual(ids(rows.slice(10)).sort());
    expect((await http().get(`/monitoring/alerts/${digest.id}`).expect(200)).body).toEqual(digest);
    expect((await http().get('/monitoring/alerts').query({ kind: 'digest' }).expect(200)).body.alerts.map((a: AlertLogItem) => a.id)).toContain(digest.id);

    // The same keys again (the next check, or another instance): nothing is sent — nor written:
    // the keys the log has are read first and only the new ones inserted.
    slack.requests.length = 0;
    const insertMany = jest.spyOn(app.get(AlertsRepository), 'insertMany');
    try {
      expect(await alerts.raiseMany(list, later(t0, 1))).toEqual({ created: 0, delivered_individually: 0, digested: 0 });
      expect(slack.requests).toHaveLength(0);
      expect(insertMany.mock.calls.flatMap(([rows]) => rows)).toEqual([]);
      // Some old, some new: only the new are inserted and sent (3 ≤ 10: on their own, no digest).
      const more = storm('S-more', 3);
      expect(await alerts.raiseMany([...list, ...more], later(t0, 2))).toEqual({ created: 3, delivered_individually: 3, digested: 0 });
      expect(slack.requests).toHaveLength(3);
      expect(insertMany.mock.calls.flatMap(([rows]) => rows.map((r) => r.dedupeKey))).toEqual(more.map((a) => a.dedupeKey));
    } finally {
      insertMany.mockRestore();
    }
    const unchanged = await logged(list.map((a) => a.dedupeKey));
    expect(unchanged.map((r) => [r.status, r.notifications, r.renotify_at])).toEqual(rows.map((r) => [r.status, r.notifications, r.renotify_at]));
  });

  it('a resolved key reported again is re-opened (not inserted twice) and the sweep sends it as a reminder, even before ALERT_RENOTIFY_MINUTES', async () => {
    const t0 = new Date();
    const list = storm('AGAIN', 3);
    await alerts.raiseMany(list, t0);
    const keys = list.map((a) => a.dedupeKey);
    expect(await alerts.sweep(new Set(keys.slice(1)), later(t0, 5))).toMatchObject({ resolved: 1 });
    slack.requests.length = 0;
    expect(await alerts.raiseMany(list, later(t0, 30))).toEqual({ created: 0, delivered_individually: 0, digested: 0 });
    const [first] = await logged(keys.slice(0, 1));
    expect(first).toMatchObject({ resolved_at: null, renotify_at: later(t0, 30).toISOString(), notifications: 1 });
    expect(await alerts.sweep(new Set(keys), later(t0, 30))).toEqual({ renotified: 1, retried: 0, digested: 0, resolved: 0, interrupted: 0 });
    expect(slack.requests.map((r) => r.headers['idempotency-key'])).toEqual([`${first!.id}:2`]);
    expect(slack.requests[0]!.body.text).toContain('(reminder 1, first sent');
  });

  it('at most ALERT_MAX_PER_CHECK: 10 new alerts go out on their own, no digest', async () => {
    expect(await alerts.raiseMany(storm('TEN', 10))).toEqual({ created: 10, delivered_individually: 10, digested: 0 });
    expect(slack.requests).toHaveLength(10);
  });

  it('the digest reaches nobody: its 15 alerts are failed, not digested, and the next sweep sends them (10 on their own, a digest of 5) — nothing lost', async () => {
    const t0 = new Date();
    const list = storm('F', 25);
    slack.statuses = [...Array(10).fill(200), 503];
    const result = await alerts.raiseMany(list, t0);
    expect(result).toMatchObject({ created: 25, delivered_individually: 10, digested: 0 });
    expect(result.digest).toMatchObject({ kind: 'digest', status: 'failed', notifications: 0, renotify_at: null });
    let rows = await logged(list.map((a) => a.dedupeKey));
    for (const r of rows.slice(10)) {
      expect(r).toMatchObject({ status: 'failed', notifications: 0, attempts: 1, delivered_at: null, digest_id: null, renotify_at: later(t0, 1).toISOString() });
      expect(r.deliveries).toEqual([expect.objectContaining({ delivered: false, http_status: 503, error: 'webhook answered 503', digest_id: result.digest!.id })]);
    }

    slack.requests.length = 0;
    const keys = new Set(list.map((a) => a.dedupeKey));
    expect(await alerts.sweep(keys, later(t0, 1))).toEqual({ renotified: 0, retried: 15, digested: 5, resolved: 0, interrupted: 0 });
    expect(slack.requests).toHaveLength(11);
    expect(posted().slice(0, 10).sort()).toEqual(ids(rows.slice(10, 20)).sort());
    const retryDigest = slack.requests[10]!.body;
    expect(retryDigest.text).toMatch(/^:rotating_light: SLA, still open: 5 more breaches\n/);
    expect(retryDigest.alert_ids).toEqual(ids(rows.slice(20)));

    rows = await logged(list.map((a) => a.dedupeKey));
    expect(rows.map((r) => r.status)).toEqual([...Array(20).fill('delivered'), ...Array(5).fill('digested')]);
    for (const r of rows.slice(10)) expect(r).toMatchObject({ notifications: 1, delivered_at: later(t0, 1).toISOString(), renotify_at: later(t0, 241).toISOString() });
    // Retries keep the first notification's number (and so its Idempotency-Key).
    expect(slack.requests.slice(0, 10).map((r) => r.headers['idempotency-key'])).toEqual(posted().slice(0, 10).map((id) => `${id}:1`));
  });

  it('re-notification of 25 due breaches: 11 POSTs — the first 10 in the check\'s order on their own, one reminders digest — and each row re-notified', async () => {
    const t0 = new Date();
    const list = storm('R', 25);
    await alerts.raiseMany(list, t0);
    slack.requests.length = 0;
    // The check lists the most urgent first; here the reverse of the raise order, to see that the sweep follows it.
    const order = list.map((a) => a.dedupeKey).reverse();
    expect(await alerts.sweep(new Set(order), later(t0, 239))).toMatchObject({ renotified: 0, retried: 0 });
    expect(slack.requests).toHaveLength(0);

    const swept = await alerts.sweep(new Set(order), later(t0, 241));
    expect(swept).toEqual({ renotified: 25, retried: 0, digested: 15, resolved: 0, interrupted: 0 });
    expect(slack.requests).toHaveLength(11);
    const rows = await logged(order);
    expect(posted().slice(0, 10).sort()).toEqual(ids(rows.slice(0, 10)).sort());
    expect(slack.requests.slice(0, 10).every((r) => r.headers['idempotency-key'] === `${r.headers['x-alert-id']}:2` && r.body.text.includes('(reminder 1, first sent'))).toBe(true);
    const digest = slack.requests[10]!;
    expect(digest.body.text).toMatch(/^:rotating_light: SLA, still open: 15 more breaches\n25 alerts are still open and due again/);
    expect(digest.body.alert_ids).toEqual(ids(rows.slice(10)));
    expect(digest.body.alert.kind).toBe('digest');
    const digestId = digest.headers['x-alert-id'];
    expect((await http().get(`/monitoring/alerts/${digestId}`).expect(200)).body).toMatchObject({ dedupe_key: `digest:${later(t0, 241).toISOString()}:reminders`, status: 'delivered' });

    for (const r of rows) expect(r).toMatchObject({ notifications: 2, delivered_at: t0.toISOString(), renotify_at: later(t0, 481).toISOString() });
    expect(rows.slice(0, 10).map((r) => [r.status, r.digest_id])).toEqual(Array(10).fill(['delivered', null]));
    expect(rows.slice(10).map((r) => [r.status, r.digest_id])).toEqual(Array(15).fill(['digested', digestId]));
    // Not due again before ALERT_RENOTIFY_MINUTES more.
    slack.requests.length = 0;
    expect(await alerts.sweep(new Set(order), later(t0, 300))).toMatchObject({ renotified: 0, retried: 0 });
    expect(slack.requests).toHaveLength(0);
  });

  it('prune: old resolved alerts, metrics alerts and digests go; open breaches stay whatever their age; recent ones stay', async () => {
    const old = new Date(Date.now() - 100 * DAY);
    const list = storm('OLD', 12); // 10 on their own + a digest of 2
    const { digest } = await alerts.raiseMany(list, old);
    const metrics = (await alerts.raise({ dedupeKey: `metrics:old-${old.getTime()}`, kind: 'metrics', title: 'SLA breach: 1 metric off target', lines: [], fields: { breaches: 1 } }, old)).alert;
    // The first three are over (the check stopped reporting them): resolved.
    const open = list.slice(3).map((a) => a.dedupeKey);
    await alerts.sweep(new Set(open), later(old, 1));
    const recent = await alerts.raise(storm('NEW', 1)[0]!);
    await alerts.sweep(new Set(open), later(new Date(), 1)); // …resolved too, but recent

    const before = new Date(Date.now() - 90 * DAY);
    const rows = await logged(list.map((a) => a.dedupeKey));
    expect(await alerts.prune(before)).toBe(5);
    for (const r of rows.slice(0, 3)) await http().get(`/monitoring/alerts/${r.id}`).expect(404);
    await http().get(`/monitoring/alerts/${metrics.id}`).expect(404);
    await http().get(`/monitoring/alerts/${digest!.id}`).expect(404);
    for (const r of rows.slice(3)) expect((await http().get(`/monitoring/alerts/${r.id}`).expect(200)).body.resolved_at).toBeNull();
    await http().get(`/monitoring/alerts/${recent.alert.id}`).expect(200);
    // The kept rows still stop the breach being raised again.
    expect(await alerts.raiseMany(list.slice(3), new Date())).toMatchObject({ created: 0 });
    expect(await alerts.prune(before)).toBe(0);
  });

  it('a sent-once alert whose sender died mid-send (pending past the delivery lease) is marked failed by the sweep; one being sent now is left alone', async () => {
    const repo = app.get(AlertsRepository);
    const now = new Date();
    const row = (id: string, createdAt: Date) => ({
      id,
      dedupeKey: `metrics:${id}`,
      kind: 'metrics',
      payload: { title: 'SLA breach: 1 metric off target', lines: [], fields: {} },
      status: 'pending',
      createdAt,
      lastAttemptAt: createdAt,
    });
    const dead = randomUUID();
    const sending = randomUUID();
    await repo.insert(row(dead, later(now, -10)));
    await repo.insert(row(sending, now));
    expect(await alerts.sweep(new Set(), now)).toMatchObject({ interrupted: 1 });
    expect((await http().get(`/monitoring/alerts/${dead}`).expect(200)).body).toMatchObject({ status: 'failed', renotify_at: null });
    expect((await http().get(`/monitoring/alerts/${sending}`).expect(200)).body.status).toBe('pending');
    expect(await alerts.sweep(new Set(), now)).toMatchObject({ interrupted: 0 });
  });

  // PGlite locks its data directory to one process, so only PostgreSQL can share a schema.
  (db.name === 'PostgreSQL' ? it : it.skip)(
    db.name === 'PostgreSQL'
      ? 'two instances raise the same storm at once: every alert reaches people exactly once (on its own or in one digest)'
      : 'two instances raise the same storm — SKIPPED on PGlite: one process per data directory by design',
    async () => {
      const other = await createTestApp(env);
      try {
        const list = storm('TWO', 25);
        const t0 = new Date();
        const results = await Promise.all([alerts.raiseMany(list, t0), other.get(AlertDispatcher).raiseMany(list, t0)]);
        expect(results[0].created + results[1].created).toBe(25);
        const rows = await logged(list.map((a) => a.dedupeKey));
        const told = slack.requests.flatMap((r) => (r.body.alert_ids as string[] | undefined) ?? [r.headers['x-alert-id'] as string]);
        expect(told.sort()).toEqual(ids(rows).sort());
        expect(rows.every((r) => r.status === 'delivered' || r.status === 'digested')).toBe(true);
      } finally {
        await other.close();
      }
    },
  );
});

describeEachDatabase('a storm while one of two channels is down: the other hears it once, the missed one gets it when it is back', (db) => {
  const slack = new WebhookReceiver();
  const generic = new WebhookReceiver();
  let app: NestExpressApplication;
  let alerts: AlertDispatcher;

  beforeAll(async () => {
    app = await createTestApp({
      ...db.env(),
      ALERT_WEBHOOK_URL: await slack.start('/services/T000/B000/two-token'),
      ALERT_GENERIC_WEBHOOK_URL: await generic.start('/alerts'),
      ALERT_RETRIES: '0',
      ALERT_MAX_PER_CHECK: '10',
      ALERT_RENOTIFY_MINUTES: '240',
    });
    alerts = app.get(AlertDispatcher);
  });
  afterAll(async () => {
    await app.close();
    await slack.stop();
    await generic.stop();
    await db.cleanup();
  });

  it('25 breaches, generic down: Slack gets 10 + a digest; the next sweep sends generic alone the 10 (their notification 1) and a digest of the 15, Slack nothing; the reminders later go to both', async () => {
    const t0 = new Date();
    const list = storm('HALF', 25);
    generic.statuses = Array(11).fill(502);
    expect(await alerts.raiseMany(list, t0)).toMatchObject({ created: 25, delivered_individually: 10, digested: 15 });
    expect([slack.requests.length, generic.requests.length]).toEqual([11, 11]);
    const rows = await app.get(AlertsRepository).list({ limit: 100 });
    const breaches = rows.filter((r) => r.kind === 'breach' && r.ticketId?.startsWith('HALF-'));
    expect(breaches).toHaveLength(25);
    expect(new Set(breaches.map((r) => r.renotifyAt?.toISOString()))).toEqual(new Set([later(t0, 1).toISOString()]));

    slack.requests.length = 0;
    generic.requests.length = 0;
    const keys = new Set(list.map((a) => a.dedupeKey));
    expect(await alerts.sweep(keys, later(t0, 1))).toEqual({ renotified: 0, retried: 25, digested: 15, resolved: 0, interrupted: 0 });
    expect(slack.requests).toHaveLength(0);
    expect(generic.requests).toHaveLength(11);
    const own = generic.requests.slice(0, 10);
    expect(own.every((r) => r.headers['idempotency-key'] === `${r.body.id}:1` && r.body.notification === 1)).toBe(true);
    const digest = generic.requests[10]!.body;
    expect(digest).toMatchObject({ kind: 'digest', alert_ids_total: 15, title: 'SLA, still open: 15 more breaches' });
    expect(digest.alert_ids).toHaveLength(15);

    // Everyone has notification 1 now: nothing until the reminders, which go to both channels.
    const after = (await app.get(AlertsRepository).list({ limit: 100 })).filter((r) => r.kind === 'breach' && r.ticketId?.startsWith('HALF-'));
    expect(new Set(after.map((r) => [r.notifications, r.renotifyAt?.toISOString()].join(' ')))).toEqual(new Set([`1 ${later(t0, 240).toISOString()}`]));
    expect(await alerts.sweep(keys, later(t0, 100))).toMatchObject({ renotified: 0, retried: 0 });
    expect(await alerts.sweep(keys, later(t0, 240))).toMatchObject({ renotified: 25, retried: 0, digested: 15 });
    expect([slack.requests.length, generic.requests.length]).toEqual([11, 22]);
    await alerts.sweep(new Set(), later(t0, 241));
  });
});

describeEachDatabase('the SLA check sends a storm as the most urgent alerts plus one digest', (db) => {
  const slack = new WebhookReceiver();
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  // The offline model escalates these (account security): nobody replies, the first reply clock runs.
  const HACKED = { inquiry_text: 'I think someone hacked my account and changed my email', metadata: { channel: 'email' } };

  beforeAll(async () => {
    app = await createTestApp({ ...db.env(), ALERT_WEBHOOK_URL: await slack.start('/hook'), ALERT_RETRIES: '0', ALERT_MAX_PER_CHECK: '1', SLA_AT_RISK_MINUTES: '1' });
  });
  afterAll(async () => {
    await app.get(HandoffService).idle();
    await app.close();
    await slack.stop();
    await db.cleanup();
  });

  it('three breached tickets, ALERT_MAX_PER_CHECK=1: the most overdue alone, the two others in a digest; alerts_digested 2; the next check sends nothing', async () => {
    const tickets: string[] = [];
    for (let i = 0; i < 3; i++) tickets.push((await http().post('/tickets').send(HACKED).expect(201)).body.id);
    const created = Date.parse((await http().get(`/tickets/${tickets[0]}`).expect(200)).body.created_at);
    const at = new Date(created + 90 * MIN); // High: first reply within 1 h — all three breached
    const result = await app.get(SlaCheckService).check(at);
    expect(result).toMatchObject({ breaches_open: 3, alerts_raised: 3, alerts_renotified: 0, alerts_digested: 2 });
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[0]!.body.text).toContain(`SLA breached: first reply time on ${tickets[0]}`);
    expect(slack.requests[1]!.body.text).toMatch(/^:rotating_light: SLA: 2 more breaches\n/);
    expect(slack.requests[1]!.body.alert.kind).toBe('digest');
    const log = (await http().get('/monitoring/alerts').query({ kind: 'breach' }).expect(200)).body.alerts as AlertLogItem[];
    expect(log.map((a) => [a.ticket_id, a.status]).sort()).toEqual(
      [
        [tickets[0], 'delivered'],
        [tickets[1], 'digested'],
        [tickets[2], 'digested'],
      ].sort(),
    );
    expect(await app.get(SlaCheckService).check(new Date(at.getTime() + MIN))).toMatchObject({ alerts_raised: 0, alerts_digested: 0 });
    expect(slack.requests).toHaveLength(2);
  });
});

describe('urgentFirst (the order the SLA check raises alerts in)', () => {
  const alert = (key: string, kind: 'breach' | 'at_risk', fields: Record<string, string | null>): AlertRequest => ({ dedupeKey: key, kind, title: key, lines: [], fields });
  it('open breaches most overdue first, then breaches answered late, then at-risk clocks soonest due first', () => {
    const list = [
      alert('risk-later', 'at_risk', { due_at: '2026-11-25T11:00:00.000Z' }),
      alert('late', 'breach', { breached_at: '2026-11-25T08:00:00.000Z', fulfilled_at: '2026-11-25T09:55:00.000Z' }),
      alert('breach-recent', 'breach', { breached_at: '2026-11-25T09:30:00.000Z', fulfilled_at: null }),
      alert('risk-soon', 'at_risk', { due_at: '2026-11-25T10:10:00.000Z' }),
      alert('breach-oldest', 'breach', { breached_at: '2026-11-24T09:00:00.000Z', fulfilled_at: null }),
    ];
    expect([...list].sort(urgentFirst).map((a) => a.dedupeKey)).toEqual(['breach-oldest', 'breach-recent', 'late', 'risk-soon', 'risk-later']);
  });
});

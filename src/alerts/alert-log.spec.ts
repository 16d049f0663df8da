import {
  afterRound,
  alertCursor,
  deliveryLeaseMs,
  deliverySummary,
  MAX_DELIVERY_ATTEMPTS,
  MAX_LOGGED_DELIVERIES,
  outgoing,
  planSweep,
  retryDelayMs,
  toAlertLogItem,
  type AlertRow,
  type ChannelResult,
} from './alert-log.js';
import type { ChannelDelivery } from './alerts.types.js';

const MIN = 60_000;
const T0 = new Date('2026-11-25T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const RENOTIFY = 240 * MIN;
const ID = '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93';

function row(over: Partial<AlertRow> = {}): AlertRow {
  return {
    id: ID,
    dedupeKey: 'breach:T-1:first_reply_time:2026-11-25T09:00:00.000Z',
    kind: 'breach',
    ticketId: 'T-1',
    metric: 'first_reply_time',
    payload: { title: 'SLA breached: first reply time on T-1 (High)', lines: ['a'], fields: { priority: 'High' } },
    status: 'pending',
    deliveries: [],
    attempts: 0,
    notifications: 0,
    createdAt: T0,
    lastAttemptAt: T0,
    deliveredAt: null,
    renotifyAt: at(1),
    resolvedAt: null,
    ...over,
  };
}

const ok = (channel: 'slack' | 'generic' = 'slack', attempts = 1): ChannelResult => ({ channel, host: 'hooks.example.com', delivered: true, http_status: 200, attempts, error: null });
const down = (channel: 'slack' | 'generic' = 'slack', attempts = 3): ChannelResult => ({
  channel,
  host: 'hooks.example.com',
  delivered: false,
  http_status: null,
  attempts,
  error: 'network error (ECONNREFUSED)',
});

/** Applies a round to a row, as the dispatcher records it. */
function apply(r: AlertRow, results: ChannelResult[], now: Date, digestId?: string): AlertRow {
  const u = afterRound(r, r.notifications + 1, results, now, RENOTIFY, digestId);
  return { ...r, ...u, deliveries: u.deliveries as unknown as AlertRow['deliveries'] };
}

describe('afterRound', () => {
  it('a first notification any channel took: delivered, notification 1, the reminder due after ALERT_RENOTIFY_MINUTES; attempts the most any channel needed', () => {
    const u = afterRound(row(), 1, [ok('slack', 2), down('generic', 3)], T0, RENOTIFY);
    expect(u).toMatchObject({ status: 'delivered', notifications: 1, attempts: 3, deliveredAt: T0, lastAttemptAt: T0, renotifyAt: at(240) });
    expect(u.deliveries).toEqual([
      { notification: 1, ...ok('slack', 2), at: T0.toISOString() },
      { notification: 1, ...down('generic', 3), at: T0.toISOString() },
    ]);
  });

  it('a metrics alert is sent once: no reminder, no retry', () => {
    expect(afterRound(row({ kind: 'metrics' }), 1, [ok()], T0, RENOTIFY).renotifyAt).toBeNull();
    expect(afterRound(row({ kind: 'metrics' }), 1, [down()], T0, RENOTIFY)).toMatchObject({ status: 'failed', renotifyAt: null });
  });

  it('a first notification nobody took: failed, retried after a backoff that doubles (1, 1, 2, 4… min) until MAX_DELIVERY_ATTEMPTS, then never', () => {
    let r = apply(row(), [down('slack', 3)], T0);
    expect(r).toMatchObject({ status: 'failed', notifications: 0, attempts: 3, deliveredAt: null, renotifyAt: at(1) });
    r = apply(r, [down('slack', 3)], at(1));
    expect(r).toMatchObject({ status: 'failed', attempts: 6, renotifyAt: at(2) });
    r = apply(r, [down('slack', 3)], at(2));
    expect(r).toMatchObject({ status: 'failed', attempts: 9, renotifyAt: at(4) });
    r = apply(r, [down('slack', 3)], at(4));
    expect(r.attempts).toBeGreaterThanOrEqual(MAX_DELIVERY_ATTEMPTS);
    expect(r).toMatchObject({ status: 'failed', renotifyAt: null });
  });

  it('a retry that gets through: delivered, still notification 1 (the same Idempotency-Key as the failed tries)', () => {
    const r = apply(apply(row(), [down()], T0), [ok()], at(1));
    expect(r).toMatchObject({ status: 'delivered', notifications: 1, attempts: 4, deliveredAt: at(1), renotifyAt: at(241) });
    expect((r.deliveries as unknown as ChannelDelivery[]).map((d) => d.notification)).toEqual([1, 1]);
  });

  it('a reminder nobody took leaves the alert delivered (it did reach people) and retries the reminder soon', () => {
    const delivered = apply(row(), [ok()], T0);
    const r = apply(delivered, [down()], at(240));
    expect(r).toMatchObject({ status: 'delivered', notifications: 1, deliveredAt: T0, renotifyAt: at(241) });
    const again = apply(r, [ok()], at(241));
    expect(again).toMatchObject({ status: 'delivered', notifications: 2, deliveredAt: T0, renotifyAt: at(481) });
  });

  it('no channel configured: not_configured, due at once for when one is (breach/at_risk only)', () => {
    expect(afterRound(row(), 1, [], T0, RENOTIFY)).toMatchObject({ status: 'not_configured', attempts: 0, notifications: 0, renotifyAt: T0 });
    expect(afterRound(row({ kind: 'metrics' }), 1, [], T0, RENOTIFY)).toMatchObject({ status: 'not_configured', renotifyAt: null });
  });

  it('inside a digest: the digest\'s POSTs count as this alert\'s notification, named by digest_id; reached people → digested, reminder after ALERT_RENOTIFY_MINUTES', () => {
    const u = afterRound(row(), 1, [ok('slack', 2)], T0, RENOTIFY, 'digest-1');
    expect(u).toMatchObject({ status: 'digested', notifications: 1, attempts: 2, deliveredAt: T0, renotifyAt: at(240) });
    expect(u.deliveries).toEqual([{ notification: 1, ...ok('slack', 2), at: T0.toISOString(), digest_id: 'digest-1' }]);
  });

  it('a digest nobody took: the covered alert is failed and retried on its own backoff, never left digested', () => {
    let r = apply(row(), [down()], T0, 'digest-1');
    expect(r).toMatchObject({ status: 'failed', notifications: 0, deliveredAt: null, attempts: 3, renotifyAt: at(1) });
    // Its retry (on its own or in the next digest) is the same notification 1, and the backoff doubles over both.
    r = apply(r, [down()], at(1));
    expect(r).toMatchObject({ status: 'failed', renotifyAt: at(2) });
    r = apply(r, [ok()], at(2), 'digest-2');
    expect(r).toMatchObject({ status: 'digested', notifications: 1, renotifyAt: at(242) });
  });

  it('a reminder of a digested alert: a failed one keeps it digested; one sent on its own makes it delivered', () => {
    const digested = apply(row(), [ok()], T0, 'digest-1');
    expect(apply(digested, [down()], at(240))).toMatchObject({ status: 'digested', notifications: 1, renotifyAt: at(241) });
    expect(apply(digested, [down()], at(240), 'digest-2')).toMatchObject({ status: 'digested', notifications: 1 });
    expect(apply(digested, [], at(240))).toMatchObject({ status: 'digested', renotifyAt: at(240) });
    expect(apply(digested, [ok()], at(240))).toMatchObject({ status: 'delivered', notifications: 2, deliveredAt: T0 });
    // …and a delivered one re-notified through a digest is digested.
    expect(apply(apply(row(), [ok()], T0), [ok()], at(240), 'digest-2')).toMatchObject({ status: 'digested', notifications: 2, deliveredAt: T0 });
  });

  it('keeps the latest MAX_LOGGED_DELIVERIES results', () => {
    const many = Array.from({ length: MAX_LOGGED_DELIVERIES }, (_, i) => ({ notification: i + 1, ...ok(), at: T0.toISOString() }));
    const u = afterRound(row({ notifications: 50, status: 'delivered', deliveries: many as unknown as AlertRow['deliveries'] }), 51, [ok(), ok('generic')], T0, RENOTIFY);
    expect(u.deliveries).toHaveLength(MAX_LOGGED_DELIVERIES);
    expect(u.deliveries.at(-1)).toMatchObject({ notification: 51, channel: 'generic' });
    expect(u.deliveries[0]).toMatchObject({ notification: 3 });
  });
});

describe('retryDelayMs', () => {
  it('waits as long as the notification has been failing, between 1 and 30 minutes', () => {
    const failing = (minutesAgo: number, notification = 1): ChannelDelivery => ({ notification, ...down(), at: at(-minutesAgo).toISOString() });
    expect(retryDelayMs([], 1, T0)).toBe(MIN);
    expect(retryDelayMs([failing(3)], 1, T0)).toBe(3 * MIN);
    expect(retryDelayMs([failing(300)], 1, T0)).toBe(30 * MIN);
    expect(retryDelayMs([failing(300, 1)], 2, T0)).toBe(MIN); // an earlier notification's failures do not count
  });
});

describe('planSweep', () => {
  const candidates = [
    { id: 'a', dedupeKey: 'k-a', renotifyAt: at(-1) },
    { id: 'b', dedupeKey: 'k-b', renotifyAt: at(10) },
    { id: 'c', dedupeKey: 'k-c', renotifyAt: at(-5) },
    { id: 'd', dedupeKey: 'k-d', renotifyAt: null },
    { id: 'e', dedupeKey: 'k-e', renotifyAt: T0 },
  ];

  it('resolves the keys no longer active; sends the active ones that are due (renotify_at <= now)', () => {
    expect(planSweep(candidates, new Set(['k-a', 'k-b', 'k-d', 'k-e']), T0, true)).toEqual({ resolve: ['c'], due: ['a', 'e'] });
  });

  it("lists the due alerts in activeKeys' order (the caller's most urgent first), whatever order the rows come in", () => {
    expect(planSweep(candidates, new Set(['k-e', 'k-c', 'k-b', 'k-a']), T0, true).due).toEqual(['e', 'c', 'a']);
  });

  it('sends nothing while no channel is configured (resolving still happens)', () => {
    expect(planSweep(candidates, new Set(['k-a']), T0, false)).toEqual({ resolve: ['b', 'c', 'd', 'e'], due: [] });
  });
});

describe('the log row', () => {
  it('toAlertLogItem: snake_case, ISO times, the title and fields from the payload', () => {
    const r = apply(row(), [ok()], T0);
    expect(toAlertLogItem(r)).toEqual({
      id: ID,
      kind: 'breach',
      dedupe_key: 'breach:T-1:first_reply_time:2026-11-25T09:00:00.000Z',
      ticket_id: 'T-1',
      metric: 'first_reply_time',
      title: 'SLA breached: first reply time on T-1 (High)',
      status: 'delivered',
      attempts: 1,
      notifications: 1,
      deliveries: [{ notification: 1, ...ok(), at: T0.toISOString() }],
      created_at: T0.toISOString(),
      last_attempt_at: T0.toISOString(),
      delivered_at: T0.toISOString(),
      renotify_at: at(240).toISOString(),
      resolved_at: null,
      digest_id: null,
      fields: { priority: 'High' },
    });
  });

  it('toAlertLogItem: digest_id names the digest through which a digested alert last reached people', () => {
    const digested = apply(apply(row(), [ok()], T0, 'digest-1'), [down()], at(240), 'digest-2');
    expect(toAlertLogItem(digested)).toMatchObject({ status: 'digested', digest_id: 'digest-1' });
    expect(toAlertLogItem(apply(digested, [ok()], at(241), 'digest-3')).digest_id).toBe('digest-3');
    expect(toAlertLogItem(apply(digested, [ok()], at(241))).digest_id).toBeNull();
    expect(toAlertLogItem(apply(row(), [down()], T0, 'digest-1'))).toMatchObject({ status: 'failed', digest_id: null });
  });

  it('outgoing: the stored message with the notification number', () => {
    expect(outgoing(row({ payload: { title: 't', lines: ['l'], fields: { a: 1 }, extra: { breaches: [] } } }), 2)).toEqual({
      id: ID,
      kind: 'breach',
      dedupe_key: 'breach:T-1:first_reply_time:2026-11-25T09:00:00.000Z',
      ticket_id: 'T-1',
      metric: 'first_reply_time',
      title: 't',
      lines: ['l'],
      fields: { a: 1 },
      extra: { breaches: [] },
      notification: 2,
      created_at: T0.toISOString(),
    });
  });

  it('the cursor round-trips and refuses anything else', () => {
    expect(alertCursor.decode(alertCursor.encode(T0, ID))).toEqual({ at: T0, id: ID });
    for (const bad of ['nonsense', '', Buffer.from('["x","y"]').toString('base64url'), Buffer.from(`["${T0.toISOString()}","not-a-uuid"]`).toString('base64url')]) {
      expect(alertCursor.decode(bad)).toBeUndefined();
    }
  });

  it('the delivery lease outlasts every attempt timing out', () => {
    expect(deliveryLeaseMs({ ALERT_TIMEOUT_MS: 5_000, ALERT_RETRIES: 2 })).toBe(51_000);
  });
});

describe('deliverySummary', () => {
  const item = (deliveries: ChannelDelivery[], status: 'delivered' | 'failed' | 'not_configured' = 'delivered') => ({ status, notifications: 1, deliveries });
  const d = (r: ChannelResult, when = T0): ChannelDelivery => ({ notification: 1, ...r, at: when.toISOString() });

  it('says where the latest notification went, and which channel failed', () => {
    expect(deliverySummary(item([d({ ...ok(), http_status: 202 })]))).toEqual({ delivered: true, detail: 'delivered to the alert webhook (HTTP 202)' });
    expect(deliverySummary(item([d(ok()), d({ ...down('generic'), http_status: 400, error: 'webhook answered 400' })]))).toEqual({
      delivered: true,
      detail: 'delivered to the alert webhook (HTTP 200); delivery to the generic alert webhook failed (webhook answered 400)',
    });
    expect(deliverySummary(item([d(down(), at(-1)), d(ok())]))).toEqual({ delivered: true, detail: 'delivered to the alert webhook (HTTP 200)' });
  });

  it('not delivered: why — the receivers\' answers, or that no channel is configured', () => {
    expect(deliverySummary(item([d(down())], 'failed'))).toEqual({ delivered: false, detail: 'delivery to the alert webhook failed (network error (ECONNREFUSED))' });
    expect(deliverySummary(item([], 'not_configured'))).toEqual({
      delivered: false,
      detail: 'no alert channel is configured (set ALERT_WEBHOOK_URL or ALERT_GENERIC_WEBHOOK_URL)',
    });
  });
});

import {
  afterRound,
  alertCursor,
  deliveryLeaseMs,
  deliverySummary,
  MAX_LOGGED_DELIVERIES,
  missingChannels,
  nextRound,
  outgoing,
  planSweep,
  reminderAt,
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

/** Applies a round to a row, as the dispatcher records it (the next notification unless `notification` says which). */
function apply(r: AlertRow, results: ChannelResult[], now: Date, digestId?: string, notification = r.notifications + 1): AlertRow {
  const u = afterRound(r, notification, results, now, RENOTIFY, digestId);
  return { ...r, ...u, deliveries: u.deliveries as unknown as AlertRow['deliveries'] };
}
const BOTH = ['slack', 'generic'] as const;
/** What the sweep would send for `r` at `now`, applied with `results` per channel sent to. */
function sweepRound(r: AlertRow, now: Date, outcome: (channel: 'slack' | 'generic') => ChannelResult): AlertRow {
  const round = nextRound(r, BOTH, now, RENOTIFY);
  return apply(r, round.channels.map(outcome), now, undefined, round.notification);
}

describe('afterRound', () => {
  it('a first notification every channel took: delivered, notification 1, the reminder due after ALERT_RENOTIFY_MINUTES; attempts the most any channel needed', () => {
    const u = afterRound(row(), 1, [ok('slack', 2), ok('generic', 1)], T0, RENOTIFY);
    expect(u).toMatchObject({ status: 'delivered', notifications: 1, attempts: 2, deliveredAt: T0, lastAttemptAt: T0, renotifyAt: at(240) });
    expect(u.deliveries).toEqual([
      { notification: 1, ...ok('slack', 2), at: T0.toISOString() },
      { notification: 1, ...ok('generic', 1), at: T0.toISOString() },
    ]);
  });

  it('one channel took it, the other did not: delivered, and the missed channel is due for a retry (1 min), not only at the reminder', () => {
    const u = afterRound(row(), 1, [ok('slack', 2), down('generic', 3)], T0, RENOTIFY);
    expect(u).toMatchObject({ status: 'delivered', notifications: 1, attempts: 3, deliveredAt: T0, renotifyAt: at(1) });
    expect(afterRound(row({ kind: 'metrics' }), 1, [ok(), down('generic')], T0, RENOTIFY).renotifyAt).toBeNull(); // sent once
  });

  it('a metrics alert is sent once: no reminder, no retry', () => {
    expect(afterRound(row({ kind: 'metrics' }), 1, [ok()], T0, RENOTIFY).renotifyAt).toBeNull();
    expect(afterRound(row({ kind: 'metrics' }), 1, [down()], T0, RENOTIFY)).toMatchObject({ status: 'failed', renotifyAt: null });
  });

  it('a first notification nobody took: failed, retried with a backoff that doubles (1, 1, 2, 4… min) up to 30 min, for as long as it fails (the sweep stops once the key is not active)', () => {
    let r = apply(row(), [down('slack', 3)], T0);
    expect(r).toMatchObject({ status: 'failed', notifications: 0, attempts: 3, deliveredAt: null, renotifyAt: at(1) });
    const gaps: number[] = [];
    for (let i = 0; i < 60; i++) {
      const now = r.renotifyAt!;
      r = apply(r, [down('slack', 3)], now);
      gaps.push((r.renotifyAt!.getTime() - now.getTime()) / MIN);
    }
    expect(gaps.slice(0, 8)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
    expect(gaps.every((g) => g <= 30)).toBe(true);
    expect(r).toMatchObject({ status: 'failed', notifications: 0, attempts: 183 });
    // Hours of failures: the log keeps its latest results, and the alert still goes out once a channel answers.
    expect(r.deliveries).toHaveLength(MAX_LOGGED_DELIVERIES);
    expect(apply(r, [ok()], r.renotifyAt!)).toMatchObject({ status: 'delivered', notifications: 1 });
  });

  it("a receiver's Retry-After (429/503) pushes the next try back, at most 30 min; a shorter one leaves the backoff", () => {
    const limited = (ms: number): ChannelResult => ({ ...down(), http_status: 429, error: 'webhook answered 429', retry_after_ms: ms });
    expect(afterRound(row(), 1, [limited(10 * MIN)], T0, RENOTIFY)).toMatchObject({ status: 'failed', renotifyAt: at(10) });
    expect(afterRound(row(), 1, [limited(5_000)], T0, RENOTIFY).renotifyAt).toEqual(at(1));
    expect(afterRound(row(), 1, [limited(90 * MIN)], T0, RENOTIFY).renotifyAt).toEqual(at(30));
    // Logged with the channel's result.
    expect(afterRound(row(), 1, [limited(10 * MIN)], T0, RENOTIFY).deliveries[0]).toMatchObject({ retry_after_ms: 10 * MIN });
    // The channel that took it has no say; the one that missed it does.
    expect(afterRound(row(), 1, [ok('generic'), limited(20 * MIN)], T0, RENOTIFY).renotifyAt).toEqual(at(20));
    expect(afterRound(row(), 1, [{ ...ok(), retry_after_ms: 20 * MIN }, down('generic')], T0, RENOTIFY).renotifyAt).toEqual(at(1));
    // A failed reminder too.
    const delivered = apply(row(), [ok()], T0);
    expect(apply(delivered, [limited(15 * MIN)], at(240)).renotifyAt).toEqual(at(255));
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

  it('keeps the 2xx results of the latest notification that got through, however long another channel fails after', () => {
    let r = apply(row(), [ok('slack'), down('generic', 1)], T0);
    for (let i = 0; i < 60; i++) r = apply(r, [down('generic', 1)], at(i + 1), undefined, 1);
    const logged = r.deliveries as unknown as ChannelDelivery[];
    expect(logged).toHaveLength(MAX_LOGGED_DELIVERIES);
    expect(logged[0]).toMatchObject({ channel: 'slack', delivered: true, notification: 1, at: T0.toISOString() });
    expect(logged.at(-1)).toMatchObject({ channel: 'generic', at: at(60).toISOString() });
    expect(reminderAt(r, at(61), RENOTIFY)).toEqual(at(240));
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
    expect(retryDelayMs([{ notification: 1, ...ok(), at: at(-20).toISOString() }, failing(2)], 1, T0)).toBe(2 * MIN); // nor its deliveries
  });
});

describe('nextRound (what the sweep sends a due alert as)', () => {
  it('never delivered: the same notification 1 again, to every channel', () => {
    const failed = apply(row(), [down('slack'), down('generic')], T0);
    expect(nextRound(failed, BOTH, at(1), RENOTIFY)).toEqual({ notification: 1, channels: ['slack', 'generic'] });
    expect(nextRound(row(), BOTH, at(1), RENOTIFY)).toEqual({ notification: 1, channels: ['slack', 'generic'] }); // an interrupted first send
  });

  it('delivered to one channel: that notification again to the other alone (its Idempotency-Key), until the reminder is due; then the next to both', () => {
    let r = apply(row(), [ok('slack'), down('generic')], T0);
    expect(missingChannels(r.deliveries as unknown as ChannelDelivery[], 1)).toEqual(['generic']);
    expect(nextRound(r, BOTH, at(1), RENOTIFY)).toEqual({ notification: 1, channels: ['generic'] });
    // Still down: retried alone with the backoff; slack is not told twice.
    r = sweepRound(r, at(1), down);
    expect(r).toMatchObject({ status: 'delivered', notifications: 1, renotifyAt: at(2) });
    r = sweepRound(r, at(2), ok);
    // Through: the reminder keeps its time (240 min after the first delivery), to both.
    expect(r).toMatchObject({ status: 'delivered', notifications: 1, deliveredAt: T0, renotifyAt: at(240) });
    expect((r.deliveries as unknown as ChannelDelivery[]).map((d) => [d.notification, d.channel, d.delivered])).toEqual([
      [1, 'slack', true],
      [1, 'generic', false],
      [1, 'generic', false],
      [1, 'generic', true],
    ]);
    expect(nextRound(r, BOTH, at(240), RENOTIFY)).toEqual({ notification: 2, channels: ['slack', 'generic'] });
  });

  it('a channel still missing when the reminder is due: the reminder goes to both (the retries stop at it)', () => {
    let r = apply(row(), [ok('slack'), down('generic')], T0);
    for (let now = r.renotifyAt!; now < at(240); now = r.renotifyAt!) r = sweepRound(r, now, down);
    expect(r.renotifyAt).toEqual(at(240));
    expect(nextRound(r, BOTH, at(240), RENOTIFY)).toEqual({ notification: 2, channels: ['slack', 'generic'] });
  });

  it('the missed channel is no longer configured: nothing to send before the reminder', () => {
    const r = apply(row(), [ok('slack'), down('generic')], T0);
    expect(nextRound(r, ['slack'], at(1), RENOTIFY)).toEqual({ notification: 1, channels: [] });
    expect(reminderAt(r, at(1), RENOTIFY)).toEqual(at(240));
  });

  it('a reminder that reached nobody: the same reminder again, to both', () => {
    const r = apply(apply(row(), [ok('slack'), ok('generic')], T0), [down('slack'), down('generic')], at(240));
    expect(r).toMatchObject({ notifications: 1, renotifyAt: at(241) });
    expect(nextRound(r, BOTH, at(241), RENOTIFY)).toEqual({ notification: 2, channels: ['slack', 'generic'] });
  });

  it('re-opened (reported again after it was resolved) before its reminder was due: a reminder to every channel now', () => {
    const r = apply(row(), [ok('slack'), down('generic')], T0);
    const reopened = { ...r, payload: { ...(r.payload as object), reopened_at: at(30).toISOString() } };
    expect(nextRound(reopened, BOTH, at(30), RENOTIFY)).toEqual({ notification: 2, channels: ['slack', 'generic'] });
    // Once that reminder got through, the mark is history.
    const after = apply(reopened, [ok('slack'), down('generic')], at(30));
    expect(nextRound(after, BOTH, at(31), RENOTIFY)).toEqual({ notification: 2, channels: ['generic'] });
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
    expect(deliveryLeaseMs({ ALERT_TIMEOUT_MS: 5_000, ALERT_RETRIES: 2 })).toBe(57_000);
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

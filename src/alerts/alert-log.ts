import { MAX_STORABLE_MS, MIN_STORABLE_MS } from '../common/timestamp.js';
import type { slaAlerts } from '../database/schema.js';
import type { OutgoingAlert } from './alert-messages.js';
import type { AlertChannel, AlertFieldValue, AlertKind, AlertLogItem, AlertRequest, AlertStatus, ChannelDelivery } from './alerts.types.js';
import { isUuid } from '../common/ids.js';

export type AlertRow = typeof slaAlerts.$inferSelect;

/** What `payload` holds: the request's message, so a retry or reminder sends the same alert. */
export interface AlertPayload {
  title: string;
  lines: string[];
  fields: Record<string, AlertFieldValue>;
  extra?: Record<string, unknown>;
  /**
   * Set when a check reported the key again after it was resolved (AlertsRepository.reopen):
   * the next send is then a reminder to every channel, even within ALERT_RENOTIFY_MINUTES of the
   * last one. Never sent.
   */
  reopened_at?: string;
}

/** The log keeps the latest per-channel results only (a breach lasting weeks re-notifies often). */
export const MAX_LOGGED_DELIVERIES = 50;
const MINUTE = 60_000;
/** Retries of an undelivered notification wait as long as it has been failing, within these bounds (so: 1, 1, 2, 4… minutes). */
const RETRY_MIN_MS = MINUTE;
/** Also the most a receiver's Retry-After can push a retry back. */
export const RETRY_MAX_MS = 30 * MINUTE;

/** Only these are re-notified, retried and resolved by the sweep; `metrics` and `digest` alerts are sent once. */
export const isRecurring = (kind: string): boolean => kind === 'breach' || kind === 'at_risk';

/**
 * How long a sender may hold an alert before another instance may take it over: every attempt
 * timing out plus the backoff and a short Retry-After (up to 2 s each), and a margin (the alert
 * then goes out again with the same Idempotency-Key, so a receiver that did get it can drop the
 * repeat).
 */
export function deliveryLeaseMs(env: { ALERT_TIMEOUT_MS: number; ALERT_RETRIES: number }): number {
  return (env.ALERT_TIMEOUT_MS + 4_000) * (env.ALERT_RETRIES + 1) + 30_000;
}

export function payloadOf(alert: AlertRequest): AlertPayload {
  return { title: alert.title, lines: alert.lines, fields: alert.fields, ...(alert.extra ? { extra: alert.extra } : {}) };
}

export function outgoing(row: AlertRow, notification: number): OutgoingAlert {
  const p = row.payload as unknown as AlertPayload;
  return {
    id: row.id,
    kind: row.kind as AlertKind,
    dedupe_key: row.dedupeKey,
    ticket_id: row.ticketId,
    metric: row.metric,
    title: p.title,
    lines: p.lines ?? [],
    fields: p.fields ?? {},
    ...(p.extra ? { extra: p.extra } : {}),
    notification,
    created_at: row.createdAt.toISOString(),
  };
}

export function toAlertLogItem(row: AlertRow): AlertLogItem {
  const p = row.payload as unknown as AlertPayload;
  return {
    id: row.id,
    kind: row.kind as AlertKind,
    dedupe_key: row.dedupeKey,
    ticket_id: row.ticketId,
    metric: row.metric,
    title: p.title,
    status: row.status as AlertStatus,
    attempts: row.attempts,
    notifications: row.notifications,
    deliveries: row.deliveries as unknown as ChannelDelivery[],
    created_at: row.createdAt.toISOString(),
    last_attempt_at: row.lastAttemptAt?.toISOString() ?? null,
    delivered_at: row.deliveredAt?.toISOString() ?? null,
    renotify_at: row.renotifyAt?.toISOString() ?? null,
    resolved_at: row.resolvedAt?.toISOString() ?? null,
    digest_id: row.status === 'digested' ? lastDigestId(row.deliveries as unknown as ChannelDelivery[]) : null,
    fields: p.fields ?? {},
  };
}

/** The digest of the latest notification that reached people (a delivered round of the alert's own clears it). */
function lastDigestId(deliveries: readonly ChannelDelivery[]): string | null {
  for (let i = deliveries.length - 1; i >= 0; i--) if (deliveries[i]!.delivered) return deliveries[i]!.digest_id ?? null;
  return null;
}

/** One channel's result of one notification (before it is stamped for the log). */
export interface ChannelResult {
  channel: AlertChannel;
  host: string;
  delivered: boolean;
  http_status: number | null;
  attempts: number;
  error: string | null;
  /** The receiver's Retry-After on its last 429/503, in ms (at most RETRY_MAX_MS): the next try waits at least this long. */
  retry_after_ms?: number;
}

/** The columns one notification round changes. */
export interface RoundUpdate {
  status: AlertStatus;
  attempts: number;
  notifications: number;
  deliveries: ChannelDelivery[];
  lastAttemptAt: Date;
  deliveredAt: Date | null;
  renotifyAt: Date | null;
}

/**
 * The row after notification `notification` was sent to `results` (empty: no channel is
 * configured), in a message of its own or, with `digestId`, inside that digest alert (the
 * digest's POSTs then count as this alert's attempts). The same notification may be sent more
 * than once: a retry to every channel when it reached nobody, or to the channels that missed it
 * (`nextRound`).
 *
 * Some channel has taken it (now or in an earlier round): the alert reached people (`delivered`,
 * or `digested`), the next reminder is due `renotifyMs` after it first did (breach/at_risk only),
 * and a channel that missed it is retried alone before that, with the backoff below. It reached
 * nobody: a first notification is `failed`, a reminder leaves the alert as it was (it did reach
 * people); both are retried with the backoff while the condition lasts (breach/at_risk: the
 * sweep stops once the check no longer reports the key). `metrics` and `digest` alerts are sent
 * once: their POSTs' own retries (ALERT_RETRIES) are their cap.
 */
export function afterRound(
  row: Pick<AlertRow, 'kind' | 'status' | 'attempts' | 'notifications' | 'deliveries' | 'deliveredAt'>,
  notification: number,
  results: ChannelResult[],
  now: Date,
  renotifyMs: number,
  digestId?: string,
): RoundUpdate {
  const recurring = isRecurring(row.kind);
  const at = now.toISOString();
  const via = digestId ? { digest_id: digestId } : {};
  const logged: ChannelDelivery[] = results.map((r) => ({ notification, ...r, at, ...via }));
  const deliveries = trimDeliveries([...(row.deliveries as unknown as ChannelDelivery[]), ...logged]);
  const base = { deliveries, lastAttemptAt: now, deliveredAt: row.deliveredAt, notifications: row.notifications };
  // An alert that reached people keeps saying how it last did while a reminder is not through.
  const reached: AlertStatus = row.status === 'digested' ? 'digested' : 'delivered';
  if (results.length === 0) {
    // Nothing to send to: said so, and due at once for when a channel is configured (the sweep sends it then).
    return { ...base, status: row.notifications > 0 ? reached : 'not_configured', attempts: row.attempts, renotifyAt: recurring ? now : null };
  }
  const attempts = row.attempts + Math.max(...results.map((r) => r.attempts));
  const retryAt = new Date(now.getTime() + nextTryMs(deliveries, notification, results, now));
  const told = firstToldMs(deliveries, notification);
  if (told !== undefined) {
    const reminder = new Date(told + renotifyMs);
    const missing = missingChannels(deliveries, notification).length > 0;
    return {
      ...base,
      status: results.some((r) => r.delivered) ? (digestId ? 'digested' : 'delivered') : reached,
      attempts,
      notifications: notification,
      deliveredAt: row.deliveredAt ?? now,
      renotifyAt: !recurring ? null : missing && retryAt < reminder ? retryAt : reminder,
    };
  }
  return { ...base, status: row.notifications > 0 ? reached : 'failed', attempts, renotifyAt: recurring ? retryAt : null };
}

/**
 * The log's latest MAX_LOGGED_DELIVERIES results, always with the 2xx results of the latest
 * notification that got through: `nextRound` reads them to know which channels it reached and
 * when (a channel failing for hours would otherwise push them out).
 */
function trimDeliveries(all: ChannelDelivery[]): ChannelDelivery[] {
  if (all.length <= MAX_LOGGED_DELIVERIES) return all;
  const latest = Math.max(0, ...all.filter((d) => d.delivered).map((d) => d.notification));
  const pinned = (d: ChannelDelivery) => d.delivered && d.notification === latest;
  let room = MAX_LOGGED_DELIVERIES - all.filter(pinned).length;
  const kept: ChannelDelivery[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    if (pinned(all[i]!)) kept.push(all[i]!);
    else if (room-- > 0) kept.push(all[i]!);
  }
  return kept.reverse();
}

/** When notification `n` first reached a channel (ms), if it has. */
export function firstToldMs(deliveries: readonly ChannelDelivery[], n: number): number | undefined {
  let first: number | undefined;
  for (const d of deliveries) if (d.notification === n && d.delivered) first = Math.min(first ?? Infinity, Date.parse(d.at));
  return first;
}

/** Channels that were sent notification `n` and never took it. */
export function missingChannels(deliveries: readonly ChannelDelivery[], n: number): AlertChannel[] {
  const tried = new Set<AlertChannel>();
  const took = new Set<AlertChannel>();
  for (const d of deliveries) {
    if (d.notification !== n) continue;
    tried.add(d.channel);
    if (d.delivered) took.add(d.channel);
  }
  return [...tried].filter((c) => !took.has(c));
}

/**
 * How long until notification `notification` is tried again: the backoff (as long as it has been
 * failing), or longer when a receiver that still misses it answered 429/503 with Retry-After;
 * never more than RETRY_MAX_MS.
 */
function nextTryMs(deliveries: readonly ChannelDelivery[], notification: number, results: readonly ChannelResult[], now: Date): number {
  const missing = new Set(missingChannels(deliveries, notification));
  const asked = results.filter((r) => !r.delivered && missing.has(r.channel)).map((r) => r.retry_after_ms ?? 0);
  return Math.min(RETRY_MAX_MS, Math.max(retryDelayMs(deliveries, notification, now), ...asked));
}

/** Wait as long as this notification has been failing (doubling), between 1 and 30 minutes. */
export function retryDelayMs(deliveries: readonly ChannelDelivery[], notification: number, now: Date): number {
  const failing = deliveries.filter((d) => d.notification === notification && !d.delivered).map((d) => Date.parse(d.at));
  const since = failing.length ? Math.min(...failing) : now.getTime();
  return Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, now.getTime() - since));
}

/** What one send of an alert is: which notification, to which channels. */
export interface Round {
  notification: number;
  channels: AlertChannel[];
}

/**
 * What the sweep sends for a due breach/at_risk alert (pure). Its latest notification reached
 * some channels but not others, and its reminder is not due yet: that notification again, to the
 * channels that missed it only (the same Idempotency-Key, so a receiver that did get a timed-out
 * try drops it); none of them is configured any more: nothing (`channels` empty: the caller
 * waits for the reminder, `reminderAt`). Otherwise (a reminder; a retry of a notification that
 * reached nobody; an interrupted send; a key reported again after it was resolved): the next
 * notification to every configured channel — or, when it reached nobody, the same one again.
 */
export function nextRound(row: Pick<AlertRow, 'notifications' | 'deliveries' | 'payload'>, configured: readonly AlertChannel[], now: Date, renotifyMs: number): Round {
  const n = row.notifications;
  const deliveries = row.deliveries as unknown as ChannelDelivery[];
  const told = n > 0 ? firstToldMs(deliveries, n) : undefined;
  const reopened = (row.payload as unknown as AlertPayload).reopened_at;
  const reopenedSince = told !== undefined && reopened !== undefined && Date.parse(reopened) > told;
  if (told !== undefined && !reopenedSince && now.getTime() < told + renotifyMs) {
    return { notification: n, channels: missingChannels(deliveries, n).filter((c) => configured.includes(c)) };
  }
  return { notification: n + 1, channels: [...configured] };
}

/** When the reminder of the alert's latest notification is due (now when it is unknown). */
export function reminderAt(row: Pick<AlertRow, 'notifications' | 'deliveries'>, now: Date, renotifyMs: number): Date {
  const told = firstToldMs(row.deliveries as unknown as ChannelDelivery[], row.notifications);
  return told === undefined ? now : new Date(told + renotifyMs);
}

/** What the sweep reads of an unresolved breach/at_risk alert to plan its work. */
export type SweepCandidate = Pick<AlertRow, 'id' | 'dedupeKey' | 'renotifyAt'>;

/**
 * A key the check no longer reports is resolved (no more notifications); an active one whose
 * next send is due (a reminder, a retry, an interrupted first send, or one raised while no
 * channel was set) is sent — if a channel is configured now. `due` is in `activeKeys`' order (the
 * caller lists the most urgent first): when more are due than ALERT_MAX_PER_CHECK, the first go
 * out on their own and the rest in a digest.
 */
export function planSweep(rows: readonly SweepCandidate[], activeKeys: ReadonlySet<string>, now: Date, canSend: boolean): { resolve: string[]; due: string[] } {
  const rank = new Map<string, number>();
  for (const key of activeKeys) rank.set(key, rank.size);
  const resolve: string[] = [];
  const due: { id: string; rank: number }[] = [];
  for (const r of rows) {
    const i = rank.get(r.dedupeKey);
    if (i === undefined) resolve.push(r.id);
    else if (canSend && r.renotifyAt && r.renotifyAt.getTime() <= now.getTime()) due.push({ id: r.id, rank: i });
  }
  return { resolve, due: due.sort((a, b) => a.rank - b.rank).map((d) => d.id) };
}

export const isAlertId = (id: string): boolean => isUuid(id);

export const alertCursor = {
  encode: (at: Date, id: string): string => Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url'),
  decode(value: string): { at: Date; id: string } | undefined {
    try {
      const [at, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
      const date = typeof at === 'string' ? new Date(at) : undefined;
      // Only instants the database holds (years 0001-9999): a forged one is refused here, not by PostgreSQL.
      const storable = date !== undefined && date.getTime() >= MIN_STORABLE_MS && date.getTime() <= MAX_STORABLE_MS;
      return storable && typeof id === 'string' && isUuid(id) ? { at: date, id } : undefined;
    } catch {
      return undefined;
    }
  },
};

/** The alert in words for a report: whether it reached anyone, and where or why not. */
export function deliverySummary(item: Pick<AlertLogItem, 'status' | 'deliveries' | 'notifications'>): { delivered: boolean; detail: string } {
  // The latest round: one entry per channel, stamped with the same time and notification.
  const last = item.deliveries.at(-1);
  const latest = last ? item.deliveries.filter((d) => d.at === last.at && d.notification === last.notification) : [];
  const name = (c: AlertChannel) => (c === 'slack' ? 'the alert webhook' : 'the generic alert webhook');
  if (item.status === 'not_configured' || latest.length === 0) {
    return { delivered: false, detail: 'no alert channel is configured (set ALERT_WEBHOOK_URL or ALERT_GENERIC_WEBHOOK_URL)' };
  }
  const ok = latest.filter((d) => d.delivered);
  const failed = latest.filter((d) => !d.delivered).map((d) => `delivery to ${name(d.channel)} failed (${d.error ?? 'no answer'})`);
  if (ok.length === 0) return { delivered: false, detail: failed.join('; ') };
  const sent = `delivered to ${ok.map((d) => `${name(d.channel)} (HTTP ${d.http_status})`).join(' and ')}`;
  return { delivered: true, detail: [sent, ...failed].join('; ') };
}

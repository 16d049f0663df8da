import type { AlertPayload, AlertRow } from './alert-log.js';
import { slackEscape } from './alert-messages.js';
import type { AlertFieldValue, AlertKind, AlertRequest } from './alerts.types.js';

/**
 * The digest (pure): when one check has more alerts to send than ALERT_MAX_PER_CHECK, the most
 * urgent go out on their own and this one message stands for the rest, so a backlog or an
 * outage reaches people once instead of as hundreds of messages.
 */

/** Alerts named one by one in a digest; the rest are counted (and all are in GET /monitoring/alerts). */
export const DIGEST_LISTED = 15;
/**
 * Ids a digest carries in `alert_ids` (both bodies and its logged payload): a backlog's digest of
 * 30k alerts would otherwise POST and store ~1.2 MB each time. `alert_ids_total` says how many
 * it covers; every covered alert names the digest (`digest_id`, GET /monitoring/alerts?status=digested).
 */
export const DIGEST_IDS_MAX = 500;

/** What a digest says about one alert it covers. */
export interface DigestEntry {
  id: string;
  kind: AlertKind;
  ticketId: string | null;
  metric: string | null;
  title: string;
  priority: AlertFieldValue;
}

export interface DigestOptions {
  /** The digest alert's id (named in its lines, so a reader finds the covered alerts). */
  id: string;
  now: Date;
  /** How many alerts of the same check went out on their own before it. */
  individually: number;
  /** ALERT_MAX_PER_CHECK, for the reader. */
  max: number;
  /** A sweep's digest: re-notifications (and retries) of alerts whose condition lasts. */
  reminder: boolean;
}

export function digestEntryOf(row: Pick<AlertRow, 'id' | 'kind' | 'ticketId' | 'metric' | 'payload'>): DigestEntry {
  const p = row.payload as unknown as AlertPayload;
  return { id: row.id, kind: row.kind as AlertKind, ticketId: row.ticketId, metric: row.metric, title: p.title, priority: p.fields?.priority ?? null };
}

/**
 * A check's digest key: one per check instant (`digest:<now ISO>`); a sweep's reminders digest
 * of the same check has its own (`digest:<now ISO>:reminders`).
 */
export const digestKey = (now: Date, reminder: boolean): string => `digest:${now.toISOString()}${reminder ? ':reminders' : ''}`;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const words = (metric: string) => metric.replace(/_/g, ' ');
/** A field name from a metric or priority: lowercase letters, digits and _. */
const fieldName = (value: string) => value.toLowerCase().replace(/[^a-z0-9_]+/g, '_');

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Counts by key, most first (ties by name: the same input gives the same message). */
function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const priorityOf = (e: DigestEntry) => (typeof e.priority === 'string' && e.priority.trim() ? e.priority.trim() : 'none');

/**
 * The digest alert for `entries` (in the caller's order: the most urgent first). Title like
 * "SLA: 137 more breaches and 12 tickets at risk"; lines with the counts by kind and metric and
 * by priority, then the first DIGEST_LISTED alerts; fields with the same counts; the first
 * DIGEST_IDS_MAX covered ids under `alert_ids` and their number under `alert_ids_total` (both
 * webhook bodies carry them, and the log's payload keeps them).
 */
export function buildDigest(entries: readonly DigestEntry[], opts: DigestOptions): AlertRequest {
  if (entries.length === 0) throw new Error('a digest needs at least one alert');
  const breaches = entries.filter((e) => e.kind === 'breach');
  const atRisk = entries.filter((e) => e.kind === 'at_risk');
  const others = entries.filter((e) => e.kind !== 'breach' && e.kind !== 'at_risk');
  // At-risk alerts are per clock; people think in tickets (one ticket may have two clocks at risk).
  const atRiskTickets = new Set(atRisk.map((e) => e.ticketId ?? e.id)).size;

  const parts = [
    ...(breaches.length ? [plural(breaches.length, 'breach', 'breaches')] : []),
    ...(atRisk.length ? [`${plural(atRiskTickets, 'ticket', 'tickets')} at risk`] : []),
    ...(others.length ? [plural(others.length, 'alert', 'alerts')] : []),
  ];
  // "more": the alerts sent on their own came first.
  if (opts.individually > 0) parts[0] = `${parts[0]!.replace(/^(\d+) /, '$1 more ')}`;
  const title = `SLA${opts.reminder ? ', still open' : ''}: ${joinAnd(parts)}`;

  const byMetric = (list: DigestEntry[]) => countBy(list, (e) => e.metric ?? 'other');
  const metricLine = (list: DigestEntry[]) => byMetric(list).map(([m, n]) => `${slackEscape(words(m))} ${n}`).join(' · ');
  const byPriority = countBy(entries, priorityOf);
  const listed = entries.slice(0, DIGEST_LISTED);
  const rest = entries.length - listed.length;
  const total = entries.length + opts.individually;
  const own = opts.individually === 1 ? 'the most urgent was sent on its own' : `the ${opts.individually} most urgent were sent on their own`;
  const lines = [
    `${opts.reminder ? `${plural(total, 'alert is', 'alerts are')} still open and due again` : `${plural(total, 'new alert', 'new alerts')} in one check`}: ${own} (ALERT_MAX_PER_CHECK=${opts.max}); this message covers the other ${entries.length}.`,
    ...(breaches.length ? [`*Breaches (${breaches.length})*: ${metricLine(breaches)}`] : []),
    ...(atRisk.length ? [`*At risk (${atRisk.length} on ${plural(atRiskTickets, 'ticket', 'tickets')})*: ${metricLine(atRisk)}`] : []),
    ...(others.length ? [`*Other alerts (${others.length})*: ${countBy(others, (e) => e.kind).map(([k, n]) => `${k} ${n}`).join(' · ')}`] : []),
    `*By priority*: ${byPriority.map(([p, n]) => `${slackEscape(p)} ${n}`).join(' · ')}`,
    ...listed.map((e) => `• ${slackEscape(e.title.replace(/\s+/g, ' ').trim())}`),
    rest > 0
      ? `…and ${rest} more. Every one is in GET /monitoring/alerts?status=digested (digest_id ${opts.id}).`
      : `Each is in GET /monitoring/alerts?status=digested (digest_id ${opts.id}).`,
  ];

  const fields: Record<string, AlertFieldValue> = {
    alerts: entries.length,
    breaches: breaches.length,
    at_risk: atRisk.length,
    at_risk_tickets: atRiskTickets,
    other: others.length,
    tickets: new Set(entries.map((e) => e.ticketId ?? e.id)).size,
    sent_individually: opts.individually,
    max_per_check: opts.max,
    reminder: opts.reminder,
  };
  for (const [m, n] of byMetric(breaches)) fields[`breaches_${fieldName(m)}`] = n;
  for (const [m, n] of byMetric(atRisk)) fields[`at_risk_${fieldName(m)}`] = n;
  for (const [p, n] of byPriority) fields[`priority_${fieldName(p)}`] = n;

  return {
    dedupeKey: digestKey(opts.now, opts.reminder),
    kind: 'digest',
    title,
    lines,
    fields,
    extra: { alert_ids: entries.slice(0, DIGEST_IDS_MAX).map((e) => e.id), alert_ids_total: entries.length },
  };
}

/**
 * Row updates grouped by equal content, so the covered alerts of a digest (all fresh and alike
 * after a check's first send) are written with one statement each group instead of one per row.
 */
export function groupUpdates<U>(updates: readonly { id: string; update: U }[]): { ids: string[]; update: U }[] {
  const groups = new Map<string, { ids: string[]; update: U }>();
  for (const { id, update } of updates) {
    const key = JSON.stringify(update);
    const group = groups.get(key);
    if (group) group.ids.push(id);
    else groups.set(key, { ids: [id], update });
  }
  return [...groups.values()];
}

import type { AlertFieldValue, AlertKind } from './alerts.types.js';
import { webhookSignature } from '../common/webhook-signature.js';

/** One notification of a logged alert, as it leaves the service. */
export interface OutgoingAlert {
  id: string;
  kind: AlertKind;
  dedupe_key: string;
  ticket_id: string | null;
  metric: string | null;
  title: string;
  lines: string[];
  fields: Record<string, AlertFieldValue>;
  extra?: Record<string, unknown>;
  /** 1 for the first send, then one more per re-notification (retries keep the number). */
  notification: number;
  created_at: string;
}

/** Slack rejects a section whose text is longer than 3,000 characters. */
const SECTION_MAX = 2_900;
const EMOJI: Record<AlertKind, string> = { breach: ':rotating_light:', at_risk: ':warning:', metrics: ':rotating_light:', digest: ':rotating_light:' };

/** Slack's mrkdwn control characters: a title must not become `<!channel>`. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A line as Slack shows it: the callers' mrkdwn (`*bold*`, entities they escaped) kept, but a raw
 * `<` or `>` — which no line of ours writes — shown as text, so a ticket field a caller forgot to
 * escape (an id, a category) can never open `<!channel>`, `<@U…>` or `<url|label>`. Idempotent on
 * escaped text (`&lt;` has no raw `<`).
 */
export function slackText(line: string): string {
  return line.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first line: emoji, title (escaped, one line), and which reminder this is. */
export function alertHeadline(alert: OutgoingAlert): string {
  const title = slackEscape(alert.title.replace(/\s+/g, ' ').trim());
  const reminder = alert.notification > 1 ? ` (reminder ${alert.notification - 1}, first sent ${alert.created_at})` : '';
  return `${EMOJI[alert.kind]} ${title}${reminder}`;
}

/** The generic webhook's body: the structured alert. `sent_at` is signed with it (X-Alert-Timestamp). */
export function genericAlertBody(alert: OutgoingAlert, sentAt: Date) {
  return {
    ...alert.extra,
    id: alert.id,
    kind: alert.kind,
    dedupe_key: alert.dedupe_key,
    ticket_id: alert.ticket_id,
    metric: alert.metric,
    title: alert.title,
    lines: alert.lines,
    fields: alert.fields,
    notification: alert.notification,
    created_at: alert.created_at,
    sent_at: sentAt.toISOString(),
  };
}

/**
 * Slack-compatible (`text` for notifications and clients without blocks, mrkdwn `blocks`), with
 * the structured alert under `alert` for receivers that read JSON.
 */
export function slackAlertBody(alert: OutgoingAlert, sentAt: Date) {
  const text = cut([alertHeadline(alert), ...alert.lines.map(slackText)].join('\n'), SECTION_MAX);
  const { extra: _extra, ...structured } = alert;
  return {
    ...alert.extra,
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Alert ${alert.id} · notification ${alert.notification} · GET /monitoring/alerts/${alert.id}` }] },
    ],
    alert: { ...structured, sent_at: sentAt.toISOString() },
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` (the X-Signature-256 header, as on hand-offs). */
export const alertSignature = webhookSignature;

/**
 * Headers of one notification. The Idempotency-Key is the same for every retry of a notification
 * (a receiver that saw a timed-out attempt drops the repeat) and new for a re-notification.
 */
export function alertHeaders(alert: Pick<OutgoingAlert, 'id' | 'notification'>, body: string, secret: string | undefined, sentAt: Date): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'support-agents-alerts',
    'idempotency-key': `${alert.id}:${alert.notification}`,
    'x-alert-id': alert.id,
  };
  if (secret) {
    headers['x-signature-256'] = alertSignature(body, secret);
    headers['x-alert-timestamp'] = String(Math.floor(sentAt.getTime() / 1000));
  }
  return headers;
}

/** What the log may say about where an alert went: the host, never the path (a Slack URL's path is its token). */
export function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}

/** A fetch error in words, without the URL (fetch errors may carry it) or anything sent. */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  const { name, cause } = (err ?? {}) as { name?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const code = cause?.code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return `network error (${code})`;
  // undici's own reasons ("bad port", "unexpected redirect"): short fixed phrases, no URL.
  const reason = typeof cause?.message === 'string' && /^[a-z ]{3,40}$/.test(cause.message) ? ` (${cause.message})` : '';
  return `network error${reason}`;
}

const MONTH = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;

/**
 * A Retry-After header in milliseconds from `now`: delta-seconds (`120`) or an HTTP date
 * (`Wed, 25 Nov 2026 10:05:00 GMT`, past dates giving 0), at most `maxMs` (a receiver cannot park
 * an alert for a day); undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now: Date, maxMs: number): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Math.min(maxMs, Number(v) * 1000);
  // Date.parse reads almost anything ("1.5" is a date to it): an HTTP date names its month.
  const at = MONTH.test(v) ? Date.parse(v) : NaN;
  return Number.isNaN(at) ? undefined : Math.min(maxMs, Math.max(0, at - now.getTime()));
}

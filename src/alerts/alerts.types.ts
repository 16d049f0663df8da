/**
 * The alert-delivery contract (docs/sla.md, "Alerts"): what a caller asks for (AlertRequest),
 * what the log keeps (AlertLogItem, the JSON of GET /monitoring/alerts).
 */

/** digest: one message standing for the alerts of a check beyond ALERT_MAX_PER_CHECK (never re-sent itself). */
export const ALERT_KINDS = ['breach', 'at_risk', 'metrics', 'digest'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * pending: being sent for the first time; delivered: at least one channel answered 2xx to its
 * own message (the alert reached people); digested: it reached people inside a digest alert
 * (`digest_id`) instead — its latest notification went out that way; failed: no channel took it
 * (the sweep retries breach/at_risk alerts while their condition lasts); not_configured: no
 * channel was set when it was raised.
 */
export const ALERT_STATUSES = ['pending', 'delivered', 'digested', 'failed', 'not_configured'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** slack: ALERT_WEBHOOK_URL (Slack-compatible body); generic: ALERT_GENERIC_WEBHOOK_URL (the structured alert). */
export const ALERT_CHANNELS = ['slack', 'generic'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export type AlertFieldValue = string | number | boolean | null;

export interface AlertRequest {
  /** What the alert is about, e.g. "breach:<ticket>:<metric>:<cycle start ISO>": one alert per key, ever. */
  dedupeKey: string;
  kind: AlertKind;
  ticketId?: string;
  metric?: string;
  /** One line, e.g. "SLA breached: first reply time on T-123 (High)". Sent as plain text. */
  title: string;
  /** Slack mrkdwn lines (the caller escapes any customer text in them; a raw `<` or `>` is sent as text regardless, never as a mention or link). */
  lines: string[];
  /** Structured facts, for the generic webhook and the log. */
  fields: Record<string, AlertFieldValue>;
  /**
   * Extra top-level keys of both webhook bodies (e.g. the `breaches` array of a
   * /run_performance_monitoring/ alert, which docs/metrics.md promises to receivers).
   */
  extra?: Record<string, unknown>;
}

/** One channel's answer to one notification, as logged (the URL's host only: a Slack URL's path is its token). */
export interface ChannelDelivery {
  notification: number;
  channel: AlertChannel;
  host: string;
  delivered: boolean;
  /** The receiver's last HTTP status (null: no answer — network error or timeout). */
  http_status: number | null;
  attempts: number;
  /** Why not delivered, in words (never the URL, never the body). */
  error: string | null;
  at: string;
  /** Set when this notification went out inside a digest alert: that alert's id (the POST was the digest's). */
  digest_id?: string;
  /** The receiver's Retry-After (429/503) in milliseconds, at most 30 minutes: the next try of this channel waited at least that long. */
  retry_after_ms?: number;
}

/** A row of the delivery log (GET /monitoring/alerts). Times are ISO-8601 UTC. */
export interface AlertLogItem {
  id: string;
  kind: AlertKind;
  dedupe_key: string;
  ticket_id: string | null;
  metric: string | null;
  title: string;
  status: AlertStatus;
  /** HTTP attempts over every notification (channels are tried in parallel: the most any channel needed). */
  attempts: number;
  /** Notifications that reached people (1, then 1 per re-notification while the condition lasts). */
  notifications: number;
  /** The latest per-channel results, oldest first. */
  deliveries: ChannelDelivery[];
  created_at: string;
  last_attempt_at: string | null;
  /** The first time a channel answered 2xx. */
  delivered_at: string | null;
  /** The next send (re-notification or retry); null when none is planned. */
  renotify_at: string | null;
  resolved_at: string | null;
  /** The digest alert through which this alert last reached people (status `digested`); null otherwise. */
  digest_id: string | null;
  fields: Record<string, AlertFieldValue>;
}

export interface RaiseResult {
  /** true for the one caller whose insert won (and who delivered). */
  created: boolean;
  alert: AlertLogItem;
}

export interface RaiseManyResult {
  /** Alerts whose insert won (the others were raised before, by anyone: skipped). */
  created: number;
  /** Created alerts whose own message reached people. */
  delivered_individually: number;
  /** Created alerts that reached people inside the digest (0 when it was not delivered). */
  digested: number;
  /** The digest alert, when more than ALERT_MAX_PER_CHECK alerts were created. */
  digest?: AlertLogItem;
}

export interface SweepResult {
  /** Reminders sent for delivered alerts whose condition lasts (in a message of their own or in a digest), a failed reminder's retries included. */
  renotified: number;
  /**
   * Alerts whose notification was sent again: never delivered yet (failed, interrupted, raised
   * while no channel was set), or delivered to one channel and sent again to the one that missed it.
   */
  retried: number;
  /** Of the renotified and retried alerts, those that went out inside a digest that reached people. */
  digested: number;
  /** Alerts whose key is no longer active: no more notifications. */
  resolved: number;
  /** Sent-once alerts (metrics, digest) whose sender died mid-send, now marked failed. */
  interrupted: number;
}

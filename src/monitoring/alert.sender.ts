import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AlertDispatcher } from '../alerts/alert.dispatcher.js';
import { deliverySummary } from '../alerts/alert-log.js';
import type { AlertFieldValue, AlertRequest } from '../alerts/alerts.types.js';
import { rootMessage } from '../database/database-errors.js';
import type { Breach } from './sla.js';

export interface AlertOutcome {
  delivered: boolean;
  /** Why not delivered (or where it went), for the report. */
  detail: string;
}

/**
 * The alert of one /run_performance_monitoring/ request: a `metrics` alert with a key of its own
 * (each request is its own report, never a repeat), the breaches as fields, and the `breaches`
 * array in both bodies for receivers that read it (docs/metrics.md).
 */
export function metricsAlert(breaches: Breach[], requestId: string = randomUUID()): AlertRequest {
  const fields: Record<string, AlertFieldValue> = { breaches: breaches.length };
  for (const b of breaches) {
    fields[b.metric_name] = b.value;
    fields[`${b.metric_name}_target`] = b.target;
  }
  return {
    dedupeKey: `metrics:${requestId}`,
    kind: 'metrics',
    title: `SLA breach: ${breaches.length} metric${breaches.length === 1 ? '' : 's'} off target`,
    lines: breaches.map((b) => `• ${b.metric_name} = ${b.value} (${b.direction === 'above' ? 'above' : 'below'} target ${b.target})`),
    fields,
    extra: { breaches },
  };
}

/**
 * Sends the SLA alert of a /run_performance_monitoring/ request through the AlertDispatcher, so
 * it is signed, retried and listed in GET /monitoring/alerts like every other alert. `delivered`
 * is true only when at least one channel answered 2xx.
 */
@Injectable()
export class AlertSender {
  private readonly logger = new Logger('Alerts');

  constructor(private readonly dispatcher: AlertDispatcher) {}

  async send(breaches: Breach[]): Promise<AlertOutcome> {
    const alert = metricsAlert(breaches);
    let logged;
    try {
      logged = await this.dispatcher.raise(alert);
    } catch (err) {
      // The log could not take it (database down): the report's alert still goes out, unlogged.
      this.logger.warn(`SLA alert not logged: ${rootMessage(err)}; delivering it without the log`);
      const results = await this.dispatcher.deliverUnlogged(alert);
      const at = new Date().toISOString();
      const summary = deliverySummary({ status: results.length ? 'failed' : 'not_configured', notifications: 0, deliveries: results.map((r) => ({ ...r, notification: 1, at })) });
      return { delivered: summary.delivered, detail: `${summary.detail} (not in the alert log: it is unavailable)` };
    }
    const summary = deliverySummary(logged.alert);
    if (!summary.delivered && logged.alert.status !== 'not_configured') this.logger.warn(`SLA alert not delivered: ${summary.detail}`);
    return summary;
  }
}

import { Injectable, Logger } from '@nestjs/common';
import pRetry, { AbortError } from 'p-retry';
import { AppConfig } from '../config/configuration.js';
import type { Breach } from './sla.js';

export interface AlertOutcome {
  delivered: boolean;
  /** Why not delivered (or where it went), for the report. */
  detail: string;
}

/** Slack-compatible body (`text` + `blocks`); generic receivers can read `breaches`. */
export function alertBody(breaches: Breach[]) {
  const lines = breaches.map(
    (b) => `• ${b.metric_name} = ${b.value} (${b.direction === 'above' ? 'above' : 'below'} target ${b.target})`,
  );
  const text = `:rotating_light: SLA breach: ${breaches.length} metric${breaches.length === 1 ? '' : 's'} off target\n${lines.join('\n')}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }], breaches };
}

/**
 * Delivers SLA alerts to ALERT_WEBHOOK_URL. `delivered` is true only when the receiver
 * answered 2xx; network errors, 429 and 5xx are retried with backoff (p-retry), 4xx are not.
 */
@Injectable()
export class AlertSender {
  private readonly logger = new Logger('Alerts');

  constructor(private readonly config: AppConfig) {}

  async send(breaches: Breach[]): Promise<AlertOutcome> {
    const url = this.config.env.ALERT_WEBHOOK_URL;
    if (!url) return { delivered: false, detail: 'no alert channel is configured (set ALERT_WEBHOOK_URL)' };
    const body = JSON.stringify(alertBody(breaches));
    try {
      const status = await pRetry(
        async () => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(this.config.env.ALERT_TIMEOUT_MS),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.status === 429 || res.status >= 500) throw new Error(`webhook answered ${res.status}`);
          if (!res.ok) throw new AbortError(`webhook answered ${res.status}`);
          return res.status;
        },
        { retries: this.config.env.ALERT_RETRIES, minTimeout: 200, maxTimeout: 2_000, randomize: true },
      );
      return { delivered: true, detail: `delivered to the alert webhook (HTTP ${status})` };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn(`SLA alert not delivered: ${message}`);
      return { delivered: false, detail: `delivery to the alert webhook failed (${message})` };
    }
  }
}

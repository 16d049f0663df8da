import { Injectable } from '@nestjs/common';
import pRetry, { AbortError } from 'p-retry';
import { AppConfig } from '../config/configuration.js';
import type { ChannelResult } from './alert-log.js';
import { alertHeaders, describeFetchError, genericAlertBody, slackAlertBody, urlHost, type OutgoingAlert } from './alert-messages.js';
import type { AlertChannel } from './alerts.types.js';

const BODIES: Record<AlertChannel, (alert: OutgoingAlert, sentAt: Date) => object> = { slack: slackAlertBody, generic: genericAlertBody };

/**
 * Posts one notification to every configured channel at once: ALERT_WEBHOOK_URL (Slack-compatible)
 * and ALERT_GENERIC_WEBHOOK_URL (the structured alert), signed when ALERT_WEBHOOK_SECRET is set.
 * Network errors, timeouts, 429 and 5xx are retried with backoff (ALERT_RETRIES times,
 * ALERT_TIMEOUT_MS per attempt); another 4xx is final. Never throws.
 */
@Injectable()
export class AlertWebhooks {
  constructor(private readonly config: AppConfig) {}

  channels(): { channel: AlertChannel; url: string }[] {
    const { ALERT_WEBHOOK_URL: slack, ALERT_GENERIC_WEBHOOK_URL: generic } = this.config.env;
    return [...(slack ? [{ channel: 'slack' as const, url: slack }] : []), ...(generic ? [{ channel: 'generic' as const, url: generic }] : [])];
  }

  get configured(): boolean {
    return this.channels().length > 0;
  }

  /** One result per configured channel (none when no channel is configured). */
  deliver(alert: OutgoingAlert, sentAt = new Date()): Promise<ChannelResult[]> {
    return Promise.all(
      this.channels().map(async ({ channel, url }) => {
        const body = JSON.stringify(BODIES[channel](alert, sentAt));
        const result = await this.post(url, body, alertHeaders(alert, body, this.config.env.ALERT_WEBHOOK_SECRET, sentAt));
        return { channel, host: urlHost(url), ...result };
      }),
    );
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<Omit<ChannelResult, 'channel' | 'host'>> {
    const timeout = this.config.env.ALERT_TIMEOUT_MS;
    let attempts = 0;
    let lastStatus: number | null = null;
    try {
      const status = await pRetry(
        async () => {
          attempts++;
          lastStatus = null;
          let res: Response;
          try {
            res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeout), redirect: 'error' });
          } catch (err) {
            // Our own error: p-retry retries it whatever realm fetch's errors come from, and it is worded without the URL.
            throw new Error(describeFetchError(err, timeout), { cause: err });
          }
          await res.arrayBuffer().catch(() => undefined);
          lastStatus = res.status;
          if (res.status === 429 || res.status >= 500) throw new Error(`webhook answered ${res.status}`);
          if (!res.ok) throw new AbortError(`webhook answered ${res.status}`);
          return res.status;
        },
        { retries: this.config.env.ALERT_RETRIES, minTimeout: 200, maxTimeout: 2_000, randomize: true },
      );
      return { delivered: true, attempts, http_status: status, error: null };
    } catch (err) {
      return { delivered: false, attempts, http_status: lastStatus, error: err instanceof Error ? err.message : 'delivery failed' };
    }
  }
}

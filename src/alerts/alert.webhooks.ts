import { Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import pRetry, { AbortError } from 'p-retry';
import { AppConfig } from '../config/configuration.js';
import { RETRY_MAX_MS, type ChannelResult } from './alert-log.js';
import { alertHeaders, describeFetchError, genericAlertBody, retryAfterMs, slackAlertBody, urlHost, type OutgoingAlert } from './alert-messages.js';
import type { AlertChannel } from './alerts.types.js';

const BODIES: Record<AlertChannel, (alert: OutgoingAlert, sentAt: Date) => object> = { slack: slackAlertBody, generic: genericAlertBody };
/** Backoff between the tries of one POST; a Retry-After longer than the longest wait ends the POST (the sweep tries later). */
export const POST_BACKOFF = { minTimeout: 200, maxTimeout: 2_000 } as const;

/**
 * Posts one notification to the configured channels at once (all, or those named):
 * ALERT_WEBHOOK_URL (Slack-compatible) and ALERT_GENERIC_WEBHOOK_URL (the structured alert),
 * signed when ALERT_WEBHOOK_SECRET is set. Network errors, timeouts, 429 and 5xx are retried with
 * backoff (ALERT_RETRIES times, ALERT_TIMEOUT_MS per attempt); another 4xx is final. A 429/503
 * with Retry-After is waited out when it is short (at most POST_BACKOFF.maxTimeout) and otherwise
 * ends the POST, its delay in the result (`retry_after_ms`) for the next try. Never throws.
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

  /** One result per configured channel (none when no channel is configured), or per one of `only`. */
  deliver(alert: OutgoingAlert, sentAt = new Date(), only?: readonly AlertChannel[]): Promise<ChannelResult[]> {
    return Promise.all(
      this.channels()
        .filter(({ channel }) => !only || only.includes(channel))
        .map(async ({ channel, url }) => {
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
    let retryAfter: number | undefined;
    try {
      const status = await pRetry(
        async () => {
          attempts++;
          lastStatus = null;
          retryAfter = undefined;
          let res: Response;
          try {
            res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeout), redirect: 'error' });
          } catch (err) {
            // Our own error: p-retry retries it whatever realm fetch's errors come from, and it is worded without the URL.
            throw new Error(describeFetchError(err, timeout), { cause: err });
          }
          await res.arrayBuffer().catch(() => undefined);
          lastStatus = res.status;
          if (res.status === 429 || res.status === 503) retryAfter = retryAfterMs(res.headers.get('retry-after'), new Date(), RETRY_MAX_MS);
          // Asked to come back later than this POST would: no more tries now (the sweep's next one waits for it).
          if (retryAfter !== undefined && retryAfter > POST_BACKOFF.maxTimeout) throw new AbortError(`webhook answered ${res.status}`);
          if (res.status === 429 || res.status >= 500) throw new Error(`webhook answered ${res.status}`);
          if (!res.ok) throw new AbortError(`webhook answered ${res.status}`);
          return res.status;
        },
        {
          retries: this.config.env.ALERT_RETRIES,
          ...POST_BACKOFF,
          randomize: true,
          // A short Retry-After is waited out before the backoff (so the next try is never early).
          onFailedAttempt: async ({ retriesLeft }) => {
            if (retryAfter && retriesLeft > 0) await sleep(retryAfter);
          },
        },
      );
      return { delivered: true, attempts, http_status: status, error: null };
    } catch (err) {
      const failed = { delivered: false, attempts, http_status: lastStatus, error: err instanceof Error ? err.message : 'delivery failed' };
      return retryAfter === undefined ? failed : { ...failed, retry_after_ms: retryAfter };
    }
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/configuration.js';
import { rootMessage } from '../database/database-errors.js';
import { afterRound, deliveryLeaseMs, isRecurring, outgoing, payloadOf, planSweep, toAlertLogItem, type AlertRow, type ChannelResult } from './alert-log.js';
import type { OutgoingAlert } from './alert-messages.js';
import { AlertWebhooks } from './alert.webhooks.js';
import { ALERT_KINDS, type AlertRequest, type RaiseResult, type SweepResult } from './alerts.types.js';
import { AlertsRepository } from './alerts.repository.js';

/** Alerts sent at once by one sweep (each may wait for its receivers' retries). */
const SWEEP_CONCURRENCY = 4;

/**
 * Raises alerts once across every instance and keeps people told while the condition lasts.
 * The row is inserted first (ON CONFLICT (dedupe_key) DO NOTHING): only the caller whose insert
 * won delivers. A delivery holds the row with a lease (renotify_at moved past the longest a
 * delivery can take), so a sender that dies is replaced by the next sweep, never doubled.
 */
@Injectable()
export class AlertDispatcher {
  private readonly logger = new Logger('Alerts');

  constructor(
    private readonly alerts: AlertsRepository,
    private readonly webhooks: AlertWebhooks,
    private readonly config: AppConfig,
  ) {}

  async raise(alert: AlertRequest, now = new Date()): Promise<RaiseResult> {
    if (!alert.dedupeKey || !alert.title) throw new Error('an alert needs a dedupeKey and a title');
    if (!ALERT_KINDS.includes(alert.kind)) throw new Error(`unknown alert kind "${String(alert.kind)}"`);
    const row = await this.alerts.insert({
      id: randomUUID(),
      dedupeKey: alert.dedupeKey,
      kind: alert.kind,
      ticketId: alert.ticketId ?? null,
      metric: alert.metric ?? null,
      payload: payloadOf(alert) as unknown as Record<string, unknown>,
      status: 'pending',
      // Set here, not by the database's now(): the log's cursor and the tests' clock are this one.
      createdAt: now,
      lastAttemptAt: now,
      // The sender's lease: should this process die mid-delivery, a sweep sends it after this.
      renotifyAt: isRecurring(alert.kind) ? new Date(now.getTime() + this.leaseMs) : null,
    });
    if (!row) {
      const existing = await this.alerts.byDedupeKey(alert.dedupeKey);
      if (!existing) throw new Error(`alert "${alert.dedupeKey}" was neither inserted nor found`);
      return { created: false, alert: toAlertLogItem(existing) };
    }
    return { created: true, alert: toAlertLogItem(await this.send(row, now)) };
  }

  async sweep(activeKeys: ReadonlySet<string>, now = new Date()): Promise<SweepResult> {
    const plan = planSweep(await this.alerts.sweepCandidates(), activeKeys, now, this.webhooks.configured);
    const resolved = await this.alerts.resolve(plan.resolve, now);
    let renotified = 0;
    let retried = 0;
    const queue = [...plan.due];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          const claimed = await this.alerts.claim(id, now, new Date(now.getTime() + this.leaseMs));
          if (!claimed) continue; // another instance took it, or it was resolved meanwhile
          if (claimed.notifications > 0) renotified++;
          else retried++;
          await this.send(claimed, now);
        } catch (err) {
          // The claim's lease runs out and a later sweep sends it (same Idempotency-Key).
          this.logger.warn(`Alert ${id}: sweep could not send it: ${rootMessage(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, queue.length) }, worker));
    return { renotified, retried, resolved };
  }

  /**
   * Delivers an alert that could not be logged (the database is down) to the configured channels,
   * so an ad-hoc report's alert still reaches people. Not for breach/at_risk alerts: without the
   * log's row nothing stops every instance sending them.
   */
  async deliverUnlogged(alert: AlertRequest, now = new Date()): Promise<ChannelResult[]> {
    const message: OutgoingAlert = {
      id: randomUUID(),
      kind: alert.kind,
      dedupe_key: alert.dedupeKey,
      ticket_id: alert.ticketId ?? null,
      metric: alert.metric ?? null,
      title: alert.title,
      lines: alert.lines,
      fields: alert.fields,
      ...(alert.extra ? { extra: alert.extra } : {}),
      notification: 1,
      created_at: now.toISOString(),
    };
    return this.webhooks.deliver(message);
  }

  private get leaseMs(): number {
    return deliveryLeaseMs(this.config.env);
  }

  /** Sends the row's next notification and records what happened; never throws for a receiver's failure. */
  private async send(row: AlertRow, now: Date): Promise<AlertRow> {
    const notification = row.notifications + 1;
    const results = await this.webhooks.deliver(outgoing(row, notification));
    const update = afterRound(row, notification, results, now, this.config.env.ALERT_RENOTIFY_MINUTES * 60_000);
    this.logRound(row, notification, results);
    const inMemory: AlertRow = { ...row, ...update, deliveries: update.deliveries as unknown as AlertRow['deliveries'] };
    try {
      return (await this.alerts.record(row.id, update)) ?? inMemory;
    } catch (err) {
      // Delivered (or not) all the same: the caller learns what happened; the row keeps its lease,
      // so a sweep sends a breach/at_risk alert again later with the same Idempotency-Key.
      this.logger.error(`Alert ${row.id}: delivery not recorded: ${rootMessage(err)}`);
      return inMemory;
    }
  }

  private logRound(row: AlertRow, notification: number, results: ChannelResult[]): void {
    if (results.length === 0) return;
    const what = `Alert ${row.id} (${row.kind}${row.ticketId ? ` ${row.ticketId}` : ''}) notification ${notification}`;
    const words = results.map((r) => `${r.channel} ${r.delivered ? `HTTP ${r.http_status}` : r.error} after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`).join(', ');
    if (results.some((r) => r.delivered)) this.logger.log(`${what} delivered: ${words}`);
    else this.logger.warn(`${what} not delivered: ${words}`);
  }
}

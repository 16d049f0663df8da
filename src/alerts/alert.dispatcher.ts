import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/configuration.js';
import { rootMessage } from '../database/database-errors.js';
import { buildDigest, digestEntryOf, groupUpdates } from './alert-digest.js';
import { afterRound, deliveryLeaseMs, isRecurring, outgoing, payloadOf, planSweep, toAlertLogItem, type AlertRow, type ChannelResult, type RoundUpdate } from './alert-log.js';
import type { OutgoingAlert } from './alert-messages.js';
import { AlertWebhooks } from './alert.webhooks.js';
import { ALERT_KINDS, type AlertLogItem, type AlertRequest, type RaiseManyResult, type RaiseResult, type SweepResult } from './alerts.types.js';
import { AlertsRepository, type NewAlertRow } from './alerts.repository.js';

/** Alerts sent side by side (each may wait for its receivers' retries). */
const SEND_CONCURRENCY = 4;

function validate(alert: AlertRequest): void {
  if (!alert.dedupeKey || !alert.title) throw new Error('an alert needs a dedupeKey and a title');
  if (!ALERT_KINDS.includes(alert.kind)) throw new Error(`unknown alert kind "${String(alert.kind)}"`);
}

/**
 * Raises alerts once across every instance and keeps people told while the condition lasts.
 * The row is inserted first (ON CONFLICT (dedupe_key) DO NOTHING): only the caller whose insert
 * won delivers. A delivery holds the row with a lease (renotify_at moved past the longest a
 * delivery can take), so a sender that dies is replaced by the next sweep, never doubled.
 * A check sends at most ALERT_MAX_PER_CHECK alerts on their own, new ones and due ones alike;
 * a digest alert stands for the rest (docs/sla.md, "Alerts").
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
    validate(alert);
    const row = await this.alerts.insert(this.newRow(alert, now, this.leaseMs));
    if (!row) {
      const existing = await this.alerts.byDedupeKey(alert.dedupeKey);
      if (!existing) throw new Error(`alert "${alert.dedupeKey}" was neither inserted nor found`);
      return { created: false, alert: toAlertLogItem(existing) };
    }
    return { created: true, alert: toAlertLogItem((await this.send(row, now)).row) };
  }

  /**
   * Raises a check's alerts (the most urgent first) without a storm: every one is logged (and
   * de-duplicated) as `raise` does; of the ones this call created, the first ALERT_MAX_PER_CHECK
   * are sent on their own and the rest in ONE digest alert. Should the digest reach nobody, the
   * alerts it covered are `failed` with their own retry (the sweep sends them later), never lost.
   * A breach/at_risk key raised before whose alert was resolved is re-opened and due at once: the
   * sweep that follows sends it (a reminder), so a condition that comes back is told again.
   */
  async raiseMany(alerts: AlertRequest[], now = new Date()): Promise<RaiseManyResult> {
    alerts.forEach(validate);
    const max = this.config.env.ALERT_MAX_PER_CHECK;
    const keys = new Set<string>();
    const unique = alerts.filter((a) => !keys.has(a.dedupeKey) && keys.add(a.dedupeKey)); // the first of a key wins
    // The covered alerts wait for the individual sends before the digest goes out: their lease covers both.
    const lease = this.batchLeaseMs(Math.min(unique.length, max));
    const inserted = new Map((await this.alerts.insertMany(unique.map((a) => this.newRow(a, now, lease)))).map((r) => [r.dedupeKey, r]));
    const rows = unique.flatMap((a) => inserted.get(a.dedupeKey) ?? []);
    // A key raised before whose alert was resolved is open again: the sweep after this call sends it.
    const again = unique.filter((a) => isRecurring(a.kind) && !inserted.has(a.dedupeKey)).map((a) => a.dedupeKey);
    const reopened = again.length ? await this.alerts.reopen(again, now) : 0;
    if (reopened) this.logger.log(`${reopened} resolved alert${reopened === 1 ? ' is' : 's are'} open again: the sweep sends them as reminders`);
    // With no channel there is nothing to send a digest to: each is logged not_configured, for the sweep to send later.
    const split = this.webhooks.configured ? max : rows.length;
    const own = await this.sendEach(rows.slice(0, split), now);
    const result: RaiseManyResult = { created: rows.length, delivered_individually: own.filter((r) => r.status === 'delivered').length, digested: 0 };
    const covered = rows.slice(split);
    if (covered.length === 0) return result;
    const digest = await this.sendDigest(covered, now, split, false);
    return { ...result, digested: digest?.status === 'delivered' ? covered.length : 0, ...(digest ? { digest } : {}) };
  }

  /**
   * Resolves the alerts whose key is no longer active, then sends the due ones (reminders and
   * retries) in `activeKeys`' order under the same cap as raiseMany: the first
   * ALERT_MAX_PER_CHECK on their own, the rest in one digest. Also marks sent-once alerts whose
   * sender died mid-send as failed.
   */
  async sweep(activeKeys: ReadonlySet<string>, now = new Date()): Promise<SweepResult> {
    const plan = planSweep(await this.alerts.sweepCandidates(), activeKeys, now, this.webhooks.configured);
    const resolved = await this.alerts.resolve(plan.resolve, now);
    const interrupted = await this.alerts.failInterrupted(new Date(now.getTime() - this.leaseMs));
    const result: SweepResult = { renotified: 0, retried: 0, digested: 0, resolved, interrupted };
    if (plan.due.length === 0) return result;
    const max = this.config.env.ALERT_MAX_PER_CHECK;
    // One claim for every due row (another instance gets none of them), with a lease that lasts
    // until the digest has gone out after the individual sends.
    const claimed = new Map((await this.alerts.claimMany(plan.due, now, new Date(now.getTime() + this.batchLeaseMs(Math.min(plan.due.length, max))))).map((r) => [r.id, r]));
    const rows = plan.due.flatMap((id) => claimed.get(id) ?? []);
    for (const r of rows) {
      if (r.notifications > 0) result.renotified++;
      else result.retried++;
    }
    await this.sendEach(rows.slice(0, max), now);
    const covered = rows.slice(max);
    if (covered.length === 0) return result;
    const digest = await this.sendDigest(covered, now, max, true);
    return { ...result, digested: digest?.status === 'delivered' ? covered.length : 0 };
  }

  /**
   * Deletes log rows raised before `before` that are resolved or were sent once (metrics,
   * digest); unresolved breach/at_risk alerts stay. Housekeeping: a failure is logged, not
   * thrown (the check that calls it still stores its snapshot). How many were deleted.
   */
  async prune(before: Date): Promise<number> {
    try {
      const deleted = await this.alerts.prune(before);
      if (deleted) this.logger.log(`Alert log: ${deleted} alerts raised before ${before.toISOString()} deleted`);
      return deleted;
    } catch (err) {
      this.logger.warn(`Alert log not pruned: ${rootMessage(err)}`);
      return 0;
    }
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

  /** A lease for alerts sent after `individually` others at SEND_CONCURRENCY (a digest's covered alerts). */
  private batchLeaseMs(individually: number): number {
    return this.leaseMs * (1 + Math.ceil(individually / SEND_CONCURRENCY));
  }

  private newRow(alert: AlertRequest, now: Date, leaseMs: number): NewAlertRow {
    return {
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
      renotifyAt: isRecurring(alert.kind) ? new Date(now.getTime() + leaseMs) : null,
    };
  }

  /** Sends each row on its own, SEND_CONCURRENCY at a time, in order; the rows as recorded (one that threw is left out: its lease brings it back). */
  private async sendEach(rows: readonly AlertRow[], now: Date): Promise<AlertRow[]> {
    const sent: AlertRow[] = [];
    const queue = [...rows];
    const worker = async () => {
      for (let row = queue.shift(); row !== undefined; row = queue.shift()) {
        try {
          sent.push((await this.send(row, now)).row);
        } catch (err) {
          // The lease runs out and a later sweep sends it (same Idempotency-Key).
          this.logger.warn(`Alert ${row.id}: could not send it: ${rootMessage(err)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SEND_CONCURRENCY, queue.length) }, worker));
    return sent;
  }

  /**
   * Logs and sends one digest alert standing for `covered`, then records the digest's outcome on
   * each covered row as that row's notification: `digested` (with the digest's id in its
   * deliveries) when a channel took it; otherwise `failed`, or a failed reminder, with the row's
   * own retry backoff. Undefined when the digest could not even be logged: the covered rows keep
   * their lease, and a later sweep sends them.
   */
  private async sendDigest(covered: readonly AlertRow[], now: Date, individually: number, reminder: boolean): Promise<AlertLogItem | undefined> {
    const id = randomUUID();
    const request = buildDigest(covered.map(digestEntryOf), { id, now, individually, max: this.config.env.ALERT_MAX_PER_CHECK, reminder });
    let row: AlertRow | undefined;
    try {
      row = await this.alerts.insert({ ...this.newRow(request, now, 0), id });
      // The same instant's key taken (two calls at one `now`): this digest is another one all the same.
      row ??= await this.alerts.insert({ ...this.newRow({ ...request, dedupeKey: `${request.dedupeKey}:${id}` }, now, 0), id });
    } catch (err) {
      this.logger.error(`Digest of ${covered.length} alerts not logged: ${rootMessage(err)}; they are sent when their lease runs out`);
      return undefined;
    }
    if (!row) return undefined;
    const { row: sent, results } = await this.send(row, now);
    const renotifyMs = this.config.env.ALERT_RENOTIFY_MINUTES * 60_000;
    const updates = covered.map((c) => ({ id: c.id, update: afterRound(c, c.notifications + 1, results, now, renotifyMs, id) }));
    try {
      for (const group of groupUpdates<RoundUpdate>(updates)) await this.alerts.recordMany(group.ids, group.update);
    } catch (err) {
      // As in send(): the covered rows keep their lease and go out again later (never lost, possibly twice).
      this.logger.error(`Digest ${id}: its ${covered.length} alerts not recorded: ${rootMessage(err)}`);
    }
    if (sent.status !== 'delivered') this.logger.warn(`Digest ${id} reached nobody: its ${covered.length} alerts are retried on their own schedule`);
    return toAlertLogItem(sent);
  }

  /** Sends the row's next notification and records what happened; never throws for a receiver's failure. */
  private async send(row: AlertRow, now: Date): Promise<{ row: AlertRow; results: ChannelResult[] }> {
    const notification = row.notifications + 1;
    const results = await this.webhooks.deliver(outgoing(row, notification));
    const update = afterRound(row, notification, results, now, this.config.env.ALERT_RENOTIFY_MINUTES * 60_000);
    this.logRound(row, notification, results);
    const inMemory: AlertRow = { ...row, ...update, deliveries: update.deliveries as unknown as AlertRow['deliveries'] };
    try {
      return { row: (await this.alerts.record(row.id, update)) ?? inMemory, results };
    } catch (err) {
      // Delivered (or not) all the same: the caller learns what happened; the row keeps its lease,
      // so a sweep sends a breach/at_risk alert again later with the same Idempotency-Key.
      this.logger.error(`Alert ${row.id}: delivery not recorded: ${rootMessage(err)}`);
      return { row: inMemory, results };
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

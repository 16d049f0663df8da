import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/configuration.js';
import { rootMessage } from '../database/database-errors.js';
import { buildDigest, digestEntryOf, groupUpdates } from './alert-digest.js';
import {
  afterRound,
  deliveryLeaseMs,
  isRecurring,
  nextRound,
  outgoing,
  payloadOf,
  planSweep,
  reminderAt,
  toAlertLogItem,
  type AlertRow,
  type ChannelResult,
  type Round,
  type RoundUpdate,
} from './alert-log.js';
import type { OutgoingAlert } from './alert-messages.js';
import { AlertWebhooks } from './alert.webhooks.js';
import { ALERT_CHANNELS, ALERT_KINDS, type AlertChannel, type AlertLogItem, type AlertRequest, type RaiseManyResult, type RaiseResult, type SweepResult } from './alerts.types.js';
import { AlertsRepository, type NewAlertRow } from './alerts.repository.js';

/** Alerts sent side by side (each may wait for its receivers' retries). */
const SEND_CONCURRENCY = 4;

/** A claimed or new row and what to send it as. */
interface Send {
  row: AlertRow;
  round: Round;
}

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
    const channels = this.configuredChannels();
    const row = await this.alerts.insert(this.newRow(alert, now, this.leaseMs, channels.length > 0));
    if (!row) {
      const existing = await this.alerts.byDedupeKey(alert.dedupeKey);
      if (!existing) throw new Error(`alert "${alert.dedupeKey}" was neither inserted nor found`);
      return { created: false, alert: toAlertLogItem(existing) };
    }
    // No channel: the row was logged not_configured, nothing to send.
    if (channels.length === 0) return { created: true, alert: toAlertLogItem(row) };
    return { created: true, alert: toAlertLogItem((await this.send({ row, round: { notification: 1, channels } }, now)).row) };
  }

  /**
   * Raises a check's alerts (the most urgent first) without a storm: every one is logged (and
   * de-duplicated) as `raise` does; of the ones this call created, the first ALERT_MAX_PER_CHECK
   * are sent on their own and the rest in ONE digest alert. Should the digest reach nobody, the
   * alerts it covered are `failed` with their own retry (the sweep sends them later), never lost.
   * A breach/at_risk key raised before whose alert was resolved is re-opened and due at once: the
   * sweep that follows sends it (a reminder), so a condition that comes back is told again.
   * With no channel configured the new alerts are logged `not_configured` as they are inserted.
   */
  async raiseMany(alerts: AlertRequest[], now = new Date()): Promise<RaiseManyResult> {
    alerts.forEach(validate);
    const max = this.config.env.ALERT_MAX_PER_CHECK;
    const channels = this.configuredChannels();
    const keys = new Set<string>();
    const unique = alerts.filter((a) => !keys.has(a.dedupeKey) && keys.add(a.dedupeKey)); // the first of a key wins
    // A check reports every active alert, almost all raised by an earlier check: read which keys
    // exist (one indexed read) and insert only the others. The insert's ON CONFLICT still decides
    // between instances raising the same new key at once.
    const existing = await this.alerts.existing(unique.map((a) => a.dedupeKey));
    const fresh = unique.filter((a) => !existing.has(a.dedupeKey));
    // The covered alerts wait for the individual sends before the digest goes out: their lease covers both.
    const lease = this.batchLeaseMs(Math.min(fresh.length, max));
    const inserted = new Map((await this.alerts.insertMany(fresh.map((a) => this.newRow(a, now, lease, channels.length > 0)))).map((r) => [r.dedupeKey, r]));
    const rows = fresh.flatMap((a) => inserted.get(a.dedupeKey) ?? []);
    // A key raised before whose alert was resolved is open again: the sweep after this call sends it.
    const again = unique.filter((a) => existing.get(a.dedupeKey)?.resolved && isRecurring(existing.get(a.dedupeKey)!.kind)).map((a) => a.dedupeKey);
    const reopened = again.length ? await this.alerts.reopen(again, now) : 0;
    if (reopened) this.logger.log(`${reopened} resolved alert${reopened === 1 ? ' is' : 's are'} open again: the sweep sends them as reminders`);
    const result: RaiseManyResult = { created: rows.length, delivered_individually: 0, digested: 0 };
    // With no channel there is nothing to send (nor a digest to send to): the rows went in not_configured.
    if (channels.length === 0 || rows.length === 0) return result;
    const round: Round = { notification: 1, channels };
    const own = await this.sendEach(rows.slice(0, max).map((row) => ({ row, round })), now);
    result.delivered_individually = own.filter((r) => r.status === 'delivered').length;
    const covered = rows.slice(max);
    if (covered.length === 0) return result;
    const digest = await this.sendDigest(covered.map((row) => ({ row, round })), now, max, false);
    return { ...result, digested: digest?.status === 'delivered' ? covered.length : 0, ...(digest ? { digest } : {}) };
  }

  /**
   * Resolves the alerts whose key is no longer active, then sends the due ones in `activeKeys`'
   * order under the same cap as raiseMany: the first ALERT_MAX_PER_CHECK on their own, the rest
   * in one digest. Due: a reminder, a retry of a notification that reached nobody (for as long
   * as the key is active), or a notification some channel missed, sent to that channel alone
   * (`nextRound`). Also marks sent-once alerts whose sender died mid-send as failed.
   */
  async sweep(activeKeys: ReadonlySet<string>, now = new Date()): Promise<SweepResult> {
    const channels = this.configuredChannels();
    const plan = planSweep(await this.alerts.sweepCandidates(), activeKeys, now, channels.length > 0);
    const resolved = await this.alerts.resolve(plan.resolve, now);
    const interrupted = await this.alerts.failInterrupted(new Date(now.getTime() - this.leaseMs));
    const result: SweepResult = { renotified: 0, retried: 0, digested: 0, resolved, interrupted };
    if (plan.due.length === 0) return result;
    const max = this.config.env.ALERT_MAX_PER_CHECK;
    // One claim for every due row (another instance gets none of them), with a lease that lasts
    // until the digest has gone out after the individual sends.
    const claimed = new Map((await this.alerts.claimMany(plan.due, now, new Date(now.getTime() + this.batchLeaseMs(Math.min(plan.due.length, max))))).map((r) => [r.id, r]));
    const sends: Send[] = [];
    for (const row of plan.due.flatMap((id) => claimed.get(id) ?? [])) {
      const round = nextRound(row, channels, now, this.renotifyMs);
      if (round.channels.length === 0) {
        // Only channels no longer configured missed it: nothing to send before its reminder.
        await this.alerts.reschedule(row.id, reminderAt(row, now, this.renotifyMs)).catch((err: unknown) => this.logger.warn(`Alert ${row.id}: not rescheduled: ${rootMessage(err)}`));
        continue;
      }
      sends.push({ row, round });
      if (row.notifications > 0 && round.notification > row.notifications) result.renotified++;
      else result.retried++;
    }
    await this.sendEach(sends.slice(0, max), now);
    const covered = sends.slice(max);
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

  private get renotifyMs(): number {
    return this.config.env.ALERT_RENOTIFY_MINUTES * 60_000;
  }

  private configuredChannels(): AlertChannel[] {
    return this.webhooks.channels().map((c) => c.channel);
  }

  /** A lease for alerts sent after `individually` others at SEND_CONCURRENCY (a digest's covered alerts). */
  private batchLeaseMs(individually: number): number {
    return this.leaseMs * (1 + Math.ceil(individually / SEND_CONCURRENCY));
  }

  /** `sendable` false: no channel is configured, so the row goes in as sent to nowhere (not_configured) instead of being sent. */
  private newRow(alert: AlertRequest, now: Date, leaseMs: number, sendable = true): NewAlertRow {
    return {
      id: randomUUID(),
      dedupeKey: alert.dedupeKey,
      kind: alert.kind,
      ticketId: alert.ticketId ?? null,
      metric: alert.metric ?? null,
      payload: payloadOf(alert) as unknown as Record<string, unknown>,
      status: sendable ? 'pending' : 'not_configured',
      // Set here, not by the database's now(): the log's cursor and the tests' clock are this one.
      createdAt: now,
      lastAttemptAt: now,
      // The sender's lease: should this process die mid-delivery, a sweep sends it after this.
      // Not sendable: due at once, for the first sweep after a channel is configured.
      renotifyAt: isRecurring(alert.kind) ? new Date(now.getTime() + (sendable ? leaseMs : 0)) : null,
    };
  }

  /** Sends each row on its own, SEND_CONCURRENCY at a time, in order; the rows as recorded (one that threw is left out: its lease brings it back). */
  private async sendEach(sends: readonly Send[], now: Date): Promise<AlertRow[]> {
    const sent: AlertRow[] = [];
    const queue = [...sends];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        try {
          sent.push((await this.send(next, now)).row);
        } catch (err) {
          // The lease runs out and a later sweep sends it (same Idempotency-Key).
          this.logger.warn(`Alert ${next.row.id}: could not send it: ${rootMessage(err)}`);
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
   * own retry backoff. It goes to every channel one of them is due on (a channel that already has
   * an alert's notification may see it again inside the digest: one message, never one per
   * alert). Undefined when the digest could not even be logged: the covered rows keep their
   * lease, and a later sweep sends them.
   */
  private async sendDigest(covered: readonly Send[], now: Date, individually: number, reminder: boolean): Promise<AlertLogItem | undefined> {
    const id = randomUUID();
    const request = buildDigest(covered.map((c) => digestEntryOf(c.row)), { id, now, individually, max: this.config.env.ALERT_MAX_PER_CHECK, reminder });
    const channels = ALERT_CHANNELS.filter((ch) => covered.some((c) => c.round.channels.includes(ch)));
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
    const { row: sent, results } = await this.send({ row, round: { notification: 1, channels } }, now);
    const updates = covered.map((c) => ({ id: c.row.id, update: afterRound(c.row, c.round.notification, results, now, this.renotifyMs, id) }));
    try {
      for (const group of groupUpdates<RoundUpdate>(updates)) await this.alerts.recordMany(group.ids, group.update);
    } catch (err) {
      // As in send(): the covered rows keep their lease and go out again later (never lost, possibly twice).
      this.logger.error(`Digest ${id}: its ${covered.length} alerts not recorded: ${rootMessage(err)}`);
    }
    if (sent.status !== 'delivered') this.logger.warn(`Digest ${id} reached nobody: its ${covered.length} alerts are retried on their own schedule`);
    return toAlertLogItem(sent);
  }

  /** Sends the row's notification to the round's channels and records what happened; never throws for a receiver's failure. */
  private async send({ row, round }: Send, now: Date): Promise<{ row: AlertRow; results: ChannelResult[] }> {
    const { notification, channels } = round;
    const results = await this.webhooks.deliver(outgoing(row, notification), undefined, channels);
    const update = afterRound(row, notification, results, now, this.renotifyMs);
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

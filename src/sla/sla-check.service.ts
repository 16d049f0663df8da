import { randomUUID } from 'node:crypto';
import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AlertDispatcher } from '../alerts/alert.dispatcher.js';
import type { AlertRequest } from '../alerts/alerts.types.js';
import { AppConfig } from '../config/configuration.js';
import { HandoffService } from '../handoff/handoff.service.js';
import { Metrics } from '../metrics/metrics.js';
import { PRIORITIES } from '../triage/taxonomy.js';
import { atRiskOf, breachesOf, evaluateTicket, SlaStatsBuilder, type TicketEvaluation } from './sla-evaluation.js';
import type { Policy } from './sla-policy.js';
import { SlaPoliciesService } from './sla-policies.service.js';
import { SlaRepository } from './sla.repository.js';
import { alertForAtRisk, alertForBreach, atRiskKey, breachKey, METRIC_LABEL } from './sla-alerts.js';

export interface CheckResult {
  at: string;
  duration_ms: number;
  tickets: number;
  breaches_open: number;
  at_risk: number;
  alerts_raised: number;
  alerts_renotified: number;
  /** Alerts (new or due again) that reached people inside a digest instead of a message of their own. */
  alerts_digested: number;
  actions_taken: number;
}

const JOB = 'sla-check';
const HOUR = 3_600_000;

const time = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);
const rankOf = (a: AlertRequest) => (a.kind === 'breach' ? (a.fields.fulfilled_at ? 1 : 0) : a.kind === 'at_risk' ? 2 : 3);
/**
 * The most urgent first, since only the first ALERT_MAX_PER_CHECK go out on their own: open
 * breaches (most overdue first), breaches already answered late (nothing left to do), then
 * at-risk clocks (soonest due first).
 */
export function urgentFirst(a: AlertRequest, b: AlertRequest): number {
  const rank = rankOf(a) - rankOf(b);
  if (rank !== 0) return rank;
  const at = rankOf(a) === 2 ? 'due_at' : 'breached_at';
  return (time(a.fields[at]) || 0) - (time(b.fields[at]) || 0);
}

/** The check lost its lease (it outlasted it, or the renewal was refused): it stops. */
class LeaseLost extends Error {}

/** Statuses the check may escalate: with nobody of ours on them and no agent run in flight. */
const ESCALATABLE = new Set(['reopened', 'failed', 'pending further action']);

/**
 * The scheduled SLA check (docs/sla.md, "Scheduled checks"): every SLA_CHECK_INTERVAL_SECONDS
 * one instance (a lease in the database) evaluates every open ticket, and the ones solved in
 * the last day, against the policies; raises one alert per new breach and per at-risk clock
 * (the dispatcher de-duplicates across checks and instances), re-notifies breaches that last,
 * takes the policies' pre-breach actions once per clock cycle, and stores the hour's snapshot.
 */
@Injectable()
export class SlaCheckService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SlaCheck');
  private readonly holder = `${process.pid}-${randomUUID()}`;
  /** The check this process is running (scheduled or on demand): at most one. */
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: SlaRepository,
    private readonly policies: SlaPoliciesService,
    private readonly alerts: AlertDispatcher,
    private readonly handoff: HandoffService,
    private readonly scheduler: SchedulerRegistry,
    // sla_breaches_total / sla_open_breaches (docs/operations.md); optional for unit tests.
    @Optional() private readonly metrics?: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.env.SLA_CHECK_INTERVAL_SECONDS;
    if (seconds === 0) return;
    const timer = setInterval(() => void this.tick(), seconds * 1000);
    timer.unref();
    this.scheduler.addInterval(JOB, timer);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.scheduler.doesExist('interval', JOB)) this.scheduler.deleteInterval(JOB);
    await this.running?.catch(() => undefined);
  }

  /** A scheduled run: never two at once in this process; failures are logged, not thrown. */
  private async tick(): Promise<void> {
    if (this.running || this.stopping) return;
    try {
      await this.check();
    } catch (err) {
      this.logger.error(`SLA check failed: ${(err as Error).message}`);
    }
  }

  /**
   * One check now (also `POST /monitoring/checks`). Skipped while another check holds the lease —
   * another instance's, or this process's own: the lease is per process (its holder renews it), so
   * a second check here is refused before it could take the lease its sibling holds.
   */
  check(nowDate = new Date()): Promise<CheckResult | { skipped: string }> {
    if (this.running) return Promise.resolve({ skipped: 'a check is running in this instance' });
    const work = this.leased(nowDate).finally(() => {
      this.running = undefined;
    });
    this.running = work;
    return work;
  }

  /**
   * Runs a check under the lease, renewing it while it runs (a timer, and at every page) so a
   * long check keeps it; one that still lost it (stalled past its lease, another instance took
   * over) stops at the next page instead of acting alongside the new holder.
   */
  private async leased(nowDate: Date): Promise<CheckResult | { skipped: string }> {
    const leaseMs = 2 * Math.max(this.config.env.SLA_CHECK_INTERVAL_SECONDS * 1000, 60_000);
    const take = () => this.repository.acquireLease(JOB, this.holder, leaseMs);
    if (!(await take())) return { skipped: 'another instance is running a check' };
    let lost = false;
    const keep = async () => {
      lost ||= !(await take());
      if (lost) throw new LeaseLost();
    };
    let beat: Promise<unknown> = Promise.resolve();
    const heartbeat = setInterval(() => {
      beat = take().then(
        (ok) => (lost ||= !ok),
        () => undefined, // the database is down: the next keep() (or the check itself) fails
      );
    }, leaseMs / 4);
    heartbeat.unref();
    try {
      return await this.run(nowDate, keep);
    } catch (err) {
      if (!(err instanceof LeaseLost)) throw err;
      this.logger.warn('SLA check stopped: it outlasted its lease and another instance took the check over');
      return { skipped: 'this check outlasted its lease and another instance took over' };
    } finally {
      clearInterval(heartbeat);
      await beat; // a renewal still in flight would otherwise take the lease again after the release
      if (!lost) await this.repository.releaseLease(JOB, this.holder);
    }
  }

  private async run(nowDate: Date, keep: () => Promise<void>): Promise<CheckResult> {
    const started = performance.now();
    const now = nowDate.getTime();
    const withinMs = this.config.env.SLA_AT_RISK_MINUTES * 60_000;
    const { set } = await this.policies.current();
    const previous = await this.repository.latestSnapshot();
    // The first check reaches back one interval only: history is not alerted after the fact.
    const intervalMs = Math.max(this.config.env.SLA_CHECK_INTERVAL_SECONDS * 1000, 60_000);
    const lastCheck = previous ? previous.takenAt.getTime() : now - intervalMs;
    const stats = new SlaStatsBuilder(now, withinMs);
    const active = new Set<string>();
    const raise: AlertRequest[] = [];
    let tickets = 0;
    let breachesOpen = 0;
    let atRisk = 0;
    let actions = 0;
    // Breaches that began since the previous check (counted once, by whichever instance checks).
    const fresh: { metric: string; priority: string }[] = [];
    const isNew = (breachedAt: string | null) => breachedAt !== null && Date.parse(breachedAt) > lastCheck;

    for await (const page of this.repository.tickets(new Date(now - 24 * HOUR))) {
      await keep(); // still ours before acting on this page (pre-breach actions)
      for (const { row, events } of page) {
        tickets++;
        const e = evaluateTicket(row, events, set, now);
        stats.add(e);
        for (const b of breachesOf(e, now)) {
          breachesOpen++;
          const clock = e.view.metrics.find((m) => m.metric === b.metric)!;
          if (isNew(clock.breached_at)) fresh.push({ metric: clock.metric, priority: e.view.priority ?? 'none' });
          const key = breachKey(row.id, b.metric, clock.cycle_started_at!);
          active.add(key);
          raise.push(alertForBreach(e.view, clock, key));
        }
        // A breach that began and ended between two checks (answered late) is reported once too.
        for (const clock of e.view.metrics) {
          if (clock.state === 'fulfilled' && clock.breached && Date.parse(clock.breached_at!) > lastCheck) {
            fresh.push({ metric: clock.metric, priority: e.view.priority ?? 'none' });
            raise.push(alertForBreach(e.view, clock, breachKey(row.id, clock.metric, clock.cycle_started_at!)));
          }
        }
        for (const r of atRiskOf(e, now, withinMs)) {
          atRisk++;
          const clock = e.view.metrics.find((m) => m.metric === r.metric)!;
          const key = atRiskKey(row.id, r.metric, clock.cycle_started_at!);
          active.add(key);
          raise.push(alertForAtRisk(e.view, clock, r, key));
        }
        if (e.policy?.actions.length) actions += await this.preBreachActions(e, e.policy);
      }
    }

    // At most ALERT_MAX_PER_CHECK alerts on their own, the most urgent; one digest for the rest.
    await keep();
    const urgent = [...raise].sort(urgentFirst);
    const raisedMany = await this.alerts.raiseMany(urgent, nowDate);
    const raised = raisedMany.created;
    // The sweep's reminders follow the same order (it sends due keys in the set's order).
    const sweep = await this.alerts.sweep(new Set([...urgent.map((a) => a.dedupeKey).filter((k) => active.has(k)), ...active]), nowDate);
    await this.alerts.prune(new Date(now - this.config.env.ALERT_LOG_RETENTION_DAYS * 24 * HOUR));

    const result: CheckResult = {
      at: nowDate.toISOString(),
      duration_ms: Math.round(performance.now() - started),
      tickets,
      breaches_open: breachesOpen,
      at_risk: atRisk,
      alerts_raised: raised,
      alerts_renotified: sweep.renotified,
      alerts_digested: raisedMany.digested + sweep.digested,
      actions_taken: actions,
    };
    for (const b of fresh) this.metrics?.slaBreaches.inc(b);
    this.metrics?.slaOpenBreaches.set(breachesOpen);
    await keep();
    const bucket = new Date(Math.floor(now / HOUR) * HOUR);
    await this.repository.saveSnapshot(bucket, nowDate, { ...stats.finish(), at_risk_minutes: this.config.env.SLA_AT_RISK_MINUTES, check: result });
    await this.repository.pruneSnapshots(new Date(now - this.config.env.SLA_SNAPSHOT_RETENTION_DAYS * 24 * HOUR));
    if (raised || actions) this.logger.log(`SLA check: ${tickets} tickets, ${breachesOpen} open breaches, ${atRisk} at risk, ${raised} alerts raised, ${actions} actions`);
    return result;
  }

  /**
   * The policy's actions whose moment has come (a running clock within `before` of its target,
   * counted like the target), each once per ticket, metric and clock cycle, recorded as events.
   */
  private async preBreachActions(e: TicketEvaluation, policy: Policy): Promise<number> {
    let taken = 0;
    const v = e.view;
    for (const action of policy.actions) {
      for (const clock of v.metrics) {
        if (action.metric !== 'any' && action.metric !== clock.metric) continue;
        if (clock.state !== 'running' || clock.breached || clock.remaining_minutes === null || clock.remaining_minutes > action.before) continue;
        // Each policy's action once per ticket, metric and cycle: a raise moves the ticket under the
        // next priority's policy, whose own raise_priority (Medium → High) must still run this cycle.
        const mark = `${action.action}:${policy.id}:${clock.metric}:${clock.cycle_started_at}`;
        if (action.action === 'raise_priority') {
          const i = PRIORITIES.indexOf((v.priority ?? 'Medium') as (typeof PRIORITIES)[number]);
          if (i <= 0) continue; // already High
          if (await this.repository.marked(v.ticket_id, mark)) continue;
          const to = PRIORITIES[i - 1]!;
          const done = await this.repository.applyAction(
            v.ticket_id,
            mark,
            { priority: { from: v.priority, to } },
            {
              type: 'sla_priority_raised',
              data: { from: v.priority, to, metric: clock.metric, due_at: clock.due_at, policy: policy.id, reason: `${METRIC_LABEL[clock.metric]} due within ${action.before} min` },
            },
          );
          if (done) taken++;
        } else {
          if (!ESCALATABLE.has(v.status)) continue;
          if (await this.repository.marked(v.ticket_id, mark)) continue;
          const done = await this.repository.applyAction(
            v.ticket_id,
            mark,
            { status: { from: v.status, to: 'escalated' } },
            {
              type: 'sla_escalated',
              data: { status: 'escalated', metric: clock.metric, due_at: clock.due_at, policy: policy.id, reason: `${METRIC_LABEL[clock.metric]} due within ${action.before} min` },
            },
          );
          if (done) {
            taken++;
            this.handoff.escalated(v.ticket_id);
          }
        }
        break; // one clock per action: the first that qualifies
      }
    }
    return taken;
  }
}

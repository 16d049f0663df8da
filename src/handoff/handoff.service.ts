import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import { isDatabaseUnavailable, rootMessage } from '../database/database-errors.js';
import { slaStateOf, type SlaState } from '../sla/sla-state.js';
import { SlaService } from '../sla/sla.service.js';
import { buildHandoff, type HandoffDelivery, type HandoffPackage } from './handoff.js';
import { HandoffRepository } from './handoff.repository.js';
import { HandoffWebhook, maxDeliveryMs } from './handoff.webhook.js';
import { isUuid } from '../common/ids.js';

/** How often the outbox sweep looks for escalations without a delivered package. */
export const HANDOFF_SWEEP_MS = 60_000;

/** Statuses in which a person has (or is about to have) the ticket: a package can be built on demand. */
const HANDED_OFF = ['escalated', 'in_progress'];

/**
 * Hand-off packages for escalated tickets: built when the agents escalate (`escalated(id)`,
 * called by whoever set the status), stored on the ticket with a `handoff` event, then posted to
 * ESCALATION_WEBHOOK_URL; the outcome is a `handoff_delivered` or `handoff_delivery_failed`
 * event. An outbox sweep recovers escalations whose package was never built or sent (a crash in
 * between). One package and one delivery per escalation, whichever instance gets there first.
 */
@Injectable()
export class HandoffService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Handoff');
  private readonly background = new Set<Promise<unknown>>();
  /** Per ticket, the work in flight: a second call runs after it (never two at once for one ticket). */
  private readonly inFlight = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private stopping = false;

  constructor(
    private readonly repository: HandoffRepository,
    private readonly webhook: HandoffWebhook,
    private readonly config: AppConfig,
    private readonly sla: SlaService,
  ) {}

  /**
   * The ticket was escalated: build, store and deliver its package in the background. Never
   * throws; failures are logged (the sweep retries the building and a pending delivery).
   */
  escalated(ticketId: string): void {
    if (this.stopping || !isUuid(ticketId)) return;
    this.track(this.serialised(ticketId));
  }

  /** Resolves when the background work started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size) await Promise.allSettled([...this.background]);
  }

  /**
   * GET /tickets/:id/handoff: the stored package (what was posted) with its live parts brought
   * up to date — status, assignee, SLA and, while a person has the ticket, the customer's latest
   * replies, their mood and the account actions. An escalated or in-progress ticket without a
   * package (or whose package is from an earlier escalation) gets a fresh one, not stored.
   */
  async view(ticketId: string, now = new Date()): Promise<HandoffPackage> {
    if (!isUuid(ticketId)) throw ticketNotFound(ticketId);
    const ticket = await this.repository.ticket(ticketId);
    if (!ticket) throw ticketNotFound(ticketId);
    const stored = ticket.handoff as HandoffPackage | null;
    if (HANDED_OFF.includes(ticket.status)) {
      const input = await this.repository.load(ticketId, ticket);
      const fresh = buildHandoff({ ...input!, escalationChannel: this.config.env.ESCALATION_CHANNEL, sla: await this.slaOf(ticketId, now) }, now);
      if (!stored || (ticket.status === 'escalated' && Number(fresh.escalation_event_id) > Number(stored.escalation_event_id))) return fresh;
      const { status, assignee, sla, actions, sentiment } = fresh;
      return { ...stored, status, assignee, sla, actions, sentiment, asked: { ...stored.asked, follow_ups: fresh.asked.follow_ups } };
    }
    if (!stored) {
      throw new ProblemException(
        problem(404, 'handoff-not-found', `Ticket "${ticketId}" was never handed off to a person (status "${ticket.status}").`, { ticket_status: ticket.status }),
      );
    }
    return { ...stored, status: ticket.status, assignee: ticket.assignee ?? null, sla: await this.slaOf(ticketId, now) };
  }

  /** Builds and delivers what the outbox holds; returns how many tickets it looked at. */
  sweep(): Promise<number> {
    // One sweep at a time per process; a caller during one waits for it.
    this.sweeping ??= this.runSweep().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  onApplicationBootstrap(): void {
    // Recovery after a restart in the background (the sweep only reads until it finds work).
    this.track(this.sweep());
    this.sweepTimer = setInterval(() => {
      if (!this.stopping) this.track(this.sweep());
    }, HANDOFF_SWEEP_MS);
    this.sweepTimer.unref();
  }

  /** Before the database closes: stop sweeping and let deliveries in flight finish and be recorded. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    await this.idle();
  }

  private async runSweep(): Promise<number> {
    let seen = 0;
    const tried = new Set<string>();
    for (let page = await this.repository.undelivered(); page.length && !this.stopping; page = await this.repository.undelivered()) {
      const fresh = page.filter((id) => !tried.has(id));
      if (!fresh.length) break;
      for (const id of fresh) {
        if (this.stopping) break;
        tried.add(id);
        seen++;
        await this.serialised(id);
      }
    }
    return seen;
  }

  private serialised(ticketId: string): Promise<void> {
    const previous = this.inFlight.get(ticketId) ?? Promise.resolve();
    const next = previous.then(() => this.process(ticketId)).catch((err: unknown) => this.failed(`Hand-off of ticket ${ticketId} failed`, err));
    this.inFlight.set(ticketId, next);
    void next.finally(() => {
      if (this.inFlight.get(ticketId) === next) this.inFlight.delete(ticketId);
    });
    return next;
  }

  /** Builds and stores the package of the ticket's current escalation if it has none, then delivers it if still pending. */
  private async process(ticketId: string): Promise<void> {
    const input = await this.repository.load(ticketId);
    if (!input || input.ticket.status !== 'escalated') return;
    const now = new Date();
    const built = buildHandoff({ ...input, escalationChannel: this.config.env.ESCALATION_CHANNEL, sla: await this.slaOf(ticketId, now) }, now);
    const stored = input.ticket.handoff as HandoffPackage | null;
    let pkg: HandoffPackage;
    if (stored && Number(stored.escalation_event_id) >= Number(built.escalation_event_id)) {
      pkg = stored; // this escalation already has its package: at most, its delivery is left to do
    } else {
      const configured = this.webhook.configured;
      pkg = { ...built, delivery: { status: configured ? 'pending' : 'not_configured', attempts: 0, http_status: null, at: built.built_at, lease_until: null, error: null } };
      const written = await this.repository.store(pkg, {
        type: 'handoff',
        actor: 'system',
        data: {
          handoff_id: pkg.handoff_id,
          reason: pkg.reason,
          reason_kind: pkg.reason_kind,
          escalation_event_id: pkg.escalation_event_id,
          delivered: null,
          delivery: configured ? 'pending' : 'not configured (ESCALATION_WEBHOOK_URL is unset)',
        },
      });
      if (!written) return; // another caller stored it (and delivers it), or the ticket moved on
      this.logger.log(`Ticket ${ticketId}: hand-off package stored (${pkg.reason_kind})`);
    }
    if (pkg.delivery?.status === 'pending' || pkg.delivery?.status === 'sending') await this.deliver(ticketId, pkg.handoff_id);
  }

  private async deliver(ticketId: string, handoffId: string): Promise<void> {
    const leaseMs = maxDeliveryMs(this.config.env) + 30_000;
    const claimed = await this.repository.claimDelivery(ticketId, handoffId, leaseMs);
    if (!claimed) return;
    const result = await this.webhook.deliver(await this.asOfNow(ticketId, claimed));
    const attempts = (claimed.delivery?.attempts ?? 0) + result.attempts;
    const delivery: HandoffDelivery = {
      // Stored while a URL was set, which is gone now (a restart with another configuration): said so, once.
      status: result.delivered ? 'delivered' : this.webhook.configured ? 'failed' : 'not_configured',
      attempts,
      http_status: result.http_status,
      at: new Date().toISOString(),
      lease_until: null,
      error: result.error,
    };
    if (result.delivered) this.logger.log(`Ticket ${ticketId}: hand-off delivered (HTTP ${result.http_status}, ${result.attempts} attempt${result.attempts === 1 ? '' : 's'})`);
    else this.logger.warn(`Ticket ${ticketId}: hand-off not delivered after ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}: ${result.error}`);
    await this.repository.recordDelivery(ticketId, handoffId, delivery, {
      type: result.delivered ? 'handoff_delivered' : 'handoff_delivery_failed',
      actor: 'system',
      data: { handoff_id: handoffId, http_status: result.http_status, attempts: result.attempts, ...(result.error ? { error: result.error } : {}) },
    });
  }

  /**
   * The package as posted now: its live parts (status, assignee, SLA) as of the moment it is
   * sent — a package the sweep recovers hours after it was stored must not read "3 h left" on a
   * breached deadline. Stored as built; the API brings them up to date the same way.
   */
  private async asOfNow(ticketId: string, pkg: HandoffPackage, now = new Date()): Promise<HandoffPackage> {
    const ticket = await this.repository.ticket(ticketId);
    if (!ticket) return pkg;
    return { ...pkg, status: ticket.status, assignee: ticket.assignee ?? null, sla: await this.slaOf(ticketId, now) };
  }

  /** The ticket's SLA from its policy clocks at `now`: what GET /tickets/:id/sla shows, in one line. */
  private async slaOf(ticketId: string, now: Date): Promise<SlaState> {
    return slaStateOf((await this.sla.tickets([ticketId], now.getTime())).get(ticketId));
  }

  /** The database being down is expected now and then (the sweep tries again): a warning; anything else an error. */
  private failed(what: string, err: unknown): void {
    const message = `${what}: ${describe(err)}${isDatabaseUnavailable(err) ? ' (the database is unavailable; the sweep tries again)' : ''}`;
    if (isDatabaseUnavailable(err)) this.logger.warn(message);
    else this.logger.error(message);
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.failed('Hand-off work failed', err));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}

/** An error for the log: a database error's own message would carry the query's parameters (customer text). */
function describe(err: unknown): string {
  return err instanceof Error ? rootMessage(err) : String(err);
}

function ticketNotFound(id: string): ProblemException {
  return new ProblemException(problem(404, 'ticket-not-found', `No ticket "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`));
}

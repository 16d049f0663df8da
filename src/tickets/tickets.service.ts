import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ProblemException, problem, type ProblemDetails } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import { Database } from '../database/database.js';
import type { TicketEventRow, TicketRow } from '../database/schema.js';
import { guardrailProblem, type GuardrailTrip } from '../guardrails/guardrail-trip.js';
import { GuardrailsService } from '../guardrails/guardrails.service.js';
import { HandoffService } from '../handoff/handoff.service.js';
import { IdempotencyService, type StoredResponse } from '../idempotency/idempotency.service.js';
import { VerificationService } from '../verification/verification.service.js';
import type { TriageRequest } from '../triage/triage.schemas.js';
import { applyExternalEvent, canRetry, EXTERNAL_EVENT_ACTOR, type TicketStatus } from './ticket-status.js';
import { confirmsResolution } from '../verification/verification-rules.js';
import { REDACTION_VERSION } from './stored-redaction.js';
import { TicketWorkflow } from './ticket-workflow.service.js';
import type { TicketEventRequest, TicketListQuery } from './tickets.schemas.js';
import { TicketsRepository } from './tickets.repository.js';
import { isUuid } from '../common/ids.js';
import { queueUnavailable, TicketQueue } from '../queue/ticket-queue.service.js';
import type { JobView } from '../queue/ticket-jobs.js';

import { CostsService } from '../costs/costs.service.js';
import { NO_USAGE, type UsageTotals } from '../costs/costs.repository.js';

export interface TicketView {
  id: string;
  status: TicketStatus;
  inquiry_text: string;
  metadata: Record<string, unknown>;
  triage: unknown;
  resolution: unknown;
  error: unknown;
  /** Why a guardrail flagged the ticket for a person (null when none did). */
  review: unknown;
  /** The person who took the ticket over from the agents (null: the agents own it). */
  assignee: string | null;
  /** Whether an automated resolution held (null until the agents resolve the ticket). */
  verification: unknown;
  attempts: number;
  created_at: string;
  updated_at: string;
  events?: EventView[];
  /** Model requests, tokens and estimated cost of the ticket's runs so far (docs/costs.md). */
  usage?: UsageTotals;
  /** Queue mode only (REDIS_URL): the ticket's job — null when it has none (completed jobs are removed). */
  queue?: JobView | { state: 'unavailable' } | null;
}

export interface EventView {
  id: string;
  type: string;
  actor: string;
  at: string;
  data: Record<string, unknown>;
}

export function toEventView(e: TicketEventRow): EventView {
  return { id: String(e.id), type: e.type, actor: e.actor, at: e.at.toISOString(), data: e.data };
}

export function toTicketView(t: TicketRow, events?: TicketEventRow[]): TicketView {
  return {
    id: t.id,
    status: t.status as TicketStatus,
    inquiry_text: t.inquiryText,
    metadata: t.metadata,
    triage: t.triage ?? null,
    resolution: t.resolution ?? null,
    error: t.lastError ?? null,
    review: t.review ?? null,
    assignee: t.assignee ?? null,
    verification: t.verification ?? null,
    attempts: t.attempts,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
    ...(events ? { events: events.map(toEventView) } : {}),
  };
}

/** Opaque keyset cursor for GET /tickets (the last ticket's insertion number). */
export const cursor = {
  encode: (seq: number) => Buffer.from(`s:${seq}`).toString('base64url'),
  decode(value: string): number | undefined {
    const m = /^s:(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
    return m ? Number(m[1]) : undefined;
  },
};

@Injectable()
export class TicketsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Tickets');
  /** Workflows started by this process that nobody awaits (async mode, recovery). */
  private readonly background = new Set<Promise<unknown>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private stopping = false;
  /** Tickets whose crash-looping job the sweep has already reported (bounded). */
  private readonly reportedDeadLetters = new Set<string>();

  constructor(
    private readonly tickets: TicketsRepository,
    private readonly workflow: TicketWorkflow,
    private readonly idempotency: IdempotencyService,
    private readonly database: Database,
    private readonly config: AppConfig,
    private readonly guardrails: GuardrailsService,
    private readonly handoff: HandoffService,
    private readonly verification: VerificationService,
    private readonly queue: TicketQueue,
    private readonly costs: CostsService,
  ) {}

  /**
   * Stores the ticket (and claims the Idempotency-Key) in one transaction, then runs the
   * workflow: to its end before answering (201), or in the background (`async`: 202).
   */
  async create(raw: TriageRequest, options: { idempotencyKey?: string; async: boolean }): Promise<StoredResponse<TicketView | { id: string; status: string }>> {
    // Guardrails before anything is stored: the row never holds the raw personal data.
    const inspected = await this.guardrails.inspect(raw.inquiry_text, 'inquiry_text');
    const request = this.guardrails.redactRequest({ ...raw, inquiry_text: inspected.text });
    const trip = inspected.trip;
    // A row redacted with every PII kind is up to date; otherwise the start-up job may redact it later.
    const redaction = this.guardrails.redactsAllKinds ? REDACTION_VERSION : 0;
    return this.idempotency.execute<string, TicketView | { id: string; status: string } | ProblemDetails>(
      options.idempotencyKey,
      'POST /tickets',
      // The fingerprint (a SHA-256) is of the request as sent: two bodies differing only in a card number differ.
      { ...raw, async: options.async },
      async (tx) => {
        const id: string = randomUUID();
        const created = { type: 'created', actor: 'customer', data: { status: 'queued', channel: request.metadata.channel } };
        if (trip) {
          // Stopped by a guardrail: stored for a person to review, never run by the agents.
          const review = { ...trip, at: new Date().toISOString() };
          await this.tickets.insert(tx, { id, inquiryText: request.inquiry_text, metadata: request.metadata, status: 'escalated', review, redaction }, created, {
            type: 'guardrail_tripped',
            actor: 'system',
            data: { status: 'escalated', ...trip },
          });
        } else {
          await this.tickets.insert(tx, { id, inquiryText: request.inquiry_text, metadata: request.metadata, redaction }, created);
        }
        await this.idempotency.linkResource(tx, 'POST /tickets', options.idempotencyKey, id);
        return id;
      },
      async (id) => {
        if (trip) {
          this.handoff.escalated(id);
          return { status: 422, body: reviewProblem(trip, id) };
        }
        if (options.async) {
          // Queue mode: a worker runs it. If Redis cannot take the job, the ticket stays "queued"
          // in the database and the recovery sweep enqueues it later: the 202 still holds.
          if (this.queue.enabled) await this.queue.enqueue(id, 'created');
          else this.inBackground(this.workflow.run(id, ['queued']));
          return { status: 202, body: { id, status: 'queued' } };
        }
        await this.workflow.run(id, ['queued']);
        return { status: 201, body: await this.view(id) };
      },
      // The first answer of an async create was 202 { id, status: "queued" }: rebuilt the same way.
      trip
        ? async (id) => ({ status: 422, body: reviewProblem(trip, id), settled: true })
        : options.async
          ? async (id) => ({ status: 202, body: { id, status: 'queued' }, settled: true })
          : (id) => this.settledView(id, 201),
    ) as Promise<StoredResponse<TicketView | { id: string; status: string }>>;
  }

  /** A ticket as the answer to a replayed request whose first attempt died (see IdempotencyService). */
  private async settledView(id: string, status: number) {
    const body = await this.view(id);
    return { status, body, settled: body.status !== 'queued' && body.status !== 'processing' };
  }

  async view(id: string): Promise<TicketView> {
    checkId(id);
    const ticket = await this.tickets.get(id);
    if (!ticket) throw notFound(id);
    const view = { ...toTicketView(ticket, await this.tickets.events(id)), usage: await this.costs.usageOfTicket(id) };
    return this.queue.enabled ? { ...view, queue: await this.queue.jobOf(id) } : view;
  }

  async list(query: TicketListQuery): Promise<{ tickets: TicketView[]; next_cursor: string | null }> {
    const beforeSeq = query.cursor === undefined ? undefined : cursor.decode(query.cursor);
    if (query.cursor !== undefined && beforeSeq === undefined) {
      throw ProblemException.validation([{ path: 'cursor', message: 'is not a cursor returned by GET /tickets' }]);
    }
    const rows = await this.tickets.list({ ...query, before_seq: beforeSeq, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const usage = await this.costs.usageOf(page.map((t) => t.id));
    return { tickets: page.map((t) => ({ ...toTicketView(t), usage: usage.get(t.id) ?? NO_USAGE })), next_cursor: rows.length > query.limit ? cursor.encode(page.at(-1)!.seq) : null };
  }

  /** An update from a person or the helpdesk; a customer's answer to a clarifying question runs the agents again. */
  async addEvent(id: string, raw: TicketEventRequest, idempotencyKey?: string, who?: string): Promise<StoredResponse<TicketView>> {
    checkId(id);
    const scope = `POST /tickets/${id}/events`;
    const { event, trip } = await this.guardedEvent(raw);
    return this.idempotency.execute<boolean, TicketView | ProblemDetails>(
      idempotencyKey,
      scope,
      raw,
      async (tx) => {
        const ticket = await this.tickets.getForUpdate(tx, id);
        if (!ticket) throw notFound(id);
        // "Thanks, that worked" on a resolved ticket keeps it resolved (and verifies the resolution).
        const confirms = event.type === 'customer_reply' && !trip && confirmsResolution(event.message);
        const outcome = applyExternalEvent(ticket.status as TicketStatus, event.type, { confirmsResolution: confirms });
        if (!outcome.ok) throw new ProblemException(problem(409, 'invalid-ticket-transition', `Cannot record "${event.type}": ${outcome.reason}.`, { ticket_status: ticket.status }));
        const { type, ...data } = event;
        // A customer reply a guardrail stopped is kept (redacted) for a person; the agents do not read it.
        const status = trip ? 'escalated' : outcome.status;
        const set: Parameters<TicketsRepository['update']>[1] = trip
          ? { status, review: { ...trip, at: new Date().toISOString() } }
          : outcome.status === ticket.status
            ? {}
            : { status };
        const extra: Record<string, unknown> = {};
        if (ticket.status === 'awaiting_approval' && status !== 'awaiting_approval') {
          // The paused run will not resume (a person took over, or a guardrail stopped the reply):
          // its pending approvals are void, so none can be "approved" without effect or linger in the queue.
          const by = type === 'take_over' ? (event.author ?? who ?? 'unknown') : 'system';
          const why = type === 'take_over' ? 'a person took the ticket over' : `the ticket was escalated (${trip?.guardrail ?? type})`;
          const cancelled = await this.tickets.cancelPendingApprovals(tx, id, by, why);
          Object.assign(set, { runState: null, runBackend: null });
          if (cancelled.length) extra.cancelled_approvals = cancelled.map((a) => a.id);
        }
        if (type === 'take_over') {
          // A person owns the ticket now.
          Object.assign(set, { assignee: event.author ?? who ?? 'unknown' });
        } else if (type === 'handback') {
          // Back to the agents: they run the workflow again on the conversation; the review flag is cleared.
          Object.assign(set, { assignee: null, review: null, runState: null, runBackend: null });
          if (ticket.review) extra.cleared_review = ticket.review;
        }
        const stored = await this.tickets.update(
          id,
          set,
          { type, actor: EXTERNAL_EVENT_ACTOR[type], data: { ...data, status, ...extra, ...(trip ? { guardrail: trip } : {}) } },
          tx,
        );
        await this.idempotency.linkResource(tx, scope, idempotencyKey, stored.id);
        return !trip && outcome.rerun;
      },
      async (rerun) => {
        if (trip) {
          this.handoff.escalated(id);
          // A stopped reply on a resolved ticket still disproves the resolution (reviewed in the background).
          void this.verification.review(id);
          return { status: 422, body: reviewProblem(trip, id) };
        }
        // What the customer says after an automated resolution verifies it (or not). In the background:
        // with the OpenAI backend the judge may be asked, and the customer's POST does not wait for it.
        if (CUSTOMER_EVENTS.has(event.type)) void this.verification.review(id);
        if (rerun) await this.workflow.run(id, ['queued']);
        return { status: 201, body: await this.view(id) };
      },
      trip ? async () => ({ status: 422, body: reviewProblem(trip, id), settled: true }) : () => this.settledView(id, 201),
    ) as Promise<StoredResponse<TicketView>>;
  }

  /** The event with its free text redacted; a customer's message also goes through the input guardrails. */
  private async guardedEvent(event: TicketEventRequest): Promise<{ event: TicketEventRequest; trip?: GuardrailTrip }> {
    if (event.type === 'customer_reply') {
      const inspected = await this.guardrails.inspect(event.message, 'message');
      return { event: { ...event, message: inspected.text }, trip: inspected.trip };
    }
    const redact = (text: string | undefined) => (text === undefined ? undefined : this.guardrails.redact(text).text);
    switch (event.type) {
      case 'agent_reply':
      case 'note':
        return { event: { ...event, message: redact(event.message)! } };
      case 'resolved':
      case 'closed':
      case 'take_over':
      case 'handback':
        return { event: event.note === undefined ? event : { ...event, note: redact(event.note) } };
      case 'reopened':
        return { event: event.reason === undefined ? event : { ...event, reason: redact(event.reason) } };
      case 'csat':
        return { event: event.comment === undefined ? event : { ...event, comment: redact(event.comment) } };
    }
  }

  /** Runs the workflow of a failed ticket again, or of one whose run was abandoned (its process died). */
  async retry(id: string): Promise<TicketView> {
    checkId(id);
    const ticket = await this.tickets.get(id);
    if (!ticket) throw notFound(id);
    if (!canRetry(ticket.status as TicketStatus)) {
      throw new ProblemException(problem(409, 'not-retryable', `Only a failed or stalled ticket can be retried (status "${ticket.status}").`, { ticket_status: ticket.status }));
    }
    if (this.queue.enabled) return this.retryQueued(id, ticket.status as TicketStatus, ticket.leaseUntil);
    // A queued ticket is taken only once stale: the request that queued it may be about to run it.
    const claimed = await this.workflow.run(id, ['failed', 'queued'], { event: { type: 'retry', actor: 'system', data: {} }, staleQueuedOnly: true });
    if (!claimed) {
      const now = await this.tickets.get(id);
      throw new ProblemException(
        problem(409, 'not-retryable', `The ticket is being worked on or has moved on (status "${now?.status}"); it was not run again.`, { ticket_status: now?.status }),
      );
    }
    return this.view(id);
  }

  /**
   * Queue mode: a worker runs the retry. A dead-lettered job is re-queued with fresh attempts;
   * otherwise a job is enqueued (a no-op if the ticket has one). A run holding a live lease is
   * left alone (409), as in-process.
   */
  private async retryQueued(id: string, status: TicketStatus, leaseUntil: Date | null): Promise<TicketView> {
    if (status === 'processing' && leaseUntil && leaseUntil.getTime() > Date.now()) {
      throw new ProblemException(problem(409, 'not-retryable', 'The ticket is being worked on (its run holds a lease); it was not run again.', { ticket_status: status }));
    }
    const job = await this.queue.jobOf(id);
    if (job && job.state === 'unavailable') throw queueUnavailable('The queue (Redis) is not reachable; the ticket was not re-queued.');
    if (job?.state === 'failed') await this.queue.retry((job as JobView).job_id);
    else if (!(await this.queue.enqueue(id, 'retry'))) throw queueUnavailable('The queue (Redis) did not take the job; the ticket was not re-queued.');
    return this.view(id);
  }

  /**
   * Picks up tickets a previous process left unfinished (crash, deploy, database outage): at
   * start-up — with the embedded database every queued or processing ticket, since this was the
   * only process — and every half lease on both drivers, for runs whose lease expired.
   */
  async onApplicationBootstrap(): Promise<void> {
    // The first look-up is awaited (indexed queries, before the server listens); the runs go on in
    // the background. Embedded: the tickets that existed before this start, whatever their state —
    // never the ones requests create from now on.
    const bootSeq = this.database.kind === 'pglite' ? await this.tickets.maxSeq() : undefined;
    const first = await this.tickets.abandoned(bootSeq);
    if (first.length) this.inBackground(this.recover(bootSeq, first));
    this.sweepTimer = setInterval(() => {
      if (!this.sweeping) this.inBackground(this.recover(undefined));
    }, (this.config.env.TICKET_LEASE_SECONDS * 1000) / 2);
    this.sweepTimer.unref();
  }

  /** Before the database closes (onApplicationShutdown): stop sweeping and let running workflows finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweepTimer);
    // Runs in flight finish (or fail) before the database closes; their tickets are never lost.
    await Promise.allSettled([...this.background]);
  }

  /**
   * Runs abandoned tickets page by page until none is left (or only ones already tried). With
   * `bootSeq` (embedded start-up), the tickets up to it, whatever their lease.
   */
  private async recover(bootSeq: number | undefined, firstPage?: string[]): Promise<void> {
    const all = bootSeq !== undefined;
    this.sweeping = true;
    try {
      const tried = new Set<string>();
      for (let page = firstPage ?? (await this.tickets.abandoned(bootSeq)); page.length && !this.stopping; page = await this.tickets.abandoned(bootSeq)) {
        const fresh = page.filter((id) => !tried.has(id));
        if (!fresh.length) return;
        for (const id of fresh) {
          if (this.stopping) return;
          tried.add(id);
          // Queue mode: a worker runs it (one job per ticket, so repeated sweeps add nothing).
          if (this.queue.enabled) {
            const outcome = await this.queue.recover(id);
            if (outcome === 'enqueued') this.logger.log(`Enqueued ticket ${id} (its run had not finished, or Redis missed it)`);
            else if (outcome === 'requeued') this.logger.log(`Re-queued ticket ${id}: its job was dead-lettered before the ticket could run (e.g. the database was away)`);
            else if (outcome === 'dead-lettered' && !this.reportedDeadLetters.has(id)) {
              // Said once per process, not every sweep: the job stays in GET /queue/jobs for an operator.
              if (this.reportedDeadLetters.size >= 10_000) this.reportedDeadLetters.clear();
              this.reportedDeadLetters.add(id);
              this.logger.warn(`Ticket ${id} is not re-queued: its job was dead-lettered for crashing its workers (POST /queue/jobs/ticket-${id}/retry to run it again)`);
            }
            continue;
          }
          // Only the single process at start-up may take "processing" tickets whatever their lease;
          // otherwise the claim takes them only once the lease expired.
          if (await this.workflow.run(id, all ? ['queued', 'processing'] : ['queued'])) this.logger.log(`Recovered ticket ${id} (its run had not finished)`);
        }
      }
    } finally {
      this.sweeping = false;
    }
  }

  private inBackground(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.logger.error(`Background ticket work failed: ${err instanceof Error ? err.message : String(err)}`));
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}

/** Events that may verify (or disprove) an automated resolution. */
const CUSTOMER_EVENTS: ReadonlySet<string> = new Set(['customer_reply', 'reopened', 'csat']);

/** The 422 of a ticket (or reply) a guardrail stopped: it was stored for review, and the problem says where. */
function reviewProblem(trip: GuardrailTrip, ticketId: string): ProblemDetails {
  const base = guardrailProblem(trip).problem;
  return {
    ...base,
    detail: `${base.detail} The ticket was stored with personal data redacted and flagged for review by a person; the agents did not run.`,
    ticket_id: ticketId,
    ticket_status: 'escalated',
  };
}

function notFound(id: string): ProblemException {
  return new ProblemException(problem(404, 'ticket-not-found', `No ticket "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`));
}

function checkId(id: string): void {
  if (!isUuid(id)) throw notFound(id);
}

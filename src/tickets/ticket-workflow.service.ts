import { Injectable, Logger } from '@nestjs/common';
import { ProblemException } from '../common/problem-details.js';
import type { RunMeta } from '../common/run-meta.js';
import { AppConfig } from '../config/configuration.js';
import { isDatabaseError, isDatabaseUnavailable, rootMessage } from '../database/database-errors.js';
import type { TicketRow } from '../database/schema.js';
import { GuardrailException } from '../guardrails/guardrail-trip.js';
import { HandoffService } from '../handoff/handoff.service.js';
import { VerificationService } from '../verification/verification.service.js';
import { randomUUID } from 'node:crypto';
import { describeAction } from '../actions/account-actions.js';
import type { ApprovalDecisions, PausedRun } from '../agents/agent-runner.js';
import type { ApprovalRow } from '../database/schema.js';
import { ResolutionAgent, type TicketResolution } from '../resolution/resolution.agent.js';
import type { TicketMetadata, TriageResult } from '../triage/triage.schemas.js';
import { TriageAgent } from '../triage/triage.agent.js';
import type { TicketStatus } from './ticket-status.js';
import { TicketsRepository, type NewEvent, type Tx } from './tickets.repository.js';
import { withRunContext } from '../observability/run-context.js';
import { canReuseTriage } from './run-replay.js';
import { CostsService } from '../costs/costs.service.js';
import { UsageTally } from '../costs/usage-tally.js';

class LeaseLost extends Error {}

/** Rounds one call makes when replies keep arriving during runs; past it the sweep continues. */
const MAX_PASSES = 3;

/** How a run step is stored: output plus who answered, tokens and time. */
function runData(output: unknown, meta: RunMeta, started: number): Record<string, unknown> {
  return {
    output,
    backend: meta.backend,
    degraded: meta.degraded,
    usage: meta.usage ?? null,
    duration_ms: Math.round(performance.now() - started),
  };
}

/**
 * What the model reads for each decided call. A rejection says only that a person declined: the
 * reviewer's reason is for the audit trail, not for the customer's reply.
 */
export function decisionsOf(decided: ApprovalRow[], currency: string): ApprovalDecisions {
  return new Map(
    decided.map((a) => [
      a.callId,
      a.status === 'approved'
        ? { approve: true }
        : { approve: false, message: JSON.stringify({
              executed: false,
              action: a.action,
              summary: describeAction(a.action, a.arguments, currency),
              refused_reason: a.status === 'approved' ? undefined : `a person ${a.status === 'rejected' ? 'declined' : 'did not approve'} this action`,
            }),
          },
    ]),
  );
}

/** What a failed run records: the problem the HTTP layer would have answered with. */
export function failureOf(err: unknown): { status: number; type: string; detail: string } {
  if (err instanceof ProblemException) return { status: err.problem.status, type: err.problem.type, detail: err.problem.detail };
  if (isDatabaseError(err)) return { status: 500, type: 'database-error', detail: 'The database refused a value of the run (logged).' };
  // Internal messages stay in the log, not in the ticket a client reads.
  return { status: 500, type: 'internal-error', detail: 'The run failed unexpectedly (logged).' };
}

/**
 * The routed workflow of a ticket: triage, then resolution, which answers, escalates, or asks
 * the customer a clarifying question (the ticket then waits in "pending further action"). Each
 * step is stored as an event as soon as it finishes, so a crash loses at most the step that was
 * running; the ticket itself was stored before the workflow started. A failed run leaves the
 * ticket "failed" with the error, for POST /tickets/:id/retry.
 */
@Injectable()
export class TicketWorkflow {
  private readonly logger = new Logger('TicketWorkflow');

  constructor(
    private readonly tickets: TicketsRepository,
    private readonly triage: TriageAgent,
    private readonly resolution: ResolutionAgent,
    private readonly config: AppConfig,
    private readonly handoff: HandoffService,
    private readonly verification: VerificationService,
    private readonly costs: CostsService,
  ) {}

  /**
   * Runs the workflow if the ticket can be taken from one of `from` (or from an expired run);
   * `first` shapes the first claim (a retry's event, stale queued tickets only). Returns false when another run holds it.
   * Agent failures are recorded, not thrown; the database being down is thrown (the ticket stays
   * "processing" and is taken over when its lease expires). A customer reply that arrives while
   * the agents work sends the ticket round again, so no reply goes unread.
   */
  run(ticketId: string, from: TicketStatus[], first: { event?: NewEvent; staleQueuedOnly?: boolean } = {}): Promise<boolean> {
    // Logs, spans and metrics of the agents' runs name the ticket they were for.
    return withRunContext({ ticketId }, () => this.runPasses(ticketId, from, first));
  }

  private async runPasses(ticketId: string, from: TicketStatus[], first: { event?: NewEvent; staleQueuedOnly?: boolean }): Promise<boolean> {
    let ran = false;
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      // Later passes take back the ticket this run requeued itself.
      const ticket = await this.tickets.claim(ticketId, pass === 0 ? from : ['queued'], this.config.env.TICKET_LEASE_SECONDS, pass === 0 ? first : {});
      if (!ticket) return ran;
      ran = true;
      if (!(await this.runOnce(ticket))) return true;
    }
    // Replies keep coming: the periodic sweep takes the "queued" ticket up again later.
    return true;
  }

  /** One pass over a claimed ticket; true when it was requeued because the customer wrote meanwhile. */
  private async runOnce(ticket: TicketRow): Promise<boolean> {
    const lease = this.config.env.TICKET_LEASE_SECONDS;
    // Every write is fenced by the attempt this run claimed: a run that outlived its lease (and
    // was taken over by another instance) cannot overwrite the newer run's result.
    const write = async (set: Parameters<TicketsRepository['updateRun']>[2], event: NewEvent, finalAfterEventId?: number, also?: (tx: Tx) => Promise<void>) => {
      const written = await this.tickets.updateRun(ticket.id, ticket.attempts, set, event, lease, finalAfterEventId, also);
      if (!written) throw new LeaseLost(`Ticket ${ticket.id}: attempt ${ticket.attempts} lost its lease; a newer run owns the ticket`);
      return written.requeued;
    };
    let stage: 'triage' | 'resolution' = 'triage';
    // The model calls of the stage in progress (docs/costs.md): stored with the stage's event.
    let tally = new UsageTally();
    const usageOf = (meta?: RunMeta) => (tx: Tx) => this.costs.record(tx, ticket.id, `${stage}_agent`, tally, meta);
    try {
      const { text, lastEventId: lastRead, triageKept } = await this.conversation(ticket);
      // What the agents have read: a resumed run read the conversation up to its pause, so replies
      // written while it waited for a person send the ticket round again after it finishes.
      let lastEventId = lastRead;
      let outcome: TicketResolution;
      let started: number;
      if (ticket.runState) {
        // A paused run whose approvals were decided: resume it where it stopped (no new triage).
        stage = 'resolution';
        const paused = JSON.parse(ticket.runState) as PausedRun;
        lastEventId = paused.lastEventId ?? lastRead;
        const decided = await this.tickets.approvalsFor(ticket.id, paused.interruptions.map((i) => i.callId));
        if (decided.some((a) => a.status === 'pending')) {
          // Not every call is decided (a recovery claimed it early): back to waiting.
          await write({ status: 'awaiting_approval', leaseUntil: null }, { type: 'approval_waiting', actor: 'system', data: { status: 'awaiting_approval' } });
          return false;
        }
        if (await this.overBudget(ticket, stage, write)) return false;
        started = performance.now();
        outcome = await tally.track(() => this.resolution.resumeTicket(paused, decisionsOf(decided, this.config.env.ACCOUNT_CURRENCY)));
      } else {
        const metadata = ticket.metadata as TicketMetadata;
        if (await this.overBudget(ticket, stage, write)) return false;
        started = performance.now();
        // An attempt that died after storing the triage of this same conversation: reuse it (no
        // second `triaged` event, no tokens spent twice; see run-replay.ts).
        const kept = triageKept && ticket.triage ? { body: ticket.triage as TriageResult, meta: { backend: this.config.backend, degraded: false } satisfies RunMeta } : undefined;
        const triaged = kept ?? (await tally.track(() => this.triage.triage({ inquiry_text: text, metadata })));
        const triage = triaged.body;
        if (!kept) await write(
          { triage, category: triage.category, priority: triage.priority },
          { type: 'triaged', actor: 'triage_agent', data: { status: 'processing', ...runData(triage, triaged.meta, started) } },
          undefined,
          usageOf(triaged.meta),
        );
        stage = 'resolution';
        tally = new UsageTally();
        // A triage that crossed the budget was stored; the resolution goes to a person instead.
        if (await this.overBudget(ticket, stage, write)) return false;
        started = performance.now();
        outcome = await tally.track(() => this.resolution.resolveTicket({ ticket: triage, inquiry_text: text }, { id: ticket.id, customerId: ticket.customerId }));
      }

      if (outcome.kind === 'paused') {
        const requeued = await this.pause(ticket, outcome, started, lastEventId, write, usageOf(outcome.meta));
        if (requeued) await this.costs.recordNow(ticket.id, 'resolution_agent', tally, outcome.meta);
        return requeued;
      }
      const resolution = outcome.result.body;
      const status = resolution.ticket_status as TicketStatus;
      const requeued = await write(
        { resolution, status, leaseUntil: null, lastError: null, runState: null, runBackend: null },
        {
          type: status === 'pending further action' ? 'clarification_requested' : 'resolution',
          actor: 'resolution_agent',
          data: { status, ...runData(resolution, outcome.result.meta, started), kb: outcome.kb, ...(outcome.actions.length ? { actions: outcome.actions } : {}) },
        },
        lastEventId,
        usageOf(outcome.result.meta),
      );
      // A superseded outcome's write skips `also`, but its tokens were spent: counted on their own.
      if (requeued) await this.costs.recordNow(ticket.id, 'resolution_agent', tally, outcome.result.meta);
      if (requeued) this.logger.log(`Ticket ${ticket.id}: the customer wrote while the agents worked; running again with the reply`);
      // A person takes over: the hand-off package is built and posted (in the background).
      else if (status === 'escalated') this.handoff.escalated(ticket.id);
      // An automated resolution starts its verification (pending until the customer's next word or the window).
      else if (status === 'resolved') await this.verification.review(ticket.id);
      return requeued;
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.logger.warn(err.message);
        return false;
      }
      // The database being down is thrown: the ticket stays "processing" and is taken over when the
      // lease expires. Anything else the database refused would fail again: recorded as a failure.
      if (isDatabaseUnavailable(err)) throw err;
      if (err instanceof GuardrailException) {
        // The agents' own guardrail refused the conversation (e.g. the inquiry and the replies
        // together): a person must look, as when the edge refuses a text; a retry would trip again.
        const review = { ...err.trip, at: new Date().toISOString() };
        this.logger.warn(`Ticket ${ticket.id}: ${stage} stopped by the ${err.trip.guardrail} guardrail (${err.trip.reason}); escalated for review`);
        await this.tickets.updateRun(
          ticket.id,
          ticket.attempts,
          { status: 'escalated', review, leaseUntil: null },
          { type: 'guardrail_tripped', actor: 'system', data: { status: 'escalated', stage, ...err.trip } },
          lease,
          undefined,
          usageOf(),
        );
        this.handoff.escalated(ticket.id);
        return false;
      }
      const error = { stage, ...failureOf(err) };
      // A database error's own message would log the query's parameters (customer text).
      const logged = isDatabaseError(err) ? rootMessage(err) : err instanceof Error ? (err.stack ?? err.message) : String(err);
      if (error.status >= 500 && !(err instanceof ProblemException)) this.logger.error(`Ticket ${ticket.id}: ${stage} failed: ${logged}`);
      else this.logger.warn(`Ticket ${ticket.id}: ${stage} failed (${error.status} ${error.type})`);
      await this.tickets.updateRun(ticket.id, ticket.attempts, { status: 'failed', lastError: error, leaseUntil: null }, { type: 'run_failed', actor: 'system', data: { status: 'failed', error } }, lease, undefined, usageOf());
      return false;
    }
  }

  /**
   * Stores a run that stopped at account actions needing approval: its state on the ticket
   * ("awaiting_approval") and one approval request per tool call, in one transaction.
   */
  private async pause(
    ticket: TicketRow,
    outcome: Extract<TicketResolution, { kind: 'paused' }>,
    started: number,
    lastEventId: number,
    write: (set: Parameters<TicketsRepository['updateRun']>[2], event: NewEvent, finalAfterEventId?: number, also?: (tx: Tx) => Promise<void>) => Promise<boolean>,
    usage: (tx: Tx) => Promise<void>,
  ): Promise<boolean> {
    const { paused } = outcome;
    const requestedAt = new Date();
    const expiresAt = new Date(requestedAt.getTime() + this.config.env.APPROVAL_TTL_MINUTES * 60_000);
    const requests = paused.interruptions.map((i) => ({
      id: randomUUID(),
      ticketId: ticket.id,
      callId: i.callId,
      agent: 'resolution_agent',
      action: i.name,
      arguments: i.arguments,
      customerId: ticket.customerId,
      status: 'pending',
      requestedAt,
      expiresAt,
    }));
    const requeued = await write(
      { status: 'awaiting_approval', runState: JSON.stringify({ ...paused, lastEventId }), runBackend: paused.backend, leaseUntil: null, lastError: null },
      {
        type: 'approval_requested',
        actor: 'resolution_agent',
        data: {
          status: 'awaiting_approval',
          approvals: requests.map((r) => ({ id: r.id, action: r.action, arguments: r.arguments, summary: describeAction(r.action, r.arguments, this.config.env.ACCOUNT_CURRENCY) })),
          expires_at: expiresAt.toISOString(),
          kb: outcome.kb,
          ...runData(null, outcome.meta, started),
        },
      },
      lastEventId,
      async (tx) => {
        await this.tickets.insertApprovals(tx, requests);
        await usage(tx);
      },
    );
    if (requeued) this.logger.log(`Ticket ${ticket.id}: the customer wrote while the agents worked; running again with the reply`);
    else this.logger.log(`Ticket ${ticket.id}: waiting for approval of ${requests.map((r) => r.action).join(', ')}`);
    return requeued;
  }

  /**
   * Before an agent stage: a ticket whose runs used up TICKET_TOKEN_BUDGET is not run again but
   * escalated to a person, with the reason as the event (the hand-off package says it).
   */
  private async overBudget(
    ticket: TicketRow,
    stage: 'triage' | 'resolution',
    write: (set: Parameters<TicketsRepository['updateRun']>[2], event: NewEvent) => Promise<boolean>,
  ): Promise<boolean> {
    const over = await this.costs.overBudget(ticket.id);
    if (!over) return false;
    this.logger.warn(`Ticket ${ticket.id}: token budget used up (${over.spent_tokens}/${over.budget_tokens}) before ${stage}; escalated to a person`);
    await write({ status: 'escalated', leaseUntil: null, lastError: null, runState: null, runBackend: null }, { type: 'token_budget_exceeded', actor: 'system', data: { status: 'escalated', stage, ...over } });
    this.handoff.escalated(ticket.id);
    return true;
  }

  /** The inquiry plus the customer's replies since, oldest first (what the agents read), and the last event read. */
  private async conversation(ticket: TicketRow): Promise<{ text: string; lastEventId: number; triageKept: boolean }> {
    const events = await this.tickets.events(ticket.id);
    const replies = events.filter((e) => e.type === 'customer_reply' && typeof e.data.message === 'string').map((e) => e.data.message as string);
    // The latest reply matters most (it answers the question asked), so a long thread keeps its end.
    return { text: [ticket.inquiryText, ...replies].join('\n\n').slice(-20_000), lastEventId: events.at(-1)?.id ?? 0, triageKept: canReuseTriage(events) };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { ProblemException } from '../common/problem-details.js';
import type { RunMeta } from '../common/run-meta.js';
import { AppConfig } from '../config/configuration.js';
import { isDatabaseError } from '../database/database-errors.js';
import type { TicketRow } from '../database/schema.js';
import { ResolutionAgent } from '../resolution/resolution.agent.js';
import type { TicketMetadata } from '../triage/triage.schemas.js';
import { TriageAgent } from '../triage/triage.agent.js';
import type { TicketStatus } from './ticket-status.js';
import { TicketsRepository } from './tickets.repository.js';

class LeaseLost extends Error {}

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

/** What a failed run records: the problem the HTTP layer would have answered with. */
export function failureOf(err: unknown): { status: number; type: string; detail: string } {
  if (err instanceof ProblemException) return { status: err.problem.status, type: err.problem.type, detail: err.problem.detail };
  if (isDatabaseError(err)) return { status: 503, type: 'database-unavailable', detail: 'The database failed during the run.' };
  return { status: 500, type: 'internal-error', detail: err instanceof Error ? err.message.slice(0, 500) : String(err).slice(0, 500) };
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
  ) {}

  /**
   * Runs the workflow if the ticket can be taken from one of `from` (or from an expired run).
   * Returns false when another run holds it. Agent failures are recorded, not thrown; database
   * failures are thrown (the ticket stays "processing" and is picked up when its lease expires).
   */
  async run(ticketId: string, from: TicketStatus[]): Promise<boolean> {
    const lease = this.config.env.TICKET_LEASE_SECONDS;
    const ticket = await this.tickets.claim(ticketId, from, lease);
    if (!ticket) return false;
    // Every write is fenced by the attempt this run claimed: a run that outlived its lease (and
    // was taken over by another instance) cannot overwrite the newer run's result.
    const write = async (set: Parameters<TicketsRepository['updateRun']>[2], event: Parameters<TicketsRepository['updateRun']>[3]) => {
      if (!(await this.tickets.updateRun(ticket.id, ticket.attempts, set, event, lease))) {
        throw new LeaseLost(`Ticket ${ticket.id}: attempt ${ticket.attempts} lost its lease; a newer run owns the ticket`);
      }
    };
    let stage: 'triage' | 'resolution' = 'triage';
    try {
      const text = await this.conversation(ticket);
      const metadata = ticket.metadata as TicketMetadata;

      let started = performance.now();
      const triaged = await this.triage.triage({ inquiry_text: text, metadata });
      const triage = triaged.body;
      await write(
        { triage, category: triage.category, priority: triage.priority },
        { type: 'triaged', actor: 'triage_agent', data: { status: 'processing', ...runData(triage, triaged.meta, started) } },
      );

      stage = 'resolution';
      started = performance.now();
      const resolved = await this.resolution.resolve({ ticket: triage, inquiry_text: text });
      const resolution = resolved.body;
      const status = resolution.ticket_status as TicketStatus;
      await write(
        { resolution, status, leaseUntil: null, lastError: null },
        {
          type: status === 'pending further action' ? 'clarification_requested' : 'resolution',
          actor: 'resolution_agent',
          data: { status, ...runData(resolution, resolved.meta, started) },
        },
      );
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.logger.warn(err.message);
        return true;
      }
      if (isDatabaseError(err)) throw err;
      const error = { stage, ...failureOf(err) };
      if (error.status >= 500 && !(err instanceof ProblemException)) this.logger.error(`Ticket ${ticket.id}: ${stage} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      else this.logger.warn(`Ticket ${ticket.id}: ${stage} failed (${error.status} ${error.type})`);
      await this.tickets.updateRun(ticket.id, ticket.attempts, { status: 'failed', lastError: error, leaseUntil: null }, { type: 'run_failed', actor: 'system', data: { status: 'failed', error } }, lease);
    }
    return true;
  }

  /** The inquiry plus the customer's replies since, oldest first: what the agents read. */
  private async conversation(ticket: TicketRow): Promise<string> {
    const replies = (await this.tickets.events(ticket.id))
      .filter((e) => e.type === 'customer_reply' && typeof e.data.message === 'string')
      .map((e) => e.data.message as string);
    // The latest reply matters most (it answers the question asked), so a long thread keeps its end.
    return [ticket.inquiryText, ...replies].join('\n\n').slice(-20_000);
  }
}

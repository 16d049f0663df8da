import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { isDatabaseError, rootMessage } from '../database/database-errors.js';
import { Metrics } from '../metrics/metrics.js';
import { TicketWorkflow } from '../tickets/ticket-workflow.service.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { decideUnclaimed, failureMessage, isRetryableFailure, type TicketJobData } from './ticket-jobs.js';

/** What a job's attempt ended with, for the queue_job_duration_seconds outcome label. */
export type JobOutcome = 'completed' | 'retried' | 'dead_lettered';

/** A failed attempt is retried while attempts remain, unless the failure cannot pass. */
export function attemptOutcome(attemptsMade: number, maxAttempts: number, unrecoverable: boolean): JobOutcome {
  return unrecoverable || attemptsMade + 1 >= maxAttempts ? 'dead_lettered' : 'retried';
}

/** BullMQ's control-flow errors, loaded with BullMQ by the worker (never by the API without Redis). */
export interface QueueErrors {
  DelayedError: new (message?: string) => Error;
  UnrecoverableError: new (message?: string) => Error;
}

/**
 * Runs one ticket job in a worker: the same TicketWorkflow the API runs in-process, so the claim,
 * the lease and the attempt fencing decide who runs a ticket, not the queue. A job is therefore
 * safe to deliver twice (at-least-once): the second delivery finds the ticket claimed (and waits
 * for the lease) or finished (and does nothing).
 */
@Injectable()
export class TicketJobProcessor {
  private readonly logger = new Logger('TicketJob');

  constructor(
    private readonly workflow: TicketWorkflow,
    private readonly tickets: TicketsRepository,
    private readonly metrics: Metrics,
  ) {}

  async process(job: Job<TicketJobData>, token: string | undefined, errors: QueueErrors): Promise<{ status: string; ran: boolean }> {
    // Wait from enqueue to the first start (retries and lease waits are delays, not queueing).
    if (job.attemptsStarted <= 1 && job.processedOn) this.metrics.jobWait.observe(Math.max(0, job.processedOn - job.timestamp) / 1000);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const ticketId = job.data.ticketId;
    try {
      // A stored ticket first; a failed run is taken again only by a job (a retry), recorded as such.
      let ran = await this.workflow.run(ticketId, ['queued']);
      if (!ran) {
        ran = await this.workflow.run(ticketId, ['failed'], {
          event: { type: 'retry', actor: 'system', data: { via: 'queue', job_attempt: job.attemptsMade + 1 } },
        });
      }
      const ticket = await this.tickets.get(ticketId);
      if (!ran) {
        const decision = decideUnclaimed(ticket && { status: ticket.status, leaseUntil: ticket.leaseUntil }, Date.now());
        if (decision.kind === 'later') {
          // Another run holds the ticket (alive, or dead with its lease not yet out): come back after
          // the lease. DelayedError tells BullMQ this is not a failed attempt.
          await job.moveToDelayed(decision.at, token);
          throw new errors.DelayedError();
        }
        this.logger.log(`Job ${job.id}: ticket ${ticketId} ${decision.kind === 'missing' ? 'no longer exists' : `is ${decision.status}`}; nothing to run`);
        this.metrics.jobDuration.observe({ outcome: 'completed' }, seconds());
        return { status: decision.kind === 'missing' ? 'missing' : decision.status, ran: false };
      }
      if (ticket?.status === 'failed') {
        // The workflow recorded the failure on the ticket; the job fails too, so BullMQ retries it
        // with backoff — or dead-letters it when it cannot pass or its attempts are used up.
        const error = ticket.lastError as { status?: number } | null;
        if (!isRetryableFailure(error)) throw new errors.UnrecoverableError(failureMessage(error));
        throw new Error(failureMessage(error));
      }
      this.metrics.jobDuration.observe({ outcome: 'completed' }, seconds());
      return { status: ticket?.status ?? 'missing', ran: true };
    } catch (err) {
      if (err instanceof errors.DelayedError) throw err;
      const outcome = attemptOutcome(job.attemptsMade, job.opts.attempts ?? 1, err instanceof errors.UnrecoverableError);
      this.metrics.jobDuration.observe({ outcome }, seconds());
      // A database error's own message carries the query's parameters (customer text): the job's
      // failure reason, shown by the API, gets the driver's root cause only.
      const safe = isDatabaseError(err) ? new Error(`database: ${rootMessage(err)}`) : err;
      const message = safe instanceof Error ? safe.message : String(safe);
      if (outcome === 'dead_lettered') this.logger.error(`Job ${job.id} (ticket ${ticketId}) dead-lettered after ${job.attemptsMade + 1} attempt(s): ${message}`);
      else this.logger.warn(`Job ${job.id} (ticket ${ticketId}) attempt ${job.attemptsMade + 1} failed, will retry: ${message}`);
      throw safe;
    }
  }
}

import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { problem, ProblemException } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import { Database } from '../database/database.js';
import { Metrics } from '../metrics/metrics.js';
import { withTimeout } from '../common/time-limit.js';
import {
  jobIdFor,
  jobOptions,
  LISTABLE_STATES,
  RUN_TICKET_JOB,
  TICKET_QUEUE_NAME,
  ticketIdOfJob,
  toJobView,
  type JobView,
  type ListableState,
  type TicketJobData,
} from './ticket-jobs.js';

/** A Redis call the API makes must not hang a request when Redis is down. */
const REDIS_TIMEOUT_MS = 3_000;

/** A Redis call bounded by `ms` (default REDIS_TIMEOUT_MS), its error naming the call. */
function redisCall<T>(work: Promise<T>, what: string, ms = REDIS_TIMEOUT_MS): Promise<T> {
  return withTimeout(work, ms, `${what}: Redis did not answer within ${ms} ms`);
}

/** Whether tickets go through the queue: REDIS_URL set and a database every process can share. */
export function queueModeOf(redisUrl: string | undefined, databaseKind: string): 'queue' | 'in-process' | 'embedded-database' {
  if (!redisUrl) return 'in-process';
  // PGlite lives in this one process: a worker could not open it, so queued jobs would never run.
  return databaseKind === 'pglite' ? 'embedded-database' : 'queue';
}

/** BullMQ's failure reason for a job whose worker died holding it more than maxStalledCount times. */
const STALL_LIMIT_REASON = 'job stalled more than allowable limit';

export const queueUnavailable = (detail: string) =>
  new ProblemException(problem(503, 'queue-unavailable', detail), { 'Retry-After': '5' });

/**
 * The API side of the ticket queue (BullMQ on REDIS_URL): enqueues ticket runs, shows and
 * re-queues jobs, and samples the queue depth for /metrics. Without REDIS_URL it is inert and
 * BullMQ is never loaded (start-up time of the embedded default).
 */
@Injectable()
export class TicketQueue implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TicketQueue');
  private queue: Queue<TicketJobData> | undefined;
  readonly enabled: boolean;
  private lastErrorLog = 0;

  constructor(
    private readonly config: AppConfig,
    database: Database,
    private readonly metrics: Metrics,
  ) {
    const mode = queueModeOf(config.env.REDIS_URL, database.kind);
    this.enabled = mode === 'queue';
    if (mode === 'embedded-database') {
      this.logger.warn('REDIS_URL is set but the database is the embedded one (one process only): tickets run in this process. Set DATABASE_URL to use queue workers.');
    }
  }

  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const { Queue } = await import('bullmq');
    const env = this.config.env;
    // Fail fast while Redis is away (the ticket is stored; the recovery sweep enqueues it later)
    // instead of queueing commands in memory.
    this.queue = new Queue<TicketJobData>(TICKET_QUEUE_NAME, {
      connection: { url: env.REDIS_URL, enableOfflineQueue: false },
      prefix: env.QUEUE_PREFIX,
      defaultJobOptions: jobOptions(env),
    });
    this.queue.on('error', (err) => this.logThrottled(`Queue connection: ${err.message}`));
    this.metrics.queueDepthSampler = () => this.counts();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.metrics.queueDepthSampler) this.metrics.queueDepthSampler = undefined;
    const queue = this.queue;
    this.queue = undefined;
    // close() waits for the connection; with Redis away it would hold the shutdown: drop it instead.
    await redisCall(queue?.close() ?? Promise.resolve(), 'close', 2_000).catch(async () => {
      this.logger.warn('Redis did not answer while closing the queue; disconnected');
      // disconnect() too waits for a connection that never came up: not awaited past a second.
      await redisCall(queue?.disconnect() ?? Promise.resolve(), 'disconnect', 1_000).catch(() => undefined);
    });
  }

  /**
   * Enqueues a run of the ticket (one job per ticket: a second add while one exists is a no-op).
   * Returns false when Redis could not take it: the ticket stays "queued" in the database and the
   * recovery sweep enqueues it once Redis is back, so nothing is lost.
   */
  async enqueue(ticketId: string, reason: TicketJobData['reason']): Promise<boolean> {
    const queue = this.queue;
    if (!queue) return false;
    try {
      await redisCall(queue.add(RUN_TICKET_JOB, { ticketId, reason }, { jobId: jobIdFor(ticketId) }), 'enqueue');
      return true;
    } catch (err) {
      this.logThrottled(`Could not enqueue ticket ${ticketId} (${reason}); the recovery sweep will: ${err instanceof Error ? err.message : String(err)}`);
      return false;
    }
  }

  /**
   * The recovery sweep's enqueue, for a ticket the database says still needs a run (queued for a
   * while, or processing with an expired lease). A plain add is a no-op while the ticket's job is
   * dead-lettered (its id exists), so a job whose attempts all failed while the database was away
   * would leave the ticket waiting for ever: such a job is re-queued with fresh attempts. One
   * dead-lettered for killing its workers (a crash loop) stays for an operator (`dead-lettered`).
   */
  async recover(ticketId: string): Promise<'enqueued' | 'requeued' | 'exists' | 'dead-lettered' | 'unavailable'> {
    const queue = this.queue;
    if (!queue) return 'unavailable';
    try {
      const job = await redisCall(queue.getJob(jobIdFor(ticketId)), 'getJob');
      if (!job) {
        await redisCall(queue.add(RUN_TICKET_JOB, { ticketId, reason: 'recovery' }, { jobId: jobIdFor(ticketId) }), 'enqueue');
        return 'enqueued';
      }
      if ((await redisCall(job.getState(), 'getState')) !== 'failed') return 'exists';
      if (job.failedReason === STALL_LIMIT_REASON) return 'dead-lettered';
      await redisCall(job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }), 'retry');
      return 'requeued';
    } catch (err) {
      this.logThrottled(`Could not enqueue ticket ${ticketId} (recovery); the next sweep will: ${err instanceof Error ? err.message : String(err)}`);
      return 'unavailable';
    }
  }

  /** The ticket's job, if it has one in Redis (completed jobs are removed); `unavailable` when Redis is down. */
  async jobOf(ticketId: string): Promise<JobView | { state: 'unavailable' } | null> {
    const queue = this.queue;
    if (!queue) return null;
    try {
      const job = await redisCall(queue.getJob(jobIdFor(ticketId)), 'getJob');
      if (!job) return null;
      return toJobView(job, await redisCall(job.getState(), 'getState'));
    } catch {
      return { state: 'unavailable' };
    }
  }

  /** Jobs in one state, oldest failures first for the dead-letter list. */
  async list(state: ListableState, offset: number, limit: number): Promise<{ jobs: JobView[]; total: number }> {
    const queue = this.required();
    try {
      const [jobs, counts] = await redisCall(
        Promise.all([queue.getJobs([state], offset, offset + limit - 1, state === 'failed' || state === 'waiting'), queue.getJobCounts(state)]),
        'list jobs',
      );
      return { jobs: jobs.filter((j): j is Job<TicketJobData> => Boolean(j)).map((j) => toJobView(j, state)), total: counts[state] ?? 0 };
    } catch (err) {
      throw queueUnavailable(`The queue could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Re-queues a dead-lettered job with fresh attempts. 404 for an unknown job, 409 for one that
   * is not dead-lettered (it is waiting, running or backing off: it will run anyway).
   */
  async retry(jobId: string): Promise<JobView> {
    const queue = this.required();
    if (!ticketIdOfJob(jobId)) throw jobNotFound(jobId);
    let job: Job<TicketJobData> | undefined;
    let state: string;
    try {
      job = await redisCall(queue.getJob(jobId), 'getJob');
      if (!job) throw jobNotFound(jobId);
      state = await redisCall(job.getState(), 'getState');
    } catch (err) {
      if (err instanceof ProblemException) throw err;
      throw queueUnavailable(`The queue could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (state !== 'failed') {
      throw new ProblemException(problem(409, 'job-not-dead-lettered', `Job "${jobId}" is ${state}, not dead-lettered: it runs without a retry.`, { job_state: state }));
    }
    try {
      await redisCall(job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }), 'retry');
    } catch (err) {
      // Another operator retried it a moment ago (BullMQ refuses a job no longer in "failed").
      throw new ProblemException(problem(409, 'job-not-dead-lettered', `Job "${jobId}" could not be retried: ${err instanceof Error ? err.message : String(err)}`));
    }
    const fresh = await redisCall(queue.getJob(jobId), 'getJob').catch(() => undefined);
    return toJobView(fresh ?? job, fresh ? await fresh.getState().catch(() => 'waiting') : 'waiting');
  }

  /** Job counts by state for the queue_jobs gauge (sampled at scrape time). */
  async counts(): Promise<Record<string, number>> {
    const queue = this.queue;
    if (!queue) return {};
    const counts = await redisCall(queue.getJobCounts(...LISTABLE_STATES), 'getJobCounts', 1_000);
    return Object.fromEntries(LISTABLE_STATES.map((s) => [s, counts[s] ?? 0]));
  }

  private required(): Queue<TicketJobData> {
    if (!this.queue) {
      throw new ProblemException(
        problem(404, 'queue-not-configured', 'Tickets are processed in this process: there is no job queue (set REDIS_URL and DATABASE_URL, and run workers).'),
      );
    }
    return this.queue;
  }

  /** Redis being down would otherwise log a line per request. */
  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(message);
  }
}

function jobNotFound(jobId: string): ProblemException {
  return new ProblemException(problem(404, 'job-not-found', `No job "${jobId.length > 80 ? `${jobId.slice(0, 80)}…` : jobId}" in the queue (completed jobs are removed).`));
}

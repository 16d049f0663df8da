/**
 * The pure rules of the ticket queue (no BullMQ, no Nest): job ids, retry options, what a job
 * does with the ticket it finds, and how a job looks in the API. docs/queue.md explains them.
 */
import { isUuid } from '../common/ids.js';

/** The BullMQ queue all API instances and workers share (under QUEUE_PREFIX). */
export const TICKET_QUEUE_NAME = 'tickets';
/** The job name (one kind of job: run a ticket's workflow). */
export const RUN_TICKET_JOB = 'run-ticket';

export interface TicketJobData {
  ticketId: string;
  /** Why it was enqueued: a new async ticket, a retry, the recovery sweep. */
  reason: 'created' | 'retry' | 'recovery';
}

/**
 * One job id per ticket: adding a job for a ticket that already has one (waiting, active,
 * delayed or dead-lettered) is a no-op in BullMQ, so a sweep and a request that both enqueue
 * the same ticket run it once. Completed jobs are removed, so a later run can enqueue again.
 * (BullMQ refuses ":" in custom ids.)
 */
export function jobIdFor(ticketId: string): string {
  return `ticket-${ticketId}`;
}

/** The ticket of a job id from the API (undefined: not one of ours — a 404, not a Redis lookup). */
export function ticketIdOfJob(jobId: string): string | undefined {
  const id = jobId.startsWith('ticket-') ? jobId.slice('ticket-'.length) : undefined;
  return id !== undefined && isUuid(id) ? id : undefined;
}

export interface QueueSettings {
  QUEUE_ATTEMPTS: number;
  QUEUE_BACKOFF_MS: number;
  QUEUE_STALLED_SECONDS: number;
}

/**
 * Options of every ticket job: QUEUE_ATTEMPTS tries with exponential backoff from
 * QUEUE_BACKOFF_MS (2 s, 4 s, 8 s, …) and a little jitter so a burst of failures does not retry
 * in lockstep. Completed jobs leave Redis (the ticket in the database is the record); failed ones
 * stay as the dead-letter list until retried or pruned (a week, at most 10 000).
 */
export function jobOptions(env: QueueSettings) {
  return {
    attempts: env.QUEUE_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: env.QUEUE_BACKOFF_MS, jitter: 0.2 },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/**
 * What BullMQ waits before retry `attemptsMade` (1 = after the first failure): the exponential
 * formula of its built-in backoff; the jitter makes the real wait up to 20 % shorter.
 */
export function backoffDelay(attemptsMade: number, baseMs: number): number {
  return Math.round(2 ** Math.max(0, attemptsMade - 1) * baseMs);
}

/**
 * Worker options from the settings: a job's lock lasts QUEUE_STALLED_SECONDS and is renewed at
 * half of it while the worker lives; the stalled check runs as often. A killed worker's job is
 * back in "wait" within about 2 × QUEUE_STALLED_SECONDS. A job may stall (its worker die) 3
 * times before it is dead-lettered: enough for deploys and crashes, not a crash loop forever.
 */
export function workerOptions(env: QueueSettings & { QUEUE_CONCURRENCY: number }) {
  const lockMs = env.QUEUE_STALLED_SECONDS * 1000;
  return { concurrency: env.QUEUE_CONCURRENCY, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 3 };
}

/** What the ticket row says about a job that could not claim it. */
export interface TicketState {
  status: string;
  /** When a running workflow's lease ends (null when none). */
  leaseUntil: Date | null;
}

export type JobDecision =
  /** Nothing to run: the ticket finished (or a person has it); the job completes. */
  | { kind: 'done'; status: string }
  /** A live run holds the ticket: come back after its lease (not a failed attempt). */
  | { kind: 'later'; at: number }
  /** The ticket is gone (deleted, or another deployment's job): complete without running. */
  | { kind: 'missing' };

/** Statuses a ticket job runs from: a stored ticket, or a failed run being retried. */
export const RUNNABLE_FROM = ['queued', 'failed'] as const;

/**
 * Why a job did not claim its ticket, and what to do: a ticket that is still "processing" under
 * a live lease (another worker, or one that died and whose lease has not run out) is retried
 * just after the lease ends — then the claim takes an expired lease over. A queued ticket that
 * could not be claimed was taken by someone else a moment ago: look again shortly.
 */
export function decideUnclaimed(ticket: TicketState | undefined, now: number, marginMs = 500): JobDecision {
  if (!ticket) return { kind: 'missing' };
  if (ticket.status === 'processing') {
    const until = ticket.leaseUntil?.getTime() ?? now;
    return { kind: 'later', at: Math.max(until, now) + marginMs };
  }
  if (ticket.status === 'queued') return { kind: 'later', at: now + marginMs };
  return { kind: 'done', status: ticket.status };
}

/**
 * Whether a run that ended "failed" is worth another job attempt: the model backend being down,
 * slow or rate-limited (429, 5xx) may pass; a refused request (other 4xx) fails the same way
 * again, so the job is dead-lettered at once.
 */
export function isRetryableFailure(error: { status?: number } | null | undefined): boolean {
  const status = error?.status;
  if (typeof status !== 'number') return true;
  return status === 429 || status === 408 || status >= 500;
}

/** The BullMQ job states the API lists. `failed` is the dead-letter list. */
export const LISTABLE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type ListableState = (typeof LISTABLE_STATES)[number];

/** How a job is shown by the API (GET /queue/jobs, the ticket view's `queue`). */
export interface JobView {
  job_id: string;
  ticket_id: string;
  /** waiting, active, delayed (backoff or waiting for a lease), failed (dead-lettered), … */
  state: string;
  dead_lettered: boolean;
  attempts_made: number;
  attempts_max: number;
  /** Times a worker died holding it (re-delivered by the stalled check). */
  stalled: number;
  failed_reason: string | null;
  reason: string | null;
  enqueued_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** The fields of a BullMQ job the view reads (a structural type: tests need no BullMQ). */
export interface JobLike {
  id?: string;
  data: Partial<TicketJobData>;
  opts: { attempts?: number };
  attemptsMade: number;
  stalledCounter?: number;
  failedReason?: string;
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

export function toJobView(job: JobLike, state: string): JobView {
  const id = job.id ?? '';
  return {
    job_id: id,
    ticket_id: job.data.ticketId ?? ticketIdOfJob(id) ?? '',
    // BullMQ says "prioritized" or "waiting-children" for variants of waiting; we have neither.
    state: state === 'prioritized' ? 'waiting' : state,
    dead_lettered: state === 'failed',
    attempts_made: job.attemptsMade,
    attempts_max: job.opts.attempts ?? 1,
    stalled: job.stalledCounter ?? 0,
    // Failure reasons are our own messages (problem type and status), never customer text.
    failed_reason: job.failedReason ? job.failedReason.slice(0, 500) : null,
    reason: job.data.reason ?? null,
    enqueued_at: new Date(job.timestamp).toISOString(),
    started_at: iso(job.processedOn),
    finished_at: iso(job.finishedOn),
  };
}

/** The failure message a job records for a run that ended "failed" (the ticket's error). */
export function failureMessage(error: { stage?: unknown; status?: unknown; type?: unknown } | null | undefined): string {
  if (!error) return 'the run failed';
  const type = typeof error.type === 'string' ? error.type.replace(/^https?:\/\/[^ ]*\/problems\//, '') : 'error';
  return `${String(error.stage ?? 'run')} failed: ${String(error.status ?? '?')} ${type}`;
}

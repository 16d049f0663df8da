import { attemptOutcome } from './ticket-job.processor.js';
import { backoffDelay, decideUnclaimed, failureMessage, isRetryableFailure, jobIdFor, jobOptions, ticketIdOfJob, toJobView, workerOptions } from './ticket-jobs.js';
import { queueModeOf } from './ticket-queue.service.js';

const TICKET = '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44';
const SETTINGS = { QUEUE_ATTEMPTS: 5, QUEUE_BACKOFF_MS: 2000, QUEUE_STALLED_SECONDS: 30, QUEUE_CONCURRENCY: 4 };

describe('job ids', () => {
  it('one id per ticket, without ":" (BullMQ refuses it), and back', () => {
    expect(jobIdFor(TICKET)).toBe(`ticket-${TICKET}`);
    expect(jobIdFor(TICKET)).not.toContain(':');
    expect(ticketIdOfJob(jobIdFor(TICKET))).toBe(TICKET);
  });

  it.each(['', 'ticket-', 'ticket-not-a-uuid', TICKET, `job-${TICKET}`, `ticket-${TICKET}x`, 'ticket-../../etc'])('%j is not a ticket job id', (id) => {
    expect(ticketIdOfJob(id)).toBeUndefined();
  });
});

describe('retry and worker options', () => {
  it('QUEUE_ATTEMPTS tries with exponential backoff from QUEUE_BACKOFF_MS; completed jobs leave Redis, failed ones stay', () => {
    expect(jobOptions(SETTINGS)).toMatchObject({ attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true });
    expect(jobOptions(SETTINGS).removeOnFail).toMatchObject({ count: 10_000 });
  });

  it('backoff doubles from the base: 2 s, 4 s, 8 s, 16 s', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 2000))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffDelay(0, 2000)).toBe(2000);
  });

  it('the job lock lasts QUEUE_STALLED_SECONDS and the stalled check runs as often', () => {
    expect(workerOptions({ ...SETTINGS, QUEUE_STALLED_SECONDS: 3 })).toEqual({ concurrency: 4, lockDuration: 3000, stalledInterval: 3000, maxStalledCount: 3 });
  });

  it('a failed attempt retries until the last one, which dead-letters; an unrecoverable failure dead-letters at once', () => {
    expect(attemptOutcome(0, 5, false)).toBe('retried');
    expect(attemptOutcome(3, 5, false)).toBe('retried');
    expect(attemptOutcome(4, 5, false)).toBe('dead_lettered');
    expect(attemptOutcome(0, 1, false)).toBe('dead_lettered');
    expect(attemptOutcome(0, 5, true)).toBe('dead_lettered');
  });

  it('the model backend being down or rate-limited is worth a retry; a refused request is not', () => {
    expect([503, 502, 504, 500, 429, 408].map((status) => isRetryableFailure({ status }))).toEqual([true, true, true, true, true, true]);
    expect([400, 404, 409, 413, 422].map((status) => isRetryableFailure({ status }))).toEqual([false, false, false, false, false]);
    expect(isRetryableFailure(null)).toBe(true);
  });

  it('the failure reason names the stage and problem, nothing else', () => {
    const error = { stage: 'triage', status: 503, type: 'https://support-agents.dev/problems/model-unavailable', detail: 'customer text' };
    expect(failureMessage(error)).toBe(
      'triage failed: 503 model-unavailable',
    );
    expect(failureMessage(null)).toBe('the run failed');
  });
});

describe('a job that could not claim its ticket', () => {
  const now = Date.parse('2026-11-26T06:00:00Z');

  it('waits for a running lease to end (a live run, or a dead one whose lease has not run out)', () => {
    expect(decideUnclaimed({ status: 'processing', leaseUntil: new Date(now + 4000) }, now)).toEqual({ kind: 'later', at: now + 4500 });
    // Already expired (the claim lost a race): look again shortly, never in the past.
    expect(decideUnclaimed({ status: 'processing', leaseUntil: new Date(now - 60_000) }, now)).toEqual({ kind: 'later', at: now + 500 });
    expect(decideUnclaimed({ status: 'processing', leaseUntil: null }, now)).toEqual({ kind: 'later', at: now + 500 });
    expect(decideUnclaimed({ status: 'queued', leaseUntil: null }, now)).toEqual({ kind: 'later', at: now + 500 });
  });

  it.each(['resolved', 'escalated', 'pending further action', 'awaiting_approval', 'in_progress', 'closed'])('does nothing for a ticket that is %s', (status) => {
    expect(decideUnclaimed({ status, leaseUntil: null }, now)).toEqual({ kind: 'done', status });
  });

  it('completes without running when the ticket is gone', () => {
    expect(decideUnclaimed(undefined, now)).toEqual({ kind: 'missing' });
  });
});

describe('queue mode and the job view', () => {
  it('needs REDIS_URL and a database every process can reach', () => {
    expect(queueModeOf(undefined, 'postgres')).toBe('in-process');
    expect(queueModeOf('redis://127.0.0.1:6379', 'postgres')).toBe('queue');
    expect(queueModeOf('redis://127.0.0.1:6379', 'pglite')).toBe('embedded-database');
  });

  it('maps a BullMQ job to the API view; "failed" is dead-lettered', () => {
    const job = {
      id: jobIdFor(TICKET),
      data: { ticketId: TICKET, reason: 'created' as const },
      opts: { attempts: 5 },
      attemptsMade: 5,
      stalledCounter: 1,
      failedReason: 'triage failed: 503 model-unavailable',
      timestamp: Date.parse('2026-11-26T05:40:00Z'),
      processedOn: Date.parse('2026-11-26T05:40:01Z'),
      finishedOn: Date.parse('2026-11-26T05:40:31Z'),
    };
    expect(toJobView(job, 'failed')).toEqual({
      job_id: `ticket-${TICKET}`,
      ticket_id: TICKET,
      state: 'failed',
      dead_lettered: true,
      attempts_made: 5,
      attempts_max: 5,
      stalled: 1,
      failed_reason: 'triage failed: 503 model-unavailable',
      reason: 'created',
      enqueued_at: '2026-11-26T05:40:00.000Z',
      started_at: '2026-11-26T05:40:01.000Z',
      finished_at: '2026-11-26T05:40:31.000Z',
    });
    const waiting = toJobView({ ...job, attemptsMade: 0, failedReason: undefined, processedOn: undefined, finishedOn: undefined, opts: {} }, 'prioritized');
    expect(waiting).toMatchObject({ state: 'waiting', dead_lettered: false, attempts_max: 1, failed_reason: null, started_at: null, finished_at: null });
  });
});

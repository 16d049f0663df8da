import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Metrics } from '../metrics/metrics.js';
import type { TicketWorkflow } from '../tickets/ticket-workflow.service.js';
import type { TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketJobProcessor } from './ticket-job.processor.js';

class DelayedError extends Error {}
class UnrecoverableError extends Error {}
const ERRORS = { DelayedError, UnrecoverableError };
const TICKET = '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44';

/** A job as BullMQ hands it to the processor (only what the processor reads or calls). */
function job(attemptsMade = 0) {
  return {
    id: `ticket-${TICKET}`,
    data: { ticketId: TICKET, reason: 'created' as const },
    opts: { attempts: 3 },
    attemptsMade,
    attemptsStarted: attemptsMade + 1,
    timestamp: 1_000,
    processedOn: 3_500,
    moveToDelayed: jest.fn(async () => undefined),
  };
}

/** Strict fakes: the workflow answers per `from`, the repository returns `ticket`. */
function setup(runs: Record<string, boolean>, ticket: Record<string, unknown> | undefined) {
  const run = jest.fn(async (_id: string, from: string[]) => runs[from.join(',')] ?? false);
  const get = jest.fn(async () => ticket);
  const metrics = new Metrics();
  const processor = new TicketJobProcessor({ run } as unknown as TicketWorkflow, { get } as unknown as TicketsRepository, metrics);
  const outcomes = async () => (await metrics.jobDuration.get()).values.filter((v) => v.metricName?.endsWith('_count')).map((v) => [v.labels.outcome, v.value]);
  return { processor, run, metrics, outcomes };
}

describe('TicketJobProcessor', () => {
  beforeAll(() => Logger.overrideLogger(false));
  it('runs a queued ticket and records the wait and a completed attempt', async () => {
    const { processor, run, metrics, outcomes } = setup({ queued: true }, { status: 'resolved', leaseUntil: null });
    await expect(processor.process(job() as never, 'tok', ERRORS)).resolves.toEqual({ status: 'resolved', ran: true });
    expect(run).toHaveBeenCalledTimes(1);
    expect((await metrics.jobWait.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBeCloseTo(2.5);
    expect(await outcomes()).toEqual([['completed', 1]]);
  });

  it('takes a failed ticket again only as a recorded retry', async () => {
    const { processor, run } = setup({ failed: true }, { status: 'escalated', leaseUntil: null });
    await processor.process(job(1) as never, 'tok', ERRORS);
    expect(run).toHaveBeenLastCalledWith(TICKET, ['failed'], { event: { type: 'retry', actor: 'system', data: { via: 'queue', job_attempt: 2 } } });
  });

  it('a ticket held by a live lease: the job waits until just after it, without counting a failed attempt', async () => {
    const leaseUntil = new Date(Date.now() + 60_000);
    const { processor, outcomes } = setup({}, { status: 'processing', leaseUntil });
    const j = job();
    await expect(processor.process(j as never, 'tok', ERRORS)).rejects.toBeInstanceOf(DelayedError);
    expect(j.moveToDelayed).toHaveBeenCalledWith(leaseUntil.getTime() + 500, 'tok');
    expect(await outcomes()).toEqual([]);
  });

  it('a ticket that already finished (a re-delivered job): completes without running', async () => {
    const { processor } = setup({}, { status: 'resolved', leaseUntil: null });
    const j = job();
    await expect(processor.process(j as never, 'tok', ERRORS)).resolves.toEqual({ status: 'resolved', ran: false });
    expect(j.moveToDelayed).not.toHaveBeenCalled();
  });

  it('a run that failed for a passing reason fails the attempt (retried); the last attempt is dead-lettered', async () => {
    const failed = { status: 'failed', leaseUntil: null, lastError: { stage: 'triage', status: 503, type: 'https://support-agents.dev/problems/model-unavailable' } };
    const first = setup({ queued: true }, failed);
    await expect(first.processor.process(job(0) as never, 'tok', ERRORS)).rejects.toThrow('triage failed: 503 model-unavailable');
    expect(await first.outcomes()).toEqual([['retried', 1]]);
    const last = setup({ failed: true }, failed);
    await expect(last.processor.process(job(2) as never, 'tok', ERRORS)).rejects.not.toBeInstanceOf(UnrecoverableError);
    expect(await last.outcomes()).toEqual([['dead_lettered', 1]]);
  });

  it('a refused request (4xx) is dead-lettered at once', async () => {
    const { processor, outcomes } = setup({ queued: true }, { status: 'failed', leaseUntil: null, lastError: { stage: 'resolution', status: 400, type: 'validation-error' } });
    await expect(processor.process(job(0) as never, 'tok', ERRORS)).rejects.toBeInstanceOf(UnrecoverableError);
    expect(await outcomes()).toEqual([['dead_lettered', 1]]);
  });
});

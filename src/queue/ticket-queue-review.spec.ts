import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { AppConfig, loadConfig } from '../config/configuration.js';
import type { Database } from '../database/database.js';
import { Metrics } from '../metrics/metrics.js';
import { jobIdFor, RUN_TICKET_JOB, TICKET_QUEUE_NAME } from './ticket-jobs.js';
import { TicketQueue } from './ticket-queue.service.js';

/**
 * The recovery sweep and dead-lettered jobs, on the real local Redis (a prefix of its own).
 * A job dead-lettered while the database was away (every attempt failed before the ticket could
 * even be claimed) leaves the ticket "queued": the sweep must put it back on the queue, not
 * "enqueue" it as a no-op (the job id exists) for ever while the ticket never runs.
 */
const redisUrl = process.env.TEST_REDIS_URL;
const skip = redisUrl ? undefined : (process.env.TEST_REDIS_SKIP ?? 'Redis not probed');
const suite = skip ? describe.skip : describe;

suite(`TicketQueue.recover: dead-lettered jobs of abandoned tickets${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  const prefix = `review-${randomUUID().slice(0, 8)}`;
  let tickets: TicketQueue;
  let raw: Queue;
  let worker: Worker;

  beforeAll(async () => {
    const config = new AppConfig(loadConfig({ REDIS_URL: redisUrl!, QUEUE_PREFIX: prefix, QUEUE_ATTEMPTS: '3' }).env);
    tickets = new TicketQueue(config, { kind: 'postgres' } as Database, new Metrics());
    await tickets.onModuleInit();
    raw = new Queue(TICKET_QUEUE_NAME, { connection: { url: redisUrl! }, prefix });
    // Manual processing (no processor): the test takes a job and fails it with the reason it wants.
    worker = new Worker(TICKET_QUEUE_NAME, null, { connection: { url: redisUrl! }, prefix, autorun: false });
  });

  afterAll(async () => {
    await worker?.close();
    await tickets?.onApplicationShutdown();
    await raw?.obliterate({ force: true }).catch(() => undefined);
    await raw?.close();
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  /** Enqueues the ticket's job and dead-letters it (as the last attempt of a worker would) with `reason`. */
  async function deadLetter(ticketId: string, reason: string): Promise<void> {
    await raw.drain(true); // another test's waiting job would be taken first
    expect(await tickets.enqueue(ticketId, 'created')).toBe(true);
    const token = randomUUID();
    const job = await worker.getNextJob(token);
    expect(job?.id).toBe(jobIdFor(ticketId));
    // Unrecoverable only to make this attempt the last one; the reason is what the sweep reads.
    await job!.moveToFailed(new UnrecoverableError(reason), token);
    expect(await raw.getJobState(jobIdFor(ticketId))).toBe('failed');
  }

  it('re-queues with fresh attempts the dead-lettered job of a ticket the database says still needs a run', async () => {
    const ticketId = randomUUID();
    await deadLetter(ticketId, 'database: connect ECONNREFUSED 127.0.0.1:5432');

    expect(await tickets.recover(ticketId)).toBe('requeued');

    expect(await raw.getJobState(jobIdFor(ticketId))).toBe('waiting');
    const job = await raw.getJob(jobIdFor(ticketId));
    expect(job!.attemptsMade).toBe(0);
    expect(job!.data).toEqual({ ticketId, reason: 'created' });
    // Taken from the queue again, so a later sweep finds a waiting job and adds nothing.
    expect(await tickets.recover(ticketId)).toBe('exists');
  });

  it('leaves a job dead-lettered for crashing its workers (a crash loop) in the dead-letter list for an operator', async () => {
    const ticketId = randomUUID();
    await deadLetter(ticketId, 'job stalled more than allowable limit');

    expect(await tickets.recover(ticketId)).toBe('dead-lettered');
    expect(await raw.getJobState(jobIdFor(ticketId))).toBe('failed');
  });

  it('adds a job for a ticket that has none (Redis missed it)', async () => {
    const ticketId = randomUUID();
    expect(await tickets.recover(ticketId)).toBe('enqueued');
    const job = await raw.getJob(jobIdFor(ticketId));
    expect(job?.name).toBe(RUN_TICKET_JOB);
    expect(job?.data).toEqual({ ticketId, reason: 'recovery' });
  });
});

import { Injectable, Logger } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { AppConfig } from '../config/configuration.js';
import { TicketJobProcessor } from './ticket-job.processor.js';
import { withTimeout } from '../common/time-limit.js';
import { TICKET_QUEUE_NAME, workerOptions, type TicketJobData } from './ticket-jobs.js';

/** How long a forced close may wait for Redis before the connection is dropped. */
const FORCED_CLOSE_MS = 2_000;

/**
 * The BullMQ worker of a worker process (src/worker.ts): takes ticket jobs, QUEUE_CONCURRENCY at
 * once, and hands each to TicketJobProcessor. Stopping waits for the running jobs up to a grace
 * period; jobs still running then are left to the stalled check (another worker re-runs them).
 */
@Injectable()
export class TicketWorker {
  private readonly logger = new Logger('TicketWorker');
  private worker: Worker<TicketJobData> | undefined;
  private lastErrorLog = 0;
  private active = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly processor: TicketJobProcessor,
  ) {}

  async start(): Promise<void> {
    const bullmq = await import('bullmq');
    const env = this.config.env;
    const errors = { DelayedError: bullmq.DelayedError, UnrecoverableError: bullmq.UnrecoverableError };
    this.worker = new bullmq.Worker<TicketJobData>(TICKET_QUEUE_NAME, async (job: Job<TicketJobData>, token?: string) => {
      this.active++;
      try {
        return await this.processor.process(job, token, errors);
      } finally {
        this.active--;
      }
    }, {
      connection: { url: env.REDIS_URL },
      prefix: env.QUEUE_PREFIX,
      ...workerOptions(env),
      autorun: false,
    });
    this.worker.on('error', (err) => {
      // Redis away: BullMQ reconnects by itself; one line every 10 s is enough.
      const now = Date.now();
      if (now - this.lastErrorLog < 10_000) return;
      this.lastErrorLog = now;
      this.logger.warn(`Worker connection: ${err.message}`);
    });
    this.worker.on('stalled', (jobId) => this.logger.warn(`Job ${jobId} stalled (its worker died or hung): back in the queue`));
    void this.worker.run().catch((err: unknown) => this.logger.error(`Worker stopped: ${err instanceof Error ? err.message : String(err)}`));
    await this.worker.waitUntilReady();
    this.logger.log(
      `Worker ready: queue "${TICKET_QUEUE_NAME}" (prefix ${env.QUEUE_PREFIX}), concurrency ${env.QUEUE_CONCURRENCY}, ` +
        `${env.QUEUE_ATTEMPTS} attempts from ${env.QUEUE_BACKOFF_MS} ms backoff, backend ${this.config.backend}`,
    );
  }

  /** Jobs running right now (for the shutdown log). */
  get running(): number {
    return this.active;
  }

  /**
   * Stops taking jobs and waits for the running ones up to `graceMs`; past it, closes without
   * waiting (their locks lapse and the stalled check re-delivers them within about
   * 2 × QUEUE_STALLED_SECONDS; the ticket lease then lets the new run take over). True when every
   * job finished.
   */
  async stop(graceMs: number): Promise<boolean> {
    const worker = this.worker;
    if (!worker) return true;
    this.worker = undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    const finished = await Promise.race([worker.close().then(() => 'closed' as const), deadline]);
    clearTimeout(timer);
    if (finished === 'closed') return true;
    // With Redis away even a forced close waits for the connection for ever: bounded, then dropped.
    const forced = await Promise.race([
      worker.close(true).then(() => true, () => false),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), FORCED_CLOSE_MS))),
    ]);
    clearTimeout(timer);
    if (!forced) {
      this.logger.warn('Redis did not answer while closing the worker; disconnected');
      // disconnect() too waits for a connection that never came up: not awaited past a second.
      await withTimeout(worker.disconnect(), 1_000, 'disconnect: Redis did not answer within 1000 ms').catch(() => undefined);
    }
    // Only jobs still running were abandoned; a close held up by Redis alone loses nothing.
    return this.active === 0;
  }
}

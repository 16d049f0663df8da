/**
 * Queue throughput: tickets per second through BullMQ worker processes (src/worker.ts) with the
 * offline backend on PostgreSQL and Redis. Run by hand, reported in docs/queue.md, not gated:
 *
 *   node --import ./scripts/register-swc.mjs bench/queue.ts [--tickets 400] [--workers 1,2] [--concurrency 4]
 *
 * For each worker count: start the workers (and wait until they are ready, so start-up is not
 * counted), store N tickets ("queued", with their `created` event, through TicketsRepository as
 * the API does) and enqueue one job each, then time until every ticket has settled. Each round
 * uses a throw-away schema and queue prefix, removed afterwards. Env: BENCH_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test), BENCH_REDIS_URL (default redis://127.0.0.1:6379).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { Queue } from 'bullmq';
import { inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config/configuration.js';
import { Database } from '../src/database/database.js';
import { tickets } from '../src/database/schema.js';
import { jobIdFor, jobOptions, RUN_TICKET_JOB, TICKET_QUEUE_NAME, type TicketJobData } from '../src/queue/ticket-jobs.js';
import { TicketsRepository } from '../src/tickets/tickets.repository.js';
import { inquiries } from './fixtures.js';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : def;
};
const N = Number(arg('tickets', '400'));
const WORKER_COUNTS = arg('workers', '1,2').split(',').map(Number);
const CONCURRENCY = arg('concurrency', '4');
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
const log = (msg: string) => console.error(`[queue bench] ${msg}`);

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', './scripts/register-swc.mjs', 'src/worker.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Worker ready')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${out.slice(-2000)}`)));
  });
}

async function round(workers: number): Promise<{ workers: number; tickets: number; seconds: number; per_second: number; enqueue_ms: number }> {
  const schema = `bench_queue_${randomBytes(3).toString('hex')}`;
  const prefix = `bench-queue-${randomBytes(3).toString('hex')}`;
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL,
    DATABASE_SCHEMA: schema,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    QUEUE_CONCURRENCY: CONCURRENCY,
    LLM_PROVIDER: 'offline',
    SLA_CHECK_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info', // the worker says "Worker ready" at info
  };
  const config = loadConfig(env);
  const database = await Database.open(config.env);
  await database.migrate();
  const repo = new TicketsRepository(database);
  const queue = new Queue<TicketJobData>(TICKET_QUEUE_NAME, { connection: { url: REDIS_URL }, prefix, defaultJobOptions: jobOptions(config.env) });
  const children: ChildProcess[] = [];
  try {
    log(`${workers} worker(s) × concurrency ${CONCURRENCY}: starting`);
    children.push(...(await Promise.all(Array.from({ length: workers }, () => startWorker(env)))));
    const texts = inquiries();
    const ids = Array.from({ length: N }, () => randomUUID());
    const started = performance.now();
    // Stored then enqueued, as POST /tickets?mode=async does (ten at a time).
    for (let i = 0; i < N; i += 10) {
      await Promise.all(
        ids.slice(i, i + 10).map(async (id, j) => {
          await repo.transaction((tx) =>
            repo.insert(tx, { id, inquiryText: texts[(i + j) % texts.length]!, metadata: { channel: 'email' }, redaction: 0 }, { type: 'created', actor: 'customer', data: { status: 'queued' } }),
          );
          await queue.add(RUN_TICKET_JOB, { ticketId: id, reason: 'created' }, { jobId: jobIdFor(id) });
        }),
      );
    }
    const enqueueMs = performance.now() - started;
    for (;;) {
      const [row] = await database.db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(tickets)
        .where(inArray(tickets.status, ['queued', 'processing']));
      if ((row?.n ?? 0) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const failed = await database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(tickets).where(inArray(tickets.status, ['failed']));
    if (failed[0]?.n) log(`warning: ${failed[0].n} tickets failed`);
    return { workers, tickets: N, seconds: Number(seconds.toFixed(2)), per_second: Number((N / seconds).toFixed(1)), enqueue_ms: Math.round(enqueueMs) };
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await database.close();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

log(`${cpus().length} × ${cpus()[0]?.model}; ${N} tickets per round, offline backend, PostgreSQL + Redis on loopback`);
const results = [];
for (const w of WORKER_COUNTS) {
  const r = await round(w);
  log(`${w} worker(s): ${r.tickets} tickets in ${r.seconds} s → ${r.per_second} tickets/s (enqueue took ${r.enqueue_ms} ms)`);
  results.push(r);
}
console.log(JSON.stringify({ concurrency_per_worker: Number(CONCURRENCY), results }, null, 2));

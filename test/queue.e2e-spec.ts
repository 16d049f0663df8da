import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import request from 'supertest';
import { Metrics } from '../src/metrics/metrics.js';
import { testDatabases } from './helpers/databases.js';
import { FakeOpenAI, responsesMessage, responsesReply, type RecordedRequest } from './helpers/fake-openai.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * Async tickets through real worker processes (src/worker.ts) on the local Redis and PostgreSQL:
 * a job completes, a job that keeps failing is dead-lettered and re-queued from the API, and a
 * worker killed mid-job is replaced by another that finishes the ticket once. The workers use the
 * OpenAI backend against a fake server in this process, so a test decides which model call is
 * slow or failing.
 */
const postgres = testDatabases().find((d) => d.db.name === 'PostgreSQL')!;
const redisUrl = process.env.TEST_REDIS_URL;
const skip = postgres.skip ?? (redisUrl ? undefined : (process.env.TEST_REDIS_SKIP ?? 'Redis not probed'));
const suite = skip ? describe.skip : describe;

const PREFIX = `qtest-${process.pid}-${randomBytes(3).toString('hex')}`;
const TRIAGE = { category: 'technical', priority: 'High', confidence: 0.9, clarification_needed: false };
const ESCALATED = { ticket_status: 'escalated', resolution_reply: 'A specialist will contact you today.', resolution_notes: 'Needs an engineer.' };
const isTriage = (r: RecordedRequest) => JSON.stringify(r.body.instructions ?? '').includes('You triage');
const inputOf = (r: RecordedRequest) => JSON.stringify(r.body.input ?? '');

const fake = new FakeOpenAI();
/** Tickets whose text contains FAILME get 503s while this is true. */
let failing = true;
/** The first resolution call for a SLOWME ticket never answers in time (the worker dies waiting). */
let slowResolutionSeen = false;

let app: NestExpressApplication;
let dbEnv: Record<string, string>;
let openaiUrl: string;
const workers: { child: ChildProcess; output: string[] }[] = [];
const http = () => request(app.getHttpServer());

function workerEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...dbEnv,
    REDIS_URL: redisUrl!,
    QUEUE_PREFIX: PREFIX,
    QUEUE_ATTEMPTS: '2',
    QUEUE_BACKOFF_MS: '200',
    QUEUE_STALLED_SECONDS: '2',
    QUEUE_CONCURRENCY: '2',
    TICKET_LEASE_SECONDS: '5',
    SHUTDOWN_GRACE_SECONDS: '10',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: openaiUrl,
    OPENAI_MODEL: 'gpt-test',
    OPENAI_MAX_RETRIES: '0',
    LLM_FALLBACK: 'false',
    SLA_CHECK_INTERVAL_SECONDS: '0',
    LOG_LEVEL: 'info',
  };
}

/** A worker process from the TypeScript entry (CI does not build dist/), ready once it says so. */
async function startWorker(): Promise<{ child: ChildProcess; output: string[] }> {
  const child = spawn(process.execPath, ['--import', './scripts/register-swc.mjs', 'src/worker.ts'], { env: workerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const worker = { child, output: [] as string[] };
  child.stdout!.on('data', (d: Buffer) => worker.output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => worker.output.push(d.toString()));
  workers.push(worker);
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`worker exited (${child.exitCode}):\n${worker.output.join('').slice(-3000)}`);
      return worker.output.join('').includes('Worker ready');
    },
    120_000,
    'the worker to start',
  );
  return worker;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Polls `check` (no fixed sleeps: the machine may be loaded). */
async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The workflow's events (the hand-off package is posted in the background, and may come later). */
const workflowEvents = (t: { events: { type: string }[] }) => t.events.map((e) => e.type).filter((type) => type !== 'handoff');

async function ticketWhen(id: string, ok: (t: any) => boolean, what: string, timeoutMs = 90_000): Promise<any> {
  return waitFor(
    async () => {
      const res = await http().get(`/tickets/${id}`).expect(200);
      return ok(res.body) ? res.body : undefined;
    },
    timeoutMs,
    `ticket ${id}: ${what}`,
  );
}

suite(`async tickets on BullMQ workers (Redis + PostgreSQL)${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  beforeAll(async () => {
    openaiUrl = await fake.start();
    fake.respond = (r) => {
      const input = inputOf(r);
      if (failing && input.includes('FAILME')) return { status: 503, json: { error: { message: 'overloaded' } } };
      const reply = responsesReply(r.body.model, [responsesMessage(JSON.stringify(isTriage(r) ? TRIAGE : ESCALATED))]);
      if (!isTriage(r) && input.includes('SLOWME') && !slowResolutionSeen) {
        slowResolutionSeen = true;
        return { ...reply, delayMs: 600_000 };
      }
      return reply;
    };
    dbEnv = postgres.db.env();
    app = await createTestApp({ ...dbEnv, REDIS_URL: redisUrl!, QUEUE_PREFIX: PREFIX, QUEUE_ATTEMPTS: '2', QUEUE_BACKOFF_MS: '200', TICKET_LEASE_SECONDS: '5' });
    await startWorker();
  }, 180_000);

  afterAll(async () => {
    for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(workers.map(({ child }) => exited(child)));
    await app?.close();
    await fake.stop();
    await postgres.db.cleanup();
    // This run's queue keys only.
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  it('?mode=async answers 202 with the status URL at once; a worker process runs the ticket', async () => {
    const res = await http().post('/tickets?mode=async').send({ inquiry_text: 'The export to CSV button does nothing in the reports page.', metadata: { channel: 'web' } }).expect(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    expect(res.headers.location).toBe(`/tickets/${res.body.id}`);
    // Finished: the ticket escalated and the job completed (completed jobs leave Redis).
    const done = await ticketWhen(res.body.id, (t) => t.status === 'escalated' && t.queue === null, 'escalated by the worker');
    expect(workflowEvents(done)).toEqual(['created', 'triaged', 'resolution']);
    expect(done.events[1].data).toMatchObject({ backend: 'openai' });
    expect(done).toMatchObject({ attempts: 1, triage: TRIAGE, queue: null });
    // The API samples the queue at scrape time.
    expect(await app.get(Metrics).registry.getSingleMetricAsString('queue_jobs')).toMatch(/queue_jobs\{state="failed"\} \d+/);
  }, 120_000);

  it('a job that keeps failing is dead-lettered, shown in the ticket and GET /queue/jobs, and re-queued by POST /queue/jobs/:id/retry', async () => {
    failing = true;
    const created = await http().post('/tickets?mode=async').send({ inquiry_text: 'FAILME: the mobile app crashes when I open settings.', metadata: { channel: 'chat' } }).expect(202);
    const id = created.body.id as string;
    const dead = await ticketWhen(id, (t) => t.queue?.state === 'failed', 'dead-lettered');
    expect(dead.status).toBe('failed');
    expect(dead.queue).toMatchObject({ job_id: `ticket-${id}`, dead_lettered: true, attempts_made: 2, attempts_max: 2, failed_reason: 'triage failed: 503 model-unavailable' });
    // Both attempts ran and were recorded on the ticket: the first run, then one retry by the queue.
    expect(workflowEvents(dead)).toEqual(['created', 'run_failed', 'retry', 'run_failed']);
    expect(dead.events[2].data).toMatchObject({ via: 'queue', job_attempt: 2 });

    const list = await http().get('/queue/jobs?state=failed').expect(200);
    expect(list.body.total).toBeGreaterThanOrEqual(1);
    expect(list.body.jobs).toContainEqual(expect.objectContaining({ job_id: `ticket-${id}`, ticket_id: id, dead_lettered: true }));
    await http().get('/queue/jobs?state=bogus').expect(400);
    await http().get('/queue/jobs?limit=0').expect(400);
    expect((await http().post('/queue/jobs/ticket-not-a-uuid/retry').expect(404)).body.type).toMatch(/job-not-found$/);

    failing = false;
    const retried = await http().post(`/queue/jobs/ticket-${id}/retry`).expect(200);
    expect(retried.body).toMatchObject({ job_id: `ticket-${id}`, attempts_made: 0, dead_lettered: false });
    const done = await ticketWhen(id, (t) => t.status === 'escalated' && t.queue === null, 'escalated after the retry');
    expect(workflowEvents(done)).toEqual(['created', 'run_failed', 'retry', 'run_failed', 'retry', 'triaged', 'resolution']);
    // Not dead-lettered any more (completed jobs leave Redis): nothing to retry.
    await http().post(`/queue/jobs/ticket-${id}/retry`).expect(404);
  }, 150_000);

  it('POST /tickets/:id/retry enqueues a failed ticket for the workers', async () => {
    failing = true;
    const created = await http().post('/tickets?mode=async').send({ inquiry_text: 'FAILME again: cannot upload an avatar picture.', metadata: { channel: 'email' } }).expect(202);
    const id = created.body.id as string;
    await ticketWhen(id, (t) => t.queue?.state === 'failed', 'dead-lettered');
    failing = false;
    const res = await http().post(`/tickets/${id}/retry`).expect(200);
    expect(res.body.queue).toMatchObject({ job_id: `ticket-${id}`, attempts_made: 0 });
    await ticketWhen(id, (t) => t.status === 'escalated' && t.queue === null, 'escalated after the retry');
    await http().post(`/tickets/${id}/retry`).expect(409);
  }, 150_000);

  it('a worker killed mid-job (SIGKILL): another takes the job over once the lease ends and finishes the ticket once', async () => {
    const [first] = workers;
    const created = await http().post('/tickets?mode=async').send({ inquiry_text: 'SLOWME: two-factor codes never arrive by SMS.', metadata: { channel: 'phone' } }).expect(202);
    const id = created.body.id as string;
    // Mid-job for sure: the triage is stored and the resolution call is in flight (it never answers).
    await waitFor(() => slowResolutionSeen, 90_000, 'the resolution call of the slow ticket');
    first!.child.kill('SIGKILL');
    await exited(first!.child);
    expect((await http().get(`/tickets/${id}`).expect(200)).body).toMatchObject({ status: 'processing', attempts: 1 });

    const second = await startWorker();
    const done = await ticketWhen(id, (t) => t.status === 'escalated' && t.queue === null, 'finished by the second worker');
    // Exactly one resolution, and the dead attempt's triage reused rather than written twice.
    expect(workflowEvents(done)).toEqual(['created', 'triaged', 'resolution']);
    expect(done.attempts).toBe(2);
    expect(second.output.join('')).toMatch(/stalled/);

    // Graceful stop: SIGTERM with nothing running exits 0 and says so.
    second.child.kill('SIGTERM');
    expect(await exited(second.child)).toBe(0);
    expect(second.output.join('')).toContain('Worker stopped');
  }, 240_000);
});

suite(`queue mode with Redis down when the ticket is stored${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  const prefix = `${PREFIX}-down`;
  let env: Record<string, string>;
  let api: NestExpressApplication | undefined;
  afterAll(async () => {
    await api?.close();
    await postgres.db.cleanup();
    const redis = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }, 60_000);

  it('answers 202 and keeps the ticket queued; once Redis is reachable the recovery sweep enqueues it', async () => {
    env = { ...postgres.db.env(), QUEUE_PREFIX: prefix, TICKET_LEASE_SECONDS: '5' };
    // Nothing listens on port 1: the queue client fails fast instead of holding the request.
    api = await createTestApp({ ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    const created = await request(api.getHttpServer()).post('/tickets?mode=async').send({ inquiry_text: 'Where can I change my invoice address?', metadata: { channel: 'email' } }).expect(202);
    const id = created.body.id as string;
    const stored = await request(api.getHttpServer()).get(`/tickets/${id}`).expect(200);
    expect(stored.body).toMatchObject({ status: 'queued', queue: { state: 'unavailable' } });
    const listed = await request(api.getHttpServer()).get('/queue/jobs').expect(503);
    expect(listed.body.type).toMatch(/queue-unavailable$/);
    await api.close();

    // Redis is back (an instance with the reachable URL); the ticket has waited past the sweep's 30 s.
    const { Database } = await import('../src/database/database.js');
    const { loadConfig } = await import('../src/config/configuration.js');
    const database = await Database.open(loadConfig({ LLM_PROVIDER: 'offline', ...env }).env);
    await database.db.execute(sql`update tickets set updated_at = now() - interval '1 minute' where id = ${id}`);
    await database.close();
    api = await createTestApp({ ...env, REDIS_URL: redisUrl! });
    const queued = await waitFor(
      async () => {
        const res = await request(api!.getHttpServer()).get(`/tickets/${id}`).expect(200);
        return res.body.queue?.state === 'waiting' ? res.body : undefined;
      },
      30_000,
      'the sweep to enqueue the ticket',
    );
    expect(queued).toMatchObject({ status: 'queued', queue: { job_id: `ticket-${id}`, reason: 'recovery' } });
  }, 180_000);
});

describe('the worker entry', () => {
  it('refuses to start without REDIS_URL (exit code 1, a message saying what is missing)', async () => {
    const child = spawn(process.execPath, ['--import', './scripts/register-swc.mjs', 'src/worker.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exited(child)).toBe(1);
    expect(stderr).toContain('The worker needs REDIS_URL');
  }, 60_000);
});

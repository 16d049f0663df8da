import { spawn, type ChildProcess } from 'node:child_process';
import { testDatabases } from './helpers/databases.js';

/**
 * The worker process (src/worker.ts) stopping while Redis is down: SIGTERM must end it within the
 * grace period (exit 0: no job was running), not leave it hanging on a Redis connection that
 * never comes back until the orchestrator's SIGKILL.
 */
const postgres = testDatabases().find((d) => d.db.name === 'PostgreSQL')!;
const suite = postgres.skip ? describe.skip : describe;

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Polls `check` (no fixed sleeps: the machine may be loaded). */
async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

suite(`worker shutdown with Redis down${postgres.skip ? ` — SKIPPED: ${postgres.skip}` : ''}`, () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await postgres.db.cleanup();
  });

  it('SIGTERM stops a worker whose Redis is unreachable: it exits 0, saying so', async () => {
    child = spawn(process.execPath, ['--import', './scripts/register-swc.mjs', 'src/worker.ts'], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...postgres.db.env(),
        // Nothing listens on port 1: every connection attempt is refused.
        REDIS_URL: 'redis://127.0.0.1:1',
        SHUTDOWN_GRACE_SECONDS: '2',
        SLA_CHECK_INTERVAL_SECONDS: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Started (the app is up and the BullMQ worker exists): it says its Redis connection fails.
    await waitFor(() => child!.exitCode === null && output.includes('Worker connection'), 120_000, `the worker to start:\n${output.slice(-2000)}`);

    child.kill('SIGTERM');
    // Far more than the 2 s grace plus the bounded Redis and database closes; before the fix it never exited.
    await waitFor(() => child!.exitCode !== null, 60_000, 'the worker to exit after SIGTERM');
    expect(await exited(child)).toBe(0);
    expect(output).toContain('Worker stopped');
  }, 240_000);
});

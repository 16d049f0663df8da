/** The app in a child process, loaded with autocannon from this one; RSS read from /proc. */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Server on core 0, load on core 1, when there are two cores and taskset (util-linux). */
export const PINNED = existsSync('/usr/bin/taskset');

function pinned(cpu: number, command: string, args: string[]): [string, string[]] {
  return PINNED ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

export function pinSelf(cpu: number): void {
  if (PINNED) spawn('taskset', ['-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
}

/** Embedded databases of this run: never the user's ./data/db, deleted when the bench exits. */
const BENCH_DATA_ROOT = mkdtempSync(join(tmpdir(), 'support-agents-bench-'));
process.on('exit', () => rmSync(BENCH_DATA_ROOT, { recursive: true, force: true }));
let dataDirs = 0;
export const newDataDir = () => join(BENCH_DATA_ROOT, `db-${++dataDirs}`);

/** The bench's admin key: production refuses to start without one (docs/security.md). */
export const BENCH_API_KEY = 'bench-key-0123456789abcdef';

export const BENCH_ENV = {
  ...process.env,
  API_KEYS: `${BENCH_API_KEY}:admin`,
  // Throughput is the measurement: the per-key limits would cap it.
  RATE_LIMIT_PER_MINUTE: '0',
  RATE_LIMIT_BURST_PER_SECOND: '0',
  LLM_PROVIDER: 'offline',
  OPENAI_API_KEY: '',
  ALERT_WEBHOOK_URL: '',
  NODE_ENV: 'production',
  DATABASE_URL: '',
  DATA_DIR: newDataDir(),
};

export interface Server {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** bench/server.ts: the real app plus the baseline routes; `env` overrides BENCH_ENV (e.g. an existing DATA_DIR). */
export async function startServer(env: Record<string, string> = {}): Promise<Server> {
  const [cmd, args] = pinned(0, process.execPath, ['--import', './scripts/register-swc.mjs', 'bench/server.ts']);
  const child = spawn(cmd, args, { env: { ...BENCH_ENV, DATA_DIR: newDataDir(), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  // The server prints {"port": N} once listening; anything before it (a warning) is passed on.
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^\{"port":(\d+)\}$/.exec(line.trim());
      if (!m) return void process.stderr.write(`[server] ${line}\n`);
      lines.close();
      resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Resident set size of a process in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * Peak RSS of a process over `work`, in MB above its RSS when it began: the kernel's high-water
 * mark (VmHWM), reset first through /proc/<pid>/clear_refs (Linux; NaN where that is refused).
 */
export async function peakRssDelta<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak_delta_mb: number }> {
  const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  let reset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    reset = false;
  }
  const before = status('VmRSS');
  const result = await work();
  return { result, peak_delta_mb: reset ? status('VmHWM') - before : NaN };
}

/** One request at a time: POST (a pre-serialised body) or GET; the time includes reading the whole answer. */
export async function timedRequest(url: string, path: string, body?: string): Promise<{ ms: number; status: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${BENCH_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
  });
  const bytes = (await res.arrayBuffer()).byteLength;
  return { ms: performance.now() - started, status: res.status, bytes };
}

export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export interface Post {
  path: string;
  body: object;
}

/** POSTs the requests in turn on `connections` connections for `seconds`. */
export async function load(url: string, posts: Post[], seconds: number, connections = 10): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: posts.map(({ path, body }) => ({ method: 'POST', path, headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_API_KEY}` }, body: JSON.stringify(body) })),
  });
  return {
    rps: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Start-up as a user sees it: `node dist/main.js` until GET /agents answers; idle RSS then.
 * Not pinned: the service trains its classifier on a second core while it loads.
 */
export async function startupOnce(port: number, dataDir = BENCH_ENV.DATA_DIR): Promise<{ ms: number; idle_rss_mb: number }> {
  const started = performance.now();
  // Both cores again: a child inherits the bench process's pinning to core 1.
  const [cmd, args] = PINNED ? ['taskset', ['-c', '0,1', process.execPath, 'dist/main.js']] : [process.execPath, ['dist/main.js']];
  const child = spawn(cmd, args, { env: { ...BENCH_ENV, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`dist/main.js exited (${child.exitCode})`);
      if (performance.now() - started > 60_000) throw new Error('start-up took over 60 s');
      const ok = await fetch(`http://127.0.0.1:${port}/agents`, { headers: { authorization: `Bearer ${BENCH_API_KEY}` } }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000));
    return { ms, idle_rss_mb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

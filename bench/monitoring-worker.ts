/**
 * Does a worker thread pay for /run_performance_monitoring/'s compute? (issue 7, docs/BENCHMARKS.md)
 *
 *   node --import ./scripts/register-swc.mjs bench/monitoring-worker.ts [sizes…]   (prints JSON)
 *
 * In one process, with the worker already started and warmed up, at each size (default 10k and
 * 100k updates, bench/fixtures.ts):
 * - in process: buildTicketFacts + the collectors + breaches over the validated updates; and
 *   JSON.parse of the body bytes + the same (what a worker given the raw body would do);
 * - clone: postMessage of the same updates array (structured clone: serialised on the main
 *   thread, deserialised on the worker's), the same compute there, the metrics back;
 * - transfer: the body as a pre-encoded JSON byte buffer, transferred (no copy), decoded and
 *   parsed on the worker, then the same compute.
 * Each reports its median round trip and how long the main thread was blocked in postMessage
 * (the event loop's cost: the only part a worker could take away from other requests).
 * npm run bench starts this on both cores (taskset -c 0,1): a worker's best case.
 */
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { collectors } from '../src/monitoring/metrics.js';
import { MonitoringRequestSchema } from '../src/monitoring/monitoring.schemas.js';
import { findBreaches, resolutionTargets, type SlaTargets } from '../src/monitoring/sla.js';
import { buildTicketFacts, type TicketUpdate } from '../src/monitoring/ticket-facts.js';
import { ticketUpdates } from './fixtures.js';

const TARGETS: SlaTargets = { sla_compliance: 0.9, avg_first_response_time: 4 };

/** What the endpoint computes after validation (as bench/in-process.ts times it). */
function compute(updates: readonly TicketUpdate[], targets: SlaTargets) {
  const { facts } = buildTicketFacts(updates);
  const metrics = [
    ...collectors.volume(facts),
    ...collectors.firstResponse(facts),
    ...collectors.resolution(facts, resolutionTargets(targets)),
    ...collectors.reopen(facts),
    ...collectors.satisfaction(facts),
  ];
  return { metrics, breaches: findBreaches(metrics, targets) };
}

type Job = { id: number; targets: SlaTargets } & ({ kind: 'clone'; updates: TicketUpdate[] } | { kind: 'bytes'; bytes: Uint8Array });
interface Reply {
  id: number;
  metrics: number;
  /** Time on the worker thread from the message event to the result (excludes the clone's deserialisation). */
  worker_ms: number;
}

export interface HandoffSize {
  updates: number;
  bytes: number;
  runs: number;
  /** (a) buildTicketFacts + collectors + breaches on the calling thread. */
  in_process_ms: number;
  /** (a') TextDecoder + JSON.parse of the body bytes + the same, on the calling thread. */
  in_process_from_bytes_ms: number;
  /** (b) postMessage(updates) → metrics back: round trip, main thread blocked, worker's own part. */
  clone_ms: number;
  clone_blocked_ms: number;
  clone_worker_ms: number;
  /** (b') transfer of the JSON bytes → decode + parse + compute on the worker → metrics back. */
  transfer_ms: number;
  transfer_blocked_ms: number;
  transfer_worker_ms: number;
}

export interface HandoffBench {
  cpus_allowed: string;
  worker_start_ms: number;
  sizes: HandoffSize[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (!isMainThread) {
  parentPort!.on('message', (job: Job) => {
    const started = performance.now();
    const updates = job.kind === 'clone' ? job.updates : (JSON.parse(new TextDecoder().decode(job.bytes)) as { ticket_updates: TicketUpdate[] }).ticket_updates;
    const { metrics } = compute(updates, job.targets);
    parentPort!.postMessage({ id: job.id, metrics: metrics.length, worker_ms: performance.now() - started } satisfies Reply);
  });
} else if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  console.log(JSON.stringify(await handoffBench(sizes.length ? sizes : [10_000, 100_000])));
}

export async function handoffBench(sizes: number[]): Promise<HandoffBench> {
  const started = performance.now();
  const worker = new Worker(new URL(import.meta.url));
  await new Promise<void>((resolve, reject) => {
    worker.once('online', () => resolve());
    worker.once('error', reject);
  });
  const worker_start_ms = performance.now() - started;
  let nextId = 0;
  const roundTrip = (make: (id: number) => { job: Job; transfer?: ArrayBuffer[] }) =>
    new Promise<{ ms: number; blocked: number; worker: number }>((resolve, reject) => {
      const { job, transfer } = make(nextId++);
      let blocked = 0;
      const t0 = performance.now();
      worker.once('message', (reply: Reply) => (reply.id === job.id ? resolve({ ms: performance.now() - t0, blocked, worker: reply.worker_ms }) : reject(new Error('out of order'))));
      worker.postMessage(job, transfer);
      blocked = performance.now() - t0;
    });
  const out: HandoffSize[] = [];
  try {
    // JIT warm-up of every path on both threads (a server has run many requests): 1k updates, 20 times.
    await measure(1_000, 20);
    for (const n of sizes) out.push(await measure(n, n >= 100_000 ? 7 : 11));
  } finally {
    await worker.terminate();
  }
  let cpus_allowed = 'unknown';
  try {
    const { readFileSync } = await import('node:fs');
    cpus_allowed = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? cpus_allowed;
  } catch {
    // not Linux: the list is informative only
  }
  return { cpus_allowed, worker_start_ms, sizes: out };

  async function measure(n: number, runs: number): Promise<HandoffSize> {
    const body = { ticket_updates: ticketUpdates(n), sla_targets: TARGETS };
    const encoded = new TextEncoder().encode(JSON.stringify(body));
    const { ticket_updates: updates } = MonitoringRequestSchema.parse(body);
    const times = { a: [] as number[], aBytes: [] as number[], clone: [] as number[], cloneBlocked: [] as number[], cloneWorker: [] as number[], transfer: [] as number[], transferBlocked: [] as number[], transferWorker: [] as number[] };
    // Run 0 warms every path up (the worker's JIT too); the modes alternate so drift hits each alike.
    // No forced GC in between: after a full GC V8 shrinks the young generation, and the next run
    // on that thread pays for growing it again (measured: up to 5× at 10k), which the worker's
    // thread would never pay.
    for (let r = 0; r <= runs; r++) {
      let t0 = performance.now();
      compute(updates, TARGETS);
      const a = performance.now() - t0;
      t0 = performance.now();
      compute((JSON.parse(new TextDecoder().decode(encoded)) as typeof body).ticket_updates, TARGETS);
      const aBytes = performance.now() - t0;
      const clone = await roundTrip((id) => ({ job: { id, kind: 'clone', updates, targets: TARGETS } }));
      // A fresh copy each run: a transferred buffer is gone from this thread (the server would transfer the request's own bytes).
      const bytes = encoded.slice();
      const transfer = await roundTrip((id) => ({ job: { id, kind: 'bytes', bytes, targets: TARGETS }, transfer: [bytes.buffer] }));
      if (r === 0) continue;
      times.a.push(a);
      times.aBytes.push(aBytes);
      times.clone.push(clone.ms);
      times.cloneBlocked.push(clone.blocked);
      times.cloneWorker.push(clone.worker);
      times.transfer.push(transfer.ms);
      times.transferBlocked.push(transfer.blocked);
      times.transferWorker.push(transfer.worker);
    }
    return {
      updates: n,
      bytes: encoded.length,
      runs,
      in_process_ms: median(times.a),
      in_process_from_bytes_ms: median(times.aBytes),
      clone_ms: median(times.clone),
      clone_blocked_ms: median(times.cloneBlocked),
      clone_worker_ms: median(times.cloneWorker),
      transfer_ms: median(times.transfer),
      transfer_blocked_ms: median(times.transferBlocked),
      transfer_worker_ms: median(times.transferWorker),
    };
  }
}

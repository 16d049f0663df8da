/**
 * Issue 7 (SLA monitoring at scale), a group of `npm run bench` and runnable alone:
 *
 *   node --expose-gc --import ./scripts/register-swc.mjs bench/monitoring-scale.ts [--quick] [--merge]
 *
 * (`--merge` writes the `sla_monitoring` key into bench/results/latest.json, or quick.json with
 * --quick, keeping the rest of the file.) Every number against a baseline of the same run:
 *
 * 1. POST /run_performance_monitoring/ with 10k and 100k updates, one request at a time, on the
 *    bench server (core 0; this process, the client, on core 1), each request right after the
 *    same body POSTed to /bench/echo and to /bench/sink (received, parsed and checked, a few
 *    bytes back: the floor; the echo also serialises megabytes back); median of N, updates/s,
 *    and the server's peak RSS above its RSS before each request.
 * 2. Worker threads: bench/monitoring-worker.ts in a child process on both cores.
 * 3. SLA over stored tickets (bench/sla.ts): the check at 1k and 10k open tickets against the
 *    bare read, the overview's compute under calendar-time and Berlin business-hours policies;
 *    then GET /monitoring/overview over HTTP at 10k, on the bench server opened on the same
 *    embedded database, against GET /bench/sla-read (the same read, nothing computed).
 *    Micro: BusinessTime between/add, ticketClocks per ticket.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { DbRow } from './db.js';
import { ticketUpdates } from './fixtures.js';
import { median } from './in-process.js';
import { BENCH_API_KEY, PINNED, newDataDir, peakRssDelta, startServer, timedRequest, type Server } from './http-load.js';
import type { HandoffBench } from './monitoring-worker.js';
import { slaMicroBench, storedSlaBench, type MicroBench, type StoredBench } from './sla.js';

const TARGETS = { sla_compliance: 0.9, avg_first_response_time: 4 };

export interface HttpSize {
  updates: number;
  bytes: number;
  runs: number;
  monitoring_ms: number[];
  sink_ms: number[];
  echo_ms: number[];
  monitoring_median_ms: number;
  /** The same body to /bench/sink (parsed and checked like any route's body, a few bytes back): the floor. */
  sink_median_ms: number;
  /** The same body to /bench/echo (parsed, then serialised and sent back whole). */
  echo_median_ms: number;
  updates_per_s: number;
  sink_updates_per_s: number;
  /** sink ÷ monitoring time (= monitoring updates/s ÷ sink updates/s, as the load scenarios' ratio). */
  ratio: number;
  echo_ratio: number;
  /** Median over the runs of the server's peak RSS during the request minus its RSS before it. */
  peak_rss_delta_mb: number;
  sink_peak_rss_delta_mb: number;
  echo_peak_rss_delta_mb: number;
  rss_before_mb: number;
}

export interface OverviewHttp {
  tickets: number;
  runs: number;
  ms: number[];
  p50_ms: number;
  max_ms: number;
  bytes: number;
  /** GET /bench/sla-read on the same server, alternating: the same tickets read, nothing computed. */
  read_ms: number[];
  read_p50_ms: number;
  ratio: number;
}

export interface SlaMonitoringBench {
  generated_at: string;
  /** The source measured: uncommitted changes in src/ (other work in progress) are counted. */
  source: { commit: string; dirty_src_files: number };
  settings: { quick: boolean; http_runs: Record<string, number>; check_runs: Record<string, number> };
  http: HttpSize[];
  overview_http: OverviewHttp;
  workers: HandoffBench;
  stored: StoredBench;
  micro: MicroBench;
  rows: DbRow[];
  seconds: number;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const thousands = (x: number) => Math.round(x).toLocaleString('en-US');

/** The worker comparison in its own process on both cores (this one may be pinned to one): a worker's best case. */
function workerBench(): Promise<HandoffBench> {
  const node = [process.execPath, '--expose-gc', '--import', './scripts/register-swc.mjs', 'bench/monitoring-worker.ts'];
  const [cmd, ...args] = PINNED ? ['taskset', '-c', '0,1', ...node] : node;
  return new Promise((resolve, reject) =>
    execFile(cmd!, args, { timeout: 300_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as HandoffBench))),
  );
}

async function monitoringHttp(server: Server, n: number, runs: number): Promise<HttpSize> {
  const body = JSON.stringify({ ticket_updates: ticketUpdates(n), sla_targets: TARGETS });
  const pid = server.child.pid!;
  const once = async (path: string) => {
    const { result, peak_delta_mb } = await peakRssDelta(pid, () => timedRequest(server.url, path, body));
    if (result.status !== 200) throw new Error(`POST ${path} with ${n} updates: HTTP ${result.status}`);
    return { ms: result.ms, peak: peak_delta_mb };
  };
  // Warm-up: every route, twice (JIT, the heap grown to the body's size).
  for (let i = 0; i < 2; i++) for (const path of ['/bench/echo', '/bench/sink', '/run_performance_monitoring/']) await once(path);
  const rss_before_mb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  const t = { echo: [] as { ms: number; peak: number }[], sink: [] as { ms: number; peak: number }[], mon: [] as { ms: number; peak: number }[] };
  // Each monitoring request right after its baselines, so the machine's drift hits all alike.
  for (let r = 0; r < runs; r++) {
    t.echo.push(await once('/bench/echo'));
    t.sink.push(await once('/bench/sink'));
    t.mon.push(await once('/run_performance_monitoring/'));
  }
  const ms = (xs: { ms: number }[]) => median(xs.map((x) => x.ms));
  const peak = (xs: { peak: number }[]) => median(xs.map((x) => x.peak));
  const m = ms(t.mon);
  return {
    updates: n,
    bytes: body.length,
    runs,
    monitoring_ms: t.mon.map((x) => x.ms),
    sink_ms: t.sink.map((x) => x.ms),
    echo_ms: t.echo.map((x) => x.ms),
    monitoring_median_ms: m,
    sink_median_ms: ms(t.sink),
    echo_median_ms: ms(t.echo),
    updates_per_s: (n * 1000) / m,
    sink_updates_per_s: (n * 1000) / ms(t.sink),
    ratio: ms(t.sink) / m,
    echo_ratio: ms(t.echo) / m,
    peak_rss_delta_mb: peak(t.mon),
    sink_peak_rss_delta_mb: peak(t.sink),
    echo_peak_rss_delta_mb: peak(t.echo),
    rss_before_mb,
  };
}

async function overviewHttp(server: Server, tickets: number, runs: number): Promise<OverviewHttp> {
  const get = async (path: string) => {
    const r = await timedRequest(server.url, path);
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
    return r;
  };
  // Warm-up of both, and a check that the server sees the seeded tickets.
  const { tickets: seen } = (await (await fetch(`${server.url}/bench/sla-read`, { headers: { authorization: `Bearer ${BENCH_API_KEY}` } })).json()) as { tickets: number };
  if (seen !== tickets) throw new Error(`GET /bench/sla-read: ${seen} tickets, seeded ${tickets}`);
  await get('/monitoring/overview');
  const times: number[] = [];
  const reads: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    reads.push((await get('/bench/sla-read')).ms);
    const r = await get('/monitoring/overview');
    times.push(r.ms);
    bytes = r.bytes;
  }
  return { tickets, runs, ms: times, p50_ms: median(times), max_ms: Math.max(...times), bytes, read_ms: reads, read_p50_ms: median(reads), ratio: median(times) / median(reads) };
}

function source(): SlaMonitoringBench['source'] {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
    return { commit, dirty_src_files: dirty };
  } catch {
    return { commit: 'unknown', dirty_src_files: -1 };
  }
}

export async function slaMonitoringBench(options: { quick: boolean; log?: (msg: string) => void }): Promise<SlaMonitoringBench> {
  const log = options.log ?? ((msg: string) => console.error(`[bench] ${msg}`));
  const started = performance.now();
  // Requests and checks are cheap next to the noise of a shared machine (one run swings 4×): many of them.
  const httpRuns: Record<string, number> = options.quick ? { 10000: 5, 100000: 3 } : { 10000: 15, 100000: 7 };
  const checkRuns: Record<string, number> = options.quick ? { 1000: 3, 10000: 2 } : { 1000: 7, 10000: 5 };
  const src = source();

  log('SLA micro: BusinessTime between/add (Berlin Mon-Fri vs 24/7), ticketClocks per ticket');
  const micro = slaMicroBench();

  log('monitoring: worker thread hand-off vs in process (child process on both cores)');
  const workers = await workerBench();

  const dataDir = newDataDir();
  const stored = await storedSlaBench({
    sizes: [1_000, 10_000],
    runs: (n) => checkRuns[n]!,
    dataDir,
    // As the bench server runs (http-load.ts BENCH_ENV), in this process.
    env: { API_KEYS: 'bench-key-0123456789abcdef:admin', LLM_PROVIDER: 'offline', OPENAI_API_KEY: '', NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST_PER_SECOND: '0' },
    log,
  });

  log('HTTP: bench server on the seeded database (10k open tickets)');
  const server = await startServer({ DATA_DIR: dataDir, SLA_CHECK_INTERVAL_SECONDS: '0', ALERT_WEBHOOK_URL: '', ALERT_GENERIC_WEBHOOK_URL: '' });
  let http: HttpSize[];
  let overview: OverviewHttp;
  try {
    log('HTTP: GET /monitoring/overview at 10k tickets');
    overview = await overviewHttp(server, 10_000, options.quick ? 3 : 7);
    http = [];
    for (const n of [10_000, 100_000]) {
      log(`HTTP: POST /run_performance_monitoring/ with ${n} updates, ${httpRuns[n]} × (echo, monitoring)`);
      http.push(await monitoringHttp(server, n, httpRuns[n]!));
    }
  } finally {
    await server.close();
  }

  const result: SlaMonitoringBench = {
    generated_at: new Date().toISOString(),
    source: src,
    settings: { quick: options.quick, http_runs: httpRuns, check_runs: checkRuns },
    http,
    overview_http: overview,
    workers,
    stored,
    micro,
    rows: [],
    seconds: 0,
  };
  result.rows = report(result);
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function report(r: SlaMonitoringBench): DbRow[] {
  const rows: DbRow[] = [];
  const row = (scenario: string, measured: string, baseline = '', ratio?: number) => rows.push({ scenario, measured, baseline, ratio, target: '', met: undefined });
  for (const h of r.http) {
    row(
      `POST /run_performance_monitoring/, ${h.updates / 1000}k updates`,
      `${thousands(h.updates_per_s)} updates/s (${fmt(h.monitoring_median_ms, 0)} ms; peak RSS +${fmt(h.peak_rss_delta_mb, 0)} MB)`,
      `receive only ${fmt(h.sink_median_ms, 0)} ms (+${fmt(h.sink_peak_rss_delta_mb, 0)} MB), echo ${fmt(h.echo_median_ms, 0)} ms`,
      h.ratio,
    );
  }
  for (const w of r.workers.sizes) {
    const k = `${w.updates / 1000}k`;
    row(`monitoring ${k}: worker, structured clone`, `${fmt(w.clone_ms, 1)} ms (main blocked ${fmt(w.clone_blocked_ms, 1)})`, `in process ${fmt(w.in_process_ms, 1)} ms`, w.in_process_ms / w.clone_ms);
    row(`monitoring ${k}: worker, transferred JSON bytes`, `${fmt(w.transfer_ms, 1)} ms (main blocked ${fmt(w.transfer_blocked_ms, 2)})`, `parse + compute ${fmt(w.in_process_from_bytes_ms, 1)} ms`, w.in_process_from_bytes_ms / w.transfer_ms);
  }
  for (const s of r.stored.sizes) {
    row(
      `SLA check, ${s.tickets / 1000}k open tickets`,
      `${thousands(s.tickets_per_s.check)} tickets/s (${fmt(s.check_ms, 0)} ms = read + compute ${fmt(s.compute_ms.default, 0)} + alert log ${fmt(s.other_ms, 0)}; first ${fmt(s.first_check_ms, 0)})`,
      `read ${thousands(s.tickets_per_s.read)}/s (${fmt(s.read_ms, 0)} ms)`,
      s.check_vs_read,
    );
  }
  const s10 = r.stored.sizes.at(-1)!;
  row(`SLA compute alone, ${s10.tickets / 1000}k tickets in memory, Berlin`, `${fmt(s10.compute_ms.berlin, 0)} ms`, `calendar time ${fmt(s10.compute_ms.default, 0)} ms`, s10.compute_ms.berlin / s10.compute_ms.default);
  const o = r.overview_http;
  row(`GET /monitoring/overview, ${o.tickets / 1000}k tickets`, `p50 ${fmt(o.p50_ms, 0)} ms (max ${fmt(o.max_ms, 0)})`, `bare read over HTTP ${fmt(o.read_p50_ms, 0)} ms`, o.ratio);
  const m = r.micro;
  row('BusinessTime.between, Berlin Mon-Fri', `${fmt(m.between_ns.berlin, 0)} ns (cold ${fmt(m.between_ns.berlin_cold, 0)})`, `24/7 ${fmt(m.between_ns.always, 0)} ns`, m.between_ns.berlin / m.between_ns.always);
  row('BusinessTime.add, Berlin Mon-Fri', `${fmt(m.add_ns.berlin, 0)} ns (cold ${fmt(m.add_ns.berlin_cold, 0)})`, `24/7 ${fmt(m.add_ns.always, 0)} ns`, m.add_ns.berlin / m.add_ns.always);
  row('ticketClocks per ticket, Berlin', `${fmt(m.ticket_clocks_us.berlin, 1)} µs (evaluateTicket ${fmt(m.evaluate_ticket_us.berlin, 1)})`, `24/7 ${fmt(m.ticket_clocks_us.default, 1)} µs`, m.ticket_clocks_us.berlin / m.ticket_clocks_us.default);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--quick' && a !== '--merge');
  if (unknown.length) {
    console.error(`unknown argument(s): ${unknown.join(' ')} (usage: node --expose-gc --import ./scripts/register-swc.mjs bench/monitoring-scale.ts [--quick] [--merge])`);
    process.exit(2);
  }
  const quick = args.includes('--quick');
  // As in npm run bench: this process (the client, PGlite for the stored-ticket part) on core 1.
  const { pinSelf } = await import('./http-load.js');
  const { printRows } = await import('./db.js');
  pinSelf(1);
  const result = await slaMonitoringBench({ quick });
  printRows(result.rows);
  console.log(`\nSLA monitoring group: ${fmt(result.seconds, 1)} s`);
  if (args.includes('--merge')) {
    const out = quick ? 'bench/results/quick.json' : 'bench/results/latest.json';
    const json = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(out, JSON.stringify({ ...json, sla_monitoring: result }, null, 2) + '\n');
    console.log(`merged the sla_monitoring key into ${out}`);
  }
}

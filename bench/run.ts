/**
 * npm run bench [-- --quick]: every scenario against a baseline measured in the same run
 * (docs/BENCHMARKS.md). HTTP scenarios: the app in a child process on core 0, autocannon on
 * core 1, each scenario right after its baseline — the echo route with the same bodies.
 * Prints a table and writes bench/results/latest.json. Targets are reported, not enforced.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { inquiries, resolutionBodies, ticketUpdates, triageBodies } from './fixtures.js';
import { BENCH_ENV, PINNED, freePort, load, newDataDir, pinSelf, rssMb, startServer, startupOnce, type LoadResult, type Post } from './http-load.js';
import type { DbRow } from './db.js';
import { classifierBench } from './classifier.js';
import { guardrailsBench } from './guardrails.js';
import { median, monitoringBench, searchBench, type MonitoringBench, type SearchBench } from './in-process.js';

const quick = process.argv.includes('--quick');
const unknown = process.argv.slice(2).filter((a) => a !== '--quick');
if (unknown.length) {
  console.error(`unknown argument(s): ${unknown.join(' ')} (usage: npm run bench [-- --quick])`);
  process.exit(2);
}
const SECONDS = Number(process.env.BENCH_SECONDS ?? (quick ? 3 : 8));
const SOAK_SECONDS = quick ? 15 : 60;
const SEARCH_SIZES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const MONITORING_SIZES = [1_000, 10_000, 100_000];

type Row = DbRow;
const rows: Row[] = [];
const fmt = (x: number, digits = 2) => x.toFixed(digits);
const log = (msg: string) => console.error(`[bench] ${msg}`);

pinSelf(1);
log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; pinned: ${PINNED}; ${SECONDS} s per HTTP scenario`);

// ---- in process, in a fresh heap first: the classifier ----
log('text classifier, synthetic 77-class set (10,003 train / 3,080 test)');
const classifier = await classifierBench();
rows.push({
  scenario: 'classifier training, 10k texts × 77 classes',
  measured: `${fmt(classifier.train_calibrated_ms ?? classifier.train_ms, 0)} ms calibrated (${fmt(classifier.train_ms, 0)} without)`,
  baseline: '',
  ratio: undefined,
  target: '< 10000 ms',
  met: (classifier.train_calibrated_ms ?? classifier.train_ms) < 10_000,
});
rows.push({
  scenario: 'classifier prediction (one text)',
  measured: `mean ${fmt(classifier.predict_mean_us, 0)} µs, p99 ${fmt(classifier.predict_p99_us, 0)} µs`,
  baseline: '',
  ratio: undefined,
  target: '< 1 ms',
  met: classifier.predict_p99_us < 1000,
});

// ---- in process: monitoring and search ----
const monitoring: MonitoringBench[] = [];
for (const n of MONITORING_SIZES) {
  log(`monitoring ${n} updates`);
  const m = monitoringBench(n);
  monitoring.push(m);
  rows.push({
    scenario: `monitoring compute, ${n / 1000}k updates`,
    measured: `${fmt(m.compute_ms, 1)} ms (+ validation ${fmt(m.validate_ms, 1)} ms)`,
    baseline: `JSON.parse ${fmt(m.json_parse_ms, 1)} ms (${(m.bytes / 1e6).toFixed(1)} MB)`,
    ratio: m.compute_vs_parse,
    target: n === 100_000 ? '≤ 1' : '',
    met: n === 100_000 ? m.compute_vs_parse <= 1 : undefined,
  });
}
const [, m10k, m100k] = monitoring;
const linearity = m100k!.compute_ms / 10 / m10k!.compute_ms;
rows.push({ scenario: 'monitoring 10k → 100k: time per update', measured: `× ${fmt(linearity)}`, baseline: '', ratio: linearity, target: 'linear (≤ 1.5)', met: linearity <= 1.5 });

const search: SearchBench[] = [];
for (const n of SEARCH_SIZES) {
  log(`knowledge-base search over ${n} generated articles`);
  const s = searchBench(n);
  search.push(s);
  const target = n === 10_000 ? 2 : n === 100_000 ? 10 : undefined;
  rows.push({
    scenario: `KB search p95, ${n / 1000}k articles`,
    measured: `${fmt(s.p95_ms)} ms (p50 ${fmt(s.p50_ms)}, emails p95 ${fmt(s.inquiry_p95_ms)})`,
    baseline: `no pruning ${fmt(s.exhaustive_p95_ms)} ms`,
    ratio: s.p95_ms / s.exhaustive_p95_ms,
    target: target ? `≤ ${target} ms` : '',
    met: target ? s.p95_ms <= target : undefined,
  });
}

// ---- in process: the input guardrails on the shipped inquiries (bench/guardrails.ts) ----
log('guardrails: redaction, limits and prompt injection on the shipped inquiries, and 20k-character adversarial texts');
const guardrails = guardrailsBench();
rows.push({
  scenario: 'guardrails on one inquiry (redact + limits + injection)',
  measured: `mean ${fmt(guardrails.inspect_mean_us, 0)} µs, p99 ${fmt(guardrails.inspect_p99_us, 0)} µs (redact ${fmt(guardrails.redact_us, 0)}, limits ${fmt(guardrails.limits_us, 0)}, injection ${fmt(guardrails.injection_us, 0)})`,
  baseline: `triage classifier ${fmt(guardrails.triage_mean_us, 0)} µs`,
  ratio: guardrails.inspect_mean_us / guardrails.triage_mean_us,
  target: '',
  met: undefined,
});
rows.push({
  scenario: 'guardrails, 20k-character adversarial texts',
  measured: `slowest ${fmt(guardrails.adversarial_max_ms, 1)} ms`,
  baseline: '',
  ratio: undefined,
  target: '≤ 50 ms',
  met: guardrails.adversarial_max_ms <= 50,
});

// ---- in process: the database layer on PGlite and PostgreSQL (bench/db.ts) ----
// Loaded here, so that the groups before it run in the heap they always had.
const { databaseBench } = await import('./db.js');
log('database: PGlite and PostgreSQL (bench/db.ts)');
const database = await databaseBench({ quick, log });
rows.push(...database.rows);

// ---- issue 7: SLA monitoring at scale (bench/monitoring-scale.ts): large monitoring requests over
// HTTP, worker threads, the SLA check over stored tickets, the clock arithmetic ----
const { slaMonitoringBench } = await import('./monitoring-scale.js');
log('SLA monitoring (bench/monitoring-scale.ts)');
const slaMonitoring = await slaMonitoringBench({ quick, log });
rows.push(...slaMonitoring.rows);

// ---- start-up: the built service, as `npm start` runs it ----
execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { stdio: 'inherit', env: BENCH_ENV });
log('start-up: first start (creates the embedded database), then 3 restarts on it');
const dataDir = newDataDir();
const firstStart = await startupOnce(await freePort(), dataDir);
const startups = [];
for (let i = 0; i < 3; i++) startups.push(await startupOnce(await freePort(), dataDir));
const startupMs = median(startups.map((s) => s.ms));
const idleRss = median(startups.map((s) => s.idle_rss_mb));
rows.push({ scenario: 'start-up (spawn → first response)', measured: `${fmt(startupMs, 0)} ms`, baseline: '', ratio: undefined, target: '≤ 3000 ms', met: startupMs <= 3000 });
rows.push({ scenario: 'first start (creates the embedded database)', measured: `${fmt(firstStart.ms, 0)} ms`, baseline: '', ratio: undefined, target: '', met: undefined });
rows.push({ scenario: 'idle RSS after start-up', measured: `${fmt(idleRss, 0)} MB (first start ${fmt(firstStart.idle_rss_mb, 0)} MB)`, baseline: '', ratio: undefined, target: '', met: undefined });

// ---- HTTP under load ----
const server = await startServer();
const texts = inquiries();
const triage = triageBodies(texts);
const resolution = resolutionBodies(texts);
const monitoring1k = { ticket_updates: ticketUpdates(1_000) };
const asPosts = (path: string, bodies: object[]): Post[] => bodies.map((body) => ({ path, body }));
const http: Record<string, { scenario: LoadResult; baseline: LoadResult }> = {};

async function compare(name: string, posts: Post[], targets: { rps?: number; p99?: number } = {}): Promise<void> {
  log(`HTTP ${name}`);
  const echo = posts.map(({ body }) => ({ path: '/bench/echo', body }));
  await load(server.url, echo, 2);
  const baseline = await load(server.url, echo, SECONDS);
  await load(server.url, posts, 2);
  const scenario = await load(server.url, posts, SECONDS);
  if (scenario.non2xx || scenario.errors) throw new Error(`${name}: ${scenario.non2xx} non-2xx answers, ${scenario.errors} errors`);
  http[name] = { scenario, baseline };
  const ratio = scenario.rps / baseline.rps;
  const p99Ratio = scenario.p99_ms / baseline.p99_ms;
  const met = targets.rps === undefined ? undefined : ratio >= targets.rps && (targets.p99 === undefined || p99Ratio <= targets.p99);
  rows.push({
    scenario: name,
    measured: `${fmt(scenario.rps, 0)} req/s, p99 ${fmt(scenario.p99_ms, 0)} ms`,
    baseline: `${fmt(baseline.rps, 0)} req/s, p99 ${fmt(baseline.p99_ms, 0)} ms`,
    ratio,
    target: targets.rps === undefined ? '' : `≥ ${targets.rps}${targets.p99 ? `, p99 ≤ ${targets.p99}×` : ''}`,
    met,
  });
}

try {
  await compare('POST /run_triage/ (offline)', asPosts('/run_triage/', triage), { rps: 0.5, p99: 3 });
  await compare('POST /run_resolution/ (offline, KB agent as tool)', asPosts('/run_resolution/', resolution), { rps: 0.25 });
  await compare('POST /run_performance_monitoring/, 1k updates', [{ path: '/run_performance_monitoring/', body: monitoring1k }]);
  await compare('POST /run_agent/ triage_agent', triage.map((input) => ({ path: '/run_agent/', body: { agent_name: 'triage_agent', query: input } })));
  await compare('POST /run_agent/ knowledge_base_agent', texts.map((query) => ({ path: '/run_agent/', body: { agent_name: 'knowledge_base_agent', query: { query } } })));
  await compare('POST /run_agent/ resolution_agent', resolution.map((input) => ({ path: '/run_agent/', body: { agent_name: 'resolution_agent', query: input } })));
  await compare('POST /run_agent/ performance_monitoring_agent, 1k', [{ path: '/run_agent/', body: { agent_name: 'performance_monitoring_agent', query: monitoring1k } }]);

  // Memory under sustained load: RSS every 5 s of a triage + resolution mix.
  log(`RSS under ${SOAK_SECONDS} s of load`);
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(server.child.pid!)), 5_000);
  const mixed = [...asPosts('/run_triage/', triage), ...asPosts('/run_resolution/', resolution)];
  const soak = await load(server.url, mixed, SOAK_SECONDS);
  clearInterval(timer);
  const half = samples.slice(Math.floor(samples.length / 2));
  const growth = half.at(-1)! - half[0]!;
  rows.push({
    scenario: `RSS over ${SOAK_SECONDS} s loaded (${fmt(soak.rps, 0)} req/s)`,
    measured: `${samples.map((s) => fmt(s, 0)).join(' → ')} MB`,
    baseline: `idle ${fmt(idleRss, 0)} MB`,
    ratio: undefined,
    target: 'no growth in 2nd half (≤ 10 MB)',
    met: growth <= 10,
  });
  http.soak = { scenario: soak, baseline: soak };
  Object.assign(http.soak, { rss_samples_mb: samples, second_half_growth_mb: growth });
} finally {
  await server.close();
}

// ---- report ----
const widths = [50, 44, 36, 7, 32, 4];
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' ');
console.log(`\n${line(['scenario', 'measured', 'baseline (same run)', 'ratio', 'target', 'met'])}`);
for (const r of rows) console.log(line([r.scenario, r.measured, r.baseline, r.ratio === undefined ? '' : fmt(r.ratio), r.target, r.met === undefined ? '' : r.met ? 'yes' : 'NO']));

mkdirSync('bench/results', { recursive: true });
const out = quick ? 'bench/results/quick.json' : 'bench/results/latest.json';
writeFileSync(
  out,
  JSON.stringify(
    {
      generated_at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version, pinned: PINNED },
      settings: { http_seconds: SECONDS, connections: 10, soak_seconds: SOAK_SECONDS, quick },
      rows,
      monitoring,
      search,
      database: database.result,
      sla_monitoring: slaMonitoring,
      classifier,
      guardrails,
      startup: { first_start: firstStart, runs: startups, median_ms: startupMs, idle_rss_mb: idleRss },
      http,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${out}`);

/**
 * Database benchmark: the persistence layer on PGlite (embedded, in a fresh temporary DATA_DIR,
 * deleted afterwards) and on PostgreSQL (BENCH_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test, in a throw-away schema bench_<random> dropped
 * afterwards; skipped with the reason when unreachable).
 *
 *   node --import ./scripts/register-swc.mjs bench/db.ts [--quick] [--merge]
 *
 * Also a scenario group of `npm run bench` (the `database` key of bench/results/latest.json);
 * `--merge` writes this run's `database` key into bench/results/latest.json (quick.json with
 * --quick), keeping the rest of the file. Everything goes through the application's own code:
 *
 * 1. Articles: a bulk import of N generated articles (bench/kb-corpus.ts) through
 *    ArticlesRepository.write, 500 articles per call (one transaction each, as an import
 *    request of 500), then single-article creates (write([a], fail), what POST does).
 * 2. Tickets: TicketsRepository.insert (ticket + its `created` event) in its own transaction,
 *    sequentially, then from 8 concurrent writers.
 * 3. Search: KnowledgeBaseService.search over the N articles with the eval set's queries
 *    (data/eval/kb-queries.jsonl, cycled), with and without the revision check that the
 *    service makes before each search on PostgreSQL (PGlite skips it). The same service
 *    instance is measured both ways, in alternating passes: the check depends only on the
 *    database kind the service sees, so the bench shows it the real kind or 'pglite'.
 * 4. Start-up: Database.open + migrate in a child process (so the WebAssembly build and the
 *    drivers load as in a fresh server), on a new PGlite directory and on an existing one
 *    (PostgreSQL: a new schema and an existing one), with the RSS before and after.
 */
import { Logger, type LogLevel } from '@nestjs/common';
import { count } from 'drizzle-orm';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, type AppConfig } from '../src/config/configuration.js';
import { Database, type DatabaseKind } from '../src/database/database.js';
import { ticketEvents, tickets } from '../src/database/schema.js';
import { ArticlesRepository, type ArticleInput } from '../src/knowledge-base/articles.repository.js';
import { KnowledgeBaseService } from '../src/knowledge-base/knowledge-base.service.js';
import { TicketsRepository } from '../src/tickets/tickets.repository.js';
import { inquiries, searchQueries } from './fixtures.js';
import { median, quantile } from './in-process.js';
import { generateArticles, loadShippedArticles } from './kb-corpus.js';

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 500;
const WRITERS = 8;
const NEST_LOG_LEVELS: LogLevel[] = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'];

/** A row of the bench table (bench/run.ts prints these too). */
export interface DbRow {
  scenario: string;
  measured: string;
  baseline: string;
  ratio: number | undefined;
  target: string;
  met: boolean | undefined;
}

export interface Latency {
  count: number;
  ms: number;
  per_s: number;
  p50_ms: number;
  p95_ms: number;
}

export interface SearchModes {
  queries_per_mode: number;
  with_check: Latency;
  without_check: Latency;
  /** with ÷ without, queries/s. */
  qps_ratio: number;
  added_p50_ms: number;
}

export interface BackendResult {
  kind: DatabaseKind;
  location: string;
  server_version?: string;
  open_migrate_ms: number;
  bulk_import: Latency & { articles: number; batch: number; calls: number };
  single_creates: Latency;
  search: SearchModes & { articles: number; index_load_ms: number; service_path: 'with_check' | 'without_check' };
  tickets_sequential: Latency;
  tickets_concurrent: Latency & { writers: number };
}

export interface StartupRun {
  open_ms: number;
  migrate_ms: number;
  total_ms: number;
  rss_before_mb: number;
  rss_after_mb: number;
}

export interface StartupResult {
  fresh: StartupRun[];
  reopen: StartupRun[];
  fresh_median_ms: number;
  reopen_median_ms: number;
  fresh_rss_mb: number;
  reopen_rss_mb: number;
}

export interface DatabaseBench {
  /** When this group ran (it can be merged into a file written by an earlier full run). */
  generated_at: string;
  settings: { quick: boolean; articles: number; batch: number; single_creates: number; tickets: number; writers: number; search_passes: number; startup_runs: number };
  pglite: BackendResult;
  postgres: BackendResult | { skipped: string };
  startup: { pglite: StartupResult; postgres?: StartupResult };
  ratios: Record<string, number>;
  seconds: number;
}

interface Settings {
  quick: boolean;
  articles: number;
  singles: number;
  tickets: number;
  passes: number;
  startupRuns: number;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const perS = (n: number, ms: number) => (n * 1000) / ms;

function latency(times: number[], wallMs: number): Latency {
  const sorted = [...times].sort((a, b) => a - b);
  return { count: times.length, ms: wallMs, per_s: perS(times.length, wallMs), p50_ms: quantile(sorted, 0.5), p95_ms: quantile(sorted, 0.95) };
}

async function timed<T>(times: number[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  times.push(performance.now() - started);
  return result;
}

function configFor(env: Record<string, string>): AppConfig {
  return loadConfig({ LLM_PROVIDER: 'offline', KB_DIR: 'data/kb', ...env });
}

// ---------------------------------------------------------------- start-up, in a child process

/** Runs in the child: imports the database module, then times open + migrate. */
const STARTUP_CHILD = `
const { Database } = await import('./src/database/database.js');
// RSS after a full collection, so that garbage left by loading does not count.
const mb = () => (globalThis.gc?.(), process.memoryUsage().rss / 2 ** 20);
const rss_before_mb = mb();
const t0 = performance.now();
const db = await Database.open({ DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL || undefined, DATABASE_SCHEMA: process.env.DATABASE_SCHEMA || 'public', DATABASE_POOL_SIZE: 10 });
const t1 = performance.now();
await db.migrate();
const t2 = performance.now();
const rss_after_mb = mb();
await db.close();
console.log(JSON.stringify({ open_ms: t1 - t0, migrate_ms: t2 - t1, total_ms: t2 - t0, rss_before_mb, rss_after_mb }));
`;

function startupOnce(env: Record<string, string>): Promise<StartupRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', './scripts/register-swc.mjs', '--input-type=module', '-e', STARTUP_CHILD],
      { env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`start-up child failed: ${err.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as StartupRun);
      },
    );
  });
}

async function startupBench(runs: number, fresh: () => Record<string, string>, existing: Record<string, string>): Promise<StartupResult> {
  const freshRuns: StartupRun[] = [];
  const reopenRuns: StartupRun[] = [];
  // The existing one is created (and migrated) by the first fresh run.
  for (let i = 0; i < runs; i++) freshRuns.push(await startupOnce(i === 0 ? existing : fresh()));
  for (let i = 0; i < runs; i++) reopenRuns.push(await startupOnce(existing));
  return {
    fresh: freshRuns,
    reopen: reopenRuns,
    fresh_median_ms: median(freshRuns.map((r) => r.total_ms)),
    reopen_median_ms: median(reopenRuns.map((r) => r.total_ms)),
    fresh_rss_mb: median(freshRuns.map((r) => r.rss_after_mb)),
    reopen_rss_mb: median(reopenRuns.map((r) => r.rss_after_mb)),
  };
}

// ---------------------------------------------------------------- one backend

async function backendBench(config: AppConfig, corpus: ArticleInput[], extra: ArticleInput[], s: Settings, log: (msg: string) => void): Promise<BackendResult> {
  let started = performance.now();
  const database = await Database.open(config.env);
  try {
    await database.migrate();
    const open_migrate_ms = performance.now() - started;
    const name = database.kind === 'pglite' ? 'PGlite' : 'PostgreSQL';
    const articles = new ArticlesRepository(database);

    // 1a. Bulk import, 500 articles per write() (one transaction each).
    log(`${name}: bulk import of ${corpus.length} articles, ${BATCH} per write()`);
    const batchTimes: number[] = [];
    started = performance.now();
    for (let i = 0; i < corpus.length; i += BATCH) {
      const { outcomes } = await timed(batchTimes, () => articles.write(corpus.slice(i, i + BATCH), { onExisting: 'update' }));
      if (outcomes.size !== Math.min(BATCH, corpus.length - i)) throw new Error(`bulk import: ${outcomes.size} outcomes for a batch`);
    }
    const bulkMs = performance.now() - started;
    const bulk_import = { ...latency(batchTimes, bulkMs), articles: corpus.length, batch: BATCH, calls: batchTimes.length, per_s: perS(corpus.length, bulkMs) };

    // 3. Search through the service, over the N articles (before the single creates add more).
    log(`${name}: KB search over ${corpus.length} articles (${s.passes} passes of each mode)`);
    const seen = { kind: database.kind };
    const kb = new KnowledgeBaseService(config, articles, seen as unknown as Database);
    started = performance.now();
    await kb.onModuleInit();
    const index_load_ms = performance.now() - started;
    if (kb.size !== corpus.length) throw new Error(`search: ${kb.size} articles indexed, expected ${corpus.length}`);
    const modes = await searchModes(kb, seen, s.passes);
    seen.kind = database.kind;
    const search = {
      ...modes,
      articles: corpus.length,
      index_load_ms,
      service_path: database.kind === 'postgres' ? ('with_check' as const) : ('without_check' as const),
    };

    // 1b. Single-article creates, one transaction each (what POST /knowledge-base/articles does).
    log(`${name}: ${extra.length} single-article creates`);
    const singleTimes: number[] = [];
    started = performance.now();
    for (const article of extra) {
      const { conflicts } = await timed(singleTimes, () => articles.write([article], { onExisting: 'fail' }));
      if (conflicts.length) throw new Error(`single create: conflict on ${article.id}`);
    }
    const single_creates = latency(singleTimes, performance.now() - started);

    // 2. Tickets with their `created` event, each in its own transaction.
    const repo = new TicketsRepository(database);
    const texts = inquiries();
    const channels = ['email', 'chat', 'phone', 'web'];
    let next = 0;
    const insertOne = () => {
      const i = next++;
      const channel = channels[i % channels.length]!;
      return repo.transaction((tx) =>
        repo.insert(
          tx,
          { id: randomUUID(), inquiryText: texts[i % texts.length]!, metadata: { channel, customer_id: `c-${i % 997}` }, redaction: 1 },
          { type: 'created', actor: 'customer', data: { status: 'received', channel } },
        ),
      );
    };
    log(`${name}: ${s.tickets} tickets, sequential`);
    const seqTimes: number[] = [];
    started = performance.now();
    for (let i = 0; i < s.tickets; i++) await timed(seqTimes, insertOne);
    const tickets_sequential = latency(seqTimes, performance.now() - started);

    log(`${name}: ${s.tickets} tickets, ${WRITERS} concurrent writers`);
    const concTimes: number[] = [];
    let remaining = s.tickets;
    started = performance.now();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        while (remaining-- > 0) await timed(concTimes, insertOne);
      }),
    );
    const tickets_concurrent = { ...latency(concTimes, performance.now() - started), writers: WRITERS };

    const [t] = await database.db.select({ n: count() }).from(tickets);
    const [e] = await database.db.select({ n: count() }).from(ticketEvents);
    if (t!.n !== 2 * s.tickets || e!.n !== 2 * s.tickets) throw new Error(`tickets: ${t!.n} tickets and ${e!.n} events stored, expected ${2 * s.tickets}`);

    return { kind: database.kind, location: database.location, open_migrate_ms, bulk_import, single_creates, search, tickets_sequential, tickets_concurrent };
  } finally {
    await database.close();
  }
}

/** After a warm-up pass, alternating passes with and without the revision check, on one service instance. */
async function searchModes(kb: KnowledgeBaseService, seen: { kind: DatabaseKind }, passes: number): Promise<SearchModes> {
  const queries = searchQueries();
  for (const q of queries) await kb.search(q, 5);
  const times = { with_check: [] as number[], without_check: [] as number[] };
  const wall = { with_check: 0, without_check: 0 };
  for (let p = 0; p < passes; p++) {
    const order = p % 2 === 0 ? (['with_check', 'without_check'] as const) : (['without_check', 'with_check'] as const);
    for (const mode of order) {
      seen.kind = mode === 'with_check' ? 'postgres' : 'pglite';
      const started = performance.now();
      for (const q of queries) await timed(times[mode], () => kb.search(q, 5));
      wall[mode] += performance.now() - started;
    }
  }
  const with_check = latency(times.with_check, wall.with_check);
  const without_check = latency(times.without_check, wall.without_check);
  return {
    queries_per_mode: times.with_check.length,
    with_check,
    without_check,
    qps_ratio: with_check.per_s / without_check.per_s,
    added_p50_ms: with_check.p50_ms - without_check.p50_ms,
  };
}

// ---------------------------------------------------------------- PostgreSQL reachability and clean-up

async function postgresVersion(url: string): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("select current_setting('server_version') as v");
    return rows[0]!.v;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- the group

export async function databaseBench(options: { quick: boolean; log?: (msg: string) => void; postgresUrl?: string }): Promise<{ result: DatabaseBench; rows: DbRow[] }> {
  const log = options.log ?? ((msg: string) => console.error(`[bench] ${msg}`));
  const s: Settings = options.quick
    ? { quick: true, articles: 2_000, singles: 200, tickets: 500, passes: 2, startupRuns: 1 }
    : { quick: false, articles: 10_000, singles: 500, tickets: 2_000, passes: 4, startupRuns: 3 };
  const url = options.postgresUrl ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
  const groupStarted = performance.now();
  const all = generateArticles(s.articles + s.singles, loadShippedArticles());
  const corpus = all.slice(0, s.articles);
  const extra = all.slice(s.articles);
  const root = mkdtempSync(join(tmpdir(), 'support-agents-bench-db-'));
  const levels = NEST_LOG_LEVELS;
  Logger.overrideLogger(['error', 'warn']);
  try {
    // ---- PGlite
    log(`PGlite start-up: open + migrate in a child process, ${s.startupRuns} × fresh directory, ${s.startupRuns} × existing`);
    let dirs = 0;
    const startupPglite = await startupBench(s.startupRuns, () => ({ DATA_DIR: join(root, `startup-${++dirs}`) }), { DATA_DIR: join(root, 'startup-existing') });
    const pglite = await backendBench(configFor({ DATA_DIR: join(root, 'bench') }), corpus, extra, s, log);

    // ---- PostgreSQL
    let postgres: BackendResult | { skipped: string };
    let startupPostgres: StartupResult | undefined;
    let version: string | undefined;
    try {
      version = await postgresVersion(url);
    } catch (err) {
      postgres = { skipped: `PostgreSQL at ${redact(url)} cannot be reached (${(err as Error).message || (err as { code?: string }).code})` };
      log(`PostgreSQL skipped: ${postgres.skipped}`);
    }
    if (version !== undefined) {
      const schema = `bench_${randomBytes(4).toString('hex')}`;
      log(`PostgreSQL ${version} at ${redact(url)}, throw-away schema ${schema}`);
      try {
        let schemas = 0;
        const fresh = () => ({ DATABASE_URL: url, DATABASE_SCHEMA: `${schema}_s${++schemas}` });
        log(`PostgreSQL start-up: ${s.startupRuns} × new schema, ${s.startupRuns} × existing`);
        startupPostgres = await startupBench(s.startupRuns, fresh, { DATABASE_URL: url, DATABASE_SCHEMA: schema });
        for (let i = 1; i <= schemas; i++) await dropSchema(url, `${schema}_s${i}`);
        await dropSchema(url, schema);
        postgres = { ...(await backendBench(configFor({ DATABASE_URL: url, DATABASE_SCHEMA: schema }), corpus, extra, s, log)), server_version: version };
      } finally {
        await dropSchema(url, schema).catch((err: Error) => log(`could not drop schema ${schema}: ${err.message}`));
        for (let i = 1; i <= s.startupRuns; i++) await dropSchema(url, `${schema}_s${i}`).catch(() => undefined);
      }
    } else postgres ??= { skipped: 'unknown' };

    const result: DatabaseBench = {
      generated_at: new Date().toISOString(),
      settings: { quick: s.quick, articles: s.articles, batch: BATCH, single_creates: s.singles, tickets: s.tickets, writers: WRITERS, search_passes: s.passes, startup_runs: s.startupRuns },
      pglite,
      postgres,
      startup: { pglite: startupPglite, ...(startupPostgres ? { postgres: startupPostgres } : {}) },
      ratios: {},
      seconds: 0,
    };
    const rows = report(result);
    result.seconds = (performance.now() - groupStarted) / 1000;
    return { result, rows };
  } finally {
    Logger.overrideLogger(levels);
    rmSync(root, { recursive: true, force: true });
  }
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the PostgreSQL URL';
  }
}

/** Table rows (and the ratios, into result.ratios). */
function report(r: DatabaseBench): DbRow[] {
  const rows: DbRow[] = [];
  const row = (scenario: string, measured: string, baseline = '', ratio?: number) => rows.push({ scenario, measured, baseline, ratio, target: '', met: undefined });
  const lat = (l: Latency, unit: string) => `${fmt(l.per_s, 0)} ${unit}/s (p50 ${fmt(l.p50_ms)} ms, p95 ${fmt(l.p95_ms)} ms)`;
  const q = (l: Latency) => `${fmt(l.per_s, 0)} q/s, p50 ${fmt(l.p50_ms)}, p95 ${fmt(l.p95_ms)} ms`;
  const k = `${r.settings.articles / 1000}k`;
  const lite = r.pglite;
  const pg = 'kind' in r.postgres ? r.postgres : undefined;
  const ratio = (name: string, x: number) => {
    r.ratios[name] = x;
    return x;
  };

  row(`db bulk import ${k} articles (${BATCH}/write), PGlite`, `${fmt(lite.bulk_import.per_s, 0)} articles/s (${fmt(lite.bulk_import.ms / 1000, 1)} s)`);
  if (pg) row(`db bulk import ${k} articles, PostgreSQL`, `${fmt(pg.bulk_import.per_s, 0)} articles/s (${fmt(pg.bulk_import.ms / 1000, 1)} s)`, `PGlite ${fmt(lite.bulk_import.per_s, 0)}/s`, ratio('bulk_import_postgres_vs_pglite', pg.bulk_import.per_s / lite.bulk_import.per_s));
  row('db single-article creates, PGlite', lat(lite.single_creates, 'writes'));
  if (pg) row('db single-article creates, PostgreSQL', lat(pg.single_creates, 'writes'), `PGlite ${fmt(lite.single_creates.per_s, 0)}/s`, ratio('single_creates_postgres_vs_pglite', pg.single_creates.per_s / lite.single_creates.per_s));
  row('db ticket + created event, sequential, PGlite', lat(lite.tickets_sequential, 'tickets'));
  if (pg) row('db ticket + created event, sequential, PostgreSQL', lat(pg.tickets_sequential, 'tickets'), `PGlite ${fmt(lite.tickets_sequential.per_s, 0)}/s`, ratio('tickets_sequential_postgres_vs_pglite', pg.tickets_sequential.per_s / lite.tickets_sequential.per_s));
  row(`db tickets, ${WRITERS} writers, PGlite`, lat(lite.tickets_concurrent, 'tickets'), `sequential ${fmt(lite.tickets_sequential.per_s, 0)}/s`, ratio('tickets_concurrent_vs_sequential_pglite', lite.tickets_concurrent.per_s / lite.tickets_sequential.per_s));
  if (pg) {
    row(`db tickets, ${WRITERS} writers, PostgreSQL`, lat(pg.tickets_concurrent, 'tickets'), `sequential ${fmt(pg.tickets_sequential.per_s, 0)}/s`, ratio('tickets_concurrent_vs_sequential_postgres', pg.tickets_concurrent.per_s / pg.tickets_sequential.per_s));
    ratio('tickets_concurrent_postgres_vs_pglite', pg.tickets_concurrent.per_s / lite.tickets_concurrent.per_s);
  }
  // What the service does on PGlite (no check), against the same index with a check it does not make.
  ratio('search_check_cost_pglite', lite.search.qps_ratio);
  row(`db KB search ${k}, PGlite (no revision check)`, q(lite.search.without_check), `if checked ${fmt(lite.search.with_check.per_s, 0)} q/s`, 1 / lite.search.qps_ratio);
  if (pg) {
    row(`db KB search ${k}, PostgreSQL (revision check)`, q(pg.search.with_check), `no check ${fmt(pg.search.without_check.per_s, 0)} q/s, p50 ${fmt(pg.search.without_check.p50_ms)}`, ratio('search_check_cost_postgres', pg.search.qps_ratio));
    row(`db KB search ${k}, PostgreSQL vs PGlite`, `+${fmt(pg.search.with_check.p50_ms - lite.search.without_check.p50_ms)} ms p50 per search`, `PGlite ${fmt(lite.search.without_check.per_s, 0)} q/s`, ratio('search_postgres_vs_pglite', pg.search.with_check.per_s / lite.search.without_check.per_s));
  }
  const su = r.startup.pglite;
  const rss = (runs: StartupRun[]) => `RSS ${fmt(median(runs.map((x) => x.rss_after_mb)), 0)} MB (+${fmt(median(runs.map((x) => x.rss_after_mb - x.rss_before_mb)), 0)})`;
  row('db open + migrate, new PGlite dir', `${fmt(su.fresh_median_ms, 0)} ms, ${rss(su.fresh)}`);
  row('db open + migrate, existing PGlite dir', `${fmt(su.reopen_median_ms, 0)} ms, ${rss(su.reopen)}`, `new dir ${fmt(su.fresh_median_ms, 0)} ms`, ratio('startup_reopen_vs_fresh_pglite', su.reopen_median_ms / su.fresh_median_ms));
  const sp = r.startup.postgres;
  if (sp) {
    row('db open + migrate, PostgreSQL, new → existing', `${fmt(sp.fresh_median_ms, 0)} → ${fmt(sp.reopen_median_ms, 0)} ms, ${rss(sp.reopen)}`, `PGlite existing dir ${fmt(su.reopen_median_ms, 0)} ms`, ratio('startup_existing_postgres_vs_pglite', sp.reopen_median_ms / su.reopen_median_ms));
  }
  if (!pg) row('db PostgreSQL scenarios', `skipped: ${'skipped' in r.postgres ? r.postgres.skipped : ''}`);
  return rows;
}

// ---------------------------------------------------------------- on its own

export function printRows(rows: DbRow[]): void {
  const widths = [50, 44, 36, 7, 32, 4];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' ');
  console.log(`\n${line(['scenario', 'measured', 'baseline (same run)', 'ratio', 'target', 'met'])}`);
  for (const r of rows) console.log(line([r.scenario, r.measured, r.baseline, r.ratio === undefined ? '' : fmt(r.ratio), r.target, r.met === undefined ? '' : r.met ? 'yes' : 'NO']));
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--quick' && a !== '--merge');
  if (unknown.length) {
    console.error(`unknown argument(s): ${unknown.join(' ')} (usage: node --import ./scripts/register-swc.mjs bench/db.ts [--quick] [--merge])`);
    process.exit(2);
  }
  const quick = args.includes('--quick');
  // As in npm run bench: this process on core 1 (PGlite runs in it), the PostgreSQL server unpinned.
  const { pinSelf } = await import('./http-load.js');
  pinSelf(1);
  const { result, rows } = await databaseBench({ quick });
  printRows(rows);
  console.log(`\ndatabase group: ${fmt(result.seconds, 1)} s`);
  if (args.includes('--merge')) {
    const out = quick ? 'bench/results/quick.json' : 'bench/results/latest.json';
    const json = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(out, JSON.stringify({ ...json, database: result }, null, 2) + '\n');
    console.log(`merged the database key into ${out}`);
  }
}

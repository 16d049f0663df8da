/** Benchmarks that run inside the bench process: monitoring compute and knowledge-base search. */
import { KbSearch } from '../src/knowledge-base/kb-search.js';
import { collectors } from '../src/monitoring/metrics.js';
import { MonitoringRequestSchema } from '../src/monitoring/monitoring.schemas.js';
import { findBreaches, resolutionTargets } from '../src/monitoring/sla.js';
import { buildTicketFacts } from '../src/monitoring/ticket-facts.js';
import { generateArticles, loadShippedArticles } from './kb-corpus.js';
import { inquiries, searchQueries, ticketUpdates } from './fixtures.js';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** Median wall time of `runs` calls (after one warm-up call). */
function timeIt(runs: number, fn: () => unknown): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

export interface MonitoringBench {
  updates: number;
  bytes: number;
  json_parse_ms: number;
  validate_ms: number;
  compute_ms: number;
  compute_vs_parse: number;
}

/** What /run_performance_monitoring/ does after the body parser: validate, then the metric rules. */
export function monitoringBench(count: number): MonitoringBench {
  const targets = { sla_compliance: 0.9, avg_first_response_time: 4 };
  const payload = JSON.stringify({ ticket_updates: ticketUpdates(count), sla_targets: targets });
  const body = JSON.parse(payload) as unknown;
  const runs = count >= 100_000 ? 5 : 15;
  const json_parse_ms = timeIt(runs, () => JSON.parse(payload));
  const validate_ms = timeIt(runs, () => MonitoringRequestSchema.parse(body));
  const { ticket_updates } = MonitoringRequestSchema.parse(body);
  const compute_ms = timeIt(runs, () => {
    const { facts } = buildTicketFacts(ticket_updates);
    const metrics = [
      ...collectors.volume(facts),
      ...collectors.firstResponse(facts),
      ...collectors.resolution(facts, resolutionTargets(targets)),
      ...collectors.reopen(facts),
      ...collectors.satisfaction(facts),
    ];
    return findBreaches(metrics, targets);
  });
  return { updates: count, bytes: payload.length, json_parse_ms, validate_ms, compute_ms, compute_vs_parse: compute_ms / json_parse_ms };
}

export interface SearchBench {
  articles: number;
  index_ms: number;
  index_heap_mb: number;
  queries: number;
  /** Search-box queries of the eval set, after a warm-up pass. */
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** First pass: snippet analysis of each article the first time it is returned. */
  cold_p95_ms: number;
  /** Whole customer emails as queries (what the resolution agent searches with). */
  inquiry_p50_ms: number;
  inquiry_p95_ms: number;
  /** The same search-box queries without MaxScore pruning (same results, every posting scored). */
  exhaustive_p95_ms: number;
}

function latencies(queries: string[], fn: (q: string) => unknown): number[] {
  const times = queries.map((q) => {
    const started = performance.now();
    fn(q);
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b);
}

export function searchBench(count: number): SearchBench {
  const articles = generateArticles(count, loadShippedArticles());
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const kb = new KbSearch();
  for (const a of articles) kb.upsert(a);
  const index_ms = performance.now() - started;
  articles.length = 0;
  global.gc?.();
  const index_heap_mb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const queries = searchQueries();
  const cold = latencies(queries, (q) => kb.search(q, 5));
  const warm = latencies([...queries, ...queries], (q) => kb.search(q, 5));
  const emails = inquiries();
  latencies(emails, (q) => kb.search(q, 5));
  const inquiry = latencies(emails, (q) => kb.search(q, 5));
  const exhaustive = latencies(queries, (q) => kb.search(q, 5, { exhaustive: true }));
  return {
    articles: count,
    index_ms,
    index_heap_mb,
    queries: queries.length,
    p50_ms: quantile(warm, 0.5),
    p95_ms: quantile(warm, 0.95),
    p99_ms: quantile(warm, 0.99),
    cold_p95_ms: quantile(cold, 0.95),
    inquiry_p50_ms: quantile(inquiry, 0.5),
    inquiry_p95_ms: quantile(inquiry, 0.95),
    exhaustive_p95_ms: quantile(exhaustive, 0.95),
  };
}

/**
 * Knowledge-base search: hit@1, hit@3 and MRR@10 on a query set written for it (paraphrases,
 * typos, short and long questions), per kind, with query latency; and, as a second view, on
 * the labeled inquiries (the triage examples) against the articles a support agent would consult.
 */
import type { KbSearch, SearchHit } from '../src/knowledge-base/kb-search.js';
import type { TriageExample } from '../src/triage/taxonomy.js';
import type { KbQuery, RelevanceLabel } from './datasets.js';
import { mean, percentile, rankingScores, type RankingScores } from './metrics.js';
import { ms, pct, table } from './report.js';

/** Results ranked per query (MRR is computed over this many). */
export const RANK_DEPTH = 10;

export interface Latency {
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
}

/**
 * Searches every query once to warm up (JIT, caches), then again timing each; returns the
 * ranked hits of the timed pass.
 */
function timedSearch(kb: KbSearch, queries: readonly string[]): { hits: SearchHit[][]; latency: Latency } {
  for (const q of queries) kb.search(q, RANK_DEPTH);
  const times: number[] = [];
  const hits = queries.map((q) => {
    const started = performance.now();
    const h = kb.search(q, RANK_DEPTH);
    times.push(performance.now() - started);
    return h;
  });
  return { hits, latency: { p50_ms: percentile(times, 50), p95_ms: percentile(times, 95), mean_ms: mean(times) } };
}

export interface QuerySetEvaluation {
  file: string;
  articles: number;
  overall: RankingScores;
  by_kind: Record<string, RankingScores>;
  latency: Latency;
  /** Queries with no relevant article in the first three results. */
  misses: { id: string; kind: string; relevant: string[]; top3: string[] }[];
}

export function evaluateQuerySet(kb: KbSearch, file: string, queries: readonly KbQuery[]): QuerySetEvaluation {
  const { hits, latency } = timedSearch(kb, queries.map((q) => q.query));
  const rows = queries.map((q, i) => ({ q, ranked: hits[i]!.map((h) => h.id), relevant: q.relevant }));
  const kinds = [...new Set(queries.map((q) => q.kind))].sort();
  return {
    file,
    articles: kb.size,
    overall: rankingScores(rows),
    by_kind: Object.fromEntries(kinds.map((k) => [k, rankingScores(rows.filter((r) => r.q.kind === k))])),
    latency,
    misses: rows
      .filter((r) => !r.ranked.slice(0, 3).some((id) => r.relevant.includes(id)))
      .map((r) => ({ id: r.q.id, kind: r.q.kind, relevant: r.relevant, top3: r.ranked.slice(0, 3) })),
  };
}

export function printQuerySet(r: QuerySetEvaluation): void {
  console.log(`\n## Knowledge-base search: query set (${r.overall.n} queries, ${r.file}; ${r.articles} articles)`);
  const row = (name: string, s: RankingScores) => [name, s.n, pct(s.hit_at_1), pct(s.hit_at_3), s.mrr.toFixed(3)];
  console.log(table(['kind', 'queries', 'hit@1', 'hit@3', 'MRR@10'], [
    ...Object.entries(r.by_kind).map(([k, s]) => row(k, s)),
    row('all', r.overall),
  ]));
  console.log(`query time p50 ${ms(r.latency.p50_ms)}, p95 ${ms(r.latency.p95_ms)}; ${r.misses.length} queries without a relevant article in the top 3 (listed in the JSON)`);
}

export interface InquirySearchEvaluation extends RankingScores {
  /** Labeled inquiries that have at least one relevant article (the others are not scored). */
  inquiries_labeled: number;
  latency: Latency;
}

/** Search over the labeled inquiries; also returns every inquiry's hits for the resolution view. */
export function evaluateInquirySearch(
  kb: KbSearch,
  examples: readonly TriageExample[],
  labels: ReadonlyMap<string, RelevanceLabel>,
): { result: InquirySearchEvaluation; hits: Map<string, SearchHit[]> } {
  const labeled = examples.filter((e) => e.id && labels.has(e.id));
  const { hits, latency } = timedSearch(kb, labeled.map((e) => e.text));
  const byId = new Map(labeled.map((e, i) => [e.id!, hits[i]!]));
  const withRelevant = labeled.filter((e) => labels.get(e.id!)!.relevant.length > 0);
  const scores = rankingScores(withRelevant.map((e) => ({ ranked: byId.get(e.id!)!.map((h) => h.id), relevant: labels.get(e.id!)!.relevant })));
  return { result: { ...scores, inquiries_labeled: labeled.length, latency }, hits: byId };
}

export function printInquirySearch(r: InquirySearchEvaluation): void {
  console.log(`\n## Knowledge-base search: labeled inquiries (${r.n} of ${r.inquiries_labeled} have a relevant article)`);
  console.log(
    `hit@1 ${pct(r.hit_at_1)}, hit@3 ${pct(r.hit_at_3)}, MRR@10 ${r.mrr.toFixed(3)}; query time p50 ${ms(r.latency.p50_ms)}, p95 ${ms(r.latency.p95_ms)} (whole inquiries as queries)`,
  );
}

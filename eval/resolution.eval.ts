/**
 * Resolution: (1) on a scenario set, each inquiry run through the real offline agents (the
 * SDK Runner, triage then resolution with the knowledge-base agent as a tool), scored on the
 * resolve / escalate / ask decision and on which article a resolved answer cites; (2) as a
 * second view, the policy on the labeled inquiries with cross-validated triage, and how the
 * match threshold trades answers for precision.
 */
import type { SearchHit } from '../src/knowledge-base/kb-search.js';
import { decideResolution } from '../src/resolution/resolution-policy.js';
import { TICKET_STATUSES, type ResolutionDecision } from '../src/resolution/resolution.schemas.js';
import type { TriageExample } from '../src/triage/taxonomy.js';
import type { TriageExplanation } from '../src/triage/triage-model.js';
import type { RelevanceLabel, ResolutionScenario } from './datasets.js';
import { classificationReport, mean, percentile, type ClassificationReport } from './metrics.js';
import type { OfflineService } from './offline-service.js';
import { ms, pct, printClassification, table } from './report.js';

/** The article a resolved answer is based on: "Used KB article X" in the notes, else the first "(kb-…)" in the reply. */
export function citedArticle(decision: Pick<ResolutionDecision, 'resolution_reply' | 'resolution_notes'>): string | null {
  return (
    /Used KB article ([a-z0-9][a-z0-9-]*[a-z0-9])/.exec(decision.resolution_notes)?.[1] ??
    /\(([a-z0-9]+-[a-z0-9-]*[a-z0-9])\)/.exec(decision.resolution_reply)?.[1] ??
    null
  );
}

export interface ScenarioEvaluation {
  file: string;
  n: number;
  /** 3-way decision: resolved / escalated / pending further action. */
  decision: ClassificationReport;
  /** "resolved" as the positive class. */
  resolve: { precision: number; recall: number };
  citation: {
    resolved: number;
    /** Resolved answers citing an article listed in the scenario's `cite`. */
    citing_listed_article: number;
    /** citing_listed_article / resolved. */
    correctness: number;
    /** Scenarios expected resolved that were resolved citing a listed article, of all expected resolved. */
    correct_resolutions_rate: number;
  };
  latency: { p50_ms: number; p95_ms: number; mean_ms: number };
  mistakes: { id: string; expected: string; got: string; cited: string | null; category: string; clarification_needed: boolean }[];
}

export async function evaluateScenarios(service: OfflineService, file: string, scenarios: readonly ResolutionScenario[]): Promise<ScenarioEvaluation> {
  const times: number[] = [];
  const rows = [];
  for (const s of scenarios) {
    const started = performance.now();
    const result = await service.resolveText(s.inquiry);
    times.push(performance.now() - started);
    // The triage the agent ran first (deterministic: the same model, input and channel).
    const triage = service.triage.model.decide(s.inquiry, undefined, 'web');
    const cited = result.ticket_status === 'resolved' ? citedArticle(result) : null;
    rows.push({ s, got: result.ticket_status as string, cited, triage });
  }
  const decision = classificationReport(rows.map((r) => r.s.expected), rows.map((r) => r.got), TICKET_STATUSES);
  const resolved = rows.filter((r) => r.got === 'resolved');
  const citing = resolved.filter((r) => r.cited !== null && r.s.cite.includes(r.cited));
  const expectedResolved = rows.filter((r) => r.s.expected === 'resolved');
  return {
    file,
    n: rows.length,
    decision,
    resolve: { precision: decision.per_class.resolved!.precision, recall: decision.per_class.resolved!.recall },
    citation: {
      resolved: resolved.length,
      citing_listed_article: citing.length,
      correctness: resolved.length ? citing.length / resolved.length : 0,
      correct_resolutions_rate: expectedResolved.length ? citing.filter((r) => r.s.expected === 'resolved').length / expectedResolved.length : 0,
    },
    latency: { p50_ms: percentile(times, 50), p95_ms: percentile(times, 95), mean_ms: mean(times) },
    mistakes: rows
      .filter((r) => r.got !== r.s.expected || (r.got === 'resolved' && !(r.cited && r.s.cite.includes(r.cited))))
      .map((r) => ({ id: r.s.id, expected: r.s.expected, got: r.got, cited: r.cited, category: r.triage.category, clarification_needed: r.triage.clarification_needed })),
  };
}

export function printScenarios(r: ScenarioEvaluation, matchThreshold: number): void {
  console.log(`\n## Resolution: scenario set (${r.n} scenarios, ${r.file}; real offline agents, KB_MATCH_THRESHOLD=${matchThreshold})`);
  printClassification('Decision', r.decision);
  const c = r.citation;
  console.log(`\nresolve precision ${pct(r.resolve.precision)}, recall ${pct(r.resolve.recall)}`);
  console.log(
    `citation correctness ${pct(c.correctness)} (${c.citing_listed_article} of ${c.resolved} resolved answers cite an article the scenario lists); ` +
      `${pct(c.correct_resolutions_rate)} of the scenarios expected resolved were resolved with a listed article`,
  );
  console.log(`time per scenario (triage + resolution runs) p50 ${ms(r.latency.p50_ms)}, p95 ${ms(r.latency.p95_ms)}; ${r.mistakes.length} mistakes listed in the JSON`);
}

export interface InquiryResolutionAt {
  threshold: number;
  resolved_rate: number;
  pending_rate: number;
  escalated_rate: number;
  /** Resolved ones that were resolvable AND cited a relevant article. */
  precision: number;
  /** Resolvable ones resolved that way. */
  recall: number;
}

export interface InquiryResolutionEvaluation {
  inquiries: number;
  resolvable: number;
  at_threshold: InquiryResolutionAt;
  threshold_sweep: InquiryResolutionAt[];
}

/** The policy on each labeled inquiry: cross-validated triage, the agent's first five search hits. */
export function evaluateInquiryResolution(
  examples: readonly TriageExample[],
  predictions: ReadonlyMap<TriageExample, TriageExplanation>,
  hits: ReadonlyMap<string, SearchHit[]>,
  labels: ReadonlyMap<string, RelevanceLabel>,
  opts: { matchThreshold: number; refundLimit: number },
): InquiryResolutionEvaluation {
  const labeled = examples.filter((e) => e.id && labels.has(e.id) && hits.has(e.id));
  const at = (threshold: number): InquiryResolutionAt => {
    let resolved = 0;
    let correct = 0;
    let pending = 0;
    let resolvable = 0;
    for (const e of labeled) {
      const t = predictions.get(e)!;
      const label = labels.get(e.id!)!;
      if (label.resolvable) resolvable++;
      const d = decideResolution({
        inquiryText: e.text,
        category: t.category,
        clarificationNeeded: t.clarification_needed,
        articles: hits.get(e.id!)!.slice(0, 5),
        matchThreshold: threshold,
        refundLimit: opts.refundLimit,
      });
      if (d.ticket_status === 'pending further action') pending++;
      if (d.ticket_status !== 'resolved') continue;
      resolved++;
      const cited = citedArticle(d);
      if (label.resolvable && cited && label.relevant.includes(cited)) correct++;
    }
    const n = labeled.length || 1;
    return {
      threshold,
      resolved_rate: resolved / n,
      pending_rate: pending / n,
      escalated_rate: (labeled.length - resolved - pending) / n,
      precision: resolved ? correct / resolved : 0,
      recall: resolvable ? correct / resolvable : 0,
    };
  };
  return {
    inquiries: labeled.length,
    resolvable: labeled.filter((e) => labels.get(e.id!)!.resolvable).length,
    at_threshold: at(opts.matchThreshold),
    threshold_sweep: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map(at),
  };
}

export function printInquiryResolution(r: InquiryResolutionEvaluation): void {
  const a = r.at_threshold;
  console.log(`\n## Resolution: labeled inquiries (${r.inquiries} inquiries, ${r.resolvable} resolvable from an article; cross-validated triage)`);
  console.log(
    `At KB_MATCH_THRESHOLD=${a.threshold}: resolves ${pct(a.resolved_rate)}, asks to clarify ${pct(a.pending_rate)}, escalates ${pct(a.escalated_rate)}; ` +
      `precision ${pct(a.precision)} (resolvable and a relevant article cited), recall ${pct(a.recall)}`,
  );
  console.log(table(['threshold', 'resolves', 'precision', 'recall'], r.threshold_sweep.map((t) => [t.threshold.toFixed(1), pct(t.resolved_rate), pct(t.precision), pct(t.recall)])));
}

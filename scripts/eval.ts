/**
 * Offline quality, measured on the shipped data (npm run eval [-- --json out.json]):
 *  1. Triage: accuracy, macro-F1, per-class precision/recall and confusion matrices for category
 *     and priority on the held-out split (fold 0 of 5 by a hash of the id; never trained on),
 *     plus 5-fold cross-validation over all examples.
 *  2. Knowledge-base search: hit@1, recall@3 and MRR against the labeled relevant articles.
 *  3. Resolution: how often the offline policy resolves, and whether what it resolves was
 *     resolvable with the article it cited (precision), against data/eval labels.
 * Triage predictions used by 2-3 are cross-validated, so no example is judged by a model
 * trained on it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarkdownArticle } from '../src/knowledge-base/article.js';
import { KbSearch } from '../src/knowledge-base/kb-search.js';
import { decideResolution } from '../src/resolution/resolution-policy.js';
import { examplesFromArticles, foldOf, loadTaxonomy, type TriageExample } from '../src/triage/taxonomy.js';
import { TriageModel, type TriageExplanation } from '../src/triage/triage-model.js';

interface Scores {
  accuracy: number;
  macro_f1: number;
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
}

function score(gold: string[], predicted: string[]): Scores {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const confusion: Scores['confusion'] = Object.fromEntries(labels.map((g) => [g, Object.fromEntries(labels.map((p) => [p, 0]))]));
  gold.forEach((g, i) => confusion[g]![predicted[i]!]!++);
  const per_class: Scores['per_class'] = {};
  for (const l of labels) {
    const tp = confusion[l]![l]!;
    const support = gold.filter((g) => g === l).length;
    const predictedCount = predicted.filter((p) => p === l).length;
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    per_class[l] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  }
  const inGold = labels.filter((l) => per_class[l]!.support > 0);
  return {
    accuracy: gold.filter((g, i) => g === predicted[i]).length / gold.length,
    macro_f1: inGold.reduce((s, l) => s + per_class[l]!.f1, 0) / inGold.length,
    per_class,
    confusion,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
function print(title: string, r: Scores): void {
  console.log(`\n### ${title}: accuracy ${pct(r.accuracy)}, macro-F1 ${pct(r.macro_f1)}`);
  console.log('class        precision  recall   f1      support');
  for (const [l, c] of Object.entries(r.per_class)) {
    console.log(`${l.padEnd(12)} ${pct(c.precision).padStart(9)} ${pct(c.recall).padStart(7)} ${pct(c.f1).padStart(7)} ${String(c.support).padStart(8)}`);
  }
  const labels = Object.keys(r.confusion);
  console.log(`confusion (rows: gold, columns: predicted)\n${''.padEnd(12)}${labels.map((l) => l.padStart(10)).join('')}`);
  for (const g of labels) console.log(`${g.padEnd(12)}${labels.map((p) => String(r.confusion[g]![p]).padStart(10)).join('')}`);
}

const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const clarifyThreshold = Number(process.env.TRIAGE_CLARIFY_THRESHOLD ?? 0.45);
const matchThreshold = Number(process.env.KB_MATCH_THRESHOLD ?? 0.6);
const refundLimit = Number(process.env.REFUND_AUTO_LIMIT ?? 500);
const taxonomy = loadTaxonomy(process.env.TRIAGE_TAXONOMY_FILE ?? 'data/triage/taxonomy.json');
const kbDir = process.env.KB_DIR ?? 'data/kb';
const articles = readdirSync(kbDir).filter((f) => f.endsWith('.md')).map((f) => parseMarkdownArticle(readFileSync(join(kbDir, f), 'utf8')));
const names = taxonomy.categories.map((c) => c.name);
const articleExamples = examplesFromArticles(articles, names);

// ---- 1. Triage ----
console.log('# Offline evaluation\n\n## Triage');
const cv = new Map<TriageExample, TriageExplanation>();
let heldOutTrainMs = 0;
for (let fold = 0; fold < 5; fold++) {
  const started = performance.now();
  const model = TriageModel.train(taxonomy.examples.filter((e) => foldOf(e) !== fold), { clarifyThreshold }, articleExamples);
  if (fold === 0) heldOutTrainMs = performance.now() - started;
  for (const e of taxonomy.examples.filter((x) => foldOf(x) === fold)) cv.set(e, model.explain(e.text, e.customer_history, e.channel));
}
const heldOut = taxonomy.examples.filter((e) => foldOf(e) === 0);
console.log(`train ${taxonomy.examples.length - heldOut.length} examples (+${articleExamples.length} knowledge-base sections), held-out test ${heldOut.length} (fold 0 of 5 by id hash); training took ${heldOutTrainMs.toFixed(0)} ms`);

function triageScores(examples: TriageExample[]) {
  const preds = examples.map((e) => cv.get(e)!);
  const withP = examples.map((e, i) => ({ e, p: preds[i]! })).filter(({ e }) => e.priority);
  const correct = preds.filter((p, i) => p.category === examples[i]!.category).length;
  const clarify = preds.filter((p) => p.clarification_needed);
  return {
    category: score(examples.map((e) => e.category), preds.map((p) => p.category)),
    priority: score(withP.map(({ e }) => e.priority!), withP.map(({ p }) => p.priority)),
    priority_classifier_only: score(withP.map(({ e }) => e.priority!), withP.map(({ p }) => p.priority_model)),
    mean_confidence: preds.reduce((s, p) => s + p.confidence, 0) / preds.length,
    clarification_rate: clarify.length / preds.length,
    accuracy_when_not_clarifying: (correct - clarify.filter((p) => p.category === examples[preds.indexOf(p)]!.category).length) / (preds.length - clarify.length || 1),
  };
}
const held = triageScores(heldOut);
print('Category (held-out)', held.category);
print('Priority, classifier + rules (held-out)', held.priority);
console.log(`\nPriority, classifier alone (held-out): accuracy ${pct(held.priority_classifier_only.accuracy)}, macro-F1 ${pct(held.priority_classifier_only.macro_f1)}`);
console.log(`Calibration (held-out): mean confidence ${pct(held.mean_confidence)} vs accuracy ${pct(held.category.accuracy)}; clarification asked on ${pct(held.clarification_rate)}`);
const all = triageScores(taxonomy.examples);
console.log(
  `5-fold cross-validation (all ${taxonomy.examples.length}): category accuracy ${pct(all.category.accuracy)} (macro-F1 ${pct(all.category.macro_f1)}), ` +
    `priority ${pct(all.priority.accuracy)} (macro-F1 ${pct(all.priority.macro_f1)}; classifier alone ${pct(all.priority_classifier_only.accuracy)}), ` +
    `mean confidence ${pct(all.mean_confidence)}`,
);

// ---- 2. Search and 3. Resolution ----
const labels = new Map<string, { relevant: string[]; resolvable: boolean }>();
for (const f of readdirSync('data/eval').filter((n) => n.startsWith('kb-relevance') && n.endsWith('.jsonl'))) {
  for (const line of readFileSync(join('data/eval', f), 'utf8').split('\n').filter(Boolean)) {
    const l = JSON.parse(line) as { id: string; relevant: string[]; resolvable: boolean };
    labels.set(l.id, l);
  }
}
const labeled = taxonomy.examples.filter((e) => e.id && labels.has(e.id));
if (labeled.length === 0) {
  console.log('\nNo search/resolution labels (data/eval/kb-relevance-*.jsonl) match these examples: skipping sections 2-3.');
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ triage: { held_out: held, cross_validation: all } }, null, 2));
  process.exit(0);
}
const kb = new KbSearch();
for (const a of articles) kb.upsert(a);

let hit1 = 0, recall3 = 0, mrr = 0, withRelevant = 0;
const searchMs: number[] = [];
const hitsById = new Map<string, ReturnType<KbSearch['search']>>();
for (const e of labeled) {
  const started = performance.now();
  const hits = kb.search(e.text, 5);
  searchMs.push(performance.now() - started);
  hitsById.set(e.id!, hits);
  const { relevant } = labels.get(e.id!)!;
  if (!relevant.length) continue;
  withRelevant++;
  if (relevant.includes(hits[0]?.id ?? '')) hit1++;
  if (hits.slice(0, 3).some((h) => relevant.includes(h.id))) recall3++;
  const rank = hits.findIndex((h) => relevant.includes(h.id));
  if (rank >= 0) mrr += 1 / (rank + 1);
}
searchMs.sort((a, b) => a - b);
const search = { labeled: withRelevant, hit_at_1: hit1 / withRelevant, recall_at_3: recall3 / withRelevant, mrr: mrr / withRelevant, p50_ms: searchMs[Math.floor(searchMs.length / 2)]!, p95_ms: searchMs[Math.floor(searchMs.length * 0.95)]! };
console.log(`\n## Knowledge-base search (${withRelevant} inquiries with a relevant article)`);
console.log(`hit@1 ${pct(search.hit_at_1)}, recall@3 ${pct(search.recall_at_3)}, MRR ${search.mrr.toFixed(3)}; query time p50 ${search.p50_ms.toFixed(2)} ms, p95 ${search.p95_ms.toFixed(2)} ms (${articles.length} articles)`);

function resolutionAt(threshold: number) {
  let resolved = 0, correct = 0, resolvable = 0, resolvableResolved = 0, pending = 0;
  for (const e of labeled) {
    const t = cv.get(e)!;
    const label = labels.get(e.id!)!;
    const d = decideResolution({ inquiryText: e.text, category: t.category, clarificationNeeded: t.clarification_needed, articles: hitsById.get(e.id!)!, matchThreshold: threshold, refundLimit });
    if (label.resolvable) resolvable++;
    if (d.ticket_status === 'pending further action') pending++;
    if (d.ticket_status !== 'resolved') continue;
    resolved++;
    const cited = /\((kb-[\w-]+)\)/.exec(d.resolution_reply)?.[1];
    // Right = a person would have resolved it from an article, and we cited a relevant one.
    if (label.resolvable && cited && label.relevant.includes(cited)) {
      correct++;
      resolvableResolved++;
    }
  }
  return { threshold, resolved_rate: resolved / labeled.length, precision: resolved ? correct / resolved : 0, recall: resolvable ? resolvableResolved / resolvable : 0, pending_rate: pending / labeled.length };
}
const resolution = resolutionAt(matchThreshold);
console.log(`\n## Resolution (${labeled.length} labeled inquiries, ${[...labels.values()].filter((l) => l.resolvable).length} resolvable from an article)`);
console.log(`At KB_MATCH_THRESHOLD=${matchThreshold}: resolves ${pct(resolution.resolved_rate)}, asks to clarify ${pct(resolution.pending_rate)}, escalates the rest.`);
console.log(`precision ${pct(resolution.precision)} (resolved ones that were resolvable AND cited a relevant article), recall ${pct(resolution.recall)} (resolvable ones resolved that way)`);
console.log('threshold  resolves  precision  recall');
for (const t of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
  const r = resolutionAt(t);
  console.log(`${t.toFixed(1).padStart(9)} ${pct(r.resolved_rate).padStart(9)} ${pct(r.precision).padStart(10)} ${pct(r.recall).padStart(7)}`);
}

if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ triage: { held_out: held, cross_validation: all }, search, resolution }, null, 2));
  console.log(`\nwrote ${jsonOut}`);
}

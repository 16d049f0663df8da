/**
 * Offline triage quality on the held-out split of the shipped examples (never trained on):
 * accuracy, macro-F1, per-class precision/recall and confusion matrices for category and
 * priority. Usage: npm run eval [-- --json eval/latest.json]
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMarkdownArticle } from '../src/knowledge-base/article.js';
import { examplesFromArticles, isHeldOut, loadTaxonomy, type TriageExample } from '../src/triage/taxonomy.js';
import { TriageModel } from '../src/triage/triage-model.js';

interface Report {
  accuracy: number;
  macro_f1: number;
  per_class: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
}

function score(gold: string[], predicted: string[]): Report {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const confusion: Report['confusion'] = Object.fromEntries(labels.map((g) => [g, Object.fromEntries(labels.map((p) => [p, 0]))]));
  gold.forEach((g, i) => confusion[g]![predicted[i]!]!++);
  const per_class: Report['per_class'] = {};
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
function print(title: string, r: Report): void {
  console.log(`\n## ${title}: accuracy ${pct(r.accuracy)}, macro-F1 ${pct(r.macro_f1)}`);
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
const taxonomy = loadTaxonomy(process.env.TRIAGE_TAXONOMY_FILE ?? 'data/triage/taxonomy.json');
const kbDir = process.env.KB_DIR ?? 'data/kb';
const articles = readdirSync(kbDir).filter((f) => f.endsWith('.md')).map((f) => parseMarkdownArticle(readFileSync(join(kbDir, f), 'utf8')));
const names = taxonomy.categories.map((c) => c.name);
const train: TriageExample[] = taxonomy.examples.filter((e) => !isHeldOut(e));
const test: TriageExample[] = taxonomy.examples.filter(isHeldOut);

const started = performance.now();
const model = TriageModel.train(train, { clarifyThreshold: Number(process.env.TRIAGE_CLARIFY_THRESHOLD ?? 0.45) }, examplesFromArticles(articles, names));
const trainMs = performance.now() - started;
const predictions = test.map((e) => model.explain(e.text, e.customer_history));

console.log(`# Offline triage evaluation`);
console.log(`train: ${train.length} examples (+ knowledge-base sections), held-out test: ${test.length} (hash of id, ~20%), trained in ${trainMs.toFixed(0)} ms`);
const category = score(test.map((e) => e.category), predictions.map((p) => p.category));
print('Category', category);
const withPriority = test.map((e, i) => ({ e, p: predictions[i]! })).filter(({ e }) => e.priority);
const priority = score(withPriority.map(({ e }) => e.priority!), withPriority.map(({ p }) => p.priority));
const priorityModelOnly = score(withPriority.map(({ e }) => e.priority!), withPriority.map(({ p }) => p.priority_model));
print('Priority (classifier + rules)', priority);
console.log(`\nPriority, classifier alone: accuracy ${pct(priorityModelOnly.accuracy)}, macro-F1 ${pct(priorityModelOnly.macro_f1)}`);
const conf = predictions.map((p) => p.confidence);
const correct = predictions.map((p, i) => p.category === test[i]!.category);
const meanConf = conf.reduce((a, b) => a + b, 0) / conf.length;
const clarify = predictions.filter((p) => p.clarification_needed).length;
const confidentCorrect = predictions.filter((p, i) => !p.clarification_needed && correct[i]).length;
const confident = predictions.length - clarify;
console.log(`\nCalibration: mean confidence ${pct(meanConf)} vs accuracy ${pct(category.accuracy)} (temperature ${model.categoryTemperature})`);
console.log(`Clarification asked on ${clarify}/${test.length}; accuracy on the rest ${pct(confident ? confidentCorrect / confident : 0)}`);
// The fixed split is small (±5 points per 4 examples): also report 5-fold cross-validation
// over all examples, folds by the same hash, so every example is tested once.
const foldOf = (e: TriageExample) => {
  const key = e.id ?? e.text;
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) % 5;
};
const cvGold: string[] = [], cvPred: string[] = [], cvPGold: string[] = [], cvPPred: string[] = [];
for (let f = 0; f < 5; f++) {
  const m = TriageModel.train(taxonomy.examples.filter((e) => foldOf(e) !== f), { clarifyThreshold: 0.45 }, examplesFromArticles(articles, names));
  for (const e of taxonomy.examples.filter((x) => foldOf(x) === f)) {
    const p = m.explain(e.text, e.customer_history);
    cvGold.push(e.category);
    cvPred.push(p.category);
    if (e.priority) {
      cvPGold.push(e.priority);
      cvPPred.push(p.priority);
    }
  }
}
const cvCategory = score(cvGold, cvPred);
const cvPriority = score(cvPGold, cvPPred);
console.log(`\n5-fold cross-validation over all ${taxonomy.examples.length} examples: category accuracy ${pct(cvCategory.accuracy)} (macro-F1 ${pct(cvCategory.macro_f1)}), priority accuracy ${pct(cvPriority.accuracy)} (macro-F1 ${pct(cvPriority.macro_f1)})`);
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ train: train.length, test: test.length, category, priority, priority_model_only: priorityModelOnly, mean_confidence: meanConf, clarification_rate: clarify / test.length, cross_validation: { category: cvCategory, priority: cvPriority } }, null, 2));
  console.log(`\nwrote ${jsonOut}`);
}

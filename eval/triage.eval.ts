/**
 * Triage quality: category and priority on the held-out fold of the grouped split, and 5-fold
 * cross-validation over every example (each predicted by the model that did not train on its
 * fold); calibration of the reported confidence and what `clarification_needed` buys.
 */
import { exampleFolds, type GroupedSplit } from '../src/triage/dataset-split.js';
import type { Taxonomy, TriageExample } from '../src/triage/taxonomy.js';
import { TriageModel, type TriageExplanation } from '../src/triage/triage-model.js';
import { calibration, classificationReport, type Calibration, type ClassificationReport } from './metrics.js';
import { pct, printCalibration, printClassification, table } from './report.js';

export const FOLDS = 5;
export const HELD_OUT_FOLD = 0;
export const NEAR_DUPLICATE_JACCARD = 0.5;
const CLARIFY_SWEEP = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7];

export interface ClarificationScores {
  threshold: number;
  /** Share of inquiries where triage asked for clarification (low confidence or too few informative words). */
  asked_rate: number;
  accuracy_when_asked: number | null;
  accuracy_when_not_asked: number | null;
  /** Share with a confidence below the threshold, and the category accuracy on each side of it. */
  below_threshold_rate: number;
  accuracy_below_threshold: number | null;
  accuracy_at_or_above_threshold: number | null;
}

export interface TriageScores {
  n: number;
  category: ClassificationReport;
  priority: ClassificationReport | null;
  priority_classifier_only: { accuracy: number; macro_f1: number } | null;
  calibration: Calibration;
  clarification: ClarificationScores;
}

function accuracyOf(items: { correct: boolean }[]): number | null {
  return items.length ? items.filter((i) => i.correct).length / items.length : null;
}

export function clarificationScores(preds: readonly TriageExplanation[], gold: readonly TriageExample[], threshold: number): ClarificationScores {
  const rows = preds.map((p, i) => ({ p, correct: p.category === gold[i]!.category }));
  const asked = rows.filter((r) => r.p.clarification_needed);
  const notAsked = rows.filter((r) => !r.p.clarification_needed);
  const below = rows.filter((r) => r.p.confidence < threshold);
  const above = rows.filter((r) => r.p.confidence >= threshold);
  const n = rows.length || 1;
  return {
    threshold,
    asked_rate: asked.length / n,
    accuracy_when_asked: accuracyOf(asked),
    accuracy_when_not_asked: accuracyOf(notAsked),
    below_threshold_rate: below.length / n,
    accuracy_below_threshold: accuracyOf(below),
    accuracy_at_or_above_threshold: accuracyOf(above),
  };
}

/** Category, priority, calibration and clarification scores of predictions against their examples. */
export function triageScores(examples: readonly TriageExample[], preds: readonly TriageExplanation[], categories: readonly string[], clarifyThreshold: number): TriageScores {
  const withPriority = examples.map((e, i) => ({ e, p: preds[i]! })).filter(({ e }) => e.priority);
  const priorityClassifier = withPriority.length ? classificationReport(withPriority.map(({ e }) => e.priority!), withPriority.map(({ p }) => p.priority_model)) : null;
  return {
    n: examples.length,
    category: classificationReport(examples.map((e) => e.category), preds.map((p) => p.category), categories),
    priority: withPriority.length ? classificationReport(withPriority.map(({ e }) => e.priority!), withPriority.map(({ p }) => p.priority)) : null,
    priority_classifier_only: priorityClassifier && { accuracy: priorityClassifier.accuracy, macro_f1: priorityClassifier.macro_f1 },
    calibration: calibration(preds.map((p) => p.confidence), preds.map((p, i) => p.category === examples[i]!.category)),
    clarification: clarificationScores(preds, examples, clarifyThreshold),
  };
}

export interface TriageEvaluation {
  split: {
    method: string;
    folds: number;
    held_out_fold: number;
    near_duplicate_jaccard: number;
    examples: number;
    held_out: number;
    groups: number;
    examples_in_groups: number;
    largest_group: number;
    held_out_ids: string[];
  };
  train_examples: number;
  article_examples: number;
  training_ms: number;
  held_out: TriageScores;
  cross_validation: TriageScores;
  /** Cross-validated: what the clarification threshold would do (confidence rule only). */
  clarify_threshold_sweep: { threshold: number; asked_rate: number; accuracy_of_the_rest: number | null; accuracy_of_those_asked: number | null }[];
}

export interface TriageRun {
  result: TriageEvaluation;
  /** Out-of-fold prediction of every example, in the taxonomy's order. */
  predictions: TriageExplanation[];
  split: GroupedSplit;
}

export function evaluateTriage(taxonomy: Taxonomy, articleExamples: TriageExample[], clarifyThreshold: number): TriageRun {
  const examples = taxonomy.examples;
  const categories = taxonomy.categories.map((c) => c.name);
  const split = exampleFolds(examples, { folds: FOLDS, threshold: NEAR_DUPLICATE_JACCARD });
  const predictions: TriageExplanation[] = new Array(examples.length);
  let trainingMs = 0;
  for (let fold = 0; fold < FOLDS; fold++) {
    const test = examples.map((_, i) => i).filter((i) => split.folds[i] === fold);
    if (test.length === 0) continue;
    const started = performance.now();
    const model = TriageModel.train(examples.filter((_, i) => split.folds[i] !== fold), { clarifyThreshold }, articleExamples);
    if (fold === HELD_OUT_FOLD) trainingMs = performance.now() - started;
    for (const i of test) {
      const e = examples[i]!;
      predictions[i] = model.explain(e.text, e.customer_history, e.channel);
    }
  }
  const heldIdx = examples.map((_, i) => i).filter((i) => split.folds[i] === HELD_OUT_FOLD);
  const held = triageScores(heldIdx.map((i) => examples[i]!), heldIdx.map((i) => predictions[i]!), categories, clarifyThreshold);
  const cv = triageScores(examples, predictions, categories, clarifyThreshold);
  const sweep = CLARIFY_SWEEP.map((t) => {
    const c = clarificationScores(predictions, examples, t);
    return { threshold: t, asked_rate: c.below_threshold_rate, accuracy_of_the_rest: c.accuracy_at_or_above_threshold, accuracy_of_those_asked: c.accuracy_below_threshold };
  });
  return {
    predictions,
    split,
    result: {
      split: {
        method: `grouped: near-duplicates (word-bigram Jaccard ≥ ${NEAR_DUPLICATE_JACCARD}) joined by union-find; fold = FNV-1a(smallest id in group) mod ${FOLDS}; fold ${HELD_OUT_FOLD} held out`,
        folds: FOLDS,
        held_out_fold: HELD_OUT_FOLD,
        near_duplicate_jaccard: NEAR_DUPLICATE_JACCARD,
        examples: examples.length,
        held_out: heldIdx.length,
        groups: split.groupCount,
        examples_in_groups: split.groupedItems,
        largest_group: split.largestGroup,
        held_out_ids: heldIdx.map((i) => examples[i]!.id ?? `#${i}`),
      },
      train_examples: examples.length - heldIdx.length,
      article_examples: articleExamples.length,
      training_ms: trainingMs,
      held_out: held,
      cross_validation: cv,
      clarify_threshold_sweep: sweep,
    },
  };
}

export function printClarification(c: ClarificationScores): void {
  console.log(
    `clarification_needed on ${pct(c.asked_rate)} of inquiries: category accuracy ${pct(c.accuracy_when_asked)} when asked vs ${pct(c.accuracy_when_not_asked)} when not; ` +
      `confidence < ${c.threshold} on ${pct(c.below_threshold_rate)}: accuracy ${pct(c.accuracy_below_threshold)} below vs ${pct(c.accuracy_at_or_above_threshold)} at or above`,
  );
}

export function printTriage(r: TriageEvaluation, clarifyThreshold: number): void {
  const s = r.split;
  console.log('\n## Triage');
  console.log(
    `${s.examples} labeled examples; grouped split: ${s.groups} groups (${s.examples_in_groups} examples share a group with a near-duplicate, largest ${s.largest_group}); ` +
      `held out: fold ${s.held_out_fold} of ${s.folds}, ${s.held_out} examples (${pct(s.held_out / s.examples)}).`,
  );
  console.log(`Trained on ${r.train_examples} examples + ${r.article_examples} knowledge-base sections in ${r.training_ms.toFixed(0)} ms.`);
  const h = r.held_out;
  const cv = r.cross_validation;
  printClassification(`Category, held-out`, h.category);
  if (h.priority) printClassification('Priority (classifier + rules), held-out', h.priority);
  console.log('\n### Summary: held-out vs 5-fold cross-validation');
  console.log(table(['', `held-out (${h.n})`, `5-fold CV (${cv.n})`], [
    ['category accuracy', pct(h.category.accuracy), pct(cv.category.accuracy)],
    ['category macro-F1', pct(h.category.macro_f1), pct(cv.category.macro_f1)],
    ['priority accuracy (classifier + rules)', pct(h.priority?.accuracy), pct(cv.priority?.accuracy)],
    ['priority macro-F1 (classifier + rules)', pct(h.priority?.macro_f1), pct(cv.priority?.macro_f1)],
    ['priority accuracy (classifier alone)', pct(h.priority_classifier_only?.accuracy), pct(cv.priority_classifier_only?.accuracy)],
    ['mean confidence', pct(h.calibration.mean_confidence), pct(cv.calibration.mean_confidence)],
    ['ECE (10 bins)', pct(h.calibration.ece), pct(cv.calibration.ece)],
    ['clarification asked', pct(h.clarification.asked_rate), pct(cv.clarification.asked_rate)],
  ]));
  printCalibration('Calibration of the category confidence, 5-fold CV', cv.calibration);
  printClarification(cv.clarification);
  console.log(`\nIf TRIAGE_CLARIFY_THRESHOLD were … (5-fold CV; confidence rule only, current ${clarifyThreshold})`);
  console.log(table(['threshold', 'asks', 'accuracy of the rest', 'accuracy of those asked'], r.clarify_threshold_sweep.map((t) => [
    t.threshold.toFixed(2), pct(t.asked_rate), pct(t.accuracy_of_the_rest), pct(t.accuracy_of_those_asked),
  ])));
}

/**
 * Bring your own data: train the offline triage model (the service's, with its calibration)
 * on any labeled file and score it on a test file, or on the held-out fold of a grouped split
 * of the training file. How a team checks a custom taxonomy before switching it on, and how
 * the classifier is compared with published results (docs/EVALUATION.md#banking77).
 */
import { extname } from 'node:path';
import { exampleFolds, samplePerCategory } from '../src/triage/dataset-split.js';
import { examplesFromArticles, loadTaxonomy, parseCsvExamples, type TriageExample } from '../src/triage/taxonomy.js';
import { TriageModel, type TriageExplanation } from '../src/triage/triage-model.js';
import { UsageError, type ByoArgs } from './cli.js';
import { loadArticles } from './datasets.js';
import { mean, percentile } from './metrics.js';
import { ms, pct, printCalibration, printClassification } from './report.js';
import { FOLDS, HELD_OUT_FOLD, NEAR_DUPLICATE_JACCARD, printClarification, triageScores, type TriageScores } from './triage.eval.js';

/** A data problem in the user's files: reported in one line, exit code 2. */
function loadExamples(file: string, args: ByoArgs): TriageExample[] {
  try {
    if (extname(file).toLowerCase() === '.csv') return parseCsvExamples(file, { text: args.text, label: args.label });
    if (args.text || args.label) throw new Error('--text and --label apply to CSV files only');
    return loadTaxonomy(file).examples;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

export interface ByoEvaluation {
  train: { file: string; examples: number; per_category_limit: number | null; categories: number; article_examples: number };
  test: { file: string; examples: number; split: string | null };
  /** Test labels the training data never shows (the model cannot predict them). */
  unseen_test_labels: string[];
  training_ms: number;
  prediction_latency: { mean_ms: number; p50_ms: number; p99_ms: number };
  scores: TriageScores;
}

export function runByo(args: ByoArgs, opts: { clarifyThreshold: number; kbDir: string }): ByoEvaluation {
  const { clarifyThreshold, kbDir } = opts;
  const all = loadExamples(args.train, args);
  const trainCategories = new Set(all.map((e) => e.category));
  if (trainCategories.size < 2) throw new UsageError(`${args.train}: needs at least two categories to train on (found ${[...trainCategories].join(', ') || 'none'})`);
  let train = all;
  let test: TriageExample[];
  let split: string | null = null;
  const warnings: string[] = [];
  if (args.test) {
    test = loadExamples(args.test, args);
  } else {
    const { folds, groupCount, largestGroup } = exampleFolds(all, { folds: FOLDS, threshold: NEAR_DUPLICATE_JACCARD });
    train = all.filter((_, i) => folds[i] !== HELD_OUT_FOLD);
    test = all.filter((_, i) => folds[i] === HELD_OUT_FOLD);
    split = `held-out fold ${HELD_OUT_FOLD} of ${FOLDS} of a grouped split of --train: ${groupCount} groups, the largest of ${largestGroup}`;
    if (all.length >= 100 && largestGroup > 0.05 * all.length) {
      warnings.push(`one group of near-duplicates holds ${largestGroup} of ${all.length} examples; the held-out share is ${pct(test.length / all.length)}`);
    }
    if (test.length === 0 || test.length === all.length) throw new UsageError(`${args.train}: too few examples to hold some out (${all.length}); pass --test`);
  }
  if (test.length === 0) throw new UsageError(`${args.test}: no examples to test on`);
  if (args.perClass) train = samplePerCategory(train, args.perClass);
  const categories = [...new Set(train.map((e) => e.category))].sort();
  const unseen = [...new Set(test.map((e) => e.category))].filter((c) => !categories.includes(c)).sort();
  if (unseen.length) warnings.push(`${unseen.length} test label(s) never seen in training (always wrong): ${unseen.slice(0, 10).join(', ')}${unseen.length > 10 ? ', …' : ''}`);

  console.log('# Bring-your-own evaluation\n');
  for (const w of warnings) console.warn(`warning: ${w}`);
  // As the service does: knowledge-base sections of matching categories join the training data.
  const articleExamples = args.kb ? examplesFromArticles(loadArticles(kbDir), categories) : [];

  console.log(`Training on ${train.length} examples (${categories.length} categories${articleExamples.length ? `, + ${articleExamples.length} knowledge-base sections` : ''}) …`);
  const started = performance.now();
  const model = TriageModel.train(train, { clarifyThreshold }, articleExamples);
  const trainingMs = performance.now() - started;

  for (const e of test.slice(0, 20)) model.explain(e.text, e.customer_history, e.channel); // warm-up (JIT), not timed
  const times: number[] = [];
  const preds: TriageExplanation[] = test.map((e) => {
    const t0 = performance.now();
    const p = model.explain(e.text, e.customer_history, e.channel);
    times.push(performance.now() - t0);
    return p;
  });
  return {
    train: { file: args.train, examples: train.length, per_category_limit: args.perClass ?? null, categories: categories.length, article_examples: articleExamples.length },
    test: { file: args.test ?? args.train, examples: test.length, split },
    unseen_test_labels: unseen,
    training_ms: trainingMs,
    prediction_latency: { mean_ms: mean(times), p50_ms: percentile(times, 50), p99_ms: percentile(times, 99) },
    scores: triageScores(test, preds, categories, clarifyThreshold),
  };
}

export function printByo(r: ByoEvaluation): void {
  console.log(`train: ${r.train.file}, ${r.train.examples} examples${r.train.per_category_limit ? ` (at most ${r.train.per_category_limit} per category)` : ''}, ${r.train.categories} categories${r.train.article_examples ? ` (+ ${r.train.article_examples} knowledge-base sections)` : ''}`);
  console.log(`test:  ${r.test.file}, ${r.test.examples} examples${r.test.split ? `, the ${r.test.split}` : ''}`);
  console.log(`training ${(r.training_ms / 1000).toFixed(1)} s; prediction mean ${ms(r.prediction_latency.mean_ms)}, p99 ${ms(r.prediction_latency.p99_ms)}`);
  const s = r.scores;
  printClassification('Category', s.category);
  if (s.priority) printClassification('Priority (classifier + rules)', s.priority);
  printCalibration('Calibration of the category confidence', s.calibration);
  printClarification(s.clarification);
  console.log(`\naccuracy ${pct(s.category.accuracy)}, macro-F1 ${pct(s.category.macro_f1)}, ECE ${pct(s.calibration.ece)} on ${s.n} test examples`);
}

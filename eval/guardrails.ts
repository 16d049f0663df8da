/**
 * Guardrail detectors on the labelled corpus (test/fixtures/guardrails/): precision and recall
 * per detector — each PII kind, prompt injection, text limits, and each reply-policy reason.
 * A benign message that is blocked is a false positive of the detector that blocked it.
 * Shared by `npm run eval` and src/guardrails/detectors/corpus.spec.ts (which asserts floors).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { checkReply, REPLY_REASONS } from '../src/guardrails/detectors/reply.js';
import { checkTextLimits, TEXT_LIMIT_REASONS } from '../src/guardrails/detectors/limits.js';
import { detectInjection, DEFAULT_INJECTION_THRESHOLD, MODEL_MIN_PROBABILITY, MODEL_MIN_WORDS } from '../src/guardrails/detectors/injection.js';
import { INJECTION_TRAINING_FILE, InjectionModel, loadInjectionExamples, modelWordCount } from '../src/guardrails/detectors/injection-model.js';
import { exampleFolds } from '../src/triage/dataset-split.js';
import { detectPii } from '../src/guardrails/detectors/pii.js';
import { PII_KINDS, type PiiKind } from '../src/guardrails/detectors/types.js';
import { TICKET_STATUSES } from '../src/resolution/resolution.schemas.js';
import { loadArticles, readJsonl } from './datasets.js';
import { pct, table } from './report.js';

export const GUARDRAIL_INPUT_CORPUS = 'test/fixtures/guardrails/input.jsonl';
export const GUARDRAIL_OUTPUT_CORPUS = 'test/fixtures/guardrails/output.jsonl';
/** The project root: the corpus is found wherever the process was started. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Project files relative to the project (stable in the results), others absolute. */
const shown = (file: string) => {
  const r = relative(ROOT, file);
  return r.startsWith('..') ? file : r;
};
/** The service's default GUARDRAIL_MAX_TEXT_CHARS. */
export const DEFAULT_MAX_TEXT_CHARS = 20_000;

export const InputCaseSchema = z.object({
  id: z.string().min(1),
  text: z.string(),
  /** Kinds that must be found ([] when none). */
  pii: z.array(z.enum(PII_KINDS as [PiiKind, ...PiiKind[]])),
  /** Whether the prompt-injection detector must trip. */
  injection: z.boolean(),
  /** The text-limits reason expected, or null when the text is within limits. */
  limits: z.enum(TEXT_LIMIT_REASONS).nullable(),
  note: z.string().optional(),
});
export type InputCase = z.infer<typeof InputCaseSchema>;

export const OutputCaseSchema = z.object({
  id: z.string().min(1),
  reply: z.string(),
  status: z.enum(TICKET_STATUSES),
  notes: z.string(),
  inquiry: z.string(),
  retrieved: z.array(z.object({ id: z.string().min(1), text: z.string() })),
  /** The deciding reply-policy reason, or null for a clean reply. */
  expect: z.enum(REPLY_REASONS).nullable(),
  note: z.string().optional(),
});
export type OutputCase = z.infer<typeof OutputCaseSchema>;

export interface DetectorScore {
  /** e.g. "pii:email", "prompt_injection", "text_limits", "reply:pii_leak". */
  detector: string;
  /** Cases the detector ran on. */
  cases: number;
  /** Cases labelled positive for it. */
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  /** tp / (tp + fp); null when it flagged nothing. */
  precision: number | null;
  /** tp / (tp + fn); null when no case is positive. */
  recall: number | null;
}

export interface GuardrailMiss {
  id: string;
  detector: string;
  expected: string;
  got: string;
}

export interface GuardrailEvaluation {
  files: { input: string; output: string };
  settings: { max_chars: number; injection_threshold: number };
  input_cases: number;
  output_cases: number;
  /** Input cases labelled clean for every detector, and those any input detector blocked or flagged. */
  benign: { cases: number; flagged: number; ids: string[] };
  detectors: DetectorScore[];
  /** Every disagreement with the labels (false positives and false negatives). */
  misses: GuardrailMiss[];
  /** The learned injection classifier on text it never trained on (absent with `injectionModel: false`). */
  injection_model?: InjectionModelEvaluation;
}

export interface GuardrailEvalOptions {
  input?: string;
  output?: string;
  maxChars?: number;
  threshold?: number;
  /** Also measure the learned injection classifier (cross-validation, test sets; ≈ 2 s). Default true. */
  injectionModel?: boolean;
}

class Counter {
  private readonly rows = new Map<string, { cases: number; positives: number; tp: number; fp: number; fn: number }>();

  constructor(private readonly misses: GuardrailMiss[]) {}

  /** One case: expected positive? predicted positive? */
  add(detector: string, id: string, expected: boolean, predicted: boolean, describe: () => { expected: string; got: string }): void {
    const r = this.rows.get(detector) ?? { cases: 0, positives: 0, tp: 0, fp: 0, fn: 0 };
    this.rows.set(detector, r);
    r.cases++;
    if (expected) r.positives++;
    if (expected && predicted) r.tp++;
    else if (predicted) r.fp++;
    else if (expected) r.fn++;
    if (expected !== predicted) this.misses.push({ id, detector, ...describe() });
  }

  /** The row, created empty so that a detector with no case still shows. */
  touch(detector: string): void {
    if (!this.rows.has(detector)) this.rows.set(detector, { cases: 0, positives: 0, tp: 0, fp: 0, fn: 0 });
  }

  scores(): DetectorScore[] {
    return [...this.rows].map(([detector, r]) => ({
      detector,
      ...r,
      precision: r.tp + r.fp ? r.tp / (r.tp + r.fp) : null,
      recall: r.tp + r.fn ? r.tp / (r.tp + r.fn) : null,
    }));
  }
}

const list = (xs: readonly string[]) => (xs.length ? xs.join(',') : 'none');

/** Runs every detector over both corpora and counts agreement with the labels. */
export function evaluateGuardrails(options: GuardrailEvalOptions = {}): GuardrailEvaluation {
  const inputFile = resolve(ROOT, options.input ?? GUARDRAIL_INPUT_CORPUS);
  const outputFile = resolve(ROOT, options.output ?? GUARDRAIL_OUTPUT_CORPUS);
  const maxChars = options.maxChars ?? DEFAULT_MAX_TEXT_CHARS;
  const threshold = options.threshold ?? DEFAULT_INJECTION_THRESHOLD;
  const inputs = readJsonl(inputFile, InputCaseSchema);
  const outputs = readJsonl(outputFile, OutputCaseSchema);
  const misses: GuardrailMiss[] = [];
  const c = new Counter(misses);
  const benignFlagged: string[] = [];
  let benign = 0;

  for (const kind of PII_KINDS) c.touch(`pii:${kind}`);
  for (const x of inputs) {
    const found = new Set(detectPii(x.text).map((f) => f.reason));
    for (const kind of PII_KINDS) {
      c.add(`pii:${kind}`, x.id, x.pii.includes(kind), found.has(kind), () => ({ expected: list(x.pii), got: list([...found]) }));
    }
    const injection = detectInjection(x.text, { threshold });
    c.add('prompt_injection', x.id, x.injection, injection.tripped, () => ({
      expected: String(x.injection),
      got: `${injection.tripped} (score ${injection.score}${injection.reason ? `, ${injection.reason}` : ''})`,
    }));
    const limits = checkTextLimits(x.text, { maxChars });
    // Right only with the expected reason: a wrong reason is a false positive and a false negative.
    const limitsOk = limits.tripped && limits.reason === x.limits;
    if (x.limits !== null && limits.tripped && !limitsOk) {
      c.add('text_limits', x.id, true, false, () => ({ expected: x.limits!, got: limits.reason! }));
      c.add('text_limits', x.id, false, true, () => ({ expected: x.limits!, got: limits.reason! }));
    } else {
      c.add('text_limits', x.id, x.limits !== null, limits.tripped, () => ({ expected: String(x.limits), got: String(limits.reason ?? null) }));
    }
    if (!x.pii.length && !x.injection && x.limits === null) {
      benign++;
      if (found.size || injection.tripped || limits.tripped) benignFlagged.push(x.id);
    }
  }

  for (const reason of REPLY_REASONS) c.touch(`reply:${reason}`);
  for (const o of outputs) {
    const v = checkReply(o);
    const got = v.reason ?? null;
    c.add('reply_policy', o.id, o.expect !== null, v.tripped, () => ({ expected: String(o.expect), got: String(got) }));
    for (const reason of REPLY_REASONS) {
      c.add(`reply:${reason}`, o.id, o.expect === reason, got === reason, () => ({ expected: String(o.expect), got: String(got) }));
    }
  }

  // Rows in a fixed order: PII kinds, all PII (micro-average), injection, limits, reply policy, reply reasons.
  const scores = new Map(c.scores().map((s) => [s.detector, s]));
  const pii = PII_KINDS.map((k) => scores.get(`pii:${k}`)!);
  const sum = (k: 'positives' | 'tp' | 'fp' | 'fn') => pii.reduce((n, s) => n + s[k], 0);
  const [tp, fp, fn] = [sum('tp'), sum('fp'), sum('fn')];
  const micro: DetectorScore = {
    detector: 'pii (all kinds)',
    cases: inputs.length,
    positives: sum('positives'),
    tp,
    fp,
    fn,
    precision: tp + fp ? tp / (tp + fp) : null,
    recall: tp + fn ? tp / (tp + fn) : null,
  };
  const detectors = [
    ...pii,
    micro,
    ...['prompt_injection', 'text_limits', 'reply_policy', ...REPLY_REASONS.map((r) => `reply:${r}`)].map((d) => scores.get(d)!),
  ];

  return {
    files: { input: shown(inputFile), output: shown(outputFile) },
    settings: { max_chars: maxChars, injection_threshold: threshold },
    input_cases: inputs.length,
    output_cases: outputs.length,
    benign: { cases: benign, flagged: benignFlagged.length, ids: benignFlagged },
    detectors,
    misses,
    ...(options.injectionModel === false ? {} : { injection_model: evaluateInjectionModel() }),
  };
}

/** The per-detector table as printed by `npm run eval` and the corpus spec. */
export function guardrailTable(r: GuardrailEvaluation): string {
  return table(
    ['detector', 'cases', 'positives', 'TP', 'FP', 'FN', 'precision', 'recall'],
    r.detectors.map((d) => [d.detector, d.cases, d.positives, d.tp, d.fp, d.fn, pct(d.precision), pct(d.recall)]),
  );
}

export function printGuardrails(r: GuardrailEvaluation): void {
  console.log(
    `\n## Guardrails: ${r.input_cases} input cases (${r.files.input}), ${r.output_cases} reply cases (${r.files.output}); injection threshold ${r.settings.injection_threshold}, max ${r.settings.max_chars} characters`,
  );
  console.log(guardrailTable(r));
  console.log(`\nbenign input cases flagged by any detector: ${r.benign.flagged} of ${r.benign.cases}${r.benign.ids.length ? ` (${r.benign.ids.join(', ')})` : ''}`);
  if (r.misses.length) {
    console.log(`\ndisagreements with the labels (${r.misses.length})`);
    console.log(table(['case', 'detector', 'expected', 'got'], r.misses.map((m) => [m.id, m.detector, m.expected, m.got])));
  }
  if (r.injection_model) printInjectionModel(r.injection_model);
}

// ---------------------------------------------------------------------------------------------
// The learned injection classifier (src/guardrails/detectors/injection-model.ts): measured on
// text it never trained on, with and without it.

export const INJECTION_HELDOUT_SET = 'data/guardrails/injection-heldout.jsonl';
const TRIAGE_FILES = ['data/triage/billing.jsonl', 'data/triage/general.jsonl', 'data/triage/technical.jsonl'];
const KB_DIR = 'data/kb';
/** Model-alone cuts reported from the cross-validation (the shipped one is MODEL_MIN_PROBABILITY). */
const CUTS = [0.5, 0.7, 0.8, 0.85, 0.9, 0.95];

export interface PrCount {
  positives: number;
  negatives: number;
  tp: number;
  fp: number;
  precision: number | null;
  recall: number | null;
  /** Ids (or the first 60 characters) of the negatives flagged. */
  false_positives: string[];
}

export interface InjectionModelEvaluation {
  training: { file: string; examples: number; injections: number; clean: number; ms: number; temperature: number };
  settings: { min_probability: number; min_words: number };
  /** Grouped 5-fold cross-validation on the training set: the model alone at each cut. */
  cv: { folds: number; cuts: { cut: number; tp: number; fp: number; positives: number; negatives: number }[] };
  /** Rules alone vs rules + model, per test set the model never trained on. */
  sets: { name: string; rules: PrCount; combined: PrCount }[];
}

function count(rows: readonly { key: string; y: boolean; flagged: boolean }[]): PrCount {
  const tp = rows.filter((r) => r.y && r.flagged).length;
  const fps = rows.filter((r) => !r.y && r.flagged);
  const positives = rows.filter((r) => r.y).length;
  return {
    positives,
    negatives: rows.length - positives,
    tp,
    fp: fps.length,
    precision: tp + fps.length ? tp / (tp + fps.length) : null,
    recall: positives ? tp / positives : null,
    false_positives: fps.map((r) => r.key),
  };
}

export function evaluateInjectionModel(): InjectionModelEvaluation {
  const train = loadInjectionExamples();
  const t0 = performance.now();
  const model = InjectionModel.train(train);
  const ms = performance.now() - t0;

  // (a) grouped 5-fold CV: near-duplicates (Jaccard ≥ 0.5 of word bigrams) share a fold.
  const split = exampleFolds(train);
  const oof: { p: number; y: boolean }[] = [];
  for (let f = 0; f < 5; f++) {
    const m = InjectionModel.train(train.filter((_, i) => split.folds[i] !== f));
    train.forEach((e, i) => {
      if (split.folds[i] === f) oof.push({ p: modelWordCount(e.text) >= MODEL_MIN_WORDS ? m.probability(e.text) : 0, y: e.injection });
    });
  }
  const cuts = [...new Set([...CUTS, MODEL_MIN_PROBABILITY])].sort().map((cut) => ({
    cut,
    tp: oof.filter((r) => r.y && r.p >= cut).length,
    fp: oof.filter((r) => !r.y && r.p >= cut).length,
    positives: oof.filter((r) => r.y).length,
    negatives: oof.filter((r) => !r.y).length,
  }));

  // (b, c) test sets: both verdicts per text.
  const both = (name: string, items: { key: string; text: string; y: boolean }[]) => ({
    name,
    rules: count(items.map((x) => ({ ...x, flagged: detectInjection(x.text, { model: false }).tripped }))),
    combined: count(items.map((x) => ({ ...x, flagged: detectInjection(x.text).tripped }))),
  });
  const inputs = readJsonl(resolve(ROOT, GUARDRAIL_INPUT_CORPUS), InputCaseSchema);
  const clean = (x: InputCase) => !x.injection && !x.pii.length && x.limits === null;
  const corpus = inputs.map((x) => ({ key: x.id, text: x.text, y: x.injection }));
  const heldout = readJsonl(resolve(ROOT, INJECTION_HELDOUT_SET), HeldOutSchema).map((x) => ({ key: x.id, text: x.text, y: x.injection }));
  const trained = new Set(train.map((e) => e.text));
  const inquiries = TRIAGE_FILES.flatMap((f) => readJsonl(resolve(ROOT, f), z.object({ id: z.string(), text: z.string() }).loose()))
    .filter((x) => !trained.has(x.text))
    .map((x) => ({ key: x.id, text: x.text, y: false }));
  const articles = loadArticles(resolve(ROOT, KB_DIR));
  const markdown = readdirSync(resolve(ROOT, KB_DIR))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => ({ key: f, text: readFileSync(resolve(ROOT, KB_DIR, f), 'utf8'), y: false }));
  const sets = [
    both(`corpus: all ${corpus.length} input cases`, corpus),
    both('corpus: clean cases', inputs.filter(clean).map((x) => ({ key: x.id, text: x.text, y: false }))),
    both('corpus: held-out rounds (h-, h2-)', corpus.filter((x) => /^h2?-/.test(x.key))),
    both(`fresh held-out set (${INJECTION_HELDOUT_SET})`, heldout),
    both('triage inquiries not trained on', inquiries),
    both('KB article bodies', articles.map((a) => ({ key: a.id, text: a.body, y: false }))),
    both('KB article titles', articles.map((a) => ({ key: a.id, text: a.title, y: false }))),
    both('KB article files (markdown import)', markdown),
  ];
  return {
    training: {
      file: shown(INJECTION_TRAINING_FILE),
      examples: train.length,
      injections: train.filter((e) => e.injection).length,
      clean: train.filter((e) => !e.injection).length,
      ms: Math.round(ms),
      temperature: model.temperature,
    },
    settings: { min_probability: MODEL_MIN_PROBABILITY, min_words: MODEL_MIN_WORDS },
    cv: { folds: 5, cuts },
    sets,
  };
}

const HeldOutSchema = z.object({ id: z.string().min(1), text: z.string().min(1), injection: z.boolean() });

export function printInjectionModel(r: InjectionModelEvaluation): void {
  const t = r.training;
  console.log(
    `\n## Learned injection classifier: ${t.examples} training examples (${t.injections} injections, ${t.clean} clean; ${t.file}), trained in ${t.ms} ms, temperature ${t.temperature}; counts from p ≥ ${r.settings.min_probability} on texts of ≥ ${r.settings.min_words} words`,
  );
  console.log(`\ngrouped ${r.cv.folds}-fold cross-validation on the training set, the model alone`);
  console.log(table(['p ≥', 'injections caught', 'recall', 'clean flagged', 'FP rate'], r.cv.cuts.map((c) => [c.cut, `${c.tp} of ${c.positives}`, pct(c.tp / c.positives), `${c.fp} of ${c.negatives}`, pct(c.fp / c.negatives)])));
  console.log('\nrules alone vs rules + model, on text the model never trained on');
  console.log(
    table(
      ['set', 'injections', 'clean', 'rules: TP / FP', 'rules: P / R', 'rules + model: TP / FP', 'rules + model: P / R', 'false positives (rules + model)'],
      r.sets.map((s) => [
        s.name,
        s.rules.positives,
        s.rules.negatives,
        `${s.rules.tp} / ${s.rules.fp}`,
        `${pct(s.rules.precision)} / ${pct(s.rules.recall)}`,
        `${s.combined.tp} / ${s.combined.fp}`,
        `${pct(s.combined.precision)} / ${pct(s.combined.recall)}`,
        s.combined.false_positives.join(', ') || 'none',
      ]),
    ),
  );
}

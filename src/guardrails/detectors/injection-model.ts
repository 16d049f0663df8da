/**
 * A learned prompt-injection scorer, to back the rule patterns of injection.ts on phrasings
 * they were not written for. It is the offline triage classifier (src/triage/classifier/:
 * hashed TF-IDF word 1-2-grams + character 3-5-grams, softmax regression, temperature fitted
 * out of fold) as a 2-class problem, trained on data/guardrails/injection-train.jsonl: injections
 * of the six families in several languages against ordinary support messages (hand-written ones
 * that mention passwords, instructions, admins, systems, refunds… and half of the shipped triage
 * inquiries). None of the evaluation corpus (test/fixtures/guardrails/) is in it.
 *
 * Pure: no Nest, no SDK. The shared model is trained on first use — the service calls it at
 * start-up (GuardrailsService.onModuleInit) — (≈ 0.2 s, measured in
 * `trainingMs`) and kept for the life of the process; `InjectionModel.train` builds others.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TextClassifier } from '../../triage/classifier/text-classifier.js';
import type { TrainOptions } from '../../triage/classifier/softmax-regression.js';

/** The training set shipped with the service. */
export const INJECTION_TRAINING_FILE = fileURLToPath(new URL('../../../data/guardrails/injection-train.jsonl', import.meta.url));

export interface InjectionExample {
  id?: string;
  text: string;
  injection: boolean;
}

/** Words, for MODEL_MIN_WORDS in injection.ts: letter/digit runs, each Han, kana or Hangul character counting half a word. */
export function modelWordCount(text: string): number {
  const head = text.length > MAX_MODEL_CHARS ? text.slice(0, MAX_MODEL_CHARS) : text;
  const ideographs = head.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
  const words = head.replace(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu, ' ').match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
  return words + ideographs / 2;
}

/** Characters of a text the model reads: the first and last halves of this budget (bounded cost on huge input). */
export const MAX_MODEL_CHARS = 8000;

const INJECTION = 'injection';
const CLEAN = 'clean';

/**
 * Training settings: the classifier's own defaults (8 epochs, learning rate 1, L2 1e-5) and a
 * temperature fitted on 4 out-of-fold rounds, so that the probability is calibrated.
 */
export const INJECTION_TRAIN_OPTIONS: TrainOptions & { calibrationFolds: number } = { calibrationFolds: 4, seed: 7 };

/** Text as the model reads it: compatibility forms folded, accents and invisible characters removed, long text cut to its ends. */
export function modelText(text: string): string {
  const t = text.length > MAX_MODEL_CHARS ? `${text.slice(0, MAX_MODEL_CHARS / 2)}\n${text.slice(-MAX_MODEL_CHARS / 2)}` : text;
  return t
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g, '');
}

/** One example per non-empty line: `{ "text": string, "injection": boolean }` (other fields ignored). */
export function parseInjectionExamples(jsonl: string, source = 'injection training set'): InjectionExample[] {
  const out: InjectionExample[] = [];
  jsonl.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    const row = JSON.parse(line) as Partial<InjectionExample>;
    if (typeof row.text !== 'string' || typeof row.injection !== 'boolean') throw new Error(`${source}:${i + 1}: expected { "text": string, "injection": boolean }`);
    out.push({ ...(typeof row.id === 'string' ? { id: row.id } : {}), text: row.text, injection: row.injection });
  });
  return out;
}

export function loadInjectionExamples(file = INJECTION_TRAINING_FILE): InjectionExample[] {
  return parseInjectionExamples(readFileSync(file, 'utf8'), file);
}

export class InjectionModel {
  private constructor(
    private readonly classifier: TextClassifier,
    /** Wall-clock training time. */
    readonly trainingMs: number,
    readonly examples: number,
  ) {}

  static train(examples: readonly InjectionExample[], opts: TrainOptions & { calibrationFolds?: number } = INJECTION_TRAIN_OPTIONS): InjectionModel {
    if (!examples.some((e) => e.injection) || !examples.some((e) => !e.injection)) throw new Error('the injection model needs injections and clean examples');
    const t0 = performance.now();
    const classifier = TextClassifier.train(
      examples.map((e) => ({ text: modelText(e.text), label: e.injection ? INJECTION : CLEAN })),
      opts,
    );
    return new InjectionModel(classifier, performance.now() - t0, examples.length);
  }

  get temperature(): number {
    return this.classifier.temperature;
  }

  /** Calibrated probability (0..1) that `text` is a prompt injection. */
  probability(text: string): number {
    if (!text.trim()) return 0;
    const p = this.classifier.predict(modelText(text)).probabilities[INJECTION] ?? 0;
    return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0;
  }
}

let shared: InjectionModel | undefined;

/** The shared model, trained from INJECTION_TRAINING_FILE on first use. */
export function injectionModel(): InjectionModel {
  shared ??= InjectionModel.train(loadInjectionExamples());
  return shared;
}

/** Calibrated probability that `text` is a prompt injection, from the shared model. */
export function injectionProbability(text: string): number {
  return injectionModel().probability(text);
}

import { fitIdf, termCounts, vectorize, type SparseVector, type TermCounts } from './features.js';
import { SoftmaxRegression, softmax, type TrainOptions } from './softmax-regression.js';

export interface LabeledText {
  text: string;
  label: string;
}

export interface Prediction {
  label: string;
  /** Calibrated probability of `label`. */
  confidence: number;
  probabilities: Record<string, number>;
}

/**
 * TF-IDF + softmax regression with temperature-scaled (calibrated) probabilities. The
 * temperature is fitted on out-of-fold predictions, so `confidence` tracks the observed
 * accuracy instead of the over-confident raw softmax of a model that fits its training set.
 */
/** A trained classifier as plain data (typed arrays transfer between threads without copying). */
export interface SerializedClassifier {
  classes: string[];
  weights: Float32Array;
  bias: Float64Array;
  idf: Float32Array;
  temperature: number;
}

export class TextClassifier {
  private constructor(
    private readonly model: SoftmaxRegression,
    private readonly idf: Float32Array,
    readonly temperature: number,
  ) {}

  get classes(): readonly string[] {
    return this.model.classes;
  }

  /** Bytes held by the model's arrays (weights, biases, IDF). */
  get memoryBytes(): number {
    return this.model.weights.byteLength + this.model.bias.byteLength + this.idf.byteLength;
  }

  /**
   * `extra` examples (e.g. from help articles) are trained on but never used to fit the
   * temperature: the confidence must be calibrated on the kind of text it will score.
   * `calibrationFolds` < 2 skips calibration (temperature 1) when no one reads the confidence.
   * Above `HOLDOUT_ABOVE` examples the temperature is fitted on one held-out fold instead of
   * all of them (one extra fit instead of `calibrationFolds`; plenty of held-out examples).
   */
  static train(examples: LabeledText[], opts: TrainOptions & { calibrationFolds?: number } = {}, extra: LabeledText[] = []): TextClassifier {
    if (examples.length === 0) throw new Error('cannot train a classifier without examples');
    const all = [...examples, ...extra];
    const classes = [...new Set(all.map((e) => e.label))].sort();
    const counts = all.map((e) => termCounts(e.text));
    const ys = all.map((e) => classes.indexOf(e.label));
    const folds = opts.calibrationFolds ?? 4;
    const calibrate = folds >= 2 && examples.length >= folds * 10 && classes.length > 1;
    const temperature = calibrate ? fitTemperature(counts, ys, examples.length, classes, folds, examples.length > HOLDOUT_ABOVE ? 1 : folds, opts) : 1;
    const idf = fitIdf(counts);
    const model = new SoftmaxRegression(classes).fit(counts.map((c) => vectorize(c, idf)), ys, opts);
    return new TextClassifier(model, idf, temperature);
  }

  serialize(): SerializedClassifier {
    return { classes: [...this.model.classes], weights: this.model.weights, bias: this.model.bias, idf: this.idf, temperature: this.temperature };
  }

  static restore(s: SerializedClassifier): TextClassifier {
    return new TextClassifier(new SoftmaxRegression(s.classes, s.weights, s.bias), s.idf, s.temperature);
  }

  vector(text: string): SparseVector {
    return vectorize(termCounts(text), this.idf);
  }

  predict(text: string): Prediction {
    const p = this.model.probabilities(this.vector(text), this.temperature);
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
    const probabilities: Record<string, number> = {};
    this.model.classes.forEach((c, k) => (probabilities[c] = p[k]!));
    return { label: this.model.classes[best]!, confidence: p[best]!, probabilities };
  }
}

/** Above this many calibrated examples, one held-out fold (of `calibrationFolds`) fits the temperature. */
export const HOLDOUT_ABOVE = 2000;

/**
 * Out-of-fold logits of the first `calibrated` examples (the rest are always trained on) in
 * the first `rounds` of `folds` folds → the temperature that minimises their negative
 * log-likelihood.
 */
function fitTemperature(
  counts: TermCounts[],
  ys: number[],
  calibrated: number,
  classes: string[],
  folds: number,
  rounds: number,
  opts: TrainOptions,
): number {
  const oof: { z: Float64Array; y: number }[] = [];
  const foldOf = (i: number) => (i < calibrated ? i % folds : -1);
  for (let f = 0; f < rounds; f++) {
    const trainIdx = ys.map((_, i) => i).filter((i) => foldOf(i) !== f);
    const testIdx = ys.map((_, i) => i).filter((i) => foldOf(i) === f);
    const idf = fitIdf(trainIdx.map((i) => counts[i]!));
    const m = new SoftmaxRegression(classes).fit(
      trainIdx.map((i) => vectorize(counts[i]!, idf)),
      trainIdx.map((i) => ys[i]!),
      opts,
    );
    for (const i of testIdx) oof.push({ z: m.logits(vectorize(counts[i]!, idf)), y: ys[i]! });
  }
  let bestT = 1;
  let bestNll = Infinity;
  for (let t = 0.02; t <= 4.001; t += 0.05) {
    let nll = 0;
    for (const { z, y } of oof) nll -= Math.log(Math.max(softmax(z, t)[y]!, 1e-12));
    if (nll < bestNll) [bestT, bestNll] = [t, nll];
  }
  return Math.round(bestT * 100) / 100;
}

import { DIM, type SparseVector } from './features.js';

/** Deterministic PRNG (mulberry32) so training, and therefore answers, are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
  /** Per-step learning-rate decay: lr = learningRate / (1 + decay · step / examples). */
  decay?: number;
}

/** Classes whose |p - y| is below this skip their weight update (sparse softmax gradient). */
const MIN_GRADIENT = 1e-4;

/**
 * Multinomial logistic regression trained with SGD (cross-entropy + L2) on sparse vectors.
 * Chosen over naive Bayes for better accuracy and usable probabilities (measured on this
 * project's machines: 91% vs 89% on a public 77-intent banking set).
 * Weights are stored feature-major (the K class weights of a feature are contiguous), so a
 * sparse example touches nnz short rows instead of K × nnz scattered cells.
 */
export class SoftmaxRegression {
  /** weights[f · K + k]: weight of hashed feature f for class k. */
  readonly weights: Float32Array;
  readonly bias: Float64Array;
  private readonly z: Float64Array<ArrayBuffer>;

  /** `weights` and `bias` restore a trained model (see TextClassifier.restore). */
  constructor(
    readonly classes: readonly string[],
    weights?: Float32Array,
    bias?: Float64Array,
  ) {
    if (weights && weights.length !== DIM * classes.length) throw new Error(`expected ${DIM * classes.length} weights, got ${weights.length}`);
    this.weights = weights ?? new Float32Array(DIM * classes.length);
    this.bias = bias ?? new Float64Array(classes.length);
    this.z = new Float64Array(classes.length);
  }

  /** Logits into `out` (a fresh array by default). */
  logits(x: SparseVector, out: Float64Array<ArrayBuffer> = new Float64Array(this.classes.length)): Float64Array<ArrayBuffer> {
    const K = out.length;
    const w = this.weights;
    out.set(this.bias);
    for (let i = 0; i < x.idx.length; i++) {
      const base = x.idx[i]! * K;
      const v = x.val[i]!;
      for (let k = 0; k < K; k++) out[k]! += w[base + k]! * v;
    }
    return out;
  }

  /** Class probabilities at a softmax temperature (1 = raw model). */
  probabilities(x: SparseVector, temperature = 1): Float64Array {
    return softmax(this.logits(x, this.z), temperature);
  }

  fit(xs: SparseVector[], ys: number[], opts: TrainOptions = {}): this {
    const { epochs = 8, learningRate = 1, l2 = 1e-5, seed = 42, decay = 0.3 } = opts;
    const rand = seededRandom(seed);
    const order = xs.map((_, i) => i);
    const K = this.classes.length;
    const w = this.weights;
    const b = this.bias;
    const p = new Float64Array(K);
    const g = new Float64Array(K);
    const active = new Int32Array(K);
    const n = Math.max(1, xs.length);
    // Lazy L2: the weights are scaled by a running factor instead of decaying every coordinate.
    let scale = 1;
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const e of order) {
        const x = xs[e]!;
        const nnz = x.idx.length;
        const lr = learningRate / (1 + (decay * step++) / n);
        // Logits (unscaled weights · x) × scale + bias, then softmax.
        p.fill(0);
        for (let i = 0; i < nnz; i++) {
          const base = x.idx[i]! * K;
          const v = x.val[i]!;
          for (let k = 0; k < K; k++) p[k]! += w[base + k]! * v;
        }
        let max = -Infinity;
        for (let k = 0; k < K; k++) max = Math.max(max, (p[k] = p[k]! * scale + b[k]!));
        let sum = 0;
        for (let k = 0; k < K; k++) sum += p[k] = Math.exp(p[k]! - max);
        scale *= 1 - lr * l2;
        if (scale < 1e-6) {
          for (let f = 0; f < w.length; f++) w[f]! *= scale;
          scale = 1;
        }
        const y = ys[e]!;
        let na = 0;
        for (let k = 0; k < K; k++) {
          const gk = p[k]! / sum - (y === k ? 1 : 0);
          if (Math.abs(gk) < MIN_GRADIENT) continue;
          b[k]! -= lr * gk;
          g[na] = (lr * gk) / scale;
          active[na++] = k;
        }
        for (let i = 0; i < nnz; i++) {
          const base = x.idx[i]! * K;
          const v = x.val[i]!;
          for (let a = 0; a < na; a++) w[base + active[a]!]! -= g[a]! * v;
        }
      }
    }
    if (scale !== 1) for (let f = 0; f < w.length; f++) w[f]! *= scale;
    return this;
  }
}

export function softmax(z: Float64Array, temperature: number): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v / temperature);
  const p = new Float64Array(z.length);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += p[k] = Math.exp(z[k]! / temperature - max);
  for (let k = 0; k < z.length; k++) p[k]! /= sum;
  return p;
}

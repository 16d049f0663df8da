/**
 * Evaluation metrics, as pure functions (definitions in docs/EVALUATION.md#metrics).
 */

export interface ClassScores {
  /** Of the items predicted as this class, the share that are (0 when none was predicted). */
  precision: number;
  /** Of the items of this class, the share predicted as it (0 when the class has no item). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** Items of this class in the gold labels. */
  support: number;
  /** Items predicted as this class. */
  predicted: number;
}

export interface ClassificationReport {
  n: number;
  accuracy: number;
  /** Unweighted mean F1 over the classes that occur in the gold labels. */
  macro_f1: number;
  /** Every class seen in the gold labels, the predictions or `labels`, sorted. */
  labels: string[];
  per_class: Record<string, ClassScores>;
  /** confusion[gold][predicted] = count, over `labels` × `labels`. */
  confusion: Record<string, Record<string, number>>;
}

export function classificationReport(gold: readonly string[], predicted: readonly string[], labels: readonly string[] = []): ClassificationReport {
  if (gold.length !== predicted.length) throw new Error(`gold (${gold.length}) and predicted (${predicted.length}) differ in length`);
  const all = [...new Set([...labels, ...gold, ...predicted])].sort();
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of all) confusion[g] = Object.fromEntries(all.map((p) => [p, 0]));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    confusion[g]![p]!++;
    if (g === p) correct++;
  });
  const per_class: Record<string, ClassScores> = {};
  for (const l of all) {
    const tp = confusion[l]![l]!;
    const support = all.reduce((s, p) => s + confusion[l]![p]!, 0);
    const predictedCount = all.reduce((s, g) => s + confusion[g]![l]!, 0);
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    per_class[l] = { precision, recall, f1, support, predicted: predictedCount };
  }
  const inGold = all.filter((l) => per_class[l]!.support > 0);
  return {
    n: gold.length,
    accuracy: gold.length ? correct / gold.length : 0,
    macro_f1: inGold.length ? inGold.reduce((s, l) => s + per_class[l]!.f1, 0) / inGold.length : 0,
    labels: all,
    per_class,
    confusion,
  };
}

export interface Confusion {
  gold: string;
  predicted: string;
  count: number;
}

/** The most frequent off-diagonal cells, largest first (ties by gold, then predicted label). */
export function topConfusions(report: Pick<ClassificationReport, 'confusion'>, limit = 10): Confusion[] {
  const cells: Confusion[] = [];
  for (const [gold, row] of Object.entries(report.confusion)) {
    for (const [predicted, count] of Object.entries(row)) if (gold !== predicted && count > 0) cells.push({ gold, predicted, count });
  }
  return cells
    .sort((a, b) => b.count - a.count || cmp(a.gold, b.gold) || cmp(a.predicted, b.predicted))
    .slice(0, limit);
}

/** Classes with the lowest F1 first (ties by smaller support, then name): where to look first. */
export function worstClasses(report: Pick<ClassificationReport, 'per_class'>, limit = Infinity): string[] {
  return Object.entries(report.per_class)
    .filter(([, c]) => c.support > 0 || c.predicted > 0)
    .sort(([a, x], [b, y]) => x.f1 - y.f1 || x.support - y.support || cmp(a, b))
    .slice(0, limit)
    .map(([l]) => l);
}

export interface ReliabilityBin {
  /** Confidences in [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  /** null when the bin is empty. */
  mean_confidence: number | null;
  accuracy: number | null;
}

export interface Calibration {
  n: number;
  bins: number;
  /** Expected calibration error: Σ_b (n_b / n) · |accuracy_b − mean confidence_b|. */
  ece: number;
  /** Maximum calibration error: the largest |accuracy_b − mean confidence_b| over non-empty bins. */
  mce: number;
  mean_confidence: number;
  accuracy: number;
  reliability: ReliabilityBin[];
}

/** ECE, MCE and the reliability table over `bins` equal-width confidence bins. */
export function calibration(confidence: readonly number[], correct: readonly boolean[], bins = 10): Calibration {
  if (confidence.length !== correct.length) throw new Error(`confidence (${confidence.length}) and correct (${correct.length}) differ in length`);
  const count = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  confidence.forEach((c, i) => {
    if (!(c >= 0 && c <= 1)) throw new Error(`confidence must be in [0, 1], got ${c}`);
    // The epsilon keeps 0.3 (stored as 0.2999…) in the [0.3, 0.4) bin.
    const b = Math.min(bins - 1, Math.floor(c * bins + 1e-9));
    count[b]!++;
    confSum[b]! += c;
    if (correct[i]) hits[b]!++;
  });
  const n = confidence.length;
  let ece = 0;
  let mce = 0;
  const reliability: ReliabilityBin[] = count.map((k, b) => {
    const bin: ReliabilityBin = { lower: b / bins, upper: (b + 1) / bins, count: k, mean_confidence: null, accuracy: null };
    if (k === 0) return bin;
    bin.mean_confidence = confSum[b]! / k;
    bin.accuracy = hits[b]! / k;
    const gap = Math.abs(bin.accuracy - bin.mean_confidence);
    ece += (k / n) * gap;
    mce = Math.max(mce, gap);
    return bin;
  });
  return {
    n,
    bins,
    ece,
    mce,
    mean_confidence: n ? confSum.reduce((s, v) => s + v, 0) / n : 0,
    accuracy: n ? hits.reduce((s, v) => s + v, 0) / n : 0,
    reliability,
  };
}

export interface RankingScores {
  n: number;
  /** Share of queries whose first result is relevant. */
  hit_at_1: number;
  /** Share of queries with a relevant result among the first three. */
  hit_at_3: number;
  /** Mean over queries of 1 / rank of the first relevant result (0 when none is returned). */
  mrr: number;
}

/** hit@1, hit@3 and MRR of ranked result ids against each query's relevant ids. */
export function rankingScores(queries: readonly { ranked: readonly string[]; relevant: readonly string[] }[]): RankingScores {
  let hit1 = 0;
  let hit3 = 0;
  let rr = 0;
  for (const { ranked, relevant } of queries) {
    const rank = ranked.findIndex((id) => relevant.includes(id));
    if (rank === 0) hit1++;
    if (rank >= 0 && rank < 3) hit3++;
    if (rank >= 0) rr += 1 / (rank + 1);
  }
  const n = queries.length;
  return { n, hit_at_1: n ? hit1 / n : 0, hit_at_3: n ? hit3 / n : 0, mrr: n ? rr / n : 0 };
}

/** Nearest-rank percentile (p in (0, 100]) of unsorted values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : 0;
}

/** A number rounded to `digits` decimals, for stable JSON (no float noise in the diffs). */
export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Deep copy with every number rounded (`round`); key order is kept. */
export function roundDeep<T>(value: T, digits = 4): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? round(value, digits) : value) as T;
  if (Array.isArray(value)) return value.map((v) => roundDeep(v, digits)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v, digits)])) as T;
  }
  return value;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

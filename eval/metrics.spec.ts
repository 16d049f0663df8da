import { calibration, classificationReport, mean, percentile, rankingScores, round, roundDeep, topConfusions, worstClasses } from './metrics.js';

describe('classificationReport', () => {
  // Hand-computed: a → P 2/2, R 2/3, F1 0.8; b → P 1/2, R 1/2, F1 0.5; c → P 1/2, R 1/1, F1 2/3.
  const gold = ['a', 'a', 'a', 'b', 'b', 'c'];
  const pred = ['a', 'a', 'b', 'b', 'c', 'c'];
  const r = classificationReport(gold, pred);

  it('counts the confusion matrix, rows gold and columns predicted', () => {
    expect(r.labels).toEqual(['a', 'b', 'c']);
    expect(r.confusion).toEqual({
      a: { a: 2, b: 1, c: 0 },
      b: { a: 0, b: 1, c: 1 },
      c: { a: 0, b: 0, c: 1 },
    });
  });

  it('computes per-class precision, recall, F1, support and predicted count', () => {
    expect(r.per_class.a).toEqual({ precision: 1, recall: 2 / 3, f1: expect.closeTo(0.8, 12), support: 3, predicted: 2 });
    expect(r.per_class.b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2, predicted: 2 });
    expect(r.per_class.c).toEqual({ precision: 0.5, recall: 1, f1: expect.closeTo(2 / 3, 12), support: 1, predicted: 2 });
  });

  it('computes accuracy and macro-F1 (unweighted mean over the gold classes)', () => {
    expect(r.n).toBe(6);
    expect(r.accuracy).toBeCloseTo(4 / 6, 12);
    expect(r.macro_f1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 12);
  });

  it('lists a class predicted but absent from the gold labels, without counting it in macro-F1', () => {
    const x = classificationReport(['x', 'x'], ['x', 'y']);
    expect(x.labels).toEqual(['x', 'y']);
    expect(x.per_class.y).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 1 });
    expect(x.macro_f1).toBeCloseTo(2 / 3, 12);
  });

  it('includes labels that occur nowhere when asked, and handles perfect and empty input', () => {
    const p = classificationReport(['a', 'b'], ['a', 'b'], ['c']);
    expect(p.labels).toEqual(['a', 'b', 'c']);
    expect([p.accuracy, p.macro_f1]).toEqual([1, 1]);
    expect(p.per_class.c).toEqual({ precision: 0, recall: 0, f1: 0, support: 0, predicted: 0 });
    const none = classificationReport([], []);
    expect([none.n, none.accuracy, none.macro_f1]).toEqual([0, 0, 0]);
  });

  it('refuses lists of different lengths', () => {
    expect(() => classificationReport(['a'], [])).toThrow(/differ in length/);
  });
});

describe('topConfusions and worstClasses', () => {
  const r = classificationReport(['a', 'a', 'a', 'b', 'b', 'c', 'c', 'c'], ['b', 'b', 'a', 'a', 'b', 'a', 'c', 'c']);

  it('lists off-diagonal cells, most frequent first, ties by label', () => {
    expect(topConfusions(r)).toEqual([
      { gold: 'a', predicted: 'b', count: 2 },
      { gold: 'b', predicted: 'a', count: 1 },
      { gold: 'c', predicted: 'a', count: 1 },
    ]);
    expect(topConfusions(r, 1)).toHaveLength(1);
  });

  it('orders classes by F1, lowest first', () => {
    // a: P 1/3, R 1/3 → 0.33; b: P 1/3, R 1/2 → 0.4; c: P 1, R 2/3 → 0.8.
    expect(worstClasses(r)).toEqual(['a', 'b', 'c']);
    expect(worstClasses(r, 2)).toEqual(['a', 'b']);
  });
});

describe('calibration', () => {
  it('computes ECE, MCE and the reliability table (hand-computed)', () => {
    const c = calibration([0.95, 0.85, 0.85, 0.35, 0.3, 1], [true, true, false, false, true, true]);
    // Bins: [0.3, 0.4): 2 items, conf 0.325, acc 0.5 (gap 0.175); [0.8, 0.9): conf 0.85, acc 0.5 (gap 0.35);
    // [0.9, 1]: conf 0.975, acc 1 (gap 0.025). ECE = 2/6 · (0.175 + 0.35 + 0.025).
    expect(c.ece).toBeCloseTo((2 / 6) * 0.55, 12);
    expect(c.mce).toBeCloseTo(0.35, 12);
    expect(c.n).toBe(6);
    expect(c.mean_confidence).toBeCloseTo(4.3 / 6, 12);
    expect(c.accuracy).toBeCloseTo(4 / 6, 12);
    expect(c.reliability).toHaveLength(10);
    expect(c.reliability.map((b) => b.count)).toEqual([0, 0, 0, 2, 0, 0, 0, 0, 2, 2]);
    expect(c.reliability[3]).toEqual({ lower: 0.3, upper: 0.4, count: 2, mean_confidence: expect.closeTo(0.325, 12), accuracy: 0.5 });
    expect(c.reliability[0]).toEqual({ lower: 0, upper: 0.1, count: 0, mean_confidence: null, accuracy: null });
    expect(c.reliability[9]!.mean_confidence).toBeCloseTo(0.975, 12);
  });

  it('is 0 for a perfectly calibrated model and large for an over-confident one', () => {
    const conf = [...Array(10).fill(0.7), ...Array(10).fill(0.2)];
    const correct = [...Array(7).fill(true), ...Array(3).fill(false), ...Array(2).fill(true), ...Array(8).fill(false)];
    expect(calibration(conf, correct).ece).toBeCloseTo(0, 12);
    const over = calibration(Array(10).fill(0.99), [true, false, false, false, false, false, false, false, false, false]);
    expect(over.ece).toBeCloseTo(0.89, 12);
  });

  it('puts a confidence on a bin edge into the upper bin, and 0 and 1 into the first and last', () => {
    const c = calibration([0, 0.1, 0.3, 0.7, 1], [true, true, true, true, true]);
    expect(c.reliability.map((b) => b.count)).toEqual([1, 1, 0, 1, 0, 0, 0, 1, 0, 1]);
    expect(calibration([0.5], [true], 4).reliability.map((b) => b.count)).toEqual([0, 0, 1, 0]);
  });

  it('rejects confidences outside [0, 1] and mismatched lists', () => {
    expect(() => calibration([1.2], [true])).toThrow(/\[0, 1\]/);
    expect(() => calibration([0.5], [])).toThrow(/differ in length/);
    expect(calibration([], []).ece).toBe(0);
  });
});

describe('rankingScores', () => {
  it('computes hit@1, hit@3 and MRR (hand-computed)', () => {
    const s = rankingScores([
      { ranked: ['a', 'b', 'c'], relevant: ['a'] }, // rank 1
      { ranked: ['b', 'a'], relevant: ['a', 'z'] }, // rank 2
      { ranked: ['x', 'y', 'z', 'w'], relevant: ['w'] }, // rank 4
      { ranked: [], relevant: ['a'] }, // none
    ]);
    expect(s).toEqual({ n: 4, hit_at_1: 0.25, hit_at_3: 0.5, mrr: (1 + 0.5 + 0.25) / 4 });
    expect(rankingScores([])).toEqual({ n: 0, hit_at_1: 0, hit_at_3: 0, mrr: 0 });
  });
});

describe('percentile, mean, round', () => {
  it('uses the nearest rank', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(percentile([5, 1, 4, 2, 3], 20)).toBe(1);
    expect(percentile([], 50)).toBe(0);
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBe(0);
  });

  it('rounds numbers deep inside objects and arrays, keeping key order and nulls', () => {
    expect(round(2 / 3)).toBe(0.6667);
    const rounded = roundDeep({ b: 1 / 3, a: [0.123456, null, 'x'], c: { d: 0.00001 } });
    expect(rounded).toEqual({ b: 0.3333, a: [0.1235, null, 'x'], c: { d: 0 } });
    expect(Object.keys(rounded)).toEqual(['b', 'a', 'c']);
  });
});

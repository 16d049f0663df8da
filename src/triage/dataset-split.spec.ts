import { join } from 'node:path';
import { exampleFolds, groupedFolds, keyFold, nearDuplicateGroups, samplePerCategory, shingles } from './dataset-split.js';
import { foldOf, loadTaxonomy } from './taxonomy.js';

/** A small deterministic PRNG for synthetic corpora. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

/** `n` unrelated texts of 6-15 words from a 5,000-word vocabulary. */
function corpus(n: number, seed = 1): string[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: 6 + Math.floor(rand() * 10) }, () => `w${Math.floor(rand() * 5000)}`).join(' '),
  );
}

describe('shingles', () => {
  it('gives word bigrams with start and end markers, lower-cased, punctuation ignored, de-duplicated', () => {
    expect(shingles('Refund, please!')).toEqual(['^ refund', 'refund please', 'please $']);
    expect(shingles('ok ok ok')).toEqual(['^ ok', 'ok ok', 'ok $']);
    expect(shingles('Ça coûte 20€')).toEqual(['^ ça', 'ça coûte', 'coûte 20', '20 $']);
  });

  it('is never empty', () => {
    expect(shingles('')).toEqual(['^ $']);
    expect(shingles('?!')).toEqual(['^ $']);
  });
});

describe('nearDuplicateGroups', () => {
  it('groups texts whose bigram Jaccard reaches the threshold, and only those', () => {
    const texts = [
      'my card was charged twice for the same order yesterday', // 0
      'the printer on the third floor is out of toner again', // 1
      'My card was charged twice for the same order today', // 2: shares 9 of 13 distinct shingles with 0 (Jaccard 0.69)
      'completely different question about invoices and VAT', // 3
    ];
    expect(nearDuplicateGroups(texts)).toEqual([0, 1, 0, 3]);
    // At a stricter threshold the pair is no longer a near-duplicate.
    expect(nearDuplicateGroups(texts, 0.7)).toEqual([0, 1, 2, 3]);
  });

  it('joins chains of near-duplicates into one group (connected components)', () => {
    const a = 'one two three four five six seven eight';
    const b = 'one two three four five six seven nine'; // ~ a
    const c = 'zero two three four five six seven nine'; // ~ b, less like a
    expect(nearDuplicateGroups([c, 'unrelated words here', a, b])).toEqual([0, 1, 0, 0]);
  });

  it('groups exact duplicates, including empty texts', () => {
    expect(nearDuplicateGroups(['same text', '', 'other', 'Same text!', '...'])).toEqual([0, 1, 2, 0, 1]);
  });

  it('finds every pair a brute-force comparison finds (prefix filtering misses nothing)', () => {
    const base = corpus(150, 3);
    const rand = lcg(9);
    // Variants with one or two words changed or dropped: some above 0.5, some below.
    const variants = base.slice(0, 60).map((t) => {
      const w = t.split(' ');
      w[Math.floor(rand() * w.length)] = 'changed';
      if (rand() < 0.5) w.splice(Math.floor(rand() * w.length), 1);
      return w.join(' ');
    });
    const texts = [...base, ...variants];
    const sets = texts.map((t) => new Set(shingles(t)));
    const parent = texts.map((_, i) => i);
    const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const common = [...sets[i]!].filter((s) => sets[j]!.has(s)).length;
        if (common / (sets[i]!.size + sets[j]!.size - common) >= 0.5) {
          const [ri, rj] = [find(i), find(j)];
          parent[Math.max(ri, rj)] = Math.min(ri, rj);
        }
      }
    }
    const expected = texts.map((_, i) => find(i));
    expect(nearDuplicateGroups(texts)).toEqual(expected);
    expect(new Set(expected).size).toBeLessThan(texts.length); // the test has groups to find
  });

  it('rejects a threshold outside (0, 1]', () => {
    expect(() => nearDuplicateGroups(['a'], 0)).toThrow(/threshold/);
    expect(() => nearDuplicateGroups(['a'], 1.5)).toThrow(/threshold/);
  });
});

describe('groupedFolds', () => {
  it('puts near-duplicates in the same fold: that of the smallest key in the group', () => {
    const items = [
      { key: 'z-9', text: 'please reset the password for my account, the link has expired' },
      { key: 'b-2', text: 'please reset the password for my account, the link expired' },
      { key: 'q-5', text: 'Please reset the password for my account the link has expired!!' },
      { key: 'm-1', text: 'how much does the business plan cost per seat' },
    ];
    const split = groupedFolds(items);
    expect(split.groups).toEqual([0, 0, 0, 3]);
    expect(split.folds).toEqual([keyFold('b-2'), keyFold('b-2'), keyFold('b-2'), keyFold('m-1')]);
    expect(split).toMatchObject({ groupCount: 2, groupedItems: 3, largestGroup: 3 });
  });

  it('gives an item without near-duplicates the fold of its own key (as foldOf does)', () => {
    const texts = corpus(300);
    const split = groupedFolds(texts.map((text, i) => ({ key: `id-${i}`, text })));
    expect(split.groupCount).toBe(300);
    expect(split.folds).toEqual(texts.map((text, i) => foldOf({ id: `id-${i}`, text, category: 'x' })));
  });

  it('is deterministic and does not depend on the order of the items', () => {
    const texts = corpus(400, 5);
    const items = [...texts, ...texts.slice(0, 50).map((t) => `${t} thanks`)].map((text, i) => ({ key: `k${i}`, text }));
    const a = groupedFolds(items);
    expect(groupedFolds(items)).toEqual(a);
    const reversed = groupedFolds([...items].reverse());
    expect([...reversed.folds].reverse()).toEqual(a.folds);
    expect(a.groupedItems).toBe(100);
  });

  it('holds out about 20% in fold 0, on unrelated texts and on the shipped examples', () => {
    const synthetic = groupedFolds(corpus(2000, 7).map((text, i) => ({ key: `s-${i}`, text })));
    const share = synthetic.folds.filter((f) => f === 0).length / 2000;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);

    const { examples } = loadTaxonomy(join(process.cwd(), 'data/triage/taxonomy.json'));
    const shipped = exampleFolds(examples);
    const held = examples.filter((_, i) => shipped.folds[i] === 0);
    expect(held.length / examples.length).toBeGreaterThan(0.15);
    expect(held.length / examples.length).toBeLessThan(0.25);
    for (const c of ['technical', 'billing', 'general']) expect(held.some((e) => e.category === c)).toBe(true);
  });

  // Speed is the benchmark's business (no timed unit tests on shared machines): this only
  // checks that a BANKING77-sized set goes through (the blocking index keeps it near-linear).
  it('splits 10,000 texts into folds', () => {
    const split = groupedFolds(corpus(10_000, 11).map((text, i) => ({ key: String(i), text })));
    expect(split.folds).toHaveLength(10_000);
    expect(new Set(split.folds)).toEqual(new Set([0, 1, 2, 3, 4]));
  });

  it('supports another number of folds', () => {
    const split = groupedFolds(corpus(200).map((text, i) => ({ key: `x${i}`, text })), { folds: 3 });
    expect(new Set(split.folds)).toEqual(new Set([0, 1, 2]));
  });
});

describe('samplePerCategory', () => {
  const examples = Array.from({ length: 60 }, (_, i) => ({ id: `e-${i}`, text: `text ${i}`, category: ['a', 'b', 'c'][i % 3]! }));

  it('keeps at most n per category, in input order, deterministically', () => {
    const sample = samplePerCategory(examples, 5);
    expect(sample).toHaveLength(15);
    for (const c of ['a', 'b', 'c']) expect(sample.filter((e) => e.category === c)).toHaveLength(5);
    expect(sample.map((e) => examples.indexOf(e))).toEqual([...sample.map((e) => examples.indexOf(e))].sort((x, y) => x - y));
    expect(samplePerCategory([...examples].reverse(), 5).map((e) => e.id).sort()).toEqual(sample.map((e) => e.id).sort());
    // A pseudo-random pick, not simply the first five of each category.
    expect(sample.filter((e) => e.category === 'a').map((e) => e.id)).not.toEqual(['e-0', 'e-3', 'e-6', 'e-9', 'e-12']);
  });

  it('keeps a category with fewer than n examples whole', () => {
    const few = [...examples, { id: 'rare', text: 'rare one', category: 'd' }];
    expect(samplePerCategory(few, 10).filter((e) => e.category === 'd')).toHaveLength(1);
    expect(samplePerCategory(few, 100)).toHaveLength(61);
  });
});

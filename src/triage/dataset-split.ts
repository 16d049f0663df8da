/**
 * A grouped, deterministic train/test split for labeled texts: near-duplicates (the same
 * inquiry reworded a little, a template with another name in it) always land in the same
 * fold, so a held-out score is not inflated by examples the model has practically seen.
 *
 * 1. Shingles: each text → its set of word bigrams, lower-cased, letters and digits only,
 *    with start and end markers ("refund please" → "^ refund", "refund please", "please $").
 * 2. Near-duplicates: pairs whose shingle sets have a Jaccard similarity ≥ `threshold` (0.5).
 *    Candidate pairs come from a prefix-filtering index (AllPairs): with shingles ordered
 *    rarest first, two sets with Jaccard ≥ t must share one of the first |x| − ⌈t·|x|⌉ + 1
 *    shingles of each, so only those are indexed. Exact (no pair above the threshold is
 *    missed) and close to O(n·k) on text: prefixes hold the rare shingles, whose lists are short.
 * 3. Groups: connected components of the near-duplicate pairs (union-find).
 * 4. Fold of a group: FNV-1a hash of the group's smallest key (id, or the text) modulo
 *    `folds`. A text with no near-duplicate keeps the fold of its own key (`keyFold`).
 */

/** 32-bit FNV-1a over UTF-16 code units, unsigned. */
export function fnv1a(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Deterministic fold (0 … folds−1) of a key: FNV-1a modulo `folds`. */
export function keyFold(key: string, folds = 5): number {
  return fnv1a(key) % folds;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Word-bigram shingles with start/end markers (step 1 above); never empty. */
export function shingles(text: string): string[] {
  const words = ['^', ...(text.toLowerCase().match(WORD) ?? []), '$'];
  const out = new Set<string>();
  for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  return [...out];
}

/** Jaccard similarity of two sets given as ascending arrays of integers. */
function jaccardSorted(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i]! === b[j]!) {
      common++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return common / (a.length + b.length - common);
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x]! !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
  /** Joins two sets; the smaller index becomes the root, so roots are deterministic. */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }
}

/**
 * Near-duplicate groups (steps 1-3): for each text, the index of the first text of its group
 * (a text without near-duplicates is its own group).
 */
export function nearDuplicateGroups(texts: readonly string[], threshold = 0.5): number[] {
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`threshold must be in (0, 1], got ${threshold}`);
  const raw = texts.map(shingles);
  // Global order: rarest shingle first (ties by the shingle itself), as integer ids.
  const df = new Map<string, number>();
  for (const s of raw) for (const t of s) df.set(t, (df.get(t) ?? 0) + 1);
  const order = [...df.keys()].sort((a, b) => df.get(a)! - df.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Map(order.map((t, i) => [t, i]));
  const sets = raw.map((s) => Int32Array.from(s.map((t) => rank.get(t)!)).sort());

  const uf = new UnionFind(texts.length);
  const index = new Map<number, number[]>();
  // Smallest sets first, so every candidate already indexed is no larger than the probe.
  const byLength = texts.map((_, i) => i).sort((a, b) => sets[a]!.length - sets[b]!.length || a - b);
  const seen = new Int32Array(texts.length).fill(-1);
  for (const x of byLength) {
    const set = sets[x]!;
    const prefix = set.length - Math.ceil(threshold * set.length) + 1;
    const minLength = threshold * set.length;
    for (let p = 0; p < prefix; p++) {
      const posting = index.get(set[p]!);
      if (!posting) continue;
      for (const y of posting) {
        if (seen[y] === x) continue;
        seen[y] = x;
        if (sets[y]!.length < minLength) continue;
        if (uf.find(x) === uf.find(y)) continue;
        if (jaccardSorted(set, sets[y]!) >= threshold) uf.union(x, y);
      }
    }
    for (let p = 0; p < prefix; p++) {
      const posting = index.get(set[p]!);
      if (posting) posting.push(x);
      else index.set(set[p]!, [x]);
    }
  }
  return texts.map((_, i) => uf.find(i));
}

export interface GroupedSplit {
  /** Fold (0 … folds−1) of each item, in input order. */
  folds: number[];
  /** Group (index of its first item) of each item, in input order. */
  groups: number[];
  groupCount: number;
  /** Items that share their group with at least one other item. */
  groupedItems: number;
  largestGroup: number;
}

export interface GroupedSplitOptions {
  folds?: number;
  /** Jaccard similarity of word-bigram sets at or above which two texts are near-duplicates. */
  threshold?: number;
}

/** Steps 1-4 for items with a key (id, or the text) and a text. */
export function groupedFolds(items: readonly { key: string; text: string }[], opts: GroupedSplitOptions = {}): GroupedSplit {
  const folds = opts.folds ?? 5;
  const groups = nearDuplicateGroups(
    items.map((i) => i.text),
    opts.threshold ?? 0.5,
  );
  const smallestKey = new Map<number, string>();
  const size = new Map<number, number>();
  items.forEach(({ key }, i) => {
    const g = groups[i]!;
    const current = smallestKey.get(g);
    if (current === undefined || key < current) smallestKey.set(g, key);
    size.set(g, (size.get(g) ?? 0) + 1);
  });
  const sizes = [...size.values()];
  return {
    folds: groups.map((g) => keyFold(smallestKey.get(g)!, folds)),
    groups,
    groupCount: size.size,
    groupedItems: sizes.filter((s) => s > 1).reduce((s, n) => s + n, 0),
    largestGroup: sizes.length ? Math.max(...sizes) : 0,
  };
}

/** The documented split of labeled examples: key = id, or the text when there is no id. */
export function exampleFolds(examples: readonly { id?: string; text: string }[], opts: GroupedSplitOptions = {}): GroupedSplit {
  return groupedFolds(
    examples.map((e) => ({ key: e.id ?? e.text, text: e.text })),
    opts,
  );
}

/**
 * At most `n` examples per category (few-shot training sets): within each category the ones
 * with the smallest FNV-1a hash of their key (id, or the text), kept in their input order.
 */
export function samplePerCategory<T extends { id?: string; text: string; category: string }>(examples: readonly T[], n: number): T[] {
  const byCategory = new Map<string, { i: number; h: number }[]>();
  examples.forEach((e, i) => {
    const list = byCategory.get(e.category) ?? [];
    list.push({ i, h: fnv1a(e.id ?? e.text) });
    byCategory.set(e.category, list);
  });
  const keep = new Set<number>();
  for (const list of byCategory.values()) {
    for (const { i } of list.sort((a, b) => a.h - b.h || a.i - b.i).slice(0, n)) keep.add(i);
  }
  return examples.filter((_, i) => keep.has(i));
}

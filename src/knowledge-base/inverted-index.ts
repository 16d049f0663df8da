/**
 * In-memory BM25+ inverted index over typed arrays, built for the knowledge-base search's
 * latency targets (p95 ≤ 2 ms at 10k articles, ≤ 10 ms at 100k). MiniSearch, which we used
 * first, materialises a result object for every matching document and searches its radix tree
 * fuzzily for every long term: p95 39 ms at 10k generated articles (bench/kb-corpus.ts). Here a
 * query touches only the posting lists of its terms and keeps the top k in a small array.
 *
 * Scoring is MiniSearch's (which our relevance labels were tuned with): BM25+ per field
 * (k1 1.2, b 0.7, δ 0.5, per-field document frequency and average length), times the field's
 * boost, summed. Removal marks the slot dead and fixes document frequencies at once (the
 * caller passes the removed document's fields); dead postings are compacted when they pile up.
 */
export interface IndexHit {
  key: string;
  score: number;
  /** Sum of the (document-level) IDF of the query terms the document contains, exact matches only. */
  matchedIdf: number;
  matchedTerms: number;
}

export interface IndexQuery {
  limit: number;
  /** Up to one edit (insert, delete, substitute, swap) for query terms no document contains. */
  fuzzy?: boolean;
  filter?: (key: string) => boolean;
  /** Score every posting of every term (no MaxScore pruning); slower, for comparisons. */
  exhaustive?: boolean;
}

const K1 = 1.2;
const B = 0.7;
const DELTA = 0.5;
const FUZZY_WEIGHT = 0.3;
const FUZZY_MIN_LENGTH = 5;
const INITIAL_SLOTS = 1024;

class Postings {
  slots = new Int32Array(4);
  tfs = new Float32Array(4);
  length = 0;
  /** Live documents containing the term in this field. */
  df = 0;
  /** Largest BM25 tf-normalisation in the list, for the length norms of `normsVersion`. */
  maxNorm = 0;
  normsVersion = -1;

  push(slot: number, tf: number): void {
    if (this.length === this.slots.length) {
      const slots = new Int32Array(this.length * 2);
      slots.set(this.slots);
      this.slots = slots;
      const tfs = new Float32Array(this.length * 2);
      tfs.set(this.tfs);
      this.tfs = tfs;
    }
    this.slots[this.length] = slot;
    this.tfs[this.length++] = tf;
  }
}

interface QueryList {
  p: Postings;
  field: number;
  weight: number;
  bound: number;
}

function grow<T extends Float32Array | Float64Array | Uint16Array | Uint8Array | Int32Array>(a: T, size: number, make: (n: number) => T): T {
  if (size <= a.length) return a;
  const b = make(Math.max(size, a.length * 2));
  b.set(a);
  return b;
}

export class InvertedIndex {
  /** Posting lists of a term, one per field (undefined where the field never had it). */
  private readonly postings = new Map<string, (Postings | undefined)[]>();
  /** Live documents containing the term in any field. */
  private readonly docFreq = new Map<string, number>();
  /**
   * Terms by length and first letter, and by length and last letter, for the fuzzy look-up of
   * a misspelled query term: one edit keeps the first or the last letter of a word of 3+.
   */
  private readonly byEnds = new Map<string, string[]>();
  private readonly keys: (string | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();
  private readonly lengths: Float32Array[];
  private readonly lengthNorms: Float64Array[];
  private readonly totalLengths: number[];
  private readonly normsFor: number[];
  private normsVersion = 0;
  private alive = new Uint8Array(INITIAL_SLOTS);
  private dead = 0;
  // Per-query scratch, reused: sized to the slot count, reset through `touched`.
  private scores = new Float64Array(INITIAL_SLOTS);

  /** One boost per field; documents give their fields' terms in this order. */
  constructor(private readonly boosts: readonly number[]) {
    this.lengths = boosts.map(() => new Float32Array(INITIAL_SLOTS));
    this.lengthNorms = boosts.map(() => new Float64Array(INITIAL_SLOTS));
    this.totalLengths = boosts.map(() => 0);
    this.normsFor = boosts.map(() => 0);
  }

  get size(): number {
    return this.slotOf.size;
  }

  df(term: string): number {
    return this.docFreq.get(term) ?? 0;
  }

  idf(term: string): number {
    return bm25Idf(this.size, this.df(term));
  }

  add(key: string, fields: readonly (readonly string[])[]): void {
    if (this.slotOf.has(key)) throw new Error(`duplicate key ${key}`);
    const slot = this.keys.length;
    this.keys.push(key);
    this.slotOf.set(key, slot);
    this.ensureCapacity(slot + 1);
    this.alive[slot] = 1;
    const seen = new Set<string>();
    fields.forEach((terms, f) => {
      const length = terms.length;
      this.lengths[f]![slot] = length;
      this.totalLengths[f]! += length;
      const norm = (this.lengthNorms[f]![slot] = lengthNorm(length, this.normsFor[f] || length || 1));
      const tf = new Map<string, number>();
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [term, count] of tf) {
        let lists = this.postings.get(term);
        if (!lists) {
          this.postings.set(term, (lists = []));
          for (const key of endKeys(term)) {
            const bucket = this.byEnds.get(key);
            if (bucket) bucket.push(term);
            else this.byEnds.set(key, [term]);
          }
        }
        const p = (lists[f] ??= new Postings());
        p.push(slot, count);
        p.df++;
        if (p.normsVersion === this.normsVersion) p.maxNorm = Math.max(p.maxNorm, tfNorm(count, norm));
        if (!seen.has(term)) {
          seen.add(term);
          this.docFreq.set(term, (this.docFreq.get(term) ?? 0) + 1);
        }
      }
    });
  }

  /** `fields` must be what the document was added with: its terms' frequencies drop at once. */
  remove(key: string, fields: readonly (readonly string[])[]): boolean {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return false;
    this.slotOf.delete(key);
    this.keys[slot] = undefined;
    this.alive[slot] = 0;
    fields.forEach((terms, f) => {
      this.totalLengths[f]! -= this.lengths[f]![slot]!;
      for (const term of new Set(terms)) this.postings.get(term)![f]!.df--;
    });
    for (const term of new Set(fields.flat())) this.docFreq.set(term, this.docFreq.get(term)! - 1);
    if (++this.dead > Math.max(1000, this.size / 4)) this.compact();
    return true;
  }

  search(queryTerms: readonly string[], { limit, fuzzy = false, filter, exhaustive = false }: IndexQuery): IndexHit[] {
    const n = this.size;
    if (n === 0 || limit < 1) return [];
    this.refreshLengthNorms();
    // One list per (query term or its typo variants) × field.
    const lists: QueryList[] = [];
    const addLists = (term: string, weight: number) => {
      this.postings.get(term)!.forEach((p, field) => {
        if (!p || p.df === 0) return;
        const w = weight * this.boosts[field]! * bm25Idf(n, p.df);
        lists.push({ p, field, weight: w, bound: w * (this.maxNorm(p, field) + DELTA) });
      });
    };
    const exact: string[] = [];
    for (const term of new Set(queryTerms)) {
      if (this.df(term) > 0) {
        exact.push(term);
        addLists(term, 1);
      } else if (fuzzy && term.length >= FUZZY_MIN_LENGTH) for (const near of this.withinOneEdit(term)) addLists(near, FUZZY_WEIGHT);
    }
    // MaxScore (exact): lists in decreasing order of their largest possible contribution; once
    // the bounds of the lists left add up to less than the k-th best score so far, no document
    // they alone contain can reach the top k, and their (long, common-term) posting lists are
    // only probed for the candidates that still can. `exhaustive` turns this off.
    lists.sort((a, b) => b.bound - a.bound);
    let remaining = lists.reduce((sum, l) => sum + l.bound, 0);
    const { scores, alive } = this;
    const touched: number[] = [];
    let candidates: number[] | undefined;
    let best = 0;
    for (const { p, field, weight, bound } of lists) {
      const norms = this.lengthNorms[field]!;
      const add = (slot: number, tf: number) => {
        const s = (scores[slot]! += weight * (tfNorm(tf, norms[slot]!) + DELTA));
        if (s > best) best = s;
      };
      // The k-th best score is at most the best one: only then is it worth computing.
      if (!exhaustive && touched.length >= limit && remaining < best) {
        const pool = candidates ?? touched;
        const top = this.topK(pool, limit, filter);
        const threshold = top.length === limit ? scores[top[limit - 1]!]! : 0;
        if (threshold > remaining) candidates = pool.filter((slot) => scores[slot]! + remaining >= threshold).sort((a, b) => a - b);
      }
      if (!candidates) {
        for (let i = 0; i < p.length; i++) {
          const slot = p.slots[i]!;
          if (alive[slot] === 0) continue;
          if (scores[slot] === 0) touched.push(slot);
          add(slot, p.tfs[i]!);
        }
      } else {
        // Posting lists are sorted by slot (slots only grow): one galloping merge pass.
        let i = 0;
        for (const slot of candidates) {
          i = lowerBound(p.slots, slot, i, p.length);
          if (i === p.length) break;
          if (p.slots[i] === slot) add(slot, p.tfs[i]!);
        }
      }
      remaining -= bound;
    }
    const top = this.topK(candidates ?? touched, limit, filter);
    const hits = top.map((slot) => {
      const matched = exact.filter((term) => this.contains(term, slot));
      return { key: this.keys[slot]!, score: scores[slot]!, matchedIdf: matched.reduce((sum, t) => sum + this.idf(t), 0), matchedTerms: matched.length };
    });
    for (const slot of touched) scores[slot] = 0;
    return hits;
  }

  private contains(term: string, slot: number): boolean {
    return this.postings.get(term)!.some((p) => {
      if (!p) return false;
      const i = lowerBound(p.slots, slot, 0, p.length);
      return i < p.length && p.slots[i] === slot;
    });
  }

  /** Top k slots by score (ties: earlier slot first), kept sorted in a small array. */
  private topK(slots: readonly number[], limit: number, filter?: (key: string) => boolean): number[] {
    const scores = this.scores;
    const top: number[] = [];
    for (const slot of slots) {
      const s = scores[slot]!;
      if (s === 0) continue;
      if (top.length === limit && s <= scores[top[top.length - 1]!]!) continue;
      if (filter && !filter(this.keys[slot]!)) continue;
      let i = top.length;
      while (i > 0 && (scores[top[i - 1]!]! < s || (scores[top[i - 1]!] === s && top[i - 1]! > slot))) i--;
      top.splice(i, 0, slot);
      if (top.length > limit) top.pop();
    }
    return top;
  }

  private maxNorm(p: Postings, field: number): number {
    if (p.normsVersion !== this.normsVersion) {
      const norms = this.lengthNorms[field]!;
      let max = 0;
      for (let i = 0; i < p.length; i++) max = Math.max(max, tfNorm(p.tfs[i]!, norms[p.slots[i]!]!));
      p.maxNorm = max;
      p.normsVersion = this.normsVersion;
    }
    return p.maxNorm;
  }

  /** Length norms per slot and field, recomputed (all) only once an average length drifts 1%. */
  private refreshLengthNorms(): void {
    const n = this.size || 1;
    const drifted = this.boosts.some((_, f) => {
      const avg = this.totalLengths[f]! / n || 1;
      return !(this.normsFor[f]! > 0 && Math.abs(avg - this.normsFor[f]!) / this.normsFor[f]! < 0.01);
    });
    if (!drifted) return;
    this.boosts.forEach((_, f) => {
      const avg = (this.normsFor[f] = this.totalLengths[f]! / n || 1);
      const lengths = this.lengths[f]!;
      const norms = this.lengthNorms[f]!;
      for (let slot = 0; slot < this.keys.length; slot++) norms[slot] = lengthNorm(lengths[slot]!, avg);
    });
    this.normsVersion++;
  }

  /** Indexed terms (in live documents) one edit away from `term`. */
  private withinOneEdit(term: string): string[] {
    const out = new Set<string>();
    const first = term[0]!;
    const last = term[term.length - 1]!;
    for (let len = term.length - 1; len <= term.length + 1; len++) {
      for (const key of [`${len}^${first}`, `${len}$${last}`]) {
        for (const candidate of this.byEnds.get(key) ?? []) {
          if (this.df(candidate) > 0 && oneEditApart(term, candidate)) out.add(candidate);
        }
      }
    }
    return [...out];
  }

  private ensureCapacity(slots: number): void {
    this.boosts.forEach((_, f) => {
      this.lengths[f] = grow(this.lengths[f]!, slots, (k) => new Float32Array(k));
      this.lengthNorms[f] = grow(this.lengthNorms[f]!, slots, (k) => new Float64Array(k));
    });
    this.alive = grow(this.alive, slots, (k) => new Uint8Array(k));
    this.scores = grow(this.scores, slots, (k) => new Float64Array(k));
  }

  /** Drops dead slots' postings and terms no live document uses. */
  private compact(): void {
    for (const [term, lists] of this.postings) {
      if (this.df(term) === 0) {
        this.postings.delete(term);
        this.docFreq.delete(term);
        for (const key of endKeys(term)) {
          const bucket = this.byEnds.get(key)!;
          bucket.splice(bucket.indexOf(term), 1);
        }
        continue;
      }
      for (const p of lists) {
        if (!p) continue;
        let w = 0;
        for (let r = 0; r < p.length; r++) {
          if (this.alive[p.slots[r]!] === 0) continue;
          p.slots[w] = p.slots[r]!;
          p.tfs[w++] = p.tfs[r]!;
        }
        p.length = w;
      }
    }
    this.dead = 0;
  }
}

function bm25Idf(n: number, df: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

function lengthNorm(length: number, avgLength: number): number {
  return K1 * (1 - B + (B * length) / avgLength);
}

function tfNorm(tf: number, lengthNormOfSlot: number): number {
  return (tf * (K1 + 1)) / (tf + lengthNormOfSlot);
}

function endKeys(term: string): string[] {
  return [`${term.length}^${term[0]}`, `${term.length}$${term[term.length - 1]}`];
}

/** a.slice(i) === b.slice(j) without allocating. */
function sameTail(a: string, i: number, b: string, j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (; i < a.length; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}

/** True when b is one edit (insert, delete, substitution or adjacent swap) away from a. */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (sameTail(a, i + 1, b, i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && sameTail(a, i + 2, b, i + 2); // swap
  }
  return la > lb ? sameTail(a, i + 1, b, i) : sameTail(a, i, b, i + 1);
}

/** First index in [from, to) whose value is ≥ target (gallop, then binary search). */
function lowerBound(a: Int32Array, target: number, from: number, to: number): number {
  let step = 1;
  let hi = from;
  while (hi < to && a[hi]! < target) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  hi = Math.min(hi, to);
  while (from < hi) {
    const mid = (from + hi) >>> 1;
    if (a[mid]! < target) from = mid + 1;
    else hi = mid;
  }
  return from;
}

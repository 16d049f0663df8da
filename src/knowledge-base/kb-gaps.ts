import { analyze } from '../common/text-analysis.js';
import { escalationRule } from '../resolution/escalation-rules.js';

/**
 * Knowledge-base gaps grouped by topic: the inquiries the knowledge base could not answer, in
 * groups of inquiries about the same thing, so a team sees which articles are missing.
 *
 * Pure and deterministic (the same set of inquiries gives the same groups in any order):
 *   1. Analysis, as inquiries are added: the first MAX_ANALYZED_CHARS of the redacted text, cut
 *      at an e-mail sign-off ("Kind regards", "Sent from my iPhone"…) and without redaction
 *      placeholders, through the project's search analysis (stop words, Porter stems); numbers,
 *      tokens longer than MAX_TOKEN_CHARS or with digits (codes, pasted logs) and support small
 *      talk (GENERIC_WORDS) are dropped. An inquiry keeps its first MAX_INQUIRY_TERMS distinct
 *      terms, the grouper at most MAX_VOCABULARY of them. Each stem remembers how it was
 *      written, for labels.
 *   2. Key terms: IDF over the gap set, smoothed (ln(1 + N/df): a topic that is every gap still
 *      weighs something). An inquiry's key terms are its KEY_TERMS best by (1 + ln tf)·idf among
 *      the terms another gap inquiry uses too (a word no other inquiry has joins nothing and only
 *      dilutes the similarity) and that are not boilerplate; they form a unit vector. Boilerplate
 *      (once there are COMMON_RULE_MIN_GAPS gaps): a term more than half of the gaps use, most of
 *      them first in their last paragraph (a signature or footer the sign-off cut missed), so a
 *      join always shares a term that is not; a topic most gaps are about still groups (its words
 *      come first).
 *   3. Greedy leader clustering, oldest inquiry first. A group's centre is the sum of its
 *      members' vectors (its CENTRE_TERMS heaviest terms). An inquiry joins the most similar
 *      group (cosine ≥ threshold) that has one of the inquiry's terms among its TOP_TERMS
 *      heaviest and shares at least MIN_SHARED_TERMS terms with it (one word in common, however
 *      rare, is not a topic); otherwise it starts a group. Groups are found through an index
 *      top term → groups, and only the MAX_CANDIDATES most promising are compared in full, so the
 *      cost grows about linearly with the number of inquiries.
 *   4. Description: a group's terms ranked by their weight in the centre (how many members carry
 *      them × how rare they are); the topic is the 2-3 heaviest, as they were most often written.
 */

export type GapReason = 'no_article' | 'low_match';

/** One inquiry the knowledge base could not answer. `inquiry_text` is already PII-redacted. */
export interface GapInquiry {
  ticket_id: string;
  inquiry_text: string;
  category: string | null;
  created_at: string | Date;
  /** Match of the best article consulted (0-1), null when none was returned. */
  best_match: number | null;
  best_article: { id: string; title: string } | null;
  reason: GapReason;
}

export interface GapGroup {
  /** A short label: the group's 2-3 most characteristic words. */
  topic: string;
  /** Its characteristic words, best first. */
  terms: string[];
  count: number;
  /** Tickets per triage category (`uncategorized` for tickets without one). */
  categories: Record<string, number>;
  first_seen: string;
  last_seen: string;
  /** Up to 5 tickets, newest first. */
  example_ticket_ids: string[];
  /** Up to 3 inquiries closest to the group's centre, truncated to SAMPLE_CHARS. */
  sample_inquiries: string[];
  /** The article that came closest to answering any of them, or null when none was returned. */
  closest_article: { id: string; title: string; best_match: number } | null;
  reasons: Record<GapReason, number>;
}

export interface GapGroupingOptions {
  /** Cosine similarity (0-1) an inquiry needs with a group's centre to join it. Default 0.3. */
  threshold?: number;
}

export const DEFAULT_SIMILARITY_THRESHOLD = 0.3;
export const KEY_TERMS = 10;
export const MIN_SHARED_TERMS = 2;
export const MAX_ANALYZED_CHARS = 2_000;
/** Longer tokens are not words (hashes, URLs' parts, pasted identifiers): dropped. */
export const MAX_TOKEN_CHARS = 20;
/** Distinct terms kept per inquiry (its first ones): bounds the memory and time a long text costs. */
export const MAX_INQUIRY_TERMS = 64;
/**
 * Distinct words (as written) per grouping; once reached, words not seen before are ignored (see
 * GapGrouper.add). Bounds the memory and the stemming a set of texts full of unique tokens costs.
 */
export const MAX_VOCABULARY = 50_000;
/**
 * From this many gaps on, a term more than half of them use, in most of them first in the last
 * paragraph, is boilerplate: no key term (it joins nothing, labels nothing).
 */
export const COMMON_RULE_MIN_GAPS = 5;
/** Inquiries clustered between two yields to the event loop (finishAsync). */
const YIELD_EVERY = 1_024;
export const SAMPLE_CHARS = 300;
export const MAX_EXAMPLES = 5;
export const MAX_SAMPLES = 3;
export const UNCATEGORIZED = 'uncategorized';
/** A group is found through, and must share one of, its TOP_TERMS heaviest terms. */
const TOP_TERMS = 3;
/** A group's centre keeps its heaviest terms only (bounded work per join; drops one-off words). */
const CENTRE_TERMS = 64;
/** Index entries read per term: a group's oldest groups first (a term on more is common anyway). */
const MAX_POSTING = 256;
/** Groups compared in full per inquiry: those sharing the most weight in top terms. */
const MAX_CANDIDATES = 16;
/** A group's terms are those with at least this share of its heaviest term's weight… */
const TERM_SHARE = 0.2;
const MAX_GROUP_TERMS = 8;
/** …and a label's third word needs at least this share. */
const LABEL_SHARE = 0.5;

/**
 * Redaction placeholders ([EMAIL_1], [PAYMENT_CARD_2]…): a superset of the PII detector's
 * PLACEHOLDER_PATTERN (any upper-case label), so a kind added later is ignored too.
 */
const PLACEHOLDER = /\[[A-Z][A-Z_]{0,30}_\d{1,9}\]/g;
/** The words of text-analysis.ts: each is analysed on its own, so its written form is known. */
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu;
const DIGITS = /^\d+$/;
const HAS_DIGIT = /\d/;
/** An empty line: paragraphs of an e-mail. */
const PARAGRAPH_BREAK = /\n[ \t\r]*\n\s*/g;
/** A short token with a digit and a letter is a product word ("2fa", "mp4", "s3"), kept; other digit tokens are codes. */
const SHORT_CODE = /^(?=.*\p{L})[\p{L}\p{N}]{2,4}$/u;

/** Whether a token (as WORD matched it) is analysed at all: not too long, no code or number. */
function isWord(token: string): boolean {
  return token.length <= MAX_TOKEN_CHARS && (!HAS_DIGIT.test(token) || SHORT_CODE.test(token));
}

/**
 * Where an e-mail's sign-off starts: at the start of a line or after a sentence, a closing
 * formula ("Kind regards", "Best,", "Cheers", "Thanks in advance", "Thank you!" on its own line,
 * "Looking forward to hearing from you"), a device or mail-client footer ("Sent from my iPhone",
 * "Get Outlook for iOS") or the signature separator "--". What follows (a name, a title, a
 * company, a phone number) says nothing about the topic and would group unrelated e-mails.
 */
const SIGN_OFF = new RegExp(
  '(?:^|[\\r\\n]|[.!?:;)]\\s)[ \\t>*_~-]*(?:' +
    [
      '(?:with\\s+)?(?:kind|kindest|best|warm|warmest|many|warm\\s+kind)\\s+(?:regards|wishes|thanks)\\b',
      'regards\\b(?![ \\t]+to\\b)',
      'cheers\\b',
      '(?:yours\\s+)?sincerely\\b',
      'yours\\s+(?:truly|faithfully)\\b',
      'best[ \\t]*[,!]',
      'best[ \\t]*(?=[\\r\\n]|$)',
      '(?:thanks|thank\\s+you)(?:\\s+(?:so|very)\\s+much)?(?:\\s+in\\s+advance|\\s+for\\s+your\\s+(?:help|time|support|assistance))\\b',
      '(?:many\\s+)?(?:thanks|thank\\s+you|thx|ty)(?:\\s+(?:so|very)\\s+much|\\s+a\\s+lot)?[ \\t]*[,.!]*[ \\t]*(?=[\\r\\n]|$)',
      'sent\\s+from\\s+(?:my|mail|outlook|yahoo)\\b',
      'get\\s+outlook\\s+for\\b',
      'looking\\s+forward\\s+to\\s+(?:hearing|your|a\\s+(?:reply|response|quick))',
      'hope\\s+to\\s+hear\\s+from\\s+you',
      '--[ \\t]*(?=[\\r\\n])',
    ].join('|') +
    ')',
  'gi',
);

/**
 * The text before its sign-off: cut at the first sign-off that follows some topic word (a text
 * that opens with "Thanks in advance, …" keeps its words).
 */
export function withoutSignOff(text: string): string {
  for (const m of text.matchAll(SIGN_OFF)) {
    if (m.index === 0) continue;
    const before = text.slice(0, m.index);
    for (const w of before.replace(PLACEHOLDER, ' ').toLowerCase().matchAll(WORD)) {
      if (isWord(w[0]) && stemsOf(w[0]).length > 0) return before;
    }
  }
  return text;
}

/**
 * Words of support conversation that say nothing about the topic (on top of the search stop
 * words): when, how urgently and how politely someone asks. Measured on the labelled inquiries
 * in data/eval (kb-gaps.spec.ts): without them "quick", "yes" or "tried" made groups of their own.
 */
const GENERIC_WORDS =
  'able ago about actually after again already always another anymore anything anyway around asap ask asked asking asks back because ' +
  'before being best better between both come comes day days else even ever everything example fine first found give go going good ' +
  'great guys happen happened help hope instead issue issues know last let look looking lot make many maybe month months morning much ' +
  'never new next nothing often old person possible problem problems question questions quick quickly really right said say saying ' +
  'says see seems send sent since soon sorry start sure take tell thing things think time times tomorrow tonight tried try trying ' +
  'urgent urgently use used using wait want wants way week weeks well whether without work working works wrong yes year years ' +
  'getting gets keep keeps kept com www http https ' +
  // e-mail sign-offs and footers, when they are not on a line of their own (withoutSignOff cuts those)
  'kind kindest regard regards wish wishes warm warmest sincerely faithfully truly cheers hear hearing appreciate appreciated thx ' +
  'monday tuesday wednesday thursday friday saturday sunday';
const GENERIC = new Set(analyze(GENERIC_WORDS));

/** Surface word → its stems (usually one, none for a stop word); bounded, words repeat (Zipf). */
const WORD_STEMS = new Map<string, readonly string[]>();
const WORD_CACHE_MAX = 100_000;

function stemsOf(word: string): readonly string[] {
  let stems = WORD_STEMS.get(word);
  if (stems === undefined) {
    if (WORD_STEMS.size >= WORD_CACHE_MAX) WORD_STEMS.clear();
    stems = topicStems(word);
    WORD_STEMS.set(word, stems);
  }
  return stems;
}

/** The stems of a word that can carry a topic (stemsOf without its cache). */
const topicStems = (word: string): string[] => analyze(word).filter((s) => !DIGITS.test(s) && !GENERIC.has(s));

/**
 * The part of a text that is analysed: its beginning up to its sign-off, lower-cased, without
 * redaction placeholders.
 */
function analysedPart(text: string): string {
  return withoutSignOff(text.slice(0, MAX_ANALYZED_CHARS + 64))
    .replace(PLACEHOLDER, ' ')
    .slice(0, MAX_ANALYZED_CHARS)
    .toLowerCase();
}

/** The topic-bearing terms of a text and the words they were written as (placeholders, sign-off, codes removed). */
export function gapTerms(text: string): { stem: string; word: string }[] {
  const out: { stem: string; word: string }[] = [];
  for (const m of analysedPart(text).matchAll(WORD)) {
    if (!isWord(m[0])) continue;
    for (const stem of stemsOf(m[0])) out.push({ stem, word: writtenForm(m[0]) });
  }
  return out;
}

/** "customer's" → "customer" (as text-analysis.ts cuts it). */
const writtenForm = (token: string) => (token.includes("'") || token.includes('’') ? token.replace(/['’].*$/, '') : token);

/** Whitespace collapsed, at most `max` characters (an ellipsis marks the cut; never half a surrogate pair). */
export function truncateSample(text: string, max = SAMPLE_CHARS): string {
  // Only the beginning is looked at: the rest of a long text would be cut anyway.
  const head = text.length > 4 * max ? text.slice(0, 4 * max) : text;
  const flat = head.replace(/\s+/g, ' ').trim();
  if (flat.length <= max && head.length === text.length) return flat;
  let cut = Math.min(flat.length, max - 1);
  if (/[\uD800-\uDBFF]/.test(flat[cut - 1] ?? '')) cut--;
  return `${flat.slice(0, cut).trimEnd()}…`;
}

interface Entry {
  ticketId: string;
  at: number;
  category: string;
  bestMatch: number | null;
  bestArticle: { id: string; title: string } | null;
  reason: GapReason;
  sample: string;
  /** Its distinct terms: ids and frequencies at [from, to) of the grouper's term pool. */
  from: number;
  to: number;
}

/** A word as written (lower-case), its term ids and how often it occurred in the gap set. */
interface WordRecord {
  ids: number[];
  form: string;
  n: number;
  /** The last inquiry (its stamp) that had it among its first MAX_INQUIRY_TERMS terms' words. */
  stamp: number;
}

/**
 * A sparse vector over term ranks at [from, to) of `t` and `w`: ranks ascending, with their
 * weights. (A term's rank is its stem's place in alphabetical order, so ties between equal
 * weights break the same way whatever order the inquiries came in.)
 */
interface Vector {
  t: Int32Array;
  w: Float64Array;
  from: number;
  to: number;
}

interface Cluster {
  members: number[];
  /** Sum of the members' vectors, its CENTRE_TERMS heaviest terms. */
  centre: Vector;
  norm: number;
  /** The terms the index lists it under (top terms, now or before: checked when read). */
  indexed: number[];
  /** When its newest member was created. */
  last: number;
}

/** The weight of term `t` in `v` (binary search), 0 when absent. */
function weightIn(v: Vector, t: number): number {
  let lo = v.from;
  let hi = v.to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = v.t[mid]!;
    if (x === t) return v.w[mid]!;
    if (x < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** Scratch for addInto: a merge is at most a full centre plus one inquiry's key terms. */
const MERGED_T = new Int32Array(CENTRE_TERMS + KEY_TERMS);
const MERGED_W = new Float64Array(CENTRE_TERMS + KEY_TERMS);

/**
 * centre += v, keeping the centre's CENTRE_TERMS heaviest terms (ties: lower rank). The centre
 * must own buffers of CENTRE_TERMS + KEY_TERMS (not a view of the inquiry pool).
 */
function addInto(centre: Vector, v: Vector): void {
  let i = centre.from;
  let j = v.from;
  let n = 0;
  while (i < centre.to || j < v.to) {
    const x = i < centre.to ? centre.t[i]! : Infinity;
    const y = j < v.to ? v.t[j]! : Infinity;
    MERGED_T[n] = Math.min(x, y);
    MERGED_W[n++] = (x <= y ? centre.w[i++]! : 0) + (y <= x ? v.w[j++]! : 0);
  }
  let cut = -Infinity;
  let room = n;
  if (n > CENTRE_TERMS) {
    // The CENTRE_TERMS-th heaviest weight: heavier terms stay, equal ones in rank order while room is left.
    cut = MERGED_W.slice(0, n).sort()[n - CENTRE_TERMS]!;
    room = CENTRE_TERMS;
    for (let k = 0; k < n; k++) if (MERGED_W[k]! > cut) room--;
  }
  let kept = 0;
  for (let k = 0; k < n; k++) {
    if (MERGED_W[k]! < cut || (MERGED_W[k] === cut && room-- <= 0)) continue;
    centre.t[kept] = MERGED_T[k]!;
    centre.w[kept++] = MERGED_W[k]!;
  }
  centre.from = 0;
  centre.to = kept;
}

function norm(v: Vector): number {
  let s = 0;
  for (let k = v.from; k < v.to; k++) s += v.w[k]! * v.w[k]!;
  return Math.sqrt(s);
}

/** Writes the TOP_TERMS heaviest terms of `v` (ties: lower rank) to out[at…], -1 where it has fewer. */
const TOP_WEIGHTS = new Float64Array(TOP_TERMS);
function topTerms(v: Vector, out: Int32Array, at: number): void {
  out.fill(-1, at, at + TOP_TERMS);
  const weights = TOP_WEIGHTS.fill(-1);
  for (let k = v.from; k < v.to; k++) {
    const w = v.w[k]!;
    // Ranks ascend along v: a later term of equal weight never displaces an earlier one.
    if (w <= weights[TOP_TERMS - 1]!) continue;
    let j = TOP_TERMS - 1;
    while (j > 0 && w > weights[j - 1]!) {
      weights[j] = weights[j - 1]!;
      out[at + j] = out[at + j - 1]!;
      j--;
    }
    weights[j] = w;
    out[at + j] = v.t[k]!;
  }
}

/** Group `a` is a better candidate than `b`: it shares more weight, or as much and is older. */
const isBetter = (a: number, b: number, shared: Float64Array) => shared[a]! > shared[b]! || (shared[a] === shared[b] && a < b);

/**
 * Builds the groups a page at a time: `add` analyses an inquiry and keeps only its term ids (at
 * most MAX_INQUIRY_TERMS) and a sample (≈ 0.2-0.5 KB per inquiry, plus at most MAX_VOCABULARY
 * words); `finish` (or `finishAsync`) weighs, clusters and describes them.
 */
export class GapGrouper {
  private readonly entries: Entry[] = [];
  private readonly stemIds = new Map<string, number>();
  private readonly stems: string[] = [];
  private readonly df: number[] = [];
  /** Per term, the inquiries that first wrote it in their last paragraph. */
  private readonly tailDf: number[] = [];
  private readonly words = new Map<string, WordRecord>();
  /** The entries' distinct term ids and their frequencies, one after the other. */
  private termPool = new Int32Array(1 << 16);
  private tfPool = new Uint16Array(1 << 16);
  private pooled = 0;
  /** Scratch for `add`: the inquiry that last saw each term, and its count there. */
  private readonly seenBy: number[] = [];
  private readonly count: number[] = [];
  private readonly threshold: number;

  constructor(options: GapGroupingOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_SIMILARITY_THRESHOLD;
  }

  get size(): number {
    return this.entries.length;
  }

  add(inquiry: GapInquiry): void {
    const at = inquiry.created_at instanceof Date ? inquiry.created_at.getTime() : Date.parse(inquiry.created_at);
    if (Number.isNaN(at)) throw new RangeError(`created_at of ${inquiry.ticket_id} is not a date`);
    const stamp = this.entries.length + 1;
    const from = this.pooled;
    const text = analysedPart(inquiry.inquiry_text);
    // Where the last paragraph starts, in a text of several (Infinity: one paragraph).
    let tail = Infinity;
    for (const p of text.matchAll(PARAGRAPH_BREAK)) tail = p.index + p[0].length;
    for (const m of text.matchAll(WORD)) {
      const token = m[0];
      if (!isWord(token)) continue;
      if (this.pooled - from === MAX_INQUIRY_TERMS) {
        // Full: only more occurrences of words it has already written count (their terms' tf),
        // nothing is stemmed, and what counts depends on its text alone.
        const record = this.words.get(token);
        if (record?.stamp === stamp) {
          record.n++;
          for (const id of record.ids) if (this.seenBy[id] === stamp) this.count[id]!++;
        }
        continue;
      }
      const record = this.words.get(token) ?? this.record(token);
      if (!record) continue;
      record.stamp = stamp;
      record.n++;
      for (const id of record.ids) {
        if (this.seenBy[id] !== stamp) {
          if (this.pooled - from === MAX_INQUIRY_TERMS) continue;
          this.seenBy[id] = stamp;
          this.count[id] = 0;
          if (m.index >= tail) this.tailDf[id]!++;
          this.pool(id);
        }
        this.count[id]!++;
      }
    }
    for (let k = from; k < this.pooled; k++) {
      const id = this.termPool[k]!;
      this.tfPool[k] = Math.min(this.count[id]!, 0xffff);
      this.df[id]!++;
    }
    this.entries.push({
      ticketId: inquiry.ticket_id,
      at,
      category: inquiry.category ?? UNCATEGORIZED,
      bestMatch: inquiry.best_match,
      bestArticle: inquiry.best_article,
      reason: inquiry.reason,
      sample: truncateSample(inquiry.inquiry_text),
      from,
      to: this.pooled,
    });
  }

  private pool(id: number): void {
    if (this.pooled === this.termPool.length) {
      const terms = new Int32Array(this.termPool.length * 2);
      terms.set(this.termPool);
      this.termPool = terms;
      const tf = new Uint16Array(this.tfPool.length * 2);
      tf.set(this.tfPool);
      this.tfPool = tf;
    }
    this.termPool[this.pooled++] = id;
  }

  /**
   * A new word's record and its stems' ids, or undefined once the grouper knows MAX_VOCABULARY
   * words: a word first met after that is ignored, so only a set of inquiries with that many
   * distinct words (most of them typos, names, codes: in one inquiry each) can group differently
   * when read in another order. (The repository always reads newest first: the same range gives
   * the same answer.) Its own cache: the grouper's words are its texts' words, read once.
   */
  private record(token: string): WordRecord | undefined {
    if (this.words.size >= MAX_VOCABULARY) return undefined;
    const ids: number[] = [];
    for (const stem of topicStems(token)) {
      let id = this.stemIds.get(stem);
      if (id === undefined) {
        id = this.stems.length;
        this.stemIds.set(stem, id);
        this.stems.push(stem);
        this.df.push(0);
        this.tailDf.push(0);
        this.seenBy.push(0);
        this.count.push(0);
      }
      ids.push(id);
    }
    const record = { ids, form: writtenForm(token), n: 0, stamp: 0 };
    this.words.set(token, record);
    return record;
  }

  /**
   * The groups with at least `minCount` tickets, largest first (then most recently seen): the
   * first `limit` described, and how many there are.
   */
  finish(options: { minCount?: number; limit?: number } = {}): { total: number; groups: GapGroup[] } {
    const steps = this.cluster();
    let step = steps.next();
    while (!step.done) step = steps.next();
    return this.answer(step.value, options);
  }

  /**
   * As finish, yielding to the event loop every YIELD_EVERY inquiries clustered (the same
   * result): a large range does not hold the process for the whole grouping.
   */
  async finishAsync(options: { minCount?: number; limit?: number } = {}): Promise<{ total: number; groups: GapGroup[] }> {
    const steps = this.cluster();
    let step = steps.next();
    while (!step.done) {
      await yieldToEventLoop();
      step = steps.next();
    }
    return this.answer(step.value, options);
  }

  private answer(
    { clusters, describe }: { clusters: Cluster[]; describe: (c: Cluster) => GapGroup },
    { minCount = 1, limit = Infinity }: { minCount?: number; limit?: number },
  ): { total: number; groups: GapGroup[] } {
    const kept = clusters.filter((c) => c.members.length >= minCount);
    return { total: kept.length, groups: kept.slice(0, limit).map(describe) };
  }

  /** Every group with its members' ticket ids (oldest first), largest first. */
  finishWithMembers(): { group: GapGroup; ticket_ids: string[] }[] {
    const steps = this.cluster();
    let step = steps.next();
    while (!step.done) step = steps.next();
    const { clusters, describe } = step.value;
    return clusters.map((c) => ({ group: describe(c), ticket_ids: c.members.map((i) => this.entries[i]!.ticketId) }));
  }

  /**
   * The clusters in answer order, and how to describe one; a step (a yield) every YIELD_EVERY
   * inquiries, where an async caller lets other work run.
   */
  private *cluster(): Generator<void, { clusters: Cluster[]; describe: (c: Cluster) => GapGroup }, void> {
    const n = this.entries.length;
    if (n === 0) return { clusters: [], describe: () => undefined as never };
    const rank = new Int32Array(this.stems.length);
    this.stems
      .map((_, id) => id)
      .sort((a, b) => cmp(this.stems[a]!, this.stems[b]!))
      .forEach((id, r) => (rank[id] = r));
    const idf = Float64Array.from(this.df, (df) => Math.log(1 + n / df));
    // Oldest first, ties by ticket id.
    const order = this.entries
      .map((_, i) => i)
      .sort((a, b) => this.entries[a]!.at - this.entries[b]!.at || cmp(this.entries[a]!.ticketId, this.entries[b]!.ticketId));
    // Boilerplate: more than half of the gaps have it, most of them first in their last paragraph.
    // It is no key term: it neither joins inquiries nor labels a group.
    const boilerplate = new Uint8Array(this.stems.length);
    if (n >= COMMON_RULE_MIN_GAPS) this.df.forEach((df, id) => (boilerplate[id] = 2 * df > n && 2 * this.tailDf[id]! > df ? 1 : 0));
    const vectors = this.keyVectors(idf, rank, boilerplate);
    yield;

    const clusters: Cluster[] = [];
    const postings: number[][] = [];
    // Each group's top terms, TOP_TERMS per group (-1: none), flat: the index scan reads only this.
    const tops = new Int32Array(n * TOP_TERMS).fill(-1);
    const seen = new Int32Array(n).fill(-1);
    const shared = new Float64Array(n);
    const reached: number[] = [];
    const candidates: number[] = [];
    let done = 0;
    for (const i of order) {
      if (++done % YIELD_EVERY === 0) yield;
      const v = vectors[i]!;
      // Groups with one of these terms among their top terms, and the weight of those terms.
      for (let k = v.from; k < v.to; k++) {
        const t = v.t[k]!;
        const posting = postings[t];
        if (!posting) continue;
        for (let p = 0; p < posting.length && p < MAX_POSTING; p++) {
          const c = posting[p]!;
          let top = false;
          for (let o = c * TOP_TERMS; o < (c + 1) * TOP_TERMS; o++) top ||= tops[o] === t;
          if (!top) continue;
          if (seen[c] !== i) {
            seen[c] = i;
            shared[c] = 0;
            reached.push(c);
          }
          shared[c] += v.w[k]!;
        }
      }
      // The MAX_CANDIDATES that share the most (ties: older), kept sorted by insertion.
      for (const c of reached) {
        if (candidates.length === MAX_CANDIDATES && !isBetter(c, candidates[MAX_CANDIDATES - 1]!, shared)) continue;
        let at = Math.min(candidates.length, MAX_CANDIDATES - 1);
        while (at > 0 && isBetter(c, candidates[at - 1]!, shared)) {
          candidates[at] = candidates[at - 1]!;
          at--;
        }
        candidates[at] = c;
      }
      reached.length = 0;
      let best = -1;
      let bestCos = 0;
      for (const c of candidates) {
        const cluster = clusters[c]!;
        let dot = 0;
        let common = 0;
        for (let k = v.from; k < v.to; k++) {
          const cw = weightIn(cluster.centre, v.t[k]!);
          if (cw === 0) continue;
          dot += v.w[k]! * cw;
          common++;
        }
        if (common < Math.min(MIN_SHARED_TERMS, v.to - v.from)) continue;
        const cos = dot / cluster.norm;
        // Ties go to the older group.
        if (cos > bestCos + 1e-12 || (cos >= bestCos - 1e-12 && c < best)) {
          best = c;
          bestCos = cos;
        }
      }
      candidates.length = 0;

      let c = best;
      if (best >= 0 && bestCos >= this.threshold) {
        const cluster = clusters[best]!;
        if (cluster.members.length === 1) {
          // Its second member: the centre stops being a view of the leader's vector.
          const { t, w, from, to } = cluster.centre;
          const own = { t: new Int32Array(CENTRE_TERMS + KEY_TERMS), w: new Float64Array(CENTRE_TERMS + KEY_TERMS), from: 0, to: to - from };
          own.t.set(t.subarray(from, to));
          own.w.set(w.subarray(from, to));
          cluster.centre = own;
        }
        cluster.members.push(i);
        if (this.entries[i]!.at > cluster.last) cluster.last = this.entries[i]!.at;
        addInto(cluster.centre, v);
        cluster.norm = norm(cluster.centre);
      } else {
        c = clusters.length;
        clusters.push({ members: [i], centre: { ...v }, norm: 1, indexed: [], last: this.entries[i]!.at });
      }
      const cluster = clusters[c]!;
      topTerms(cluster.centre, tops, c * TOP_TERMS);
      for (let o = c * TOP_TERMS; o < (c + 1) * TOP_TERMS && tops[o]! >= 0; o++) {
        const t = tops[o]!;
        if (cluster.indexed.includes(t)) continue;
        cluster.indexed.push(t);
        (postings[t] ??= []).push(c);
      }
    }

    const idOfRank = new Int32Array(rank.length);
    rank.forEach((r, id) => (idOfRank[r] = id));
    const forms = this.writtenForms();
    const formOf = (r: number) => forms[idOfRank[r]!]!;
    // Members joined oldest first: members[0] is the oldest (ties by ticket id).
    clusters.sort((a, b) => b.members.length - a.members.length || b.last - a.last || cmp(this.entries[a.members[0]!]!.ticketId, this.entries[b.members[0]!]!.ticketId));
    return { clusters, describe: (c) => this.describe(c, vectors, idf, rank, boilerplate, formOf) };
  }

  /**
   * Each inquiry's key terms (those another gap inquiry has too, not boilerplate, the KEY_TERMS
   * heaviest by (1 + ln tf)·idf, ties by rank) as a unit vector over ranks; all in one pool.
   */
  private keyVectors(idf: Float64Array, rank: Int32Array, boilerplate: Uint8Array): Vector[] {
    const t = new Int32Array(this.entries.length * KEY_TERMS);
    const w = new Float64Array(t.length);
    const bestT = new Int32Array(KEY_TERMS);
    const bestW = new Float64Array(KEY_TERMS);
    let pooled = 0;
    return this.entries.map((e) => {
      let size = 0;
      for (let k = e.from; k < e.to; k++) {
        const id = this.termPool[k]!;
        if (this.df[id]! < 2 || boilerplate[id]) continue;
        const weight = (1 + Math.log(this.tfPool[k]!)) * idf[id]!;
        const r = rank[id]!;
        if (size === KEY_TERMS && !(weight > bestW[size - 1]! || (weight === bestW[size - 1] && r < bestT[size - 1]!))) continue;
        let at = Math.min(size, KEY_TERMS - 1);
        while (at > 0 && (weight > bestW[at - 1]! || (weight === bestW[at - 1] && r < bestT[at - 1]!))) {
          bestW[at] = bestW[at - 1]!;
          bestT[at] = bestT[at - 1]!;
          at--;
        }
        bestW[at] = weight;
        bestT[at] = r;
        if (size < KEY_TERMS) size++;
      }
      let length = 0;
      for (let k = 0; k < size; k++) length += bestW[k]! * bestW[k]!;
      length = Math.sqrt(length);
      const from = pooled;
      const order = Array.from({ length: size }, (_, k) => k).sort((a, b) => bestT[a]! - bestT[b]!);
      for (const k of order) {
        t[pooled] = bestT[k]!;
        w[pooled++] = bestW[k]! / length;
      }
      return { t, w, from, to: pooled };
    });
  }

  private describe(cluster: Cluster, vectors: Vector[], idf: Float64Array, rank: Int32Array, boilerplate: Uint8Array, formOf: (rank: number) => string): GapGroup {
    const members = cluster.members.map((i) => this.entries[i]!);
    const { centre } = cluster;
    // Terms by weight in the centre; a group of one without shared terms by its own rarest words.
    let ranked = Array.from({ length: centre.to - centre.from }, (_, k) => ({ t: centre.t[centre.from + k]!, w: centre.w[centre.from + k]! }));
    if (ranked.length === 0) {
      const e = members[0]!;
      ranked = Array.from({ length: e.to - e.from }, (_, k) => {
        const id = this.termPool[e.from + k]!;
        return { t: rank[id]!, w: boilerplate[id] ? 0 : (1 + Math.log(this.tfPool[e.from + k]!)) * idf[id]! };
      }).filter((x) => x.w > 0);
    }
    ranked.sort((a, b) => b.w - a.w || a.t - b.t);
    const heaviestWeight = ranked[0]?.w ?? 0;
    const characteristic = ranked.filter((x) => x.w >= TERM_SHARE * heaviestWeight).slice(0, MAX_GROUP_TERMS);
    const label = characteristic.slice(0, 2);
    if (characteristic[2] && characteristic[2].w >= LABEL_SHARE * heaviestWeight) label.push(characteristic[2]);

    const newestFirst = [...cluster.members].sort(
      (a, b) => this.entries[b]!.at - this.entries[a]!.at || cmp(this.entries[b]!.ticketId, this.entries[a]!.ticketId),
    );
    const categories: Record<string, number> = {};
    const reasons: Record<GapReason, number> = { no_article: 0, low_match: 0 };
    let closest: GapGroup['closest_article'] = null;
    for (const e of members) {
      categories[e.category] = (categories[e.category] ?? 0) + 1;
      reasons[e.reason]++;
      if (e.bestArticle && e.bestMatch !== null) {
        if (!closest || e.bestMatch > closest.best_match || (e.bestMatch === closest.best_match && cmp(e.bestArticle.id, closest.id) < 0)) {
          closest = { id: e.bestArticle.id, title: e.bestArticle.title, best_match: e.bestMatch };
        }
      }
    }

    // Samples: the members nearest the centre (newest first among equals), no text twice.
    const nearness = (i: number) => {
      const v = vectors[i]!;
      let dot = 0;
      for (let k = v.from; k < v.to; k++) dot += v.w[k]! * weightIn(centre, v.t[k]!);
      return dot;
    };
    const samples: string[] = [];
    for (const { i } of newestFirst.map((i) => ({ i, s: nearness(i) })).sort((a, b) => b.s - a.s)) {
      if (samples.length === MAX_SAMPLES) break;
      const sample = this.entries[i]!.sample;
      if (sample && !samples.includes(sample)) samples.push(sample);
    }

    return {
      topic: label.map((x) => formOf(x.t)).join(' / ') || '(no words)',
      terms: characteristic.map((x) => formOf(x.t)),
      count: members.length,
      categories: Object.fromEntries(Object.entries(categories).sort(([a, x], [b, y]) => y - x || cmp(a, b))),
      first_seen: new Date(this.entries[newestFirst.at(-1)!]!.at).toISOString(),
      last_seen: new Date(this.entries[newestFirst[0]!]!.at).toISOString(),
      example_ticket_ids: newestFirst.slice(0, MAX_EXAMPLES).map((i) => this.entries[i]!.ticketId),
      sample_inquiries: samples,
      closest_article: closest,
      reasons,
    };
  }

  /** Per term id, the way it is most often written (then the shortest spelling, then alphabetical). */
  private writtenForms(): string[] {
    const best = [...this.stems];
    const bestN = this.stems.map(() => 0);
    const counts = new Map<string, number>();
    for (const { ids, form, n } of this.words.values()) {
      for (const id of ids) {
        // Two tokens can share a written form ("customer's", "customer"): counted together.
        const key = `${id}\u0000${form}`;
        const total = (counts.get(key) ?? 0) + n;
        counts.set(key, total);
        const current = best[id]!;
        if (total > bestN[id]! || (total === bestN[id]! && (form.length < current.length || (form.length === current.length && form < current)))) {
          best[id] = form;
          bestN[id] = total;
        }
      }
    }
    return best;
  }
}

// ---- Which stored escalations are gaps -------------------------------------------------------

/** The offline resolution policy's notes (resolution-policy.ts) when no article fits. */
const NO_ARTICLE_NOTE = 'Escalated: the knowledge base has no article for this inquiry';
const LOW_MATCH_NOTE = 'Escalated: no knowledge-base article fits well enough';
const LOW_MATCH_BEST = /^Escalated: no knowledge-base article fits well enough \(best ([a-z0-9][a-z0-9-]{0,63}): match (\d+(?:\.\d+)?)/;
/** Notes of escalations for other reasons, written by this service's own code (rules, guardrails, actions, citations). */
const OTHER_ESCALATION_NOTES = ['Escalated to ', 'Escalated for human review', 'Escalated: the proposed answer was withheld', 'Escalated: no decision on'];
/** The SQL prefilter's LIKE patterns: every escalation gapOf can call a gap matches one of them or has kb.no_article_fit. */
export const GAP_NOTE_PREFIXES = [NO_ARTICLE_NOTE, LOW_MATCH_NOTE];

/** What the workflow stores in a resolution event's `data.kb` (resolution.agent.ts KbSummary). */
interface StoredKb {
  consulted?: { id?: unknown; title?: unknown; match?: unknown }[];
  best_match?: unknown;
  no_article_fit?: unknown;
}

export interface GapVerdict {
  reason: GapReason;
  best_match: number | null;
  /** The closest article; its title is null when only the notes named it (the caller looks it up). */
  best_article: { id: string; title: string | null } | null;
}

/**
 * Whether the escalation a ticket's latest resolution event records is a knowledge-base gap:
 *   - the offline policy's notes say so ("has no article for this inquiry" → no_article, "no
 *     knowledge-base article fits well enough (best kb-0007: match 0.41…" → low_match);
 *   - notes this service writes for other escalations (a person must decide: security, legal,
 *     refunds, outages, guardrails, account actions) → not a gap, whatever the match;
 *   - a run that ran, or was refused, an account action (`data.actions` not empty, e.g. a model
 *     escalating after a person declined a refund) → not a gap, whatever the notes;
 *   - other notes (a real model's own words): a gap when `kb.no_article_fit` says no article
 *     reached the threshold and the inquiry trips none of the escalation rules a person handles.
 * The closest article is the one the notes name (the policy's first hit, the one it judged), else
 * the consulted article with the highest match in `kb` (stored since the workflow records it).
 */
export function gapOf(data: { status?: unknown; output?: unknown; kb?: unknown; actions?: unknown }, inquiry: string, refundLimit: number): GapVerdict | null {
  if (data.status !== 'escalated') return null;
  // The run took or proposed an account action (executed, refused, declined by a person): the
  // escalation is about the action, which a person handles whatever the knowledge base holds.
  if (Array.isArray(data.actions) && data.actions.length > 0) return null;
  const output = data.output as { resolution_notes?: unknown } | null | undefined;
  const notes = typeof output?.resolution_notes === 'string' ? output.resolution_notes : '';
  const kb = data.kb !== null && typeof data.kb === 'object' && !Array.isArray(data.kb) ? (data.kb as StoredKb) : undefined;
  const fromKb = kb ? closestOf(kb) : undefined;
  if (notes.startsWith(NO_ARTICLE_NOTE)) return { reason: 'no_article', best_match: fromKb?.best_match ?? null, best_article: fromKb?.best_article ?? null };
  if (notes.startsWith(LOW_MATCH_NOTE)) {
    // The article the policy judged (its first hit), which kb.best_match (the highest match of
    // any hit) need not be; its title from kb when stored there.
    const m = LOW_MATCH_BEST.exec(notes);
    if (!m) return { reason: 'low_match', ...(fromKb ?? { best_match: null, best_article: null }) };
    const title = kb && Array.isArray(kb.consulted) ? kb.consulted.find((a) => a?.id === m[1])?.title : undefined;
    return { reason: 'low_match', best_match: Number(m[2]), best_article: { id: m[1]!, title: typeof title === 'string' ? title : null } };
  }
  if (OTHER_ESCALATION_NOTES.some((p) => notes.startsWith(p))) return null;
  if (kb?.no_article_fit !== true || escalationRule(inquiry, refundLimit)) return null;
  return { reason: fromKb?.best_article ? 'low_match' : 'no_article', best_match: fromKb?.best_match ?? null, best_article: fromKb?.best_article ?? null };
}

/** The consulted article with the highest match (the first of equals), from the stored kb summary. */
function closestOf(kb: StoredKb): Omit<GapVerdict, 'reason'> {
  let best: { id: string; title: string | null; match: number } | undefined;
  for (const a of Array.isArray(kb.consulted) ? kb.consulted : []) {
    if (typeof a?.id !== 'string' || typeof a.match !== 'number' || !Number.isFinite(a.match)) continue;
    if (!best || a.match > best.match) best = { id: a.id, title: typeof a.title === 'string' ? a.title : null, match: a.match };
  }
  const bestMatch = typeof kb.best_match === 'number' && Number.isFinite(kb.best_match) ? kb.best_match : (best?.match ?? null);
  return { best_match: best ? bestMatch : null, best_article: best ? { id: best.id, title: best.title } : null };
}

/** Groups gap inquiries by topic (see the module comment). */
export function groupGaps(inquiries: Iterable<GapInquiry>, options: GapGroupingOptions = {}): GapGroup[] {
  const grouper = new GapGrouper(options);
  for (const inquiry of inquiries) grouper.add(inquiry);
  return grouper.finish().groups;
}

/** Lets the event loop run what is waiting (I/O, timers, other requests) before going on. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

import { sectionsOf, type Article } from './article.js';
import { InvertedIndex } from './inverted-index.js';
import { analyze } from '../common/text-analysis.js';

export interface SearchHit {
  id: string;
  title: string;
  category: string;
  /** BM25+ relevance (unbounded; compare within one query only). */
  score: number;
  /** Share of the query's informative terms (IDF-weighted) the article contains, in [0, 1]. */
  match: number;
  /** How many distinct query terms the article contains, of `query_terms`. */
  matched_terms: number;
  query_terms: number;
  snippet: string;
  /** The passage of the article that best answers the query (lead + best section). */
  content: string;
}

const SNIPPET_CHARS = 220;
/** Typo tolerance only for short, chat-like queries: a long email's unknown words are names. */
const FUZZY_MAX_TERMS = 6;
const CONTENT_CHARS = 1600;

/** Title, tags and body, boosted ×3, ×2 and ×1. */
const FIELD_BOOSTS = [3, 2, 1];
function fieldsOf(article: Article): string[][] {
  return [analyze(article.title), analyze(article.tags.join(' ')), analyze(article.body)];
}

/**
 * Ranked knowledge-base search: BM25+ over title (×3), tags (×2) and body, with stemming and
 * stop words (InvertedIndex); plus an IDF-weighted query coverage (`match`) that is comparable
 * across queries, which the resolution policy thresholds on.
 */
export class KbSearch {
  private readonly index = new InvertedIndex(FIELD_BOOSTS);
  private readonly articles = new Map<string, Article>();
  /** Sentences and sections for snippets, analysed the first time an article is returned. */
  private readonly analyzed = new Map<string, AnalyzedArticle>();

  get size(): number {
    return this.articles.size;
  }

  get(id: string): Article | undefined {
    return this.articles.get(id);
  }

  all(): Article[] {
    return [...this.articles.values()];
  }

  /** Adds or replaces an article; a replaced article is found by its new text at once. */
  upsert(article: Article): void {
    if (this.articles.has(article.id)) this.remove(article.id);
    this.articles.set(article.id, article);
    this.index.add(article.id, fieldsOf(article));
  }

  remove(id: string): boolean {
    const article = this.articles.get(id);
    if (!article) return false;
    this.index.remove(id, fieldsOf(article));
    this.articles.delete(id);
    this.analyzed.delete(id);
    return true;
  }

  passage(id: string, query: string): string | undefined {
    return this.articles.has(id) ? bestPassage(this.analysisOf(id), analyze(query), (t) => this.index.idf(t)) : undefined;
  }

  private analysisOf(id: string): AnalyzedArticle {
    let a = this.analyzed.get(id);
    if (!a) this.analyzed.set(id, (a = analyzeArticle(this.articles.get(id)!)));
    return a;
  }

  /** `exhaustive` scores every posting (no pruning; same results, slower): for benchmarks. */
  search(query: string, limit = 5, filter?: { category?: string; exhaustive?: boolean }): SearchHit[] {
    const queryTerms = [...new Set(analyze(query))];
    if (queryTerms.length === 0 || this.articles.size === 0) return [];
    const category = filter?.category;
    const hits = this.index.search(queryTerms, {
      limit: Math.max(1, limit),
      fuzzy: queryTerms.length <= FUZZY_MAX_TERMS,
      exhaustive: filter?.exhaustive,
      filter: category ? (id) => this.articles.get(id)!.category === category : undefined,
    });
    // Coverage counts only terms the knowledge base knows: words no article uses (names,
    // greetings, order numbers) say nothing about whether an article fits.
    const totalIdf = queryTerms.reduce((s, t) => s + (this.index.df(t) > 0 ? this.index.idf(t) : 0), 0);
    return hits.map((h) => {
      const article = this.articles.get(h.key)!;
      const analysis = this.analysisOf(article.id);
      return {
        id: article.id,
        title: article.title,
        category: article.category,
        score: round(h.score),
        match: totalIdf > 0 ? round(h.matchedIdf / totalIdf) : 0,
        matched_terms: h.matchedTerms,
        query_terms: queryTerms.length,
        snippet: bestSnippet(analysis, queryTerms),
        content: bestPassage(analysis, queryTerms, (t) => this.index.idf(t)),
      };
    });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

interface AnalyzedText {
  text: string;
  terms: Set<string>;
}

/** Sentences and sections of an article with their terms, computed once at indexing. */
export interface AnalyzedArticle {
  sentences: AnalyzedText[];
  lead?: AnalyzedText;
  sections: (AnalyzedText & { heading: string; numbered: boolean })[];
}

export function analyzeArticle(article: Article): AnalyzedArticle {
  const candidates = article.body
    .replace(/^#+\s.*$/gm, '')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/[*_`#]/g, '').replace(/^\s*(>\s*|\d+\.\s*|-\s*)/, '').trim());
  // Fragments are poor snippets; an article with nothing longer keeps what it has.
  const long = candidates.filter((s) => s.length > 20);
  const sentences = (long.length ? long : candidates.filter(Boolean)).map((text) => ({ text, terms: new Set(analyze(text)) }));
  const all = sectionsOf(article.body);
  const lead = all[0] && !all[0].heading ? { text: all[0].text, terms: new Set(analyze(all[0].text)) } : undefined;
  const sections = all
    .filter((sec) => sec.heading)
    .map((sec) => ({
      heading: sec.heading,
      text: sec.text,
      terms: new Set(analyze(`${sec.heading} ${sec.text}`)),
      numbered: /^\s*\d+\.\s/m.test(sec.text),
    }));
  return { sentences, lead, sections };
}

function overlap(terms: Set<string>, queryTerms: string[]): number {
  let n = 0;
  for (const t of queryTerms) if (terms.has(t)) n++;
  return n;
}

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max - 1).replace(/\s+\S*$/, '') + '…' : text);

/** The sentence of the body that shares the most terms with the query, trimmed for display. */
export function bestSnippet(article: AnalyzedArticle, queryTerms: string[]): string {
  let best = article.sentences[0]?.text ?? '';
  let bestScore = -1;
  for (const s of article.sentences) {
    const score = overlap(s.terms, queryTerms);
    if (score > bestScore) [best, bestScore] = [s.text, score];
  }
  return clip(best, SNIPPET_CHARS);
}

/**
 * Lead paragraph plus the sections that best match the query (IDF-weighted, procedures
 * preferred), in article order, within the size budget.
 */
export function bestPassage(article: AnalyzedArticle, queryTerms: string[], weight: (term: string) => number = () => 1): string {
  const scored = article.sections.map((s, i) => {
    let matched = 0;
    for (const t of queryTerms) if (s.terms.has(t)) matched += weight(t);
    return { s, i, matched, score: matched + (s.numbered ? 0.5 : 0) };
  });
  const budget = CONTENT_CHARS - (article.lead?.text.length ?? 0);
  const chosen: typeof scored = [];
  let used = 0;
  for (const c of [...scored].sort((a, b) => b.score - a.score || a.i - b.i).slice(0, 2)) {
    const size = c.s.heading.length + c.s.text.length + 4;
    if (chosen.length === 0 || (c.matched > 0 && used + size <= budget)) {
      chosen.push(c);
      used += size;
    }
  }
  chosen.sort((a, b) => a.i - b.i);
  const parts = [article.lead?.text, ...chosen.map((c) => `${c.s.heading}:\n${c.s.text}`)].filter(Boolean);
  return clip(parts.join('\n\n'), CONTENT_CHARS);
}

import MiniSearch from 'minisearch';
import { sectionsOf, type Article } from './article.js';
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
const FUZZY_MAX_TERMS = 6;
const CONTENT_CHARS = 1600;

/**
 * Ranked knowledge-base search: BM25+ (MiniSearch) over title (×3), tags (×2) and body, with
 * stemming and stop words; plus an IDF-weighted query coverage (`match`) that is comparable
 * across queries, which the resolution policy thresholds on.
 */
export class KbSearch {
  private readonly index = new MiniSearch<Article>({
    fields: ['title', 'tags', 'body'],
    storeFields: [],
    extractField: (doc, field) => (field === 'tags' ? doc.tags.join(' ') : (doc as unknown as Record<string, string>)[field]!),
    tokenize: analyze,
    processTerm: (t) => t,
    searchOptions: {
      boost: { title: 3, tags: 2 },
      combineWith: 'OR',
      weights: { fuzzy: 0.3, prefix: 0 },
    },
  });
  private readonly articles = new Map<string, Article>();
  private readonly termsOf = new Map<string, Set<string>>();
  private readonly analyzed = new Map<string, AnalyzedArticle>();
  private readonly df = new Map<string, number>();

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
    this.index.add(article);
    const terms = new Set(analyze(`${article.title} ${article.tags.join(' ')} ${article.body}`));
    this.termsOf.set(article.id, terms);
    this.analyzed.set(article.id, analyzeArticle(article));
    for (const t of terms) this.df.set(t, (this.df.get(t) ?? 0) + 1);
  }

  remove(id: string): boolean {
    const article = this.articles.get(id);
    if (!article) return false;
    this.index.remove(article);
    this.articles.delete(id);
    for (const t of this.termsOf.get(id) ?? []) {
      const n = (this.df.get(t) ?? 1) - 1;
      if (n > 0) this.df.set(t, n);
      else this.df.delete(t);
    }
    this.termsOf.delete(id);
    this.analyzed.delete(id);
    return true;
  }

  passage(id: string, query: string): string | undefined {
    const article = this.articles.get(id);
    return article ? bestPassage(this.analyzed.get(id)!, analyze(query), (t) => this.idf(t)) : undefined;
  }

  private idf(term: string): number {
    const n = this.articles.size;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  search(query: string, limit = 5, filter?: { category?: string }): SearchHit[] {
    const queryTerms = [...new Set(analyze(query))];
    if (queryTerms.length === 0 || this.articles.size === 0) return [];
    // The analyzed, de-duplicated terms go to MiniSearch as they are (a long email repeats
    // words); typo tolerance only for short, chat-like queries, where it matters and is cheap.
    const results = this.index.search(queryTerms.join(' '), {
      tokenize: (q) => q.split(' '),
      processTerm: (t) => t,
      fuzzy: queryTerms.length <= FUZZY_MAX_TERMS ? (term) => (term.length >= 6 ? 1 : false) : false,
      filter: filter?.category ? (r) => this.articles.get(String(r.id))?.category === filter.category : undefined,
    });
    // Coverage counts only terms the knowledge base knows: words no article uses (names,
    // greetings, order numbers) say nothing about whether an article fits.
    const known = queryTerms.filter((t) => this.df.has(t));
    const totalIdf = known.reduce((s, t) => s + this.idf(t), 0);
    return results.slice(0, Math.max(1, limit)).map((r) => {
      const article = this.articles.get(String(r.id))!;
      const docTerms = this.termsOf.get(article.id)!;
      const matched = queryTerms.filter((t) => docTerms.has(t));
      const matchedIdf = matched.reduce((s, t) => s + this.idf(t), 0);
      return {
        id: article.id,
        title: article.title,
        category: article.category,
        score: round(r.score),
        match: totalIdf > 0 ? round(matchedIdf / totalIdf) : 0,
        matched_terms: matched.length,
        query_terms: queryTerms.length,
        snippet: bestSnippet(this.analyzed.get(article.id)!, queryTerms),
        content: bestPassage(this.analyzed.get(article.id)!, queryTerms, (t) => this.idf(t)),
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
  const sentences = article.body
    .replace(/^#+\s.*$/gm, '')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/[*_`#]/g, '').replace(/^\s*(>\s*|\d+\.\s*|-\s*)/, '').trim())
    .filter((s) => s.length > 20)
    .map((text) => ({ text, terms: new Set(analyze(text)) }));
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

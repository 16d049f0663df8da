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
const CONTENT_CHARS = 1400;

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
      fuzzy: (term) => (term.length >= 6 ? 1 : false),
      weights: { fuzzy: 0.3, prefix: 0.2 },
    },
  });
  private readonly articles = new Map<string, Article>();
  private readonly termsOf = new Map<string, Set<string>>();
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
    return true;
  }

  passage(id: string, query: string): string | undefined {
    const article = this.articles.get(id);
    return article ? bestPassage(article, analyze(query)) : undefined;
  }

  private idf(term: string): number {
    const n = this.articles.size;
    const df = this.df.get(term) ?? 0;
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  search(query: string, limit = 5, filter?: { category?: string }): SearchHit[] {
    const queryTerms = [...new Set(analyze(query))];
    if (queryTerms.length === 0 || this.articles.size === 0) return [];
    const results = this.index.search(query, {
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
        snippet: bestSnippet(article.body, queryTerms),
        content: bestPassage(article, queryTerms),
      };
    });
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function overlap(text: string, queryTerms: string[]): number {
  const terms = new Set(analyze(text));
  return queryTerms.reduce((n, t) => n + (terms.has(t) ? 1 : 0), 0);
}

/** The sentence of the body that shares the most terms with the query, trimmed for display. */
export function bestSnippet(body: string, queryTerms: string[]): string {
  const sentences = body
    .replace(/^#+\s.*$/gm, '')
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.replace(/[*_`#]/g, '').replace(/^\s*(>\s*|\d+\.\s*|-\s*)/, '').trim())
    .filter((s) => s.length > 20);
  let best = sentences[0] ?? '';
  let bestScore = -1;
  for (const s of sentences) {
    const score = overlap(s, queryTerms);
    if (score > bestScore) [best, bestScore] = [s, score];
  }
  return best.length > SNIPPET_CHARS ? best.slice(0, SNIPPET_CHARS - 1).replace(/\s+\S*$/, '') + '…' : best;
}

/** Lead paragraph plus the section that best matches the query (procedures preferred). */
export function bestPassage(article: Article, queryTerms: string[]): string {
  const sections = sectionsOf(article.body);
  const lead = sections[0] && !sections[0].heading ? sections[0] : undefined;
  let best: (typeof sections)[number] | undefined;
  let bestScore = -1;
  for (const s of sections) {
    if (s === lead) continue;
    const numbered = /^\s*\d+\.\s/m.test(s.text) ? 1.5 : 0;
    const score = overlap(`${s.heading} ${s.text}`, queryTerms) + numbered;
    if (score > bestScore) [best, bestScore] = [s, score];
  }
  const parts = [lead?.text, best ? `${best.heading ? `${best.heading}:\n` : ''}${best.text}` : undefined].filter(Boolean);
  const text = parts.join('\n\n');
  return text.length > CONTENT_CHARS ? text.slice(0, CONTENT_CHARS - 1).replace(/\s+\S*$/, '') + '…' : text;
}

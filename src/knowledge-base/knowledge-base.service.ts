import { Injectable, Logger } from '@nestjs/common';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import { parseMarkdownArticle, type Article } from './article.js';
import { KbSearch, type SearchHit } from './kb-search.js';

/**
 * The knowledge base: the shipped Markdown articles (KB_DIR) in a ranked in-memory index.
 * Persistence in the database arrives with the ticket store (issue 4); the search contract
 * stays the same.
 */
@Injectable()
export class KnowledgeBaseService {
  private readonly logger = new Logger('KnowledgeBase');
  private readonly index = new KbSearch();

  constructor(config: AppConfig) {
    const dir = resolve(config.env.KB_DIR);
    const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
    for (const f of files) {
      const path = join(dir, f);
      let article;
      try {
        article = parseMarkdownArticle(readFileSync(path, 'utf8'), statSync(path).mtime.toISOString());
      } catch (err) {
        throw new Error(`Knowledge-base article ${path}: ${(err as Error).message}`, { cause: err });
      }
      if (this.index.get(article.id)) throw new Error(`Knowledge-base article ${path}: id "${article.id}" is used by another file too`);
      this.index.upsert(article);
    }
    this.logger.log(`Indexed ${this.index.size} knowledge-base articles from ${dir}`);
  }

  search(query: string, limit = 5, category?: string): SearchHit[] {
    return this.index.search(query, limit, { category });
  }

  get(id: string): Article {
    const article = this.index.get(id);
    if (!article) throw new ProblemException(problem(404, 'article-not-found', `No knowledge-base article "${id}".`));
    return article;
  }

  exists(id: string): boolean {
    return this.index.get(id) !== undefined;
  }

  list(): Article[] {
    return this.index.all().sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The passage of article `id` that best answers `query` (for the resolution agent). */
  passage(id: string, query: string): string | undefined {
    return this.index.passage(id, query);
  }
}

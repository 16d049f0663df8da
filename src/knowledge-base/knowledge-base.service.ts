import { Injectable, Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import type { Article } from './article.js';
import { readArticleDir } from './article-files.js';
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
    for (const article of readArticleDir(config.env.KB_DIR)) this.index.upsert(article);
    this.logger.log(`Indexed ${this.index.size} knowledge-base articles from ${resolve(config.env.KB_DIR)}`);
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

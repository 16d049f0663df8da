import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { resolve } from 'node:path';
import { ProblemException, problem, type FieldError } from '../common/problem-details.js';
import { zodFieldErrors } from '../common/validation.js';
import { AppConfig } from '../config/configuration.js';
import { Database } from '../database/database.js';
import type { ArticleRow } from '../database/schema.js';
import { ARTICLE_ID_PATTERN, parseMarkdownArticle, type Article } from './article.js';
import { readArticleDir } from './article-files.js';
import { ArticlesRepository, toArticle, type ArticleInput, type WriteOutcome } from './articles.repository.js';
import { KbSearch, type SearchHit } from './kb-search.js';
import { ImportArticleSchema } from './knowledge-base.schemas.js';

export type StoredArticle = ReturnType<typeof toArticle>;

export interface ImportRequest {
  articles: ArticleInput[];
  markdown: { name?: string; content: string }[];
  on_existing: 'update' | 'skip' | 'fail';
}

export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  skipped: string[];
}

/**
 * The knowledge base: articles stored in the database (the source of truth) and a BM25+ index
 * in memory for ranking. The index is a read model: writes made here are applied to it before
 * the request returns, and writes made by other instances (PostgreSQL) are pulled before each
 * search by comparing the knowledge base's revision, so an updated article is found by its new
 * text at once, on every instance.
 */
@Injectable()
export class KnowledgeBaseService implements OnModuleInit {
  private readonly logger = new Logger('KnowledgeBase');
  private readonly index = new KbSearch();
  private seenRevision = 0;
  private pulling: Promise<void> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly articles: ArticlesRepository,
    private readonly database: Database,
  ) {}

  async onModuleInit(): Promise<void> {
    // Seed once: revision 0 means no article was ever written (deleting them all later does not re-seed).
    if ((await this.articles.revision()) === 0) {
      const shipped = readArticleDir(this.config.env.KB_DIR);
      await this.articles.write(shipped, { onExisting: 'skip' });
      this.logger.log(`Seeded ${shipped.length} knowledge-base articles from ${resolve(this.config.env.KB_DIR)}`);
    }
    await this.pull();
    this.logger.log(`Indexed ${this.index.size} knowledge-base articles (revision ${this.seenRevision})`);
  }

  async search(query: string, limit = 5, category?: string): Promise<SearchHit[]> {
    await this.catchUp();
    return this.index.search(query, limit, { category });
  }

  async get(id: string): Promise<StoredArticle> {
    if (!ARTICLE_ID_PATTERN.test(id)) throw notFound(id);
    const row = await this.articles.get(id);
    if (!row) throw notFound(id);
    return toArticle(row);
  }

  async list(options: { limit: number; after?: string; category?: string }): Promise<StoredArticle[]> {
    return (await this.articles.list(options)).map(toArticle);
  }

  /** Creates an article; 409 when the id is taken. */
  async create(article: ArticleInput): Promise<StoredArticle> {
    const { conflicts, rows } = await this.articles.write([article], { onExisting: 'fail' });
    if (conflicts.length) {
      throw new ProblemException(problem(409, 'article-exists', `An article with id "${article.id}" exists; use PUT /knowledge-base/articles/${article.id} to replace it.`));
    }
    await this.pull();
    return toArticle(rows.get(article.id)!);
  }

  /** Creates or replaces an article; with `expectedVersion` (If-Match) only if nobody changed it since. */
  async put(article: ArticleInput, expectedVersion?: number): Promise<{ article: StoredArticle; outcome: WriteOutcome }> {
    const { conflicts, rows, outcomes } = await this.articles.write([article], { onExisting: 'update', expectedVersion });
    if (conflicts.length) {
      throw new ProblemException(
        problem(412, 'version-mismatch', `Article "${article.id}" is not at version ${expectedVersion}; fetch it again and reapply your change.`),
      );
    }
    await this.pull();
    return { article: toArticle(rows.get(article.id)!), outcome: outcomes.get(article.id) as WriteOutcome };
  }

  async remove(id: string, expectedVersion?: number): Promise<void> {
    if (!ARTICLE_ID_PATTERN.test(id)) throw notFound(id);
    const outcome = await this.articles.remove(id, expectedVersion);
    if (outcome === 'not-found') throw notFound(id);
    if (outcome === 'conflict') throw new ProblemException(problem(412, 'version-mismatch', `Article "${id}" is not at version ${expectedVersion}.`));
    await this.pull();
  }

  /** Bulk import (JSON articles and Markdown files with front matter), all or nothing. */
  async import(request: ImportRequest): Promise<ImportResult> {
    const errors: FieldError[] = [];
    const all: { path: string; article: ArticleInput }[] = request.articles.map((article, i) => ({ path: `articles[${i}]`, article }));
    request.markdown.forEach((file, i) => {
      const path = `markdown[${i}]`;
      let parsed: unknown;
      try {
        parsed = parseMarkdownArticle(file.content);
      } catch (err) {
        errors.push({ path, message: `${file.name ? `${file.name}: ` : ''}${(err as Error).message}` });
        return;
      }
      // Held to the rules of a JSON article (category format, text in title and body, dates).
      const checked = ImportArticleSchema.safeParse(parsed);
      if (checked.success) all.push({ path, article: checked.data });
      else errors.push(...zodFieldErrors(checked.error, path));
    });
    const firstPath = new Map<string, string>();
    for (const { path, article } of all) {
      const first = firstPath.get(article.id);
      if (first) errors.push({ path: `${path}.id`, message: `"${article.id}" is also the id of ${first}` });
      else firstPath.set(article.id, path);
    }
    if (errors.length) throw ProblemException.validation(errors);
    if (all.length === 0) throw ProblemException.validation([{ path: 'articles', message: 'the import holds no articles' }]);

    const { outcomes, conflicts } = await this.articles.write(all.map((a) => a.article), { onExisting: request.on_existing });
    if (conflicts.length) {
      throw new ProblemException(
        problem(409, 'article-exists', `${conflicts.length} article(s) exist already (on_existing is "fail"); nothing was imported.`, {
          conflicts: conflicts.slice(0, 100),
        }),
      );
    }
    await this.pull();
    const result: ImportResult = { created: [], updated: [], unchanged: [], skipped: [] };
    for (const [id, outcome] of outcomes) result[outcome === 'skipped' ? 'skipped' : outcome].push(id);
    return result;
  }

  /** Synchronous look-ups for the agents' tool extractors, on the index the last search used. */
  exists(id: string): boolean {
    return this.index.get(id) !== undefined;
  }

  /** The passage of article `id` that best answers `query` (for the resolution agent). */
  passage(id: string, query: string): string | undefined {
    return this.index.passage(id, query);
  }

  get size(): number {
    return this.index.size;
  }

  /**
   * With PGlite this process is the only writer (the data directory is locked), and it applies
   * its own writes at once. With PostgreSQL other instances write too: one indexed look-up of
   * the revision per search tells whether to pull.
   */
  private async catchUp(): Promise<void> {
    if (this.database.kind === 'pglite') return;
    if ((await this.articles.revision()) > this.seenRevision) await this.pull();
  }

  /** Applies changes above the seen revision to the index; pulls run one after another. */
  private pull(): Promise<void> {
    const run = async () => {
      const rows = await this.articles.changedSince(this.seenRevision);
      for (const row of rows) this.apply(row);
      if (rows.length) this.seenRevision = rows.at(-1)!.revision;
    };
    // A pull started before our write may not see it: chain a new pull after the running one.
    const next = (this.pulling ?? Promise.resolve()).then(run, run);
    this.pulling = next;
    next.then(
      () => this.pulling === next && (this.pulling = undefined),
      () => this.pulling === next && (this.pulling = undefined),
    );
    return next;
  }

  private apply(row: ArticleRow): void {
    if (row.deletedAt) this.index.remove(row.id);
    else this.index.upsert({ id: row.id, title: row.title, body: row.body, category: row.category, tags: row.tags, updated_at: row.updatedAt.toISOString() } satisfies Article);
  }
}

function notFound(id: string): ProblemException {
  return new ProblemException(problem(404, 'article-not-found', `No knowledge-base article "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`));
}

import { Injectable } from '@nestjs/common';
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { storableInstant } from '../common/timestamp.js';
import { Database, type Db } from '../database/database.js';
import { kbArticles, kbState, type ArticleRow } from '../database/schema.js';
import type { Article } from './article.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type ArticleInput = Omit<Article, 'updated_at'> & { updated_at?: string };
export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/** The stored shape on the wire (DESIGN §3b, plus version and created_at). */
export function toArticle(row: ArticleRow): Article & { version: number; created_at: string } {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    category: row.category,
    tags: row.tags,
    updated_at: row.updatedAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    version: row.version,
  };
}

function sameContent(row: ArticleRow, a: ArticleInput): boolean {
  return row.deletedAt === null && row.title === a.title && row.body === a.body && row.category === a.category && JSON.stringify(row.tags) === JSON.stringify(a.tags);
}

/** A given updated_at (import, front matter) when it is a storable instant; otherwise the write's time. */
const validDate = (iso: string | undefined): Date | undefined => (iso ? storableInstant(iso) : undefined);

/**
 * Knowledge-base articles in the database. Every write first bumps the knowledge base's
 * revision (one row, so writers queue on its lock and revisions commit in order); each changed
 * article carries that revision, and deleted ones stay as tombstones. An instance's search index
 * catches up by reading the rows above the revision it has seen.
 */
@Injectable()
export class ArticlesRepository {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  async revision(): Promise<number> {
    const [row] = await this.db.select({ revision: kbState.revision }).from(kbState).where(eq(kbState.id, 1));
    return row?.revision ?? 0;
  }

  /** Changed and deleted articles above `revision`, oldest change first. */
  changedSince(revision: number): Promise<ArticleRow[]> {
    return this.db.select().from(kbArticles).where(gt(kbArticles.revision, revision)).orderBy(asc(kbArticles.revision));
  }

  async get(id: string): Promise<ArticleRow | undefined> {
    const [row] = await this.db.select().from(kbArticles).where(and(eq(kbArticles.id, id), isNull(kbArticles.deletedAt)));
    return row;
  }

  /** Live articles ordered by id, `limit` after the id `after` (keyset pagination). */
  list(options: { limit: number; after?: string; category?: string }): Promise<ArticleRow[]> {
    const conditions = [isNull(kbArticles.deletedAt)];
    if (options.after) conditions.push(gt(kbArticles.id, options.after));
    if (options.category) conditions.push(eq(kbArticles.category, options.category));
    return this.db.select().from(kbArticles).where(and(...conditions)).orderBy(asc(kbArticles.id)).limit(options.limit);
  }

  /**
   * Creates or replaces articles in one transaction (all or nothing). `expectedVersion` (one
   * article only) makes the write conditional: 'conflict' when the stored version differs.
   * `onExisting: 'skip'` leaves existing articles alone; 'fail' reports them as conflicts.
   */
  async write(
    articles: ArticleInput[],
    options: { onExisting: 'update' | 'skip' | 'fail'; expectedVersion?: number } = { onExisting: 'update' },
  ): Promise<{ outcomes: Map<string, WriteOutcome | 'skipped'>; conflicts: string[]; rows: Map<string, ArticleRow> }> {
    return this.db.transaction(async (tx) => {
      // Writers queue here first, so what we read below cannot change before we commit.
      await lockKnowledgeBase(tx);
      const existing = new Map<string, ArticleRow>();
      const ids = articles.map((a) => a.id);
      for (let i = 0; i < ids.length; i += 1000) {
        for (const row of await tx.select().from(kbArticles).where(inArray(kbArticles.id, ids.slice(i, i + 1000)))) existing.set(row.id, row);
      }
      const outcomes = new Map<string, WriteOutcome | 'skipped'>();
      const conflicts: string[] = [];
      const rows = new Map<string, ArticleRow>();
      const pending: ArticleInput[] = [];
      for (const article of articles) {
        const row = existing.get(article.id);
        const live = row && row.deletedAt === null;
        if (options.expectedVersion !== undefined && (live ? row.version : 0) !== options.expectedVersion) conflicts.push(article.id);
        else if (live && options.onExisting === 'fail') conflicts.push(article.id);
        else if (live && options.onExisting === 'skip') outcomes.set(article.id, 'skipped');
        else if (row && sameContent(row, article)) {
          outcomes.set(article.id, 'unchanged');
          rows.set(article.id, row);
        } else pending.push(article);
      }
      if (conflicts.length || pending.length === 0) return { outcomes, conflicts, rows };

      const revision = await bumpRevision(tx);
      for (let i = 0; i < pending.length; i += 500) {
        const values = pending.slice(i, i + 500).map((a) => ({
          id: a.id,
          title: a.title,
          body: a.body,
          category: a.category,
          tags: a.tags,
          revision,
          version: 1,
          updatedAt: validDate(a.updated_at) ?? sql`now()`,
          deletedAt: null,
        }));
        const written = await tx
          .insert(kbArticles)
          .values(values)
          .onConflictDoUpdate({
            target: kbArticles.id,
            set: {
              title: sql`excluded.title`,
              body: sql`excluded.body`,
              category: sql`excluded.category`,
              tags: sql`excluded.tags`,
              revision: sql`excluded.revision`,
              updatedAt: sql`excluded.updated_at`,
              deletedAt: sql`null`,
              version: sql`${kbArticles.version} + 1`,
            },
          })
          .returning();
        for (const row of written) {
          rows.set(row.id, row);
          outcomes.set(row.id, existing.get(row.id)?.deletedAt === null ? 'updated' : 'created');
        }
      }
      return { outcomes, conflicts, rows };
    });
  }

  /** Marks an article deleted (a tombstone, so other instances' indexes drop it too). */
  async remove(id: string, expectedVersion?: number): Promise<'deleted' | 'not-found' | 'conflict'> {
    return this.db.transaction(async (tx) => {
      await lockKnowledgeBase(tx);
      const [row] = await tx.select().from(kbArticles).where(and(eq(kbArticles.id, id), isNull(kbArticles.deletedAt)));
      if (!row) return 'not-found';
      if (expectedVersion !== undefined && row.version !== expectedVersion) return 'conflict';
      const revision = await bumpRevision(tx);
      await tx
        .update(kbArticles)
        .set({ deletedAt: sql`now()`, revision, version: row.version + 1 })
        .where(eq(kbArticles.id, id));
      return 'deleted';
    });
  }
}

async function lockKnowledgeBase(tx: Tx): Promise<void> {
  await tx.select({ id: kbState.id }).from(kbState).where(eq(kbState.id, 1)).for('update');
}

async function bumpRevision(tx: Tx): Promise<number> {
  const [row] = await tx
    .update(kbState)
    .set({ revision: sql`${kbState.revision} + 1` })
    .where(eq(kbState.id, 1))
    .returning({ revision: kbState.revision });
  return row!.revision;
}

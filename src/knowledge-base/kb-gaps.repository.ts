import { Injectable } from '@nestjs/common';
import { and, count, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { AppConfig } from '../config/configuration.js';
import { Database, type Db } from '../database/database.js';
import { kbArticles, ticketEvents, tickets } from '../database/schema.js';
import { GAP_NOTE_PREFIXES, GapGrouper, gapOf, type GapGroup } from './kb-gaps.js';

/** Gap tickets read per query. Each carries its inquiry (up to 20,000 characters): ≤ 10 MB a page. */
export const GAPS_PAGE_SIZE = 500;
/**
 * Gap tickets grouped per answer, newest first. Each costs ≈ 0.5 KB while grouping (terms and a
 * sample, not the text); beyond the cap the oldest of the range are left out and `truncated` says so.
 */
export const MAX_GAP_TICKETS = 50_000;

export interface KbGapsQuery {
  /** Tickets created in [from, to). */
  from: Date;
  to: Date;
  category?: string;
  /** Groups with fewer tickets are left out. */
  minCount: number;
  /** Groups returned, largest first. */
  limit: number;
}

export interface KbGapsReport {
  from: string;
  to: string;
  /** Tickets of the range the agents resolved or escalated (that have a resolution event). */
  tickets_considered: number;
  /** Those whose latest resolution escalated because no article fit (at most MAX_GAP_TICKETS when truncated). */
  gap_tickets: number;
  /** Groups with at least min_count tickets, before `limit`. */
  groups_total: number;
  groups: GapGroup[];
  /** True when the range held more than MAX_GAP_TICKETS gaps: only the newest were grouped. */
  truncated: boolean;
}

type EventData = Record<string, unknown>;

/** A ticket's resolution events: the ones the workflow writes when the agents answer or escalate. */
const RESOLUTION_EVENT = (ticketId: SQL | typeof tickets.id) =>
  and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.type, 'resolution'), eq(ticketEvents.actor, 'resolution_agent'));

/**
 * The keyset cursor keeps created_at at full (microsecond) precision as UTC ISO text, as the
 * monitoring report does: a JS Date would truncate it and re-read tickets of the same millisecond.
 */
const CURSOR = sql<string>`to_char(${tickets.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * `GET /knowledge-base/gaps`: the tickets the knowledge base could not answer, grouped by topic.
 *
 * Two statements, then pages: a count of the range's tickets that have a resolution event; then
 * the candidate gaps, newest first, in keyset pages of GAPS_PAGE_SIZE by (created_at, seq) with
 * each ticket's latest resolution event joined laterally (index on ticket_events (ticket_id, id)).
 * Each page is classified (gapOf) and analysed (GapGrouper.add) before the next is read, and the
 * titles of articles named only in notes are read once per page. Pages are separate statements,
 * not one snapshot: a ticket changing meanwhile counts as it was when its page was read.
 */
@Injectable()
export class KbGapsRepository {
  constructor(
    private readonly database: Database,
    private readonly config: AppConfig,
  ) {}

  private get db(): Db {
    return this.database.db;
  }

  async report(query: KbGapsQuery, pageSize = GAPS_PAGE_SIZE, maxGaps = MAX_GAP_TICKETS): Promise<KbGapsReport> {
    const considered = await this.countConsidered(query);
    const grouper = new GapGrouper();
    const titles = new Map<string, string>();
    let truncated = false;
    let cursor: { createdAt: string; seq: number } | undefined;
    read: for (;;) {
      const rows = await this.candidates(query, cursor, pageSize);
      const verdicts = rows.map((r) => ({ row: r, gap: gapOf(r.data, r.inquiryText, this.config.env.REFUND_AUTO_LIMIT) }));
      const unknown = [...new Set(verdicts.flatMap(({ gap }) => (gap?.best_article && gap.best_article.title === null && !titles.has(gap.best_article.id) ? [gap.best_article.id] : [])))];
      if (unknown.length) {
        // Deleted articles keep their row (a tombstone), so their titles are found too.
        const found = await this.db.select({ id: kbArticles.id, title: kbArticles.title }).from(kbArticles).where(inArray(kbArticles.id, unknown));
        for (const id of unknown) titles.set(id, found.find((a) => a.id === id)?.title ?? id);
      }
      for (const { row, gap } of verdicts) {
        if (!gap) continue;
        if (grouper.size === maxGaps) {
          truncated = true;
          break read;
        }
        grouper.add({
          ticket_id: row.id,
          inquiry_text: row.inquiryText,
          category: row.category,
          created_at: row.createdAt,
          best_match: gap.best_match,
          best_article: gap.best_article && { id: gap.best_article.id, title: gap.best_article.title ?? titles.get(gap.best_article.id)! },
          reason: gap.reason,
        });
      }
      if (rows.length < pageSize) break;
      const last = rows[rows.length - 1]!;
      cursor = { createdAt: last.cursor, seq: last.seq };
    }
    const { total, groups } = grouper.finish({ minCount: query.minCount, limit: query.limit });
    return {
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      tickets_considered: considered,
      gap_tickets: grouper.size,
      groups_total: total,
      groups,
      truncated,
    };
  }

  private range(query: Pick<KbGapsQuery, 'from' | 'to' | 'category'>): SQL[] {
    const conditions = [gte(tickets.createdAt, query.from), lt(tickets.createdAt, query.to)];
    if (query.category !== undefined) conditions.push(eq(tickets.category, query.category));
    return conditions;
  }

  /** Tickets of the range (and category) the agents resolved or escalated: with a resolution event. */
  async countConsidered(query: Pick<KbGapsQuery, 'from' | 'to' | 'category'>): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(tickets)
      .where(and(...this.range(query), sql`exists (${this.db.select({ one: sql`1` }).from(ticketEvents).where(RESOLUTION_EVENT(tickets.id))})`));
    return Number(row?.n ?? 0);
  }

  /** One page of candidate gaps older than the cursor, newest first, with what gapOf reads of their latest resolution event. */
  private async candidates(query: KbGapsQuery, cursor: { createdAt: string; seq: number } | undefined, pageSize: number) {
    const latest = this.db
      .select({ data: sql<EventData>`${ticketEvents.data}`.as('data') })
      .from(ticketEvents)
      .where(RESOLUTION_EVENT(tickets.id))
      .orderBy(desc(ticketEvents.id))
      .limit(1)
      .as('latest_resolution');
    const conditions = this.range(query);
    if (cursor) {
      // `created_at <= c` first, so the created_at index bounds the scan.
      const c = sql`${cursor.createdAt}::timestamptz`;
      conditions.push(sql`${tickets.createdAt} <= ${c} and (${tickets.createdAt} < ${c} or ${tickets.seq} < ${cursor.seq})`);
    }
    // A superset of what gapOf calls a gap, so only candidates leave the database: escalated, and
    // the offline policy's no-fit notes or the workflow's kb.no_article_fit flag.
    const notes = sql`${latest.data}->'output'->>'resolution_notes'`;
    conditions.push(
      sql`${latest.data}->>'status' = 'escalated'`,
      sql`(${sql.join(
        GAP_NOTE_PREFIXES.map((p) => sql`${notes} like ${`${p}%`}`),
        sql` or `,
      )} or ${latest.data}->'kb'->'no_article_fit' = 'true'::jsonb)`,
    );
    return this.db
      .select({
        id: tickets.id,
        seq: tickets.seq,
        createdAt: tickets.createdAt,
        category: tickets.category,
        inquiryText: tickets.inquiryText,
        cursor: CURSOR,
        // Only what gapOf reads (not the reply, the run's usage or the actions).
        data: sql<{ status?: unknown; output?: unknown; kb?: unknown }>`jsonb_build_object(
          'status', ${latest.data}->'status',
          'output', jsonb_build_object('resolution_notes', ${notes}),
          'kb', ${latest.data}->'kb')`,
      })
      .from(tickets)
      .innerJoinLateral(latest, sql`true`)
      .where(and(...conditions))
      .orderBy(desc(tickets.createdAt), desc(tickets.seq))
      .limit(pageSize);
  }
}

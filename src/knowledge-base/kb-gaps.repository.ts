import { Injectable } from '@nestjs/common';
import { and, count, desc, eq, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { AppConfig } from '../config/configuration.js';
import { Database, type Db } from '../database/database.js';
import { kbArticles, ticketEvents, tickets } from '../database/schema.js';
import { GAP_NOTE_PREFIXES, GapGrouper, gapOf, UNCATEGORIZED, type GapGroup } from './kb-gaps.js';

/** Gap tickets read per query. Each carries its inquiry (up to 20,000 characters): ≤ 10 MB a page. */
export const GAPS_PAGE_SIZE = 500;
/**
 * Gap tickets grouped per answer, newest first. Each costs ≈ 0.2-0.5 KB while grouping (at most 64
 * terms and a sample, not the text); beyond the cap the oldest of the range are left out and
 * `truncated` says so.
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
  /** Tickets of the range whose latest run ended in a resolution (the agents resolved or escalated them). */
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

/**
 * The events that record how a run of the agents ended (or what ended it): answered or escalated
 * (`resolution`), a question to the customer, paused for an approval, the approval expired, a
 * guardrail stopped it, it failed. Only the latest of them says what the ticket's latest run did:
 * a gap verdict of an earlier run is stale once a later run ended otherwise.
 */
export const RUN_OUTCOME_EVENTS = ['resolution', 'clarification_requested', 'approval_requested', 'approval_expired', 'guardrail_tripped', 'run_failed'];

/**
 * The keyset cursor keeps created_at at full (microsecond) precision as UTC ISO text, as the
 * monitoring report does: a JS Date would truncate it and re-read tickets of the same millisecond.
 */
const CURSOR = sql<string>`to_char(${tickets.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Lets the event loop run other work (requests, timers) between pages. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `GET /knowledge-base/gaps`: the tickets the knowledge base could not answer, grouped by topic.
 *
 * Two statements, then pages: a count of the range's tickets whose latest run-outcome event
 * (RUN_OUTCOME_EVENTS) is the agents' resolution; then the candidate gaps, newest first, in keyset
 * pages of GAPS_PAGE_SIZE by (created_at, seq) with each ticket's latest run-outcome event joined
 * laterally (index on ticket_events (ticket_id, id)).
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
    // Between pages and while grouping, the event loop runs other requests (yieldToEventLoop).
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
      await yieldToEventLoop();
    }
    const { total, groups } = await grouper.finishAsync({ minCount: query.minCount, limit: query.limit });
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
    if (query.category === UNCATEGORIZED) {
      // What the groups report as `uncategorized`: tickets triage set no category on.
      conditions.push(or(isNull(tickets.category), eq(tickets.category, UNCATEGORIZED))!);
    } else if (query.category !== undefined) {
      conditions.push(eq(tickets.category, query.category));
    }
    return conditions;
  }

  /**
   * Each ticket's latest run-outcome event (joined laterally; the index on ticket_events
   * (ticket_id, id) reads it backwards), and the condition that it is a resolution by the agents.
   */
  private latestOutcome() {
    const latest = this.db
      .select({
        type: sql<string>`${ticketEvents.type}`.as('type'),
        actor: sql<string>`${ticketEvents.actor}`.as('actor'),
        data: sql<EventData>`${ticketEvents.data}`.as('data'),
      })
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, tickets.id), inArray(ticketEvents.type, RUN_OUTCOME_EVENTS)))
      .orderBy(desc(ticketEvents.id))
      .limit(1)
      .as('latest_outcome');
    return { latest, isResolution: and(sql`${latest.type} = 'resolution'`, sql`${latest.actor} = 'resolution_agent'`)! };
  }

  /** Tickets of the range (and category) whose latest run ended in a resolution by the agents (resolved or escalated). */
  async countConsidered(query: Pick<KbGapsQuery, 'from' | 'to' | 'category'>): Promise<number> {
    const { latest, isResolution } = this.latestOutcome();
    const [row] = await this.db
      .select({ n: count() })
      .from(tickets)
      .innerJoinLateral(latest, sql`true`)
      .where(and(...this.range(query), isResolution));
    return Number(row?.n ?? 0);
  }

  /** One page of candidate gaps older than the cursor, newest first, with what gapOf reads of their latest run outcome (a resolution). */
  private async candidates(query: KbGapsQuery, cursor: { createdAt: string; seq: number } | undefined, pageSize: number) {
    const { latest, isResolution } = this.latestOutcome();
    const conditions = [...this.range(query), isResolution];
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
        // Only what gapOf reads (not the reply or the run's usage).
        data: sql<{ status?: unknown; output?: unknown; kb?: unknown; actions?: unknown }>`jsonb_build_object(
          'status', ${latest.data}->'status',
          'output', jsonb_build_object('resolution_notes', ${notes}),
          'kb', ${latest.data}->'kb',
          'actions', ${latest.data}->'actions')`,
      })
      .from(tickets)
      .innerJoinLateral(latest, sql`true`)
      .where(and(...conditions))
      .orderBy(desc(tickets.createdAt), desc(tickets.seq))
      .limit(pageSize);
  }
}

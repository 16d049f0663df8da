import { Injectable } from '@nestjs/common';
import { and, asc, count, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { ProblemException, type FieldError } from '../common/problem-details.js';
import { Database, type Db } from '../database/database.js';
import { ticketEvents, tickets } from '../database/schema.js';
import type { SlaTargets } from './sla.js';
import { StoredReportBuilder, type ReportGroup, type ReportGroupBy, type StoredEvent, type StoredTicketHistory } from './stored-updates.js';
import { STORABLE_TIMESTAMP_MESSAGE, storableInstant } from '../common/timestamp.js';

/** Tickets per keyset page: one engine pass and two queries per page. */
export const REPORT_PAGE_SIZE = 5_000;
export const DEFAULT_REPORT_DAYS = 30;
export const MAX_REPORT_DAYS = 366;
/**
 * The report keeps one small facts object per ticket until the end (the p90 needs all resolution
 * times of a group), ≈ 150 bytes each: a million tickets is ≈ 150 MB. Beyond that it refuses.
 */
export const MAX_REPORT_TICKETS = 1_000_000;

const DAY = 86_400_000;

export interface ReportQuery {
  /** Tickets created in [from, to). */
  from: Date;
  to: Date;
  groupBy?: ReportGroupBy;
  targets: SlaTargets;
}

export interface MonitoringReport {
  from: string;
  to: string;
  group_by: ReportGroupBy | null;
  sla_targets: SlaTargets;
  tickets: number;
  groups: ReportGroup[];
  generated_at: string;
}

/**
 * The report's range from the query strings (already checked to be timestamps): `to` defaults
 * to now and `from` to 30 days before `to`; `from` must be before `to` and the range at most
 * 366 days. An error names the field the client gave (`to` when both were given).
 */
export function resolveReportRange(input: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const to = input.to !== undefined ? (storableInstant(input.to) ?? new Date(NaN)) : now;
  const from = input.from !== undefined ? (storableInstant(input.from) ?? new Date(NaN)) : new Date(to.getTime() - DEFAULT_REPORT_DAYS * DAY);
  const errors: FieldError[] = [];
  if (Number.isNaN(from.getTime())) errors.push({ path: 'from', message: STORABLE_TIMESTAMP_MESSAGE });
  if (Number.isNaN(to.getTime())) errors.push({ path: 'to', message: STORABLE_TIMESTAMP_MESSAGE });
  if (errors.length) throw ProblemException.validation(errors);
  const toGiven = input.to !== undefined;
  if (from.getTime() >= to.getTime()) {
    throw ProblemException.validation([
      toGiven ? { path: 'to', message: 'must be after from' } : { path: 'from', message: `must be before to (now: ${to.toISOString()})` },
    ]);
  }
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY) {
    throw ProblemException.validation([
      toGiven
        ? { path: 'to', message: `must be at most ${MAX_REPORT_DAYS} days after from` }
        : { path: 'from', message: `must be at most ${MAX_REPORT_DAYS} days before to (now: ${to.toISOString()})` },
    ]);
  }
  return { from, to };
}

/** The group key of a ticket, computed by the database. `day` is the UTC date of creation. */
const GROUP_KEY: Record<ReportGroupBy, SQL<string | null>> = {
  category: sql<string | null>`${tickets.category}`,
  priority: sql<string | null>`${tickets.priority}`,
  channel: sql<string | null>`${tickets.channel}`,
  day: sql<string | null>`to_char(${tickets.createdAt} at time zone 'UTC', 'YYYY-MM-DD')`,
};

/**
 * The keyset cursor keeps created_at at full (microsecond) precision as UTC ISO text: a JS Date
 * has milliseconds only, and a truncated cursor would read tickets of the same millisecond twice.
 */
const CURSOR = sql<string>`to_char(${tickets.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * `GET /monitoring/report`: the metric rules of `POST /run_performance_monitoring/` over the
 * tickets stored in the database, plus the resolution quality of each group (automated and
 * verified resolutions, from `tickets.verification`). Read-only; sends no alert and runs no agent.
 *
 * The database selects the tickets created in the range (index on created_at), computes their
 * group keys and extracts from each event only its status and csat score; the tickets are read
 * in keyset pages of REPORT_PAGE_SIZE ordered by (created_at, seq), each page's events in one
 * query (index on ticket_id, id), and each page is turned into ticket facts before the next is
 * read. Pages are separate statements, not one snapshot: a ticket changing while the report runs
 * counts as it was when its page was read.
 */
@Injectable()
export class MonitoringReportRepository {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  async report(query: ReportQuery, pageSize = REPORT_PAGE_SIZE): Promise<MonitoringReport> {
    const generatedAt = new Date();
    const total = await this.countTickets(query);
    if (total > MAX_REPORT_TICKETS) {
      throw ProblemException.validation([
        {
          path: 'from',
          message: `the range holds ${total} tickets, more than the ${MAX_REPORT_TICKETS} one report covers: narrow from/to`,
        },
      ]);
    }
    const builder = new StoredReportBuilder(query.groupBy);
    for await (const page of this.pages(query, pageSize)) builder.addPage(page);
    return {
      from: query.from.toISOString(),
      to: query.to.toISOString(),
      group_by: query.groupBy ?? null,
      sla_targets: query.targets,
      tickets: builder.tickets,
      groups: builder.finish(query.targets),
      generated_at: generatedAt.toISOString(),
    };
  }

  /** Tickets created in the range (an index range count). */
  async countTickets(query: Pick<ReportQuery, 'from' | 'to'>): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(tickets)
      .where(and(gte(tickets.createdAt, query.from), lt(tickets.createdAt, query.to)));
    return Number(row?.n ?? 0);
  }

  /** The tickets created in the range with their events, `pageSize` tickets at a time. */
  async *pages(query: Pick<ReportQuery, 'from' | 'to' | 'groupBy'>, pageSize = REPORT_PAGE_SIZE): AsyncGenerator<StoredTicketHistory[]> {
    const groupKey = query.groupBy ? GROUP_KEY[query.groupBy] : sql<string | null>`null`;
    let cursor: { createdAt: string; seq: number } | undefined;
    for (;;) {
      const conditions: SQL[] = [gte(tickets.createdAt, query.from), lt(tickets.createdAt, query.to)];
      if (cursor) {
        // `created_at >= c` first, so the created_at index bounds the scan.
        const c = sql`${cursor.createdAt}::timestamptz`;
        conditions.push(sql`${tickets.createdAt} >= ${c} and (${tickets.createdAt} > ${c} or ${tickets.seq} > ${cursor.seq})`);
      }
      const rows = await this.db
        .select({
          id: tickets.id,
          seq: tickets.seq,
          createdAt: tickets.createdAt,
          priority: tickets.priority,
          category: tickets.category,
          groupKey,
          cursor: CURSOR,
          // Resolution quality: only the verification's status and the resolution it is about.
          verificationStatus: sql<string | null>`${tickets.verification}->>'status'`,
          verificationResolution: sql<string | null>`${tickets.verification}->>'resolution_event_id'`,
        })
        .from(tickets)
        .where(and(...conditions))
        .orderBy(asc(tickets.createdAt), asc(tickets.seq))
        .limit(pageSize);
      if (rows.length === 0) return;

      const events = await this.db
        .select({
          id: ticketEvents.id,
          ticketId: ticketEvents.ticketId,
          type: ticketEvents.type,
          actor: ticketEvents.actor,
          at: ticketEvents.at,
          // Only what the rules read: the payloads (model outputs, replies) stay in the database.
          status: sql<string | null>`${ticketEvents.data}->>'status'`,
          score: sql<string | null>`case when ${ticketEvents.type} = 'csat' then ${ticketEvents.data}->>'score' end`,
        })
        .from(ticketEvents)
        .where(inArray(ticketEvents.ticketId, rows.map((r) => r.id)))
        .orderBy(asc(ticketEvents.ticketId), asc(ticketEvents.id));
      const byTicket = new Map<string, StoredEvent[]>();
      for (const e of events) {
        let list = byTicket.get(e.ticketId);
        if (!list) byTicket.set(e.ticketId, (list = []));
        list.push({ id: e.id, type: e.type, actor: e.actor, at: e.at, data: { status: e.status ?? undefined, score: e.score ?? undefined } });
      }
      yield rows.map((r) => ({
        ticket: {
          id: r.id,
          createdAt: r.createdAt,
          priority: r.priority,
          category: r.category,
          verification: r.verificationStatus === null ? null : { status: r.verificationStatus, resolutionEventId: r.verificationResolution },
        },
        events: byTicket.get(r.id) ?? [],
        groupKey: r.groupKey,
      }));
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1]!;
      cursor = { createdAt: last.cursor, seq: last.seq };
    }
  }
}

import { Injectable } from '@nestjs/common';
import { and, asc, eq, gt, gte, lte, sql, type SQL } from 'drizzle-orm';
import { Database, type Db } from '../database/database.js';
import { ticketEvents, tickets, type TicketEventRow } from '../database/schema.js';
import type { Verification } from './verification-rules.js';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

/** What a review reads of a ticket. */
export interface VerificationSubject {
  id: string;
  status: string;
  inquiryText: string;
  resolution: unknown;
  /** Why a guardrail flagged the ticket for a person (`field` says which text), or null. */
  review: unknown;
  verification: Record<string, unknown> | null;
  events: TicketEventRow[];
}

/** The automated "resolved" (verification-rules.ts `isAutomatedResolution`) in SQL. */
const automatedResolution = (since?: Date): SQL =>
  and(
    eq(ticketEvents.type, 'resolution'),
    eq(ticketEvents.actor, 'resolution_agent'),
    sql`${ticketEvents.data}->>'status' = 'resolved'`,
    ...(since ? [gte(ticketEvents.at, since)] : []),
  )!;

/** `tickets.verification` and the `resolution_verified|not_verified` events, over the Drizzle `Database`. */
@Injectable()
export class VerificationRepository {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** The ticket and its events (in the order recorded); `lock`: the row locked for this transaction. */
  async load(ticketId: string, executor: Executor = this.db, lock = false): Promise<VerificationSubject | undefined> {
    const query = executor
      .select({ id: tickets.id, status: tickets.status, inquiryText: tickets.inquiryText, resolution: tickets.resolution, review: tickets.review, verification: tickets.verification })
      .from(tickets)
      .where(eq(tickets.id, ticketId));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) return undefined;
    const events = await executor.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.id));
    return { ...row, review: row.review ?? null, verification: row.verification ?? null, events };
  }

  /**
   * Stores the verification; with `event` (the outcome changed) appends it and touches
   * `updated_at`, like every other event. Without one the ticket's `updated_at` stays: storing
   * "pending" or a new method for the same outcome changes nothing a client acts on.
   */
  async save(tx: Tx, ticketId: string, verification: Verification, event?: { type: string; data: Record<string, unknown> }): Promise<void> {
    await tx
      .update(tickets)
      .set({ verification: verification as unknown as Record<string, unknown>, ...(event ? { updatedAt: sql`now()` } : {}) })
      .where(eq(tickets.id, ticketId));
    if (event) await tx.insert(ticketEvents).values({ ticketId, type: event.type, actor: 'system', data: event.data });
  }

  /**
   * One keyset page (by ticket id) of tickets due for review: their latest automated resolution
   * was recorded at least `windowHours` ago (by the database's clock; and at or after `since`,
   * when given) and their verification was never computed (null) or is still pending. A ticket
   * within its window is not due: the sweep decides silence, the review after a customer's event
   * decides the rest.
   */
  async candidates(options: { afterId: string; limit: number; windowHours: number; since?: Date }): Promise<string[]> {
    const later = sql`select 1 from ${ticketEvents} later where later.ticket_id = ${ticketEvents.ticketId} and later.id > ${ticketEvents.id} and later.type = 'resolution' and later.actor = 'resolution_agent' and later.data->>'status' = 'resolved'`;
    const rows = await this.db
      .selectDistinct({ id: ticketEvents.ticketId })
      .from(ticketEvents)
      .innerJoin(tickets, eq(tickets.id, ticketEvents.ticketId))
      .where(
        and(
          automatedResolution(options.since),
          lte(ticketEvents.at, sql`now() - make_interval(hours => ${options.windowHours})`),
          gt(ticketEvents.ticketId, options.afterId),
          sql`(${tickets.verification} is null or ${tickets.verification}->>'status' = 'pending')`,
          sql`not exists (${later})`,
        ),
      )
      .orderBy(asc(ticketEvents.ticketId))
      .limit(options.limit);
    return rows.map((r) => r.id);
  }
}

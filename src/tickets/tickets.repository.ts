import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { Database, type Db } from '../database/database.js';
import { approvals, ticketEvents, tickets, type ApprovalRow, type TicketEventRow, type TicketRow } from '../database/schema.js';
import type { TicketStatus } from './ticket-status.js';
import type { TicketListQuery } from './tickets.schemas.js';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type Executor = Db | Tx;

export interface NewEvent {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

/** The list query with its cursor decoded: tickets older (lower seq) than `before_seq`. */
export type TicketFilter = Omit<TicketListQuery, 'cursor'> & { before_seq?: number };

/** Tickets and their event log. Every status change is written with its event in one transaction. */
@Injectable()
export class TicketsRepository {
  constructor(private readonly database: Database) {}

  get db(): Db {
    return this.database.db;
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /**
   * A new ticket ("queued" unless a guardrail stopped it) with its first events. Its text is
   * already redacted: `redaction` records the version applied (0 when redaction was partial or off).
   */
  async insert(
    tx: Tx,
    ticket: { id: string; inquiryText: string; metadata: Record<string, unknown>; status?: TicketStatus; review?: Record<string, unknown>; redaction: number },
    ...events: NewEvent[]
  ): Promise<TicketRow> {
    const metadata = ticket.metadata as { channel?: string; customer_id?: string };
    const [row] = await tx
      .insert(tickets)
      .values({ ...ticket, status: ticket.status ?? 'queued', channel: metadata.channel ?? null, customerId: metadata.customer_id ?? null })
      .returning();
    for (const event of events) await tx.insert(ticketEvents).values({ ticketId: ticket.id, ...event });
    return row!;
  }

  async get(id: string, executor: Executor = this.db): Promise<TicketRow | undefined> {
    const [row] = await executor.select().from(tickets).where(eq(tickets.id, id));
    return row;
  }

  /** The row locked for this transaction: concurrent events on one ticket apply one after another. */
  async getForUpdate(tx: Tx, id: string): Promise<TicketRow | undefined> {
    const [row] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
    return row;
  }

  events(ticketId: string, executor: Executor = this.db): Promise<TicketEventRow[]> {
    return executor.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)).orderBy(asc(ticketEvents.id));
  }

  async addEvent(executor: Executor, ticketId: string, event: NewEvent): Promise<TicketEventRow> {
    const [row] = await executor.insert(ticketEvents).values({ ticketId, ...event }).returning();
    return row!;
  }

  /** Updates the ticket and appends the event that explains the change, atomically. */
  async update(ticketId: string, set: Partial<typeof tickets.$inferInsert>, event: NewEvent, executor?: Tx): Promise<TicketRow> {
    const write = async (tx: Tx) => {
      const [row] = await tx.update(tickets).set({ ...set, updatedAt: sql`now()` }).where(eq(tickets.id, ticketId)).returning();
      await tx.insert(ticketEvents).values({ ticketId, ...event });
      return row!;
    };
    return executor ? write(executor) : this.transaction(write);
  }

  /**
   * A workflow run's write: only while the run still owns the ticket (status "processing" at the
   * attempt it claimed — a fencing token), renewing its lease. Returns undefined, writing
   * nothing, when the lease expired and another run took the ticket over.
   *
   * `finalAfterEventId` marks the run's last write: if the customer wrote after the events the
   * run read, the ticket goes back to "queued" instead (the outcome is kept as the event) and
   * `requeued` is true — the row lock makes this exact against a reply being recorded.
   */
  async updateRun(
    ticketId: string,
    attempt: number,
    set: Partial<typeof tickets.$inferInsert>,
    event: NewEvent,
    leaseSeconds: number,
    finalAfterEventId?: number,
    also?: (tx: Tx) => Promise<void>,
  ): Promise<{ row: TicketRow; requeued: boolean } | undefined> {
    return this.transaction(async (tx) => {
      const owned = and(eq(tickets.id, ticketId), eq(tickets.status, 'processing'), eq(tickets.attempts, attempt));
      const [locked] = await tx.select({ id: tickets.id }).from(tickets).where(owned).for('update');
      if (!locked) return undefined;
      const requeued = finalAfterEventId !== undefined && (await this.hasUnreadReply(tx, ticketId, finalAfterEventId));
      // Requeued: the agents run again with the reply, so a pause this run reached is dropped (and `also` skipped).
      const values = requeued
        ? { ...set, status: 'queued', leaseUntil: null, runState: null, runBackend: null }
        : { leaseUntil: sql`now() + make_interval(secs => ${leaseSeconds})`, ...set };
      if (!requeued && also) await also(tx);
      const [row] = await tx
        .update(tickets)
        .set({ ...values, updatedAt: sql`now()` })
        .where(owned)
        .returning();
      await tx.insert(ticketEvents).values({ ticketId, ...event, data: requeued ? { ...event.data, status: 'queued', superseded_by_reply: true } : event.data });
      return { row: row!, requeued };
    });
  }

  /**
   * Takes the ticket for a workflow run: only from a status that allows it, or from a run whose
   * lease expired (its process died). Returns undefined when another run holds it. With
   * `staleQueuedOnly`, a "queued" ticket is taken only once it sat untouched for 30 s (the request
   * that queued it may be about to run it). `event` (a retry) is recorded only when the claim
   * succeeds, in the same transaction, with the attempt number it started.
   */
  async claim(
    ticketId: string,
    from: TicketStatus[],
    leaseSeconds: number,
    options: { event?: NewEvent; staleQueuedOnly?: boolean } = {},
  ): Promise<TicketRow | undefined> {
    const others = from.filter((s) => !(options.staleQueuedOnly && s === 'queued'));
    const takeable = [
      ...(others.length ? [inArray(tickets.status, others)] : []),
      ...(options.staleQueuedOnly && from.includes('queued') ? [and(eq(tickets.status, 'queued'), lt(tickets.updatedAt, sql`now() - interval '30 seconds'`))] : []),
      and(eq(tickets.status, 'processing'), lt(tickets.leaseUntil, sql`now()`)),
    ];
    return this.transaction(async (tx) => {
      const [row] = await tx
        .update(tickets)
        .set({
          status: 'processing',
          attempts: sql`${tickets.attempts} + 1`,
          leaseUntil: sql`now() + make_interval(secs => ${leaseSeconds})`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(tickets.id, ticketId), or(...takeable)))
        .returning();
      if (row && options.event) await tx.insert(ticketEvents).values({ ticketId, ...options.event, data: { ...options.event.data, attempt: row.attempts } });
      return row;
    });
  }

  /**
   * Tickets nobody is running: "queued" for over 30 s (the request that queued it runs it at
   * once) or "processing" with an expired lease — or, with `upToSeq` (the only process, at
   * start-up), every queued and processing ticket that existed before it started.
   */
  async abandoned(upToSeq?: number, limit = 100): Promise<string[]> {
    const where =
      upToSeq !== undefined
        ? and(inArray(tickets.status, ['queued', 'processing']), lte(tickets.seq, upToSeq))
        : or(
            and(eq(tickets.status, 'queued'), lt(tickets.updatedAt, sql`now() - interval '30 seconds'`)),
            and(eq(tickets.status, 'processing'), lt(tickets.leaseUntil, sql`now()`)),
          );
    const rows = await this.db.select({ id: tickets.id }).from(tickets).where(where).orderBy(asc(tickets.seq)).limit(limit);
    return rows.map((r) => r.id);
  }

  /** The newest ticket's insertion number (0 when there is none). */
  async maxSeq(): Promise<number> {
    const [row] = await this.db.select({ seq: sql<number>`coalesce(max(${tickets.seq}), 0)`.mapWith(Number) }).from(tickets);
    return row?.seq ?? 0;
  }

  /** Whether the customer wrote after event `afterEventId` (a reply the running workflow has not read). */
  async hasUnreadReply(executor: Executor, ticketId: string, afterEventId: number): Promise<boolean> {
    const [row] = await executor
      .select({ id: ticketEvents.id })
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, ticketId), eq(ticketEvents.type, 'customer_reply'), gt(ticketEvents.id, afterEventId)))
      .limit(1);
    return row !== undefined;
  }

  /** A paused run's approval requests, written with the pause. */
  async insertApprovals(tx: Tx, rows: (typeof approvals.$inferInsert)[]): Promise<void> {
    if (rows.length) await tx.insert(approvals).values(rows);
  }

  /** The ticket's approvals for the given tool calls (a paused run's). */
  approvalsFor(ticketId: string, callIds: string[], executor: Executor = this.db): Promise<ApprovalRow[]> {
    if (!callIds.length) return Promise.resolve([]);
    return executor
      .select()
      .from(approvals)
      .where(and(eq(approvals.ticketId, ticketId), inArray(approvals.callId, callIds)));
  }

  /** Cancels the ticket's pending approvals (a person took the ticket over); returns them. */
  async cancelPendingApprovals(tx: Tx, ticketId: string, by: string, reason: string): Promise<ApprovalRow[]> {
    return tx
      .update(approvals)
      .set({ status: 'cancelled', decidedAt: sql`now()`, decidedBy: by, reason })
      .where(and(eq(approvals.ticketId, ticketId), eq(approvals.status, 'pending')))
      .returning();
  }

  list(filter: TicketFilter): Promise<TicketRow[]> {
    const where: SQL[] = [];
    if (filter.status?.length) where.push(inArray(tickets.status, filter.status));
    if (filter.category) where.push(eq(tickets.category, filter.category));
    if (filter.priority) where.push(eq(tickets.priority, filter.priority));
    if (filter.channel) where.push(eq(tickets.channel, filter.channel));
    if (filter.customer_id) where.push(eq(tickets.customerId, filter.customer_id));
    if (filter.flagged !== undefined) where.push(filter.flagged ? isNotNull(tickets.review) : isNull(tickets.review));
    if (filter.created_from) where.push(gte(tickets.createdAt, filter.created_from));
    if (filter.created_to) where.push(lt(tickets.createdAt, filter.created_to));
    if (filter.before_seq !== undefined) where.push(lt(tickets.seq, filter.before_seq));
    return this.db
      .select()
      .from(tickets)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(tickets.seq))
      .limit(filter.limit);
  }
}

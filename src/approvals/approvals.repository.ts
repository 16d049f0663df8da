import { Injectable } from '@nestjs/common';
import { and, asc, count, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { Database } from '../database/database.js';
import { approvals, ticketEvents, tickets, type ApprovalRow, type TicketRow } from '../database/schema.js';
import type { Tx } from '../tickets/tickets.repository.js';
import type { ApprovalStatus } from './approvals.schemas.js';

export interface ApprovalFilter {
  status: ApprovalStatus[];
  action?: string;
  priority?: string;
  customer_id?: string;
  ticket_id?: string;
  /** requested_at keyset (the SLA-deadline order is computed by the service, src/approvals/sla-order.ts). */
  after?: { at: Date; id: string };
  limit: number;
}

export type ApprovalWithTicket = { approval: ApprovalRow; ticket: TicketRow; repliesSince: number };

/** Millisecond precision, like the cursor (a JavaScript Date): PostgreSQL keeps microseconds. */
const REQUESTED_AT = sql<Date>`date_trunc('milliseconds', ${approvals.requestedAt})`;

/** Customer messages since the action was proposed (the approver should read them first). */
const REPLIES_SINCE = sql<number>`(select count(*) from ${ticketEvents} where ${ticketEvents.ticketId} = ${approvals.ticketId} and ${ticketEvents.type} = 'customer_reply' and ${ticketEvents.at} > ${approvals.requestedAt})`.mapWith(Number);

/** The approval queue: requests joined with their tickets, ordered and paged with a keyset. */
@Injectable()
export class ApprovalsRepository {
  constructor(private readonly database: Database) {}

  /** Oldest request first, from `after` on. */
  async list(filter: ApprovalFilter): Promise<ApprovalWithTicket[]> {
    const where = conditions(filter);
    if (filter.after) where.push(or(gt(REQUESTED_AT, filter.after.at), and(eq(REQUESTED_AT, filter.after.at), gt(approvals.id, filter.after.id)))!);
    return this.database.db
      .select({ approval: approvals, ticket: tickets, repliesSince: REPLIES_SINCE })
      .from(approvals)
      .innerJoin(tickets, eq(tickets.id, approvals.ticketId))
      .where(and(...where))
      .orderBy(asc(REQUESTED_AT), asc(approvals.id))
      .limit(filter.limit);
  }

  /** Every approval the filter selects (ids only, at most `limit`): what the SLA-deadline order is computed over. */
  candidates(filter: Omit<ApprovalFilter, 'after'>): Promise<{ id: string; ticketId: string }[]> {
    return this.database.db
      .select({ id: approvals.id, ticketId: approvals.ticketId })
      .from(approvals)
      .innerJoin(tickets, eq(tickets.id, approvals.ticketId))
      .where(and(...conditions(filter)))
      .limit(filter.limit);
  }

  /** The full rows of one page, by approval id (in no particular order). */
  async byIds(ids: readonly string[]): Promise<ApprovalWithTicket[]> {
    if (ids.length === 0) return [];
    return this.database.db
      .select({ approval: approvals, ticket: tickets, repliesSince: REPLIES_SINCE })
      .from(approvals)
      .innerJoin(tickets, eq(tickets.id, approvals.ticketId))
      .where(inArray(approvals.id, [...ids]));
  }

  async get(id: string): Promise<ApprovalWithTicket | undefined> {
    const [row] = await this.database.db
      .select({ approval: approvals, ticket: tickets, repliesSince: REPLIES_SINCE })
      .from(approvals)
      .innerJoin(tickets, eq(tickets.id, approvals.ticketId))
      .where(eq(approvals.id, id));
    return row;
  }

  async lockApproval(tx: Tx, id: string): Promise<ApprovalRow | undefined> {
    const [row] = await tx.select().from(approvals).where(eq(approvals.id, id)).for('update');
    return row;
  }

  async setDecision(tx: Tx, id: string, status: ApprovalStatus, decidedBy: string, reason: string | null): Promise<ApprovalRow> {
    const [row] = await tx.update(approvals).set({ status, decidedAt: sql`now()`, decidedBy, reason }).where(eq(approvals.id, id)).returning();
    return row!;
  }

  async pendingCount(tx: Tx, ticketId: string): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(approvals).where(and(eq(approvals.ticketId, ticketId), eq(approvals.status, 'pending')));
    return row?.n ?? 0;
  }

  /** Marks the ticket's pending approvals expired; returns them. */
  expirePending(tx: Tx, ticketId: string): Promise<ApprovalRow[]> {
    return tx
      .update(approvals)
      .set({ status: 'expired', decidedAt: sql`now()`, decidedBy: 'system', reason: 'no decision before the approval expired' })
      .where(and(eq(approvals.ticketId, ticketId), eq(approvals.status, 'pending')))
      .returning();
  }

  /** Tickets with a pending approval past its expiry, oldest first. */
  async ticketsWithExpired(limit = 100): Promise<string[]> {
    const rows = await this.database.db
      .selectDistinct({ ticketId: approvals.ticketId, expiresAt: approvals.expiresAt })
      .from(approvals)
      .where(and(eq(approvals.status, 'pending'), lt(approvals.expiresAt, sql`now()`)))
      .orderBy(asc(approvals.expiresAt))
      .limit(limit);
    return [...new Set(rows.map((r) => r.ticketId))];
  }
}

function conditions(filter: Omit<ApprovalFilter, 'after' | 'limit'>): SQL[] {
  const where: SQL[] = [inArray(approvals.status, filter.status)];
  if (filter.action) where.push(eq(approvals.action, filter.action));
  if (filter.priority) where.push(eq(tickets.priority, filter.priority));
  if (filter.customer_id) where.push(eq(approvals.customerId, filter.customer_id));
  if (filter.ticket_id) where.push(eq(approvals.ticketId, filter.ticket_id));
  return where;
}

import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, isNull, lt, lte, or, type SQL } from 'drizzle-orm';
import { Database } from '../database/database.js';
import { slaAlerts } from '../database/schema.js';
import type { AlertRow, RoundUpdate, SweepCandidate } from './alert-log.js';
import type { AlertKind, AlertStatus } from './alerts.types.js';

export type NewAlertRow = typeof slaAlerts.$inferInsert;

export interface AlertFilter {
  status?: AlertStatus[];
  kind?: AlertKind[];
  ticket_id?: string;
  /** Items older than this one (the cursor). */
  before?: { at: Date; id: string };
  limit: number;
}

/** The alert log. Every time written here comes from a JavaScript Date (milliseconds), so the keyset cursor compares equal. */
@Injectable()
export class AlertsRepository {
  constructor(private readonly database: Database) {}

  /** The row when this caller's insert won; undefined when the key was raised before (by anyone). */
  async insert(row: NewAlertRow): Promise<AlertRow | undefined> {
    const [inserted] = await this.database.db.insert(slaAlerts).values(row).onConflictDoNothing({ target: slaAlerts.dedupeKey }).returning();
    return inserted;
  }

  async byDedupeKey(key: string): Promise<AlertRow | undefined> {
    const [row] = await this.database.db.select().from(slaAlerts).where(eq(slaAlerts.dedupeKey, key));
    return row;
  }

  async get(id: string): Promise<AlertRow | undefined> {
    const [row] = await this.database.db.select().from(slaAlerts).where(eq(slaAlerts.id, id));
    return row;
  }

  async record(id: string, update: RoundUpdate): Promise<AlertRow | undefined> {
    const [row] = await this.database.db
      .update(slaAlerts)
      .set({ ...update, deliveries: update.deliveries as unknown as Record<string, unknown>[] })
      .where(eq(slaAlerts.id, id))
      .returning();
    return row;
  }

  /** Unresolved breach/at_risk alerts: what the sweep resolves, re-notifies or retries. */
  sweepCandidates(): Promise<SweepCandidate[]> {
    return this.database.db
      .select({ id: slaAlerts.id, dedupeKey: slaAlerts.dedupeKey, renotifyAt: slaAlerts.renotifyAt })
      .from(slaAlerts)
      .where(and(isNull(slaAlerts.resolvedAt), inArray(slaAlerts.kind, ['breach', 'at_risk'])));
  }

  /** Marks alerts resolved (once: a second instance's update finds them resolved already); how many it marked. */
  async resolve(ids: readonly string[], now: Date): Promise<number> {
    let count = 0;
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.database.db
        .update(slaAlerts)
        .set({ resolvedAt: now })
        .where(and(inArray(slaAlerts.id, ids.slice(i, i + 500)), isNull(slaAlerts.resolvedAt)))
        .returning({ id: slaAlerts.id });
      count += rows.length;
    }
    return count;
  }

  /**
   * Takes a due alert for sending: moves its next send to `leaseUntil` only if it is still due
   * and unresolved. PostgreSQL re-checks the condition on the row another instance just
   * updated, so of two instances claiming at once one gets the row, the other nothing.
   */
  async claim(id: string, now: Date, leaseUntil: Date): Promise<AlertRow | undefined> {
    const [row] = await this.database.db
      .update(slaAlerts)
      .set({ renotifyAt: leaseUntil, lastAttemptAt: now })
      .where(and(eq(slaAlerts.id, id), isNull(slaAlerts.resolvedAt), lte(slaAlerts.renotifyAt, now)))
      .returning();
    return row;
  }

  /** Newest first, keyset-paged on (created_at, id). */
  list(filter: AlertFilter): Promise<AlertRow[]> {
    const where: SQL[] = [];
    if (filter.status?.length) where.push(inArray(slaAlerts.status, filter.status));
    if (filter.kind?.length) where.push(inArray(slaAlerts.kind, filter.kind));
    if (filter.ticket_id) where.push(eq(slaAlerts.ticketId, filter.ticket_id));
    const b = filter.before;
    if (b) where.push(or(lt(slaAlerts.createdAt, b.at), and(eq(slaAlerts.createdAt, b.at), lt(slaAlerts.id, b.id)))!);
    return this.database.db
      .select()
      .from(slaAlerts)
      .where(and(...where))
      .orderBy(desc(slaAlerts.createdAt), desc(slaAlerts.id))
      .limit(filter.limit);
  }
}

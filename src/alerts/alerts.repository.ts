import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, isNotNull, isNull, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
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

/** Rows per statement when many are written at once (well under PostgreSQL's 65,535 parameters). */
const CHUNK = 500;
/** Keys per lookup: one array parameter (`= any($1)`), so only the message size bounds it. */
const KEY_CHUNK = 5_000;
/** Kinds the sweep keeps sending while their condition lasts (the others are sent once). */
const RECURRING = ['breach', 'at_risk'];

/** The alert log. Every time written here comes from a JavaScript Date (milliseconds), so the keyset cursor compares equal. */
@Injectable()
export class AlertsRepository {
  constructor(private readonly database: Database) {}

  /** The row when this caller's insert won; undefined when the key was raised before (by anyone). */
  async insert(row: NewAlertRow): Promise<AlertRow | undefined> {
    const [inserted] = await this.database.db.insert(slaAlerts).values(row).onConflictDoNothing({ target: slaAlerts.dedupeKey }).returning();
    return inserted;
  }

  /**
   * Which of `keys` are in the log already, and whether each is resolved: one indexed read (per
   * KEY_CHUNK keys), so a check inserts only the keys it has not raised before instead of writing
   * every active alert again only to have it conflict.
   */
  async existing(keys: readonly string[]): Promise<Map<string, { kind: string; resolved: boolean }>> {
    const found = new Map<string, { kind: string; resolved: boolean }>();
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const rows = await this.database.db
        .select({ key: slaAlerts.dedupeKey, kind: slaAlerts.kind, resolvedAt: slaAlerts.resolvedAt })
        .from(slaAlerts)
        .where(sql`${slaAlerts.dedupeKey} = any(${sql.param(keys.slice(i, i + KEY_CHUNK))}::text[])`);
      for (const r of rows) found.set(r.key, { kind: r.kind, resolved: r.resolvedAt !== null });
    }
    return found;
  }

  /** The rows whose insert won (a key raised before, by anyone, is skipped), in no particular order. */
  async insertMany(rows: readonly NewAlertRow[]): Promise<AlertRow[]> {
    // In key order: two instances inserting overlapping keys then wait on each other, never deadlock.
    const sorted = [...rows].sort((a, b) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0));
    const inserted: AlertRow[] = [];
    for (let i = 0; i < sorted.length; i += CHUNK) {
      inserted.push(...(await this.database.db.insert(slaAlerts).values(sorted.slice(i, i + CHUNK)).onConflictDoNothing({ target: slaAlerts.dedupeKey }).returning()));
    }
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

  /** The same round's outcome for several rows (the covered alerts of a digest). */
  async recordMany(ids: readonly string[], update: RoundUpdate): Promise<number> {
    let count = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await this.database.db
        .update(slaAlerts)
        .set({ ...update, deliveries: update.deliveries as unknown as Record<string, unknown>[] })
        .where(inArray(slaAlerts.id, ids.slice(i, i + CHUNK)))
        .returning({ id: slaAlerts.id });
      count += rows.length;
    }
    return count;
  }

  /** Unresolved breach/at_risk alerts: what the sweep resolves, re-notifies or retries. */
  sweepCandidates(): Promise<SweepCandidate[]> {
    return this.database.db
      .select({ id: slaAlerts.id, dedupeKey: slaAlerts.dedupeKey, renotifyAt: slaAlerts.renotifyAt })
      .from(slaAlerts)
      .where(and(isNull(slaAlerts.resolvedAt), inArray(slaAlerts.kind, RECURRING)));
  }

  /**
   * Sent-once alerts (metrics, digest) still `pending` although raised before `before` (the
   * delivery lease): their sender died mid-send and nothing would ever retry them. Marked
   * failed so the log stops saying "being sent"; how many.
   */
  async failInterrupted(before: Date): Promise<number> {
    const rows = await this.database.db
      .update(slaAlerts)
      .set({ status: 'failed' })
      .where(and(eq(slaAlerts.status, 'pending'), notInArray(slaAlerts.kind, RECURRING), lt(slaAlerts.createdAt, before)))
      .returning({ id: slaAlerts.id });
    return rows.length;
  }

  /**
   * Deletes what the log no longer needs: alerts raised before `before` that are resolved or
   * were sent once (metrics, digest). An unresolved breach/at_risk alert stays whatever its age:
   * its row is what stops it being raised again. How many were deleted.
   */
  async prune(before: Date): Promise<number> {
    const rows = await this.database.db
      .delete(slaAlerts)
      .where(and(lt(slaAlerts.createdAt, before), or(isNotNull(slaAlerts.resolvedAt), notInArray(slaAlerts.kind, RECURRING))))
      .returning({ id: slaAlerts.id });
    return rows.length;
  }

  /** Moves an alert's next send (a claimed alert that had nothing to send now); false when it is gone. */
  async reschedule(id: string, at: Date): Promise<boolean> {
    const rows = await this.database.db.update(slaAlerts).set({ renotifyAt: at }).where(eq(slaAlerts.id, id)).returning({ id: slaAlerts.id });
    return rows.length > 0;
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
   * Breach/at_risk alerts of `keys` that were resolved (the check stopped reporting them) and are
   * reported again — a reopened ticket whose clock is still breached, a clock that ran again after
   * a pause, a policy fixed after a bad edit: unresolved and due at `now`, so the sweep that
   * follows tells people again (a reminder) instead of never. The payload notes when
   * (`reopened_at`): that send is a reminder to every channel, even one due sooner than
   * ALERT_RENOTIFY_MINUTES. How many were re-opened.
   */
  async reopen(keys: readonly string[], now: Date): Promise<number> {
    let count = 0;
    for (let i = 0; i < keys.length; i += CHUNK) {
      const rows = await this.database.db
        .update(slaAlerts)
        .set({ resolvedAt: null, renotifyAt: now, payload: sql`${slaAlerts.payload} || jsonb_build_object('reopened_at', ${now.toISOString()}::text)` })
        .where(and(inArray(slaAlerts.dedupeKey, keys.slice(i, i + CHUNK)), isNotNull(slaAlerts.resolvedAt), inArray(slaAlerts.kind, RECURRING)))
        .returning({ id: slaAlerts.id });
      count += rows.length;
    }
    return count;
  }

  /**
   * Takes due alerts for sending: moves their next send to `leaseUntil` only where still due and
   * unresolved. PostgreSQL re-checks the condition on a row another instance just updated, so of
   * two instances claiming at once one gets each row, the other nothing. The rows this caller
   * took, in no particular order.
   */
  async claimMany(ids: readonly string[], now: Date, leaseUntil: Date): Promise<AlertRow[]> {
    const claimed: AlertRow[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      claimed.push(
        ...(await this.database.db
          .update(slaAlerts)
          .set({ renotifyAt: leaseUntil, lastAttemptAt: now })
          .where(and(inArray(slaAlerts.id, ids.slice(i, i + CHUNK)), isNull(slaAlerts.resolvedAt), lte(slaAlerts.renotifyAt, now)))
          .returning()),
      );
    }
    return claimed;
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

import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gte, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import { Database, type Db } from '../database/database.js';
import { jobLeases, slaPolicySets, slaSnapshots, slaTicketMarks, ticketEvents, tickets } from '../database/schema.js';
import type { SlaTicketRow } from './sla-evaluation.js';
import type { StoredClockEvent } from './ticket-timeline.js';

export interface TicketHistory {
  row: SlaTicketRow;
  events: StoredClockEvent[];
}

export interface StoredPolicySet {
  body: Record<string, unknown>;
  version: number;
  updatedBy: string | null;
  updatedAt: Date;
}

const SOLVED = ['resolved', 'closed'];

/** Rolls back an action another instance already applied for the same mark. */
class AlreadyApplied extends Error {}
const PAGE = 2_000;

const ROW = {
  id: tickets.id,
  seq: tickets.seq,
  status: tickets.status,
  priority: tickets.priority,
  category: tickets.category,
  channel: tickets.channel,
  createdAt: tickets.createdAt,
};

/**
 * Storage of the SLA feature: the policy set, the tickets a check looks at (with only the event
 * columns the clocks read), snapshots, once-only marks and the check's lease.
 */
@Injectable()
export class SlaRepository {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  /** The stored set's version only: the policies are parsed again only when it changed. */
  async policySetVersion(): Promise<{ version: number; updatedAt: Date } | undefined> {
    const [row] = await this.db.select({ version: slaPolicySets.version, updatedAt: slaPolicySets.updatedAt }).from(slaPolicySets).where(eq(slaPolicySets.id, 'current'));
    return row;
  }

  async policySet(): Promise<StoredPolicySet | undefined> {
    const [row] = await this.db.select().from(slaPolicySets).where(eq(slaPolicySets.id, 'current'));
    return row ? { body: row.body, version: row.version, updatedBy: row.updatedBy, updatedAt: row.updatedAt } : undefined;
  }

  /**
   * Writes the policy set as version `expected + 1`; `expected` undefined writes whatever the
   * current version is. Returns the stored row, or undefined when `expected` is stale.
   */
  async savePolicySet(body: Record<string, unknown>, updatedBy: string | null, expected?: number): Promise<StoredPolicySet | undefined> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.select({ version: slaPolicySets.version }).from(slaPolicySets).where(eq(slaPolicySets.id, 'current')).for('update');
      const version = current?.version ?? 0;
      if (expected !== undefined && expected !== version) return undefined;
      const values = { body, version: version + 1, updatedBy, updatedAt: new Date() };
      const [row] = current
        ? await tx.update(slaPolicySets).set(values).where(eq(slaPolicySets.id, 'current')).returning()
        : await tx.insert(slaPolicySets).values({ id: 'current', ...values }).returning();
      return { body: row!.body, version: row!.version, updatedBy: row!.updatedBy, updatedAt: row!.updatedAt };
    });
  }

  async ticket(id: string): Promise<TicketHistory | undefined> {
    const [row] = await this.db.select(ROW).from(tickets).where(eq(tickets.id, id));
    if (!row) return undefined;
    const events = await this.eventsOf([id]);
    return { row, events: events.get(id) ?? [] };
  }

  /** Several tickets' histories in two queries (rows, then their events); unknown ids are left out. */
  async byIds(ids: readonly string[]): Promise<TicketHistory[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select(ROW).from(tickets).where(inArray(tickets.id, [...ids]));
    if (rows.length === 0) return [];
    const events = await this.eventsOf(rows.map((r) => r.id));
    return rows.map((row) => ({ row, events: events.get(row.id) ?? [] }));
  }

  /**
   * The tickets a check or the overview looks at, in pages of `pageSize`: every ticket not solved
   * (status index), then the solved ones changed since `solvedSince` (their latest resolution may
   * fall in the stats' 24-hour window; updated_at index); null: open tickets only.
   */
  async *tickets(solvedSince: Date | null, pageSize = PAGE): AsyncGenerator<TicketHistory[]> {
    for (const solved of solvedSince ? [false, true] : [false]) {
      let after = 0;
      for (;;) {
        const where: SQL[] = [solved ? inArray(tickets.status, SOLVED) : notInArray(tickets.status, SOLVED), sql`${tickets.seq} > ${after}`];
        if (solved) where.push(gte(tickets.updatedAt, solvedSince!));
        const rows = await this.db.select(ROW).from(tickets).where(and(...where)).orderBy(asc(tickets.seq)).limit(pageSize);
        if (rows.length === 0) break;
        const events = await this.eventsOf(rows.map((r) => r.id));
        yield rows.map((row) => ({ row, events: events.get(row.id) ?? [] }));
        if (rows.length < pageSize) break;
        after = rows[rows.length - 1]!.seq;
      }
    }
  }

  private async eventsOf(ids: string[]): Promise<Map<string, StoredClockEvent[]>> {
    const rows = await this.db
      .select({
        ticketId: ticketEvents.ticketId,
        type: ticketEvents.type,
        actor: ticketEvents.actor,
        at: ticketEvents.at,
        // Only what the clocks read: payloads (replies, model outputs) stay in the database.
        status: sql<string | null>`${ticketEvents.data}->>'status'`,
      })
      .from(ticketEvents)
      .where(inArray(ticketEvents.ticketId, ids))
      .orderBy(asc(ticketEvents.ticketId), asc(ticketEvents.id));
    const byTicket = new Map<string, StoredClockEvent[]>();
    for (const { ticketId, ...e } of rows) {
      let list = byTicket.get(ticketId);
      if (!list) byTicket.set(ticketId, (list = []));
      list.push(e);
    }
    return byTicket;
  }

  /**
   * Takes (or renews) the named lease for `ms` unless another holder's lease is still valid. Both
   * the expiry and the comparison use the database's clock: instances whose clocks disagree
   * cannot expire each other's lease early or stretch their own.
   */
  async acquireLease(name: string, holder: string, ms: number): Promise<boolean> {
    const until = sql`now() + make_interval(secs => ${ms / 1000})`;
    const rows = await this.db
      .insert(jobLeases)
      .values({ name, holder, leaseUntil: until })
      .onConflictDoUpdate({
        target: jobLeases.name,
        set: { holder, leaseUntil: until },
        setWhere: sql`${jobLeases.leaseUntil} < now() or ${jobLeases.holder} = ${holder}`,
      })
      .returning({ holder: jobLeases.holder });
    return rows.length > 0;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.delete(jobLeases).where(and(eq(jobLeases.name, name), eq(jobLeases.holder, holder)));
  }

  /**
   * Applies a pre-breach action once: in one transaction, the change only if the ticket is still
   * as the check saw it (`from` status or priority), then the once-only mark `key`, then the
   * event. A ticket that changed meanwhile (a person took it over) keeps its mark unspent, and
   * a second instance that applied it first makes this a no-op (its mark exists: rolled back).
   */
  async applyAction(
    ticketId: string,
    key: string,
    change: { priority?: { from: string | null; to: string }; status?: { from: string; to: string } },
    event: { type: string; data: Record<string, unknown> },
  ): Promise<boolean> {
    try {
      return await this.db.transaction(async (tx) => {
        const where: SQL[] = [eq(tickets.id, ticketId)];
        const set: Partial<typeof tickets.$inferInsert> = {};
        if (change.priority) {
          where.push(change.priority.from === null ? sql`${tickets.priority} is null` : eq(tickets.priority, change.priority.from));
          set.priority = change.priority.to;
        }
        if (change.status) {
          where.push(eq(tickets.status, change.status.from));
          set.status = change.status.to;
        }
        const updated = await tx
          .update(tickets)
          .set({ ...set, updatedAt: sql`now()` })
          .where(and(...where))
          .returning({ id: tickets.id });
        if (updated.length === 0) return false;
        const marked = await tx.insert(slaTicketMarks).values({ ticketId, key }).onConflictDoNothing().returning({ key: slaTicketMarks.key });
        if (marked.length === 0) throw new AlreadyApplied();
        await tx.insert(ticketEvents).values({ ticketId, type: event.type, actor: 'system', data: event.data });
        return true;
      });
    } catch (err) {
      if (err instanceof AlreadyApplied) return false;
      throw err;
    }
  }

  /** Whether the once-only mark exists (cheap pre-check before a transaction). */
  async marked(ticketId: string, key: string): Promise<boolean> {
    const [row] = await this.db.select({ key: slaTicketMarks.key }).from(slaTicketMarks).where(and(eq(slaTicketMarks.ticketId, ticketId), eq(slaTicketMarks.key, key)));
    return row !== undefined;
  }

  /** The hour's snapshot: the latest check of the hour replaces the previous one. */
  async saveSnapshot(bucket: Date, takenAt: Date, data: Record<string, unknown>): Promise<void> {
    await this.db
      .insert(slaSnapshots)
      .values({ bucket, takenAt, data, checks: 1 })
      .onConflictDoUpdate({ target: slaSnapshots.bucket, set: { takenAt, data, checks: sql`${slaSnapshots.checks} + 1` } });
  }

  async snapshots(from: Date, to: Date): Promise<{ bucket: Date; takenAt: Date; data: Record<string, unknown> }[]> {
    return this.db
      .select({ bucket: slaSnapshots.bucket, takenAt: slaSnapshots.takenAt, data: slaSnapshots.data })
      .from(slaSnapshots)
      .where(and(gte(slaSnapshots.bucket, from), lt(slaSnapshots.bucket, to)))
      .orderBy(asc(slaSnapshots.bucket));
  }

  async latestSnapshot(): Promise<{ takenAt: Date; data: Record<string, unknown> } | undefined> {
    const [row] = await this.db.select({ takenAt: slaSnapshots.takenAt, data: slaSnapshots.data }).from(slaSnapshots).orderBy(desc(slaSnapshots.bucket)).limit(1);
    return row;
  }

  async pruneSnapshots(before: Date): Promise<void> {
    await this.db.delete(slaSnapshots).where(lt(slaSnapshots.bucket, before));
  }
}

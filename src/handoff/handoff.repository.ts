import { Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { Database, type Db } from '../database/database.js';
import { accountActions, approvals, kbArticles, ticketEvents, tickets, type TicketRow } from '../database/schema.js';
import { ESCALATION_EVENT_TYPES, type HandoffDelivery, type HandoffInput, type HandoffPackage } from './handoff.js';

export interface HandoffEvent {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

/** Escalations older than this without a package are not posted by the sweep (no flood of old tickets after an upgrade or a long outage). */
export const SWEEP_LOOKBACK_HOURS = 24;
/**
 * The sweep leaves escalations (and stored packages) younger than this alone: the process that
 * escalated the ticket is handing it off right now. Like a queued ticket, which the sweep takes
 * only after 30 s.
 */
export const SWEEP_GRACE_SECONDS = 30;

/**
 * The hand-off package's storage: `tickets.handoff` plus `handoff*` events. Each write is one
 * short transaction on the ticket row (locked), with no other query inside it — PGlite runs one
 * transaction at a time, so nothing may wait on the outer connection from within one.
 */
@Injectable()
export class HandoffRepository {
  constructor(private readonly database: Database) {}

  private get db(): Db {
    return this.database.db;
  }

  ticket(id: string): Promise<TicketRow | undefined> {
    return this.db
      .select()
      .from(tickets)
      .where(eq(tickets.id, id))
      .then((rows) => rows[0]);
  }

  /** Everything the package is built from; undefined when the ticket does not exist. */
  async load(id: string, ticket?: TicketRow): Promise<Omit<HandoffInput, 'escalationChannel' | 'sla'> | undefined> {
    const row = ticket ?? (await this.ticket(id));
    if (!row) return undefined;
    const events = await this.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, id)).orderBy(asc(ticketEvents.id));
    const approvalRows = await this.db.select().from(approvals).where(eq(approvals.ticketId, id)).orderBy(asc(approvals.requestedAt));
    const actionRows = await this.db.select().from(accountActions).where(eq(accountActions.ticketId, id)).orderBy(asc(accountActions.executedAt));
    // Runs that name articles only by id in their notes: their titles, from the knowledge base.
    const notes = [row.resolution, ...events.filter((e) => e.type === 'resolution').map((e) => e.data.output)].map((r) => JSON.stringify(r ?? null)).join(' ');
    const ids = [...new Set(notes.match(/\bkb-\d+\b/g) ?? [])].slice(0, 50);
    const titles = ids.length ? await this.db.select({ id: kbArticles.id, title: kbArticles.title }).from(kbArticles).where(inArray(kbArticles.id, ids)) : [];
    return { ticket: row, events, approvals: approvalRows, actions: actionRows, articleTitles: Object.fromEntries(titles.map((t) => [t.id, t.title])) };
  }

  /**
   * Stores the package of a new escalation with its `handoff` event — only while the ticket is
   * still escalated and has no package for this (or a later) escalation. False: nothing written
   * (another caller stored it first, or the ticket moved on).
   */
  async store(pkg: HandoffPackage, event: HandoffEvent): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select({ status: tickets.status, handoff: tickets.handoff }).from(tickets).where(eq(tickets.id, pkg.ticket_id)).for('update');
      if (!row || row.status !== 'escalated') return false;
      const current = row.handoff as Partial<HandoffPackage> | null;
      if (current && Number(current.escalation_event_id) >= Number(pkg.escalation_event_id)) return false;
      // The package is derived data: the ticket's updated_at (its last change) is left alone.
      await tx.update(tickets).set({ handoff: pkg as unknown as Record<string, unknown> }).where(eq(tickets.id, pkg.ticket_id));
      await tx.insert(ticketEvents).values({ ticketId: pkg.ticket_id, ...event });
      return true;
    });
  }

  /**
   * Takes the package's delivery for this instance: from "pending", or from "sending" whose
   * lease expired (its sender died). Returns the package, or undefined when another sender has it,
   * it is done, or a newer escalation replaced the package.
   */
  async claimDelivery(ticketId: string, handoffId: string, leaseMs: number): Promise<HandoffPackage | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ handoff: tickets.handoff, now: sql<number>`extract(epoch from now()) * 1000`.mapWith(Number) })
        .from(tickets)
        .where(eq(tickets.id, ticketId))
        .for('update');
      const pkg = row?.handoff as HandoffPackage | null | undefined;
      if (!row || !pkg || pkg.handoff_id !== handoffId) return undefined;
      const d = pkg.delivery;
      const takeable = d?.status === 'pending' || (d?.status === 'sending' && (!d.lease_until || Date.parse(d.lease_until) < row.now));
      if (!takeable) return undefined;
      const delivery: HandoffDelivery = {
        status: 'sending',
        attempts: d.attempts,
        http_status: d.http_status,
        at: new Date(row.now).toISOString(),
        lease_until: new Date(row.now + leaseMs).toISOString(),
        error: null,
      };
      const claimed = { ...pkg, delivery };
      await tx.update(tickets).set({ handoff: claimed as unknown as Record<string, unknown> }).where(eq(tickets.id, ticketId));
      return claimed;
    });
  }

  /** The delivery's outcome: on the package (if it is still the ticket's) and as an event. */
  async recordDelivery(ticketId: string, handoffId: string, delivery: HandoffDelivery, event: HandoffEvent): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [row] = await tx.select({ handoff: tickets.handoff }).from(tickets).where(eq(tickets.id, ticketId)).for('update');
      if (!row) return;
      const pkg = row.handoff as HandoffPackage | null;
      if (pkg?.handoff_id === handoffId) {
        await tx
          .update(tickets)
          .set({ handoff: { ...pkg, delivery } as unknown as Record<string, unknown> })
          .where(eq(tickets.id, ticketId));
      }
      await tx.insert(ticketEvents).values({ ticketId, ...event });
    });
  }

  /**
   * The outbox: escalated tickets whose latest escalation (older than SWEEP_GRACE_SECONDS,
   * within SWEEP_LOOKBACK_HOURS) has no package yet, or whose package was stored but not sent
   * (the process died in between, or while sending and its lease expired) for an escalation
   * within SWEEP_LOOKBACK_HOURS — an older one stays unsent, readable through the API. Oldest first.
   */
  async undelivered(limit = 50): Promise<string[]> {
    const types = sql.join(
      ESCALATION_EVENT_TYPES.map((t) => sql`${t}`),
      sql`, `,
    );
    const delivery = sql`(${tickets.handoff} -> 'delivery' ->> 'status')`;
    const rows = await this.db
      .select({ id: tickets.id })
      .from(tickets)
      .where(
        and(
          eq(tickets.status, 'escalated'),
          sql`(
            (
              (
                (${delivery} = 'pending' and (${tickets.handoff} -> 'delivery' ->> 'at')::timestamptz < now() - make_interval(secs => ${SWEEP_GRACE_SECONDS}))
                or (${delivery} = 'sending' and (${tickets.handoff} -> 'delivery' ->> 'lease_until')::timestamptz < now())
              )
              and coalesce(${tickets.handoff} ->> 'escalated_at', ${tickets.handoff} -> 'delivery' ->> 'at')::timestamptz > now() - make_interval(hours => ${SWEEP_LOOKBACK_HOURS})
            )
            or exists (
              select 1 from ${ticketEvents}
              where ${ticketEvents.ticketId} = ${tickets.id}
                and ${ticketEvents.id} > coalesce((${tickets.handoff} ->> 'escalation_event_id')::bigint, 0)
                and ${ticketEvents.at} > now() - make_interval(hours => ${SWEEP_LOOKBACK_HOURS})
                and ${ticketEvents.at} < now() - make_interval(secs => ${SWEEP_GRACE_SECONDS})
                and ${ticketEvents.data} ->> 'status' = 'escalated'
                and (${ticketEvents.type} in (${types}) or (${ticketEvents.type} = 'customer_reply' and jsonb_typeof(${ticketEvents.data} -> 'guardrail') = 'object'))
            )
          )`,
        ),
      )
      .orderBy(asc(tickets.seq))
      .limit(limit);
    return rows.map((r) => r.id);
  }
}

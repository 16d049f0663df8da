import { Injectable } from '@nestjs/common';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { Database } from '../database/database.js';
import { accountActions, approvals, customerAccounts, type AccountActionRow, type CustomerAccountRow } from '../database/schema.js';
import type { ActionName } from './account-actions.js';

export interface Execution {
  ticketId: string;
  callId: string;
  customerId: string;
  action: ActionName;
  args: Record<string, unknown>;
  currency: string;
  /** "approval" needs the approved row of (ticket, call); "policy" ran under an automatic limit. */
  authorizedBy: 'approval' | 'policy';
}

export type ExecutionOutcome =
  | { ok: true; row: AccountActionRow; replayed: boolean }
  | { ok: false; reason: string };

const cents = (amount: number) => Math.round(amount * 100);

class Refused extends Error {}

type Tx = Parameters<Parameters<Database['db']['transaction']>[0]>[0];

/**
 * The account store and its ledger. An execution is one transaction: the customer's account row
 * is locked, the ledger is checked for this (ticket, tool call) — a resumed run that executes the
 * same call again gets the first execution back — and the change and its ledger row are written
 * together, so an action happens exactly once.
 */
@Injectable()
export class AccountActionsRepository {
  constructor(private readonly database: Database) {}

  async execute(e: Execution): Promise<ExecutionOutcome> {
    try {
      return await this.database.db.transaction((tx) => this.executeIn(tx, e));
    } catch (err) {
      // Refused: rolled back, so a refused action leaves no trace in the account store (the ticket's events record it).
      if (err instanceof Refused) return { ok: false, reason: err.message };
      throw err;
    }
  }

  private async executeIn(tx: Tx, e: Execution): Promise<ExecutionOutcome> {
    await tx.insert(customerAccounts).values({ customerId: e.customerId, currency: e.currency }).onConflictDoNothing();
    const [account] = await tx.select().from(customerAccounts).where(eq(customerAccounts.customerId, e.customerId)).for('update');
    const [done] = await tx
      .select()
      .from(accountActions)
      .where(and(eq(accountActions.ticketId, e.ticketId), eq(accountActions.callId, e.callId)));
    if (done) return { ok: true, row: done, replayed: true };
    // One action of a kind per ticket: asked again (a later pass over the same conversation), the
    // first execution is the answer; anything more is a person's call.
    const [earlier] = await tx
      .select()
      .from(accountActions)
      .where(and(eq(accountActions.ticketId, e.ticketId), eq(accountActions.action, e.action)));
    if (earlier) return { ok: true, row: earlier, replayed: true };

    let approvalId: string | null = null;
    if (e.authorizedBy === 'approval') {
      // The database, not the run state, is the authority: no approved row, no action.
      const [approval] = await tx
        .select({ id: approvals.id, status: approvals.status })
        .from(approvals)
        .where(and(eq(approvals.ticketId, e.ticketId), eq(approvals.callId, e.callId)));
      if (approval?.status !== 'approved') throw new Refused('no person has approved this action');
      approvalId = approval.id;
    }

    const now = new Date();
    const set: Partial<CustomerAccountRow> = { updatedAt: now };
    let outcome: Record<string, unknown>;
    const amount = Number(e.args.amount);
    switch (e.action) {
      case 'issue_refund': {
        set.refundedCents = account!.refundedCents + cents(amount);
        outcome = { refunded: amount, currency: String(e.args.currency).toUpperCase(), charge_reference: e.args.charge_reference ?? null, refunded_total: set.refundedCents / 100 };
        break;
      }
      case 'apply_account_credit': {
        if (account!.currency !== e.currency) throw new Refused(`the account is kept in ${account!.currency}`);
        set.creditCents = account!.creditCents + cents(amount);
        outcome = { credited: amount, currency: account!.currency, credit_balance: set.creditCents / 100 };
        break;
      }
      case 'reset_mfa': {
        set.mfaResetAt = now;
        outcome = { mfa_reset_at: now.toISOString(), next_step: 'the customer enrols a new second factor at the next sign-in' };
        break;
      }
      case 'close_account': {
        if (account!.closedAt) throw new Refused(`the account was already closed on ${account!.closedAt.toISOString()}`);
        set.closedAt = now;
        outcome = { closed_at: now.toISOString() };
        break;
      }
    }
    await tx.update(customerAccounts).set(set).where(eq(customerAccounts.customerId, e.customerId));
    const [row] = await tx
      .insert(accountActions)
      .values({
        id: `act_${randomUUID()}`,
        ticketId: e.ticketId,
        callId: e.callId,
        customerId: e.customerId,
        action: e.action,
        arguments: e.args,
        authorizedBy: e.authorizedBy,
        approvalId,
        outcome,
        executedAt: now,
      })
      .returning();
    return { ok: true, row: row!, replayed: false };
  }

  /** The ticket's execution of this kind of action, if any (it is then not proposed for approval again). */
  async executedOnTicket(ticketId: string, action: string): Promise<AccountActionRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(accountActions)
      .where(and(eq(accountActions.ticketId, ticketId), eq(accountActions.action, action)))
      .limit(1);
    return row;
  }

  async account(customerId: string): Promise<CustomerAccountRow | undefined> {
    const [row] = await this.database.db.select().from(customerAccounts).where(eq(customerAccounts.customerId, customerId));
    return row;
  }

  /** The customer's executed actions, newest first (a page; `before` is the executed_at of the last one read). */
  ledger(filter: { customerId?: string; ticketId?: string; before?: Date; limit: number }): Promise<AccountActionRow[]> {
    const where = [
      ...(filter.customerId ? [eq(accountActions.customerId, filter.customerId)] : []),
      ...(filter.ticketId ? [eq(accountActions.ticketId, filter.ticketId)] : []),
      ...(filter.before ? [lt(accountActions.executedAt, filter.before)] : []),
    ];
    return this.database.db
      .select()
      .from(accountActions)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(accountActions.executedAt), desc(accountActions.id))
      .limit(filter.limit);
  }

  /** How many times (ticket, call) was executed: 0 or 1 by construction (tests check it). */
  async executions(ticketId: string): Promise<number> {
    const [row] = await this.database.db
      .select({ n: sql<number>`count(*)`.mapWith(Number) })
      .from(accountActions)
      .where(eq(accountActions.ticketId, ticketId));
    return row?.n ?? 0;
  }
}

import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { describeAction } from '../actions/account-actions.js';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import { HandoffService } from '../handoff/handoff.service.js';
import { HANDOFF_REPLY } from '../resolution/resolution-policy.js';
import { slaStateOf, type SlaState } from '../sla/sla-state.js';
import { SlaService } from '../sla/sla.service.js';
import { TicketWorkflow } from '../tickets/ticket-workflow.service.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketsService, type TicketView } from '../tickets/tickets.service.js';
import type { ApprovalDto } from './approvals.dto.js';
import { ApprovalsRepository, type ApprovalFilter, type ApprovalWithTicket } from './approvals.repository.js';
import type { ApprovalStatus, DecisionRequest } from './approvals.schemas.js';
import { deadlinePage, SLA_SORT_MAX } from './sla-order.js';
import { isUuid } from '../common/ids.js';

export type ApprovalSort = 'requested_at' | 'sla_deadline';

/**
 * Opaque keyset cursor of the queue: the sort value and id of the last item read —
 * `[requested_at, id]`, or `["sla", deadline | null, id]` for the SLA order (a deadline may be
 * null: those come last). A cursor of the other order is refused.
 */
export const approvalCursor = {
  encode(sort: ApprovalSort, at: Date | null, id: string): string {
    const value = sort === 'sla_deadline' ? ['sla', at?.toISOString() ?? null, id] : [at!.toISOString(), id];
    return Buffer.from(JSON.stringify(value)).toString('base64url');
  },
  decode(value: string, sort: ApprovalSort): { at: Date | null; id: string } | undefined {
    try {
      const parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
      if (!Array.isArray(parts)) return undefined;
      const sla = parts.length === 3 && parts[0] === 'sla';
      if (sla !== (sort === 'sla_deadline') || parts.length !== (sla ? 3 : 2)) return undefined;
      const [at, id] = (sla ? parts.slice(1) : parts) as unknown[];
      if (typeof id !== 'string' || !isUuid(id)) return undefined;
      if (at === null && sla) return { at: null, id };
      const date = typeof at === 'string' ? new Date(at) : undefined;
      return date && !Number.isNaN(date.getTime()) ? { at: date, id } : undefined;
    } catch {
      return undefined;
    }
  },
};

export function toApprovalView({ approval: a, ticket: t, repliesSince }: ApprovalWithTicket, currency: string, sla: SlaState): ApprovalDto {
  return {
    id: a.id,
    ticket_id: a.ticketId,
    status: a.status as ApprovalStatus,
    action: a.action,
    arguments: a.arguments,
    summary: describeAction(a.action, a.arguments, currency),
    customer_id: a.customerId,
    agent: a.agent,
    requested_at: a.requestedAt.toISOString(),
    expires_at: a.expiresAt.toISOString(),
    decided_at: a.decidedAt?.toISOString() ?? null,
    decided_by: a.decidedBy,
    reason: a.reason,
    ticket: {
      status: t.status,
      priority: t.priority,
      category: t.category,
      channel: t.channel,
      inquiry_excerpt: t.inquiryText.length > 280 ? `${t.inquiryText.slice(0, 279)}…` : t.inquiryText,
      replies_since: repliesSince,
    },
    sla,
  };
}

/**
 * People's decisions on the account actions the agents proposed. A decision is recorded with
 * its audit event in one transaction (the ticket row locked first, then the approval: the same
 * order as every other writer); once every call of the paused run is decided, the run resumes
 * from its stored state — in this process, or in any other after a restart. Undecided requests
 * expire (the ticket goes to a person).
 */
@Injectable()
export class ApprovalsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Approvals');
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly resuming = new Set<Promise<unknown>>();

  constructor(
    private readonly approvals: ApprovalsRepository,
    private readonly tickets: TicketsRepository,
    private readonly ticketsService: TicketsService,
    private readonly workflow: TicketWorkflow,
    private readonly config: AppConfig,
    private readonly handoff: HandoffService,
    private readonly sla: SlaService,
  ) {}

  /**
   * The queue. By requested_at: a keyset page in SQL. By sla_deadline: the deadline comes from
   * the policy clocks (business hours, pauses), which SQL cannot compute, so every approval the
   * filter selects (at most SLA_SORT_MAX) is read as ids, its deadline computed, and the order
   * paged here; only the page's rows are then read in full.
   */
  async list(
    query: Omit<ApprovalFilter, 'after' | 'limit'> & { sort: ApprovalSort; cursor?: string; limit: number },
  ): Promise<{ approvals: ApprovalDto[]; next_cursor: string | null }> {
    const { sort, cursor, limit, ...filter } = query;
    const after = cursor === undefined ? undefined : approvalCursor.decode(cursor, sort);
    if (cursor !== undefined && !after) throw ProblemException.validation([{ path: 'cursor', message: `is not a cursor returned by GET /approvals with sort=${sort}` }]);
    const now = Date.now();
    if (sort === 'sla_deadline') return this.listByDeadline(filter, after, limit, now);
    const rows = await this.approvals.list({ ...filter, after: after && { at: after.at!, id: after.id }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const slas = await this.sla.tickets(page.map((r) => r.ticket.id), now);
    const last = page.at(-1);
    return {
      approvals: page.map((r) => this.view(r, slaStateOf(slas.get(r.ticket.id)))),
      next_cursor: rows.length > limit && last ? approvalCursor.encode(sort, last.approval.requestedAt, last.approval.id) : null,
    };
  }

  private async listByDeadline(
    filter: Omit<ApprovalFilter, 'after' | 'limit'>,
    after: { at: Date | null; id: string } | undefined,
    limit: number,
    now: number,
  ): Promise<{ approvals: ApprovalDto[]; next_cursor: string | null }> {
    const candidates = await this.approvals.candidates({ ...filter, limit: SLA_SORT_MAX + 1 });
    if (candidates.length > SLA_SORT_MAX) {
      throw ProblemException.validation(
        [{ path: 'sort', message: `sla_deadline orders at most ${SLA_SORT_MAX} approvals and this filter selects more: narrow it (status, action, priority, customer_id, ticket_id) or use sort=requested_at` }],
      );
    }
    const slas = await this.sla.tickets(candidates.map((c) => c.ticketId), now);
    const states = new Map<string, SlaState>();
    const keys = candidates.map((c) => {
      const state = slaStateOf(slas.get(c.ticketId));
      states.set(c.id, state);
      return { id: c.id, deadline: state.deadline === null ? null : Date.parse(state.deadline) };
    });
    const { page, more } = deadlinePage(keys, after && { id: after.id, deadline: after.at?.getTime() ?? null }, limit);
    const rows = new Map((await this.approvals.byIds(page.map((k) => k.id))).map((r) => [r.approval.id, r]));
    const last = page.at(-1);
    return {
      // An approval gone between the two reads (none are deleted today) is left out of its page.
      approvals: page.flatMap((k) => {
        const row = rows.get(k.id);
        return row ? [this.view(row, states.get(k.id)!)] : [];
      }),
      next_cursor: more && last ? approvalCursor.encode('sla_deadline', last.deadline === null ? null : new Date(last.deadline), last.id) : null,
    };
  }

  async get(id: string): Promise<ApprovalDto> {
    const row = isUuid(id) ? await this.approvals.get(id) : undefined;
    if (!row) throw notFound(id);
    const slas = await this.sla.tickets([row.ticket.id]);
    return this.view(row, slaStateOf(slas.get(row.ticket.id)));
  }

  private view(row: ApprovalWithTicket, sla: SlaState): ApprovalDto {
    return toApprovalView(row, this.config.env.ACCOUNT_CURRENCY, sla);
  }

  /**
   * Approves or rejects one proposed action. The same decision again is answered as it was (a
   * retried request); the other decision, or one on an expired request, is a 409.
   */
  async decide(id: string, decision: 'approved' | 'rejected', body: DecisionRequest, keyName: string): Promise<{ approval: ApprovalDto; ticket: TicketView }> {
    if (!isUuid(id)) throw notFound(id);
    const found = await this.approvals.get(id);
    if (!found) throw notFound(id);
    const by = body.approver ?? keyName;
    const outcome = await this.tickets.transaction(async (tx) => {
      const ticket = await this.tickets.getForUpdate(tx, found.ticket.id);
      const approval = await this.approvals.lockApproval(tx, id);
      if (!ticket || !approval) return { kind: 'gone' as const };
      if (approval.status !== 'pending') return { kind: 'settled' as const, status: approval.status };
      if (ticket.status !== 'awaiting_approval') {
        // The run this approval paused is gone (the ticket moved on): nothing could resume it.
        await this.approvals.setDecision(tx, id, 'cancelled', 'system', `the ticket is no longer awaiting approval (status "${ticket.status}")`);
        return { kind: 'moved_on' as const, status: ticket.status };
      }
      if (approval.expiresAt.getTime() <= Date.now()) {
        await this.expireTicket(tx, ticket.id);
        return { kind: 'expired' as const };
      }
      await this.approvals.setDecision(tx, id, decision, by, body.reason ?? null);
      const remaining = await this.approvals.pendingCount(tx, ticket.id);
      const resume = remaining === 0 && ticket.status === 'awaiting_approval';
      await this.tickets.update(
        ticket.id,
        resume ? { status: 'queued' } : {},
        {
          type: 'approval_decided',
          actor: 'agent',
          data: {
            status: resume ? 'queued' : ticket.status,
            approval_id: id,
            action: approval.action,
            arguments: approval.arguments,
            decision,
            by,
            reason: body.reason ?? null,
            pending: remaining,
          },
        },
        tx,
      );
      return { kind: 'decided' as const, resume };
    });
    switch (outcome.kind) {
      case 'gone':
        throw notFound(id);
      case 'moved_on':
        throw new ProblemException(
          problem(409, 'ticket-not-awaiting-approval', `The ticket is no longer waiting for this decision (status "${outcome.status}"); the approval was cancelled.`, {
            approval_status: 'cancelled',
            ticket_status: outcome.status,
          }),
        );
      case 'expired':
        this.handoff.escalated(found.ticket.id);
        throw new ProblemException(problem(409, 'approval-expired', 'This approval expired before a decision; the ticket was escalated to a person.', { approval_status: 'expired' }));
      case 'settled':
        if (outcome.status !== decision) {
          throw new ProblemException(problem(409, 'approval-already-decided', `This approval is already ${outcome.status}.`, { approval_status: outcome.status }));
        }
        break;
      case 'decided':
        // The run resumes to its end before the answer (the workflow's lease makes a concurrent sweep wait).
        if (outcome.resume) await this.track(this.workflow.run(found.ticket.id, ['queued']));
        break;
    }
    return { approval: await this.get(id), ticket: await this.ticketsService.view(found.ticket.id) };
  }

  /** Escalates a ticket whose approvals expired: the paused run is dropped, a person takes it. */
  private async expireTicket(tx: Parameters<Parameters<TicketsRepository['transaction']>[0]>[0], ticketId: string): Promise<boolean> {
    const ticket = await this.tickets.getForUpdate(tx, ticketId);
    if (!ticket) return false;
    const expired = await this.approvals.expirePending(tx, ticketId);
    // A ticket that already moved on only has its stale requests closed; only a paused one is escalated.
    if (!expired.length || ticket.status !== 'awaiting_approval') return false;
    const actions = expired.map((a) => describeAction(a.action, a.arguments, this.config.env.ACCOUNT_CURRENCY));
    const resolution = {
      ticket_status: 'escalated',
      resolution_reply: HANDOFF_REPLY,
      resolution_notes: `Escalated: no decision on the proposed ${actions.join('; ')} within ${this.config.env.APPROVAL_TTL_MINUTES} minutes (the approval expired).`,
      escalation_channel: this.config.env.ESCALATION_CHANNEL,
    };
    await this.tickets.update(
      ticketId,
      { status: 'escalated', resolution, runState: null, runBackend: null },
      { type: 'approval_expired', actor: 'system', data: { status: 'escalated', approvals: expired.map((a) => ({ id: a.id, action: a.action, arguments: a.arguments })) } },
      tx,
    );
    return true;
  }

  /** Expires what is due, a page at a time. */
  async expireDue(): Promise<number> {
    let expired = 0;
    const seen = new Set<string>();
    for (let page = await this.approvals.ticketsWithExpired(); page.length; page = await this.approvals.ticketsWithExpired()) {
      // Every ticket of the page leaves the query (its pending requests become expired), so pages
      // advance; one seen twice would mean a write did not happen: stop rather than spin.
      if (page.every((id) => seen.has(id))) break;
      for (const ticketId of page) {
        seen.add(ticketId);
        if (await this.tickets.transaction((tx) => this.expireTicket(tx, ticketId))) {
          expired++;
          this.handoff.escalated(ticketId);
          this.logger.warn(`Ticket ${ticketId}: approval expired without a decision; escalated to a person`);
        }
      }
    }
    return expired;
  }

  onApplicationBootstrap(): void {
    // Checked every minute (or sooner with a short TTL): an expiry is late by at most that.
    const every = Math.min(60_000, Math.max(1_000, (this.config.env.APPROVAL_TTL_MINUTES * 60_000) / 4));
    this.timer = setInterval(() => {
      this.sweeping ??= this.expireDue()
        .then(() => undefined, (err: unknown) => this.logger.error(`Approval expiry failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => (this.sweeping = undefined));
    }, every);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([this.sweeping, ...this.resuming]);
  }

  private async track<T>(work: Promise<T>): Promise<T> {
    this.resuming.add(work);
    try {
      return await work;
    } finally {
      this.resuming.delete(work);
    }
  }
}

function notFound(id: string): ProblemException {
  return new ProblemException(problem(404, 'approval-not-found', `No approval "${id.length > 80 ? `${id.slice(0, 80)}…` : id}".`));
}

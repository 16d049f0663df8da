import { Injectable, Logger } from '@nestjs/common';
import type { RunContext } from '@openai/agents-core';
import { AppConfig } from '../config/configuration.js';
import { describeAction, needsApproval, parseEnabledActions, refusal, type ActionLimits, type ActionName, type ActionResult } from './account-actions.js';
import { AccountActionsRepository } from './account-actions.repository.js';

/** What an action needs from the run it is part of: which ticket, whose account. */
export interface ActionRunContext {
  ticket_id?: string;
  customer_id?: string;
}

/**
 * Runs the account actions the agents call. The SDK pauses a call that needs approval before it
 * gets here; this checks again (the policy, the SDK's approval, and the approved row in the
 * database) so no path — a scripted model, a tampered run state — acts without the configured approval.
 */
@Injectable()
export class AccountActionsService {
  private readonly logger = new Logger('AccountActions');
  readonly limits: ActionLimits;

  constructor(
    private readonly repository: AccountActionsRepository,
    config: AppConfig,
  ) {
    const e = config.env;
    this.limits = {
      enabled: parseEnabledActions(e.ACTIONS_ENABLED).enabled,
      refundMax: e.ACTION_REFUND_MAX,
      refundAutoApproveUpTo: e.ACTION_REFUND_AUTO_APPROVE_UP_TO,
      creditMax: e.ACTION_CREDIT_MAX,
      creditAutoApproveUpTo: e.ACTION_CREDIT_AUTO_APPROVE_UP_TO,
      currency: e.ACCOUNT_CURRENCY,
    };
  }

  /**
   * The SDK's needsApproval: what may never run is not put to a person (it is refused when it
   * runs) — outside the limits, or a second action of the kind on the same ticket.
   */
  async needsApproval(action: ActionName, args: Record<string, unknown>, context: RunContext<ActionRunContext>): Promise<boolean> {
    if (refusal(action, args, this.limits) !== undefined || !needsApproval(action, args, this.limits)) return false;
    const ticketId = context.context?.ticket_id;
    return !(ticketId && (await this.repository.executedOnTicket(ticketId, action)));
  }

  async run(action: ActionName, args: Record<string, unknown>, context: RunContext<ActionRunContext>, callId: string | undefined): Promise<ActionResult> {
    const summary = describeAction(action, args, this.limits.currency);
    const refuse = (reason: string): ActionResult => {
      this.logger.warn(`${action} refused on ticket ${context.context.ticket_id ?? '(none)'}: ${reason}`);
      return { executed: false, action, summary, refused_reason: reason };
    };
    const { ticket_id: ticketId, customer_id: customerId } = context.context ?? {};
    if (!ticketId || !callId) return refuse('account actions run only on stored tickets (POST /tickets), where a person can approve them');
    if (!customerId) return refuse('the ticket has no metadata.customer_id: whose account it is is unknown');
    const refused = refusal(action, args, this.limits);
    if (refused) return refuse(refused);
    const approval = needsApproval(action, args, this.limits);
    // Done before on this ticket (this call replayed, or asked again on a later pass): that execution is the answer.
    const earlier = await this.repository.executedOnTicket(ticketId, action);
    if (earlier) return { executed: true, action, action_id: earlier.id, summary: describeAction(action, earlier.arguments, this.limits.currency), details: earlier.outcome };
    if (approval && context.isToolApproved({ toolName: action, callId }) !== true) return refuse('no person has approved this action');
    const outcome = await this.repository.execute({
      ticketId,
      callId,
      customerId,
      action,
      args,
      currency: this.limits.currency,
      authorizedBy: approval ? 'approval' : 'policy',
    });
    if (!outcome.ok) return refuse(outcome.reason);
    if (!outcome.replayed) this.logger.log(`${action} executed on ticket ${ticketId} (${outcome.row.id}, ${outcome.row.authorizedBy})`);
    return { executed: true, action, action_id: outcome.row.id, summary, details: outcome.row.outcome };
  }
}

import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/scopes.js';
import { ApiProblems } from '../common/api-docs.decorators.js';
import { ProblemException, problem } from '../common/problem-details.js';
import type { AccountActionRow } from '../database/schema.js';
import { AccountActionsRepository } from './account-actions.repository.js';
import { CustomerAccountDto, type AccountActionDto } from './accounts.dto.js';

export function toActionView(a: AccountActionRow): AccountActionDto {
  return {
    id: a.id,
    action: a.action,
    arguments: a.arguments,
    outcome: a.outcome,
    authorized_by: a.authorizedBy,
    approval_id: a.approvalId,
    ticket_id: a.ticketId,
    executed_at: a.executedAt.toISOString(),
  };
}

/** The accounts the agents act on: what was done to a customer's account, and by whose authority. */
@ApiTags('approvals')
@Controller('accounts')
export class AccountsController {
  constructor(private readonly repository: AccountActionsRepository) {}

  @Get(':customer_id')
  @RequireScopes('tickets:read')
  @ApiOperation({ summary: "A customer's account as the agents' actions left it, with the ledger of executed actions" })
  @ApiParam({ name: 'customer_id', example: '12345' })
  @ApiOkResponse({ type: CustomerAccountDto })
  @ApiProblems(404, 503)
  async get(@Param('customer_id') customerId: string): Promise<CustomerAccountDto> {
    // Customer ids are the helpdesk's: any short printable string.
    const valid = customerId.length <= 200 && ![...customerId].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
    const account = valid ? await this.repository.account(customerId) : undefined;
    if (!account) {
      throw new ProblemException(problem(404, 'account-not-found', `No account activity for customer "${customerId.slice(0, 80)}": the agents never acted on it.`));
    }
    const actions = await this.repository.ledger({ customerId, limit: 100 });
    return {
      customer_id: account.customerId,
      currency: account.currency,
      credit_balance: account.creditCents / 100,
      refunded_total: account.refundedCents / 100,
      mfa_reset_at: account.mfaResetAt?.toISOString() ?? null,
      closed_at: account.closedAt?.toISOString() ?? null,
      actions: actions.map(toActionView),
    };
  }
}

import { ApiProperty } from '@nestjs/swagger';

export class AccountActionDto {
  @ApiProperty({ example: 'act_5b0c7c1e-8a51-4c57-9f0e-0d3f2c9b6a11' }) id!: string;
  @ApiProperty({ example: 'issue_refund', enum: ['issue_refund', 'apply_account_credit', 'reset_mfa', 'close_account'] }) action!: string;
  @ApiProperty({ example: { amount: 30, currency: 'USD', charge_reference: 'INV-2291', reason: 'duplicate charge reported by the customer' } })
  arguments!: Record<string, unknown>;
  @ApiProperty({ example: { refunded: 30, currency: 'USD', charge_reference: 'INV-2291', refunded_total: 30 } }) outcome!: Record<string, unknown>;
  @ApiProperty({ example: 'approval', enum: ['approval', 'policy'], description: 'approval: a person approved it (approval_id); policy: under an automatic-approval limit.' })
  authorized_by!: string;
  @ApiProperty({ example: '7d7e4c52-2f0e-4d6e-8c53-1f7a0b6c9e21', nullable: true }) approval_id!: string | null;
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44', nullable: true }) ticket_id!: string | null;
  @ApiProperty({ example: '2026-11-25T10:04:12.000Z' }) executed_at!: string;
}

export class CustomerAccountDto {
  @ApiProperty({ example: '12345' }) customer_id!: string;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: 0, description: 'Account credit in the currency.' }) credit_balance!: number;
  @ApiProperty({ example: 30, description: 'Everything the agents refunded to this customer.' }) refunded_total!: number;
  @ApiProperty({ example: null, nullable: true }) mfa_reset_at!: string | null;
  @ApiProperty({ example: null, nullable: true }) closed_at!: string | null;
  @ApiProperty({ type: [AccountActionDto], description: 'The latest executed actions, newest first (up to 100).' }) actions!: AccountActionDto[];
}

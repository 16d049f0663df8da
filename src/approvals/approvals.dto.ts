import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto.js';
import { Optional } from '../common/validation.js';
import { ACTION_NAMES } from '../actions/account-actions.js';
import { SlaStateDto } from '../sla/sla.dto.js';
import { PRIORITIES } from '../triage/taxonomy.js';
import { StoredTicketDto } from '../tickets/tickets.dto.js';
import { APPROVAL_STATUSES, type ApprovalStatus } from './approvals.schemas.js';

const toList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value);

export class ApprovalTicketDto {
  @ApiProperty({ example: 'awaiting_approval' }) status!: string;
  @ApiProperty({ example: 'High', nullable: true }) priority!: string | null;
  @ApiProperty({ example: 'billing', nullable: true }) category!: string | null;
  @ApiProperty({ example: 'email', nullable: true }) channel!: string | null;
  @ApiProperty({ example: 'I was charged twice for my subscription this month, $30 each time (invoice INV-2291). Please refund the duplicate.' })
  inquiry_excerpt!: string;
  @ApiProperty({ example: 0, description: 'Customer messages since the agents proposed the action.' }) replies_since!: number;
}


export class ApprovalDto {
  @ApiProperty({ example: '7d7e4c52-2f0e-4d6e-8c53-1f7a0b6c9e21' }) id!: string;
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) ticket_id!: string;
  @ApiProperty({ enum: APPROVAL_STATUSES, example: 'pending' }) status!: ApprovalStatus;
  @ApiProperty({ enum: ACTION_NAMES, example: 'issue_refund' }) action!: string;
  @ApiProperty({ example: { amount: 30, currency: 'USD', charge_reference: 'INV-2291', reason: 'duplicate charge reported by the customer' } })
  arguments!: Record<string, unknown>;
  @ApiProperty({ example: 'Refund 30.00 USD for INV-2291 (duplicate charge reported by the customer)' }) summary!: string;
  @ApiProperty({ example: '12345', nullable: true }) customer_id!: string | null;
  @ApiProperty({ example: 'resolution_agent' }) agent!: string;
  @ApiProperty({ example: '2026-11-25T10:00:02.000Z' }) requested_at!: string;
  @ApiProperty({ example: '2026-11-26T10:00:02.000Z', description: 'Undecided by then, the ticket is escalated to a person (APPROVAL_TTL_MINUTES).' }) expires_at!: string;
  @ApiProperty({ example: null, nullable: true }) decided_at!: string | null;
  @ApiProperty({ example: null, nullable: true, description: 'The approver named in the decision, or the API key name.' }) decided_by!: string | null;
  @ApiProperty({ example: null, nullable: true }) reason!: string | null;
  @ApiProperty({ type: ApprovalTicketDto }) ticket!: ApprovalTicketDto;
  @ApiProperty({ type: SlaStateDto, description: "The ticket's SLA from its policy clocks: the resolution_time clock when the policy sets one." }) sla!: SlaStateDto;
}

export class ApprovalPageDto {
  @ApiProperty({ type: [ApprovalDto] }) approvals!: ApprovalDto[];
  @ApiProperty({ nullable: true, example: null, description: 'Pass as `cursor` for the next page; null on the last page.' }) next_cursor!: string | null;
}

export class ApprovalListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'pending', default: 'pending', description: `Comma-separated: ${APPROVAL_STATUSES.join(', ')}.` })
  @Optional()
  @Transform(toList)
  @IsIn(APPROVAL_STATUSES, { each: true, message: `status must be a comma-separated list of: ${APPROVAL_STATUSES.join(', ')}` })
  status?: ApprovalStatus[];

  @ApiPropertyOptional({ enum: ACTION_NAMES, example: 'issue_refund' })
  @Optional()
  @IsIn(ACTION_NAMES)
  action?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, example: 'High', description: "The ticket's priority." })
  @Optional()
  @IsIn(PRIORITIES)
  priority?: string;

  @ApiPropertyOptional({ example: '12345' })
  @Optional()
  @MaxLength(200)
  @IsString()
  customer_id?: string;

  @ApiPropertyOptional({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' })
  @Optional()
  @MaxLength(64)
  @IsString()
  ticket_id?: string;

  @ApiPropertyOptional({
    enum: ['requested_at', 'sla_deadline'],
    default: 'requested_at',
    description:
      "requested_at: oldest request first; sla_deadline: the earliest policy deadline first (breached ones lead, no deadline last, then id), over at most 5,000 approvals the filter selects (more is a 400: narrow the filter).",
  })
  @Optional()
  @IsIn(['requested_at', 'sla_deadline'])
  sort?: 'requested_at' | 'sla_deadline';
}

export class ApproveRequestDto {
  @ApiPropertyOptional({ example: 'Duplicate confirmed in Stripe: two charges of $30 on Nov 3.', maxLength: 2000 }) reason?: string;
  @ApiPropertyOptional({ example: 'maria@support', maxLength: 200 }) approver?: string;
}

export class RejectRequestDto {
  @ApiProperty({ example: 'The second charge is a separate seat the customer added on Nov 3.', maxLength: 2000 }) reason!: string;
  @ApiPropertyOptional({ example: 'maria@support', maxLength: 200 }) approver?: string;
}

export class DecisionResultDto {
  @ApiProperty({ type: ApprovalDto }) approval!: ApprovalDto;
  @ApiProperty({ type: StoredTicketDto, description: 'The ticket after the resumed run (or still awaiting_approval while other calls of the run are undecided).' })
  ticket!: StoredTicketDto;
}

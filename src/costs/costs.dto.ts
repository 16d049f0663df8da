import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min, ValidateBy } from 'class-validator';
import { Optional } from '../common/validation.js';
import { TIMESTAMP_MESSAGE, isTimestamp } from '../common/timestamp.js';
import { COST_GROUP_BY, type CostGroupBy } from './costs.repository.js';

const IsTimestampParam = (): PropertyDecorator =>
  ValidateBy({
    name: 'isTimestamp',
    validator: { validate: (value: unknown) => isTimestamp(value), defaultMessage: (args) => `${args?.property ?? 'value'} ${TIMESTAMP_MESSAGE}; in a URL write + as %2B` },
  });

export const MAX_TOP_TICKETS = 100;

export class CostsQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Spending at or after this instant (when the model answered). Default: 30 days before `until`.' })
  @Optional()
  @IsTimestampParam()
  @IsString()
  since?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Spending before this instant. Default: now. At most 366 days after `since`.' })
  @Optional()
  @IsTimestampParam()
  @IsString()
  until?: string;

  @ApiPropertyOptional({ enum: COST_GROUP_BY, example: 'agent', description: 'One group per value (`day`: UTC date of the spending). Default: no groups.' })
  @Optional()
  @IsIn(COST_GROUP_BY, { message: `group_by must be one of: ${COST_GROUP_BY.join(', ')}` })
  @IsString()
  group_by?: CostGroupBy;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_TOP_TICKETS, default: 10, description: 'How many of the most expensive tickets (and recent budget escalations) to list.' })
  @Optional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value))
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_TOP_TICKETS)
  limit?: number;
}

export class UsageTotalsDto {
  @ApiProperty({ example: 14, description: 'Model requests.' }) requests!: number;
  @ApiProperty({ example: 9120 }) input_tokens!: number;
  @ApiProperty({ example: 1480 }) output_tokens!: number;
  @ApiProperty({ example: 10600 }) total_tokens!: number;
  @ApiProperty({ example: 0.006016, description: 'Estimated, in US dollars (MODEL_PRICES, docs/costs.md); 0 for the offline policy.' }) cost_usd!: number;
}

export class CostTotalsDto extends UsageTotalsDto {
  @ApiProperty({ example: 7, description: 'Tickets with spending in the window.' }) tickets!: number;
  @ApiProperty({ example: 1514 }) avg_tokens_per_ticket!: number;
  @ApiProperty({ example: 0.000859 }) avg_cost_per_ticket_usd!: number;
}

export class CostGroupDto extends CostTotalsDto {
  @ApiProperty({ example: 'resolution_agent', description: 'The group value ("unknown" for tickets not triaged yet).' }) key!: string;
}

export class CostlyTicketDto extends UsageTotalsDto {
  @ApiProperty({ example: '6f1c0d1e-8a53-4a43-9b0e-2d3c2f9b7a10' }) ticket_id!: string;
  @ApiProperty({ example: 'escalated' }) status!: string;
  @ApiProperty({ example: 'billing', nullable: true }) category!: string | null;
  @ApiProperty({ example: 'High', nullable: true }) priority!: string | null;
}

export class BudgetEscalationDto {
  @ApiProperty({ example: '6f1c0d1e-8a53-4a43-9b0e-2d3c2f9b7a10' }) ticket_id!: string;
  @ApiProperty({ example: '2026-11-24T09:31:02.000Z' }) at!: string;
  @ApiProperty({ example: 20480 }) spent_tokens!: number;
  @ApiProperty({ example: 20000 }) budget_tokens!: number;
}

export class CostBudgetDto {
  @ApiProperty({ example: 20000, description: 'TICKET_TOKEN_BUDGET (0: none).' }) ticket_token_budget!: number;
  @ApiProperty({ example: 2, description: 'Tickets escalated to a person for their token budget in the window.' }) escalations!: number;
  @ApiProperty({ type: [BudgetEscalationDto] }) recent_escalations!: BudgetEscalationDto[];
}

export class CostPricesDto {
  @ApiProperty({ type: 'object', additionalProperties: true, example: { 'gpt-4.1-mini': { input: 0.4, output: 1.6 } }, description: 'MODEL_PRICES, USD per million tokens.' })
  configured!: Record<string, { input: number; output: number }>;
  @ApiProperty({ example: '2025-08', description: 'Date of the built-in list prices used for models MODEL_PRICES does not name.' }) built_in_as_of!: string;
  @ApiProperty() note!: string;
}

export class CostReportDto {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' }) to!: string;
  @ApiProperty({ enum: COST_GROUP_BY, nullable: true, example: 'agent' }) group_by!: CostGroupBy | null;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ type: CostTotalsDto }) totals!: CostTotalsDto;
  @ApiProperty({ type: [CostGroupDto], description: 'Dearest first; empty without group_by.' }) groups!: CostGroupDto[];
  @ApiProperty({ type: [CostlyTicketDto], description: 'The tickets that cost most in the window, dearest first.' }) most_expensive_tickets!: CostlyTicketDto[];
  @ApiProperty({ type: CostBudgetDto }) budget!: CostBudgetDto;
  @ApiProperty({ type: CostPricesDto }) prices!: CostPricesDto;
}

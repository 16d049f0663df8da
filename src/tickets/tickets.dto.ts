import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDate, IsIn, IsString, MaxLength } from 'class-validator';
import { STORABLE_TIMESTAMP_MESSAGE, storableInstant } from '../common/timestamp.js';
import { PageQueryDto } from '../common/page-query.dto.js';
import { Optional } from '../common/validation.js';
import { ResolutionResultDto } from '../resolution/resolution.dto.js';
import { PRIORITIES } from '../triage/taxonomy.js';
import { TicketMetadataDto, TriageResultDto } from '../triage/triage.dto.js';
import { CHANNELS } from '../triage/triage.schemas.js';
import { EXTERNAL_EVENT_TYPES, TICKET_STATUSES, type TicketStatus } from './ticket-status.js';
import { UsageTotalsDto } from '../costs/costs.dto.js';

/** Request and response DTOs of the tickets feature (documentation and query validation). */
const EXAMPLE_TRIAGE = {
  category: 'technical',
  priority: 'High',
  confidence: 0.91,
  ticket_metadata: { channel: 'email', customer_id: '12345', customer_history: 'VIP, 2 prior tickets' },
  clarification_needed: false,
};
const EXAMPLE_RESOLUTION = {
  resolution_reply: 'Sorry you are locked out. On the sign-in page choose **Forgot password?** …',
  ticket_status: 'resolved',
  resolution_notes: 'Used KB article kb-0001.',
  escalation_channel: null,
};

export class TicketEventDto {
  @ApiProperty({ example: '42' }) id!: string;
  @ApiProperty({ example: 'triaged', description: 'created, triaged, resolution, clarification_requested, run_failed, retry, or an update posted to /tickets/:id/events.' })
  type!: string;
  @ApiProperty({ example: 'triage_agent', description: 'customer, agent (a person), system, triage_agent or resolution_agent.' }) actor!: string;
  @ApiProperty({ example: '2026-11-25T10:00:01.204Z' }) at!: string;
  @ApiProperty({
    example: { status: 'processing', output: EXAMPLE_TRIAGE, backend: 'offline', degraded: false, usage: { requests: 1, input_tokens: 0, output_tokens: 0, total_tokens: 0 }, duration_ms: 3 },
    description: 'What happened: for agent steps the output, model backend, token usage and duration; `status` is the ticket status after the event.',
  })
  data!: Record<string, unknown>;
}

export class StoredTicketDto {
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) id!: string;
  @ApiProperty({ enum: TICKET_STATUSES, example: 'resolved' }) status!: TicketStatus;
  @ApiProperty({ example: "I can't log in to my account. My email is [EMAIL_1].", description: 'The customer text as stored: personal data and secrets replaced by typed placeholders.' })
  inquiry_text!: string;
  @ApiProperty({ type: TicketMetadataDto }) metadata!: TicketMetadataDto;
  @ApiProperty({ type: TriageResultDto, nullable: true, example: EXAMPLE_TRIAGE }) triage!: TriageResultDto | null;
  @ApiProperty({ type: ResolutionResultDto, nullable: true, example: EXAMPLE_RESOLUTION }) resolution!: ResolutionResultDto | null;
  @ApiProperty({ nullable: true, example: null, description: 'Why the last run failed (status "failed"): { stage, status, type, detail }.' }) error!: unknown;
  @ApiProperty({
    nullable: true,
    example: null,
    description:
      'Set when a guardrail stopped the ticket or a customer reply (status "escalated"): { guardrail, reason, field, score, evidence, decided_by, at }. A person must look at it.',
  })
  review!: unknown;
  @ApiProperty({ example: null, nullable: true, description: 'The person who took the ticket over (take_over); null while the agents own it.' }) assignee!: string | null;
  @ApiProperty({
    example: { status: 'verified', method: 'customer_confirmed', judged_by: 'rules' },
    nullable: true,
    description: 'Whether an automated "resolved" held (docs/verification.md); null until the agents resolve the ticket.',
  })
  verification!: unknown;
  @ApiProperty({ example: 1, description: 'Workflow runs so far (retries and customer replies run it again).' }) attempts!: number;
  @ApiProperty({ example: '2026-11-25T10:00:01.198Z' }) created_at!: string;
  @ApiProperty({ example: '2026-11-25T10:00:01.231Z' }) updated_at!: string;
  @ApiPropertyOptional({ type: [TicketEventDto], description: 'Every step, oldest first (GET /tickets/:id and write responses).' }) events?: TicketEventDto[];
  @ApiPropertyOptional({ type: UsageTotalsDto, description: "Model requests, tokens and estimated cost (USD) of the ticket's runs so far (docs/costs.md)." }) usage?: UsageTotalsDto;
}

export class TicketAcceptedDto {
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) id!: string;
  @ApiProperty({ example: 'queued' }) status!: string;
}

export class TicketPageDto {
  @ApiProperty({ type: [StoredTicketDto] }) tickets!: StoredTicketDto[];
  @ApiProperty({ nullable: true, example: 'czoxMjM', description: 'Pass as `cursor` for the next (older) page; null on the last page.' }) next_cursor!: string | null;
}

export class CreateTicketQueryDto {
  @ApiPropertyOptional({ enum: ['sync', 'async'], default: 'sync', description: 'async: answer 202 at once and run the agents in the background.' })
  @Optional()
  @IsIn(['sync', 'async'])
  mode?: 'sync' | 'async';
}

const toList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value);
/** A date, or a date-time with an offset (no server-local times), in years 0001-9999; else left for IsDate to refuse. */
const toDate = ({ value }: { value: unknown }) => (typeof value === 'string' ? (storableInstant(value) ?? value) : value);

export class TicketListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'escalated,failed', description: `Comma-separated: ${TICKET_STATUSES.join(', ')}.` })
  @Optional()
  @Transform(toList)
  @IsIn(TICKET_STATUSES, { each: true, message: `status must be a comma-separated list of: ${TICKET_STATUSES.join(', ')}` })
  status?: TicketStatus[];

  @ApiPropertyOptional({ example: 'billing' })
  @Optional()
  @MaxLength(64)
  @IsString()
  category?: string;

  @ApiPropertyOptional({ enum: PRIORITIES, example: 'High' })
  @Optional()
  @IsIn(PRIORITIES)
  priority?: string;

  @ApiPropertyOptional({ enum: CHANNELS, example: 'email' })
  @Optional()
  @IsIn(CHANNELS)
  channel?: string;

  @ApiPropertyOptional({ example: '12345' })
  @Optional()
  @MaxLength(200)
  @IsString()
  customer_id?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], example: 'true', description: 'true: only tickets a guardrail flagged for review (`review` set); false: only the others.' })
  @Optional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsIn([true, false], { message: 'flagged must be true or false' })
  flagged?: boolean;

  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Created at or after (ISO-8601).' })
  @Optional()
  @Transform(toDate)
  @IsDate({ message: `created_from ${STORABLE_TIMESTAMP_MESSAGE}` })
  created_from?: Date;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Created before (ISO-8601).' })
  @Optional()
  @Transform(toDate)
  @IsDate({ message: `created_to ${STORABLE_TIMESTAMP_MESSAGE}` })
  created_to?: Date;
}

export class TicketEventRequestDto {
  @ApiProperty({ enum: EXTERNAL_EVENT_TYPES, example: 'customer_reply' }) type!: string;
  @ApiPropertyOptional({ example: 'It happens in the desktop app since this morning, on Windows.', description: 'agent_reply, customer_reply, note.' }) message?: string;
  @ApiPropertyOptional({ example: 'maria@support', description: 'agent_reply, note, resolved, closed, take_over (the assignee; default: the API key name), handback.' }) author?: string;
  @ApiPropertyOptional({ example: 'Confirmed fixed by the customer.', description: 'resolved, closed, take_over, handback.' }) note?: string;
  @ApiPropertyOptional({ example: 'Still cannot log in.', description: 'reopened.' }) reason?: string;
  @ApiPropertyOptional({ example: 5, minimum: 1, maximum: 5, description: 'csat (required there).' }) score?: number;
  @ApiPropertyOptional({ example: 'Quick and clear, thanks!', description: 'csat.' }) comment?: string;
}

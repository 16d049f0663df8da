import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsNumber, IsObject, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { HAS_TEXT, HAS_TEXT_MESSAGE } from '../common/validation.js';
import { PRIORITIES } from '../triage/taxonomy.js';
import { TicketMetadataDto } from '../triage/triage.dto.js';
import { MAX_INQUIRY_CHARS } from '../triage/triage.schemas.js';
import { TICKET_STATUSES } from './resolution.schemas.js';

export class TicketDto {
  @ApiProperty({ example: 'technical' })
  @MaxLength(64)
  @IsString()
  category!: string;

  @ApiProperty({ enum: PRIORITIES, example: 'High' })
  @IsIn(PRIORITIES)
  priority!: (typeof PRIORITIES)[number];

  @ApiProperty({ example: 0.92, minimum: 0, maximum: 1 })
  @Min(0)
  @Max(1)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  confidence!: number;

  @ApiProperty({ type: TicketMetadataDto })
  @ValidateNested()
  @Type(() => TicketMetadataDto)
  @IsObject()
  @IsDefined()
  ticket_metadata!: TicketMetadataDto;

  @ApiProperty({ example: false })
  @IsBoolean()
  clarification_needed!: boolean;
}

export class ResolutionRequestDto {
  @ApiProperty({
    type: TicketDto,
    description: 'The triage result of /run_triage/.',
    example: { category: 'technical', priority: 'High', confidence: 0.92, ticket_metadata: { channel: 'email', customer_id: '12345', customer_history: 'VIP, 2 prior tickets' }, clarification_needed: false },
  })
  @ValidateNested()
  @Type(() => TicketDto)
  @IsObject()
  @IsDefined()
  ticket!: TicketDto;

  @ApiProperty({ example: "I can't log in to my account.", maxLength: MAX_INQUIRY_CHARS })
  @Matches(HAS_TEXT, { message: `inquiry_text ${HAS_TEXT_MESSAGE}` })
  @MaxLength(MAX_INQUIRY_CHARS)
  @IsString()
  inquiry_text!: string;
}

export class ResolutionResultDto {
  @ApiProperty({ example: 'Thanks for reaching out.\n\nHere is what should sort this out, from our help article "Reset your password" (kb-0001): …' })
  resolution_reply!: string;
  @ApiProperty({ enum: TICKET_STATUSES, example: 'resolved' })
  ticket_status!: (typeof TICKET_STATUSES)[number];
  @ApiProperty({ example: 'Used KB article kb-0001 (match 1, score 42.7).' })
  resolution_notes!: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Set when escalated (ESCALATION_CHANNEL), e.g. slack:#support-escalations.' })
  escalation_channel!: string | null;
}

export class ResolutionResponseDto {
  @ApiProperty({ type: ResolutionResultDto })
  resolution_result!: ResolutionResultDto;
}

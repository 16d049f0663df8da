import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { HAS_TEXT, HAS_TEXT_MESSAGE, Optional } from '../common/validation.js';
import { PRIORITIES } from './taxonomy.js';
import { CHANNELS, MAX_INQUIRY_CHARS } from './triage.schemas.js';

/** Request and response DTOs of the triage feature (HTTP side; zod schemas in triage.schemas.ts). */
export class TicketMetadataDto {
  @ApiProperty({ enum: CHANNELS, example: 'email' })
  @IsIn(CHANNELS)
  channel!: (typeof CHANNELS)[number];

  @ApiPropertyOptional({ example: '12345', maxLength: 200 })
  @Optional()
  @MaxLength(200)
  @IsString()
  customer_id?: string;

  @ApiPropertyOptional({ example: 'VIP, 2 prior tickets', maxLength: 2000, description: 'Free text; tier words (VIP, Enterprise) raise priority when the customer is blocked or upset.' })
  @Optional()
  @MaxLength(2000)
  @IsString()
  customer_history?: string;
}

export class TriageRequestDto {
  @ApiProperty({ example: "I can't log in to my account.", maxLength: MAX_INQUIRY_CHARS })
  @Matches(HAS_TEXT, { message: `inquiry_text ${HAS_TEXT_MESSAGE}` })
  @MaxLength(MAX_INQUIRY_CHARS)
  @IsString()
  inquiry_text!: string;

  @ApiProperty({ type: TicketMetadataDto })
  @ValidateNested()
  @Type(() => TicketMetadataDto)
  @IsObject()
  @IsDefined()
  metadata!: TicketMetadataDto;
}

export class TriageResultDto {
  @ApiProperty({ example: 'technical', description: 'One of the taxonomy categories (default: technical, billing, general).' })
  category!: string;
  @ApiProperty({ enum: PRIORITIES, example: 'High' })
  priority!: (typeof PRIORITIES)[number];
  @ApiProperty({ example: 0.92, minimum: 0, maximum: 1, description: 'Calibrated probability that the category is right.' })
  confidence!: number;
  @ApiProperty({ type: TicketMetadataDto, example: { channel: 'email', customer_id: '12345', customer_history: 'VIP, 2 prior tickets' } })
  ticket_metadata!: TicketMetadataDto;
  @ApiProperty({ example: false })
  clarification_needed!: boolean;
}

export class TriageResponseDto {
  @ApiProperty({ type: TriageResultDto })
  triage_result!: TriageResultDto;
}

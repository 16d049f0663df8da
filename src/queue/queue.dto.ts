import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { Optional } from '../common/validation.js';
import { LISTABLE_STATES, type ListableState } from './ticket-jobs.js';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

export class JobListQueryDto {
  @ApiPropertyOptional({ enum: LISTABLE_STATES, default: 'failed', description: '`failed` is the dead-letter list: jobs that used up QUEUE_ATTEMPTS or cannot succeed.' })
  @Optional()
  @IsIn(LISTABLE_STATES)
  state?: ListableState;

  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 200, default: 50 })
  @Optional()
  @Transform(toInt)
  @Min(1)
  @Max(200)
  @IsInt()
  limit?: number;

  @ApiPropertyOptional({ example: 0, minimum: 0, default: 0, description: 'Jobs to skip (the list is read from Redis by position).' })
  @Optional()
  @Transform(toInt)
  @Min(0)
  @Max(1_000_000)
  @IsInt()
  offset?: number;
}

export class JobDto {
  @ApiProperty({ example: 'ticket-0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) job_id!: string;
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) ticket_id!: string;
  @ApiProperty({ example: 'failed', description: 'waiting, active, delayed (backoff, or waiting for a running lease), failed (dead-lettered)' }) state!: string;
  @ApiProperty({ example: true }) dead_lettered!: boolean;
  @ApiProperty({ example: 5 }) attempts_made!: number;
  @ApiProperty({ example: 5, description: 'QUEUE_ATTEMPTS when the job was enqueued' }) attempts_max!: number;
  @ApiProperty({ example: 0, description: 'Times a worker died holding the job (re-delivered by the stalled check)' }) stalled!: number;
  @ApiProperty({ nullable: true, example: 'triage failed: 503 model-unavailable' }) failed_reason!: string | null;
  @ApiProperty({ nullable: true, enum: ['created', 'retry', 'recovery'], example: 'created' }) reason!: string | null;
  @ApiProperty({ example: '2026-11-26T05:40:00.000Z' }) enqueued_at!: string;
  @ApiProperty({ nullable: true, example: '2026-11-26T05:40:00.120Z' }) started_at!: string | null;
  @ApiProperty({ nullable: true, example: '2026-11-26T05:40:31.480Z' }) finished_at!: string | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto] }) jobs!: JobDto[];
  @ApiProperty({ example: 1, description: 'Jobs in this state in all' }) total!: number;
}

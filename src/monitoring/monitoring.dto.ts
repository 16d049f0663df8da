import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PRIORITIES } from '../triage/taxonomy.js';
import { METRIC_NAMES } from './metrics.js';
import { MAX_TICKET_UPDATES } from './monitoring.schemas.js';
import { SLA_TARGET_KEYS } from './sla.js';
import { ACTORS, UPDATE_STATUSES } from './ticket-facts.js';

/**
 * Swagger documentation of the monitoring body. Validation is the zod schema in
 * monitoring.schemas.ts (10× faster on 100k updates), shared with /run_agent/.
 *
 * One ticket update: an event `{ ticket_id, status, timestamp, actor? ... }` or a snapshot
 * `{ ticket_id, created_at, first_response_at?, resolved_at? ... }`.
 */
export class TicketUpdateDto {
  @ApiProperty({ example: 'T-1' })
  ticket_id!: string;

  @ApiPropertyOptional({ enum: UPDATE_STATUSES, example: 'open', description: 'Event form.' })
  status?: (typeof UPDATE_STATUSES)[number];

  @ApiPropertyOptional({ example: '2026-11-24T09:00:00Z', description: 'Event form.' })
  timestamp?: string;

  @ApiPropertyOptional({ enum: ACTORS, example: 'agent', description: 'Event form.' })
  actor?: (typeof ACTORS)[number];

  @ApiPropertyOptional({ enum: PRIORITIES, example: 'High' })
  priority?: (typeof PRIORITIES)[number];

  @ApiPropertyOptional({ example: 'technical' })
  category?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 5, example: 4 })
  csat?: number;

  @ApiPropertyOptional({ example: '2026-11-24T09:00:00Z', description: 'Snapshot form.' })
  created_at?: string;

  @ApiPropertyOptional({ example: '2026-11-24T09:40:00Z', description: 'Snapshot form.' })
  first_response_at?: string;

  @ApiPropertyOptional({ example: '2026-11-24T12:00:00Z', description: 'Snapshot form.' })
  resolved_at?: string;
}

const EXAMPLE_UPDATES = [
  { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
  { ticket_id: 'T-1', status: 'in_progress', timestamp: '2026-11-24T09:30:00Z', actor: 'agent' },
  { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T12:00:00Z', actor: 'agent', csat: 5 },
  { ticket_id: 'T-2', created_at: '2026-11-24T10:00:00Z', first_response_at: '2026-11-24T11:00:00Z', priority: 'Low' },
];

export class MonitoringRequestDto {
  @ApiProperty({ type: [TicketUpdateDto], example: EXAMPLE_UPDATES, maxItems: MAX_TICKET_UPDATES })
  ticket_updates!: TicketUpdateDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'number' },
    description: `Targets by metric name (breach direction per metric) and per-priority resolution targets in hours. Known keys: ${SLA_TARGET_KEYS.join(', ')}.`,
    example: { avg_resolution_time: 24, sla_compliance: 0.95, resolution_time_high: 4 },
  })
  sla_targets?: Record<string, number>;
}

export class MetricDto {
  @ApiProperty({ enum: METRIC_NAMES, example: 'avg_resolution_time' }) metric_name!: string;
  @ApiProperty({ example: 3.5 }) value!: number;
}

export class MonitoringResultDto {
  @ApiProperty({ type: [MetricDto] }) metrics!: MetricDto[];
  @ApiProperty({ enum: METRIC_NAMES, isArray: true, example: ['sla_compliance'] }) sla_breaches!: string[];
  @ApiProperty({ example: true, description: 'True only when the alert webhook accepted the alert (2xx).' }) alerts_sent!: boolean;
  @ApiProperty({ example: '## Support performance\n\n| Metric | Value |\n|---|---|\n| Tickets | 2 |' }) dashboard_report!: string;
}

export class MonitoringResponseDto {
  @ApiProperty({ type: MonitoringResultDto }) monitoring_result!: MonitoringResultDto;
}

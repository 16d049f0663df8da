import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNumber, IsString, Max, Min, ValidateBy } from 'class-validator';
import { Optional } from '../common/validation.js';
import { PRIORITIES } from '../triage/taxonomy.js';
import { METRIC_NAMES } from './metrics.js';
import { MAX_TICKET_UPDATES } from './monitoring.schemas.js';
import { SLA_TARGET_KEYS } from './sla.js';
import { REPORT_GROUP_BY, type ReportGroupBy } from './stored-updates.js';
import { ACTORS, UPDATE_STATUSES } from './ticket-facts.js';
import { TIMESTAMP_MESSAGE, isTimestamp } from '../common/timestamp.js';

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
  @ApiProperty({
    example:
      '## Support performance\n\n| Metric | Value |\n|---|---|\n| Tickets | 2 |\n| Resolved | 1 |\n| Backlog (not resolved) | 1 |\n| Average first response | 1.5 h |\n| Average resolution | 3.5 h |\n| 90th percentile resolution | 3.5 h |\n| Resolved within SLA | 100% |\n| Reopen rate | no data: no ticket was resolved |\n| Customer satisfaction (1-5) | no data: no CSAT score was given |\n\n**SLA status:** no target breached. No alert was needed.',
    description: 'Markdown. Offline: a template over the computed numbers. OpenAI: the model\'s narrative, returned only if every number in it is one of the computed ones (else the template, with a note).',
  })
  dashboard_report!: string;
}

export class MonitoringResponseDto {
  @ApiProperty({ type: MonitoringResultDto }) monitoring_result!: MonitoringResultDto;
}

// ---- GET /monitoring/report -------------------------------------------------------------

const TIMESTAMP_PARAM_MESSAGE = `${TIMESTAMP_MESSAGE}; in a URL write + as %2B`;

/** The query parameter is a timestamp as the ticket updates take them (timestamp.ts). */
function IsTimestampParam(): PropertyDecorator {
  return ValidateBy({
    name: 'isTimestamp',
    validator: { validate: (value: unknown) => isTimestamp(value), defaultMessage: (args) => `${args?.property ?? 'value'} ${TIMESTAMP_PARAM_MESSAGE}` },
  });
}

/** Only plain decimal numbers become numbers ("0x10", " 5", "1e2" stay strings and fail). */
const toNumber = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}(\.\d{1,9})?$/.test(value) ? Number(value) : value);

/** One SLA target as a query parameter, with the same ranges as `sla_targets` (sla.ts). */
function TargetParam(description: string, example: number, range: { min: number; max?: number } = { min: 0 }): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: Number, description, example, minimum: range.min, ...(range.max !== undefined ? { maximum: range.max } : {}) }),
    Optional(),
    Transform(toNumber),
    // Validators run in the order applied (stopAtFirstError): the type first.
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(range.min),
    ...(range.max !== undefined ? [Max(range.max)] : []),
  );
}

const above = (what: string) => `Target for ${what}; breached when the value is above it.`;
const below = (what: string) => `Target for ${what}; breached when the value is below it.`;

/**
 * `GET /monitoring/report` query. The SLA targets are the `sla_targets` keys of
 * `POST /run_performance_monitoring/`, one parameter each.
 */
export class MonitoringReportQueryDto {
  @ApiPropertyOptional({ example: '2026-11-01T00:00:00Z', description: 'Tickets created at or after this instant. Default: 30 days before `to`.' })
  @Optional()
  @IsTimestampParam()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'Tickets created before this instant. Default: now. At most 366 days after `from`.' })
  @Optional()
  @IsTimestampParam()
  @IsString()
  to?: string;

  @ApiPropertyOptional({ enum: REPORT_GROUP_BY, example: 'priority', description: 'One group per value (`day`: UTC date of creation). Default: one group, key null.' })
  @Optional()
  @IsIn(REPORT_GROUP_BY, { message: `group_by must be one of: ${REPORT_GROUP_BY.join(', ')}` })
  @IsString()
  group_by?: ReportGroupBy;

  @TargetParam(above('tickets_total'), 1000) tickets_total?: number;
  @TargetParam(below('tickets_resolved'), 100) tickets_resolved?: number;
  @TargetParam(above('backlog'), 50) backlog?: number;
  @TargetParam(above('avg_first_response_time (hours)'), 1) avg_first_response_time?: number;
  @TargetParam(above('avg_resolution_time (hours)'), 24) avg_resolution_time?: number;
  @TargetParam(above('p90_resolution_time (hours)'), 48) p90_resolution_time?: number;
  @TargetParam(below('sla_compliance (fraction 0-1)'), 0.95, { min: 0, max: 1 }) sla_compliance?: number;
  @TargetParam(above('reopen_rate (fraction 0-1)'), 0.1, { min: 0, max: 1 }) reopen_rate?: number;
  @TargetParam(below('customer_satisfaction (1-5)'), 4, { min: 1, max: 5 }) customer_satisfaction?: number;
  @TargetParam('Resolution target in hours for High-priority tickets (sla_compliance). Default 4.', 4) resolution_time_high?: number;
  @TargetParam('Resolution target in hours for Medium-priority tickets and tickets without a priority. Default 24.', 24) resolution_time_medium?: number;
  @TargetParam('Resolution target in hours for Low-priority tickets. Default 72.', 72) resolution_time_low?: number;
}

/** Whether the agents' "resolved" held, per group (docs/metrics.md, "Resolution quality"). */
export class ResolutionQualityDto {
  @ApiProperty({ example: 21, description: 'Tickets the agents marked resolved at least once (a `resolution` by `resolution_agent` with status resolved).' })
  automated_resolutions!: number;

  @ApiProperty({ example: 15, description: 'Of those, tickets whose latest automated resolution is verified (docs/verification.md).' })
  verified_resolutions!: number;

  @ApiProperty({ example: 3, description: 'Of those, not verified: reopened, still broken, csat ≤ 2, or the judge said so.' })
  not_verified_resolutions!: number;

  @ApiProperty({ example: 3, description: 'Of those, not decided yet: within the verification window, or not reviewed yet.' })
  verification_pending!: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.5, description: 'automated_resolutions ÷ tickets of the group (4 decimals); null without tickets.' })
  automated_resolution_rate!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.3571, description: 'verified_resolutions ÷ tickets of the group (4 decimals); null without tickets.' })
  verified_resolution_rate!: number | null;
}

export class ReportGroupDto {
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: { type: 'string', nullable: true },
    example: { priority: 'High' },
    description: '`{ <group_by>: value }` (value null for tickets without one), or null without group_by.',
  })
  key!: Record<string, string | null> | null;

  @ApiProperty({
    type: [MetricDto],
    example: [
      { metric_name: 'tickets_total', value: 42 },
      { metric_name: 'tickets_resolved', value: 37 },
      { metric_name: 'backlog', value: 5 },
      { metric_name: 'avg_first_response_time', value: 0.35 },
      { metric_name: 'avg_resolution_time', value: 2.8 },
      { metric_name: 'p90_resolution_time', value: 6.1 },
      { metric_name: 'sla_compliance', value: 0.8649 },
      { metric_name: 'reopen_rate', value: 0.0513 },
      { metric_name: 'customer_satisfaction', value: 4.3 },
    ],
    description: 'The metrics of POST /run_performance_monitoring/ (a metric without data is omitted).',
  })
  metrics!: MetricDto[];

  @ApiProperty({ enum: METRIC_NAMES, isArray: true, example: ['sla_compliance'], description: 'Metrics that breach the given targets.' })
  sla_breaches!: string[];

  @ApiProperty({
    type: ResolutionQualityDto,
    description: 'Automated and verified resolutions of the group. Not metrics: POST /run_performance_monitoring/ cannot know who resolved a ticket, and takes no SLA target for them.',
  })
  resolution_quality!: ResolutionQualityDto;
}

export class MonitoringReportDto {
  @ApiProperty({ example: '2026-11-01T00:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-12-01T00:00:00.000Z' }) to!: string;
  @ApiProperty({ enum: REPORT_GROUP_BY, nullable: true, example: 'priority' }) group_by!: ReportGroupBy | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { sla_compliance: 0.9, resolution_time_high: 4 },
    description: 'The targets given (resolution_time_* not given use their defaults 4 / 24 / 72 h).',
  })
  sla_targets!: Record<string, number>;

  @ApiProperty({ example: 42, description: 'Tickets created in [from, to).' }) tickets!: number;

  @ApiProperty({ type: [ReportGroupDto], description: 'Ordered by key (null last); exactly one group with key null without group_by.' })
  groups!: ReportGroupDto[];

  @ApiProperty({ example: '2026-12-01T08:00:00.000Z' }) generated_at!: string;
}

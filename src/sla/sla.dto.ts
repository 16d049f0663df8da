import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Optional } from '../common/validation.js';
import { SLA_METRICS, type SlaMetric } from './sla-policy.js';
import type { SlaState } from './sla-state.js';

/** Swagger shapes and query parameters of the SLA routes (JSON shapes: sla.types.ts). */

const T0 = '2026-11-25T09:00:00.000Z';

export class MetricClockDto {
  @ApiProperty({ enum: SLA_METRICS, example: 'first_reply_time' }) metric!: string;
  @ApiProperty({ example: 60 }) target_minutes!: number;
  @ApiProperty({ example: true, description: "Counted in business hours of the policy's calendar (false: 24/7)." }) business_hours!: boolean;
  @ApiProperty({ enum: ['not_started', 'running', 'paused', 'fulfilled'], example: 'running' }) state!: string;
  @ApiProperty({ example: false }) breached!: boolean;
  @ApiProperty({ example: 42.5 }) elapsed_minutes!: number;
  @ApiProperty({ example: 17.5, nullable: true, description: 'target − elapsed; negative once breached; null when fulfilled or not started.' }) remaining_minutes!: number | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z', nullable: true }) due_at!: string | null;
  @ApiProperty({ example: null, nullable: true }) breached_at!: string | null;
  @ApiProperty({ example: T0, nullable: true }) cycle_started_at!: string | null;
  @ApiProperty({ example: null, nullable: true }) fulfilled_at!: string | null;
  @ApiProperty({ example: 0, description: "Breaches over the ticket's history (reply metrics: one per cycle at most)." }) breaches!: number;
}

export class TicketSlaDto {
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) ticket_id!: string;
  @ApiProperty({ example: 'escalated' }) status!: string;
  @ApiProperty({ example: 'High', nullable: true }) priority!: string | null;
  @ApiProperty({ example: 'billing', nullable: true }) category!: string | null;
  @ApiProperty({ example: 'email', nullable: true }) channel!: string | null;
  @ApiProperty({ example: { id: 'high', name: 'High priority' }, nullable: true }) policy!: { id: string; name: string | null } | null;
  @ApiProperty({ example: { id: 'berlin-office', time_zone: 'Europe/Berlin' }, nullable: true }) calendar!: { id: string; time_zone: string } | null;
  @ApiProperty({ type: [MetricClockDto] }) metrics!: MetricClockDto[];
  @ApiProperty({ example: { metric: 'first_reply_time', due_at: '2026-11-25T10:00:00.000Z', remaining_minutes: 17.5 }, nullable: true }) next_due!: unknown;
  @ApiProperty({ example: false }) breached!: boolean;
  @ApiProperty({ example: '2026-11-25T09:42:30.000Z' }) computed_at!: string;
}

export class AtRiskItemDto {
  @ApiProperty({ example: '0f8e9c1a-3b7d-4a51-9a52-6f0e7a2d1c44' }) ticket_id!: string;
  @ApiProperty({ example: 'escalated' }) status!: string;
  @ApiProperty({ example: 'High', nullable: true }) priority!: string | null;
  @ApiProperty({ example: 'billing', nullable: true }) category!: string | null;
  @ApiProperty({ example: 'email', nullable: true }) channel!: string | null;
  @ApiProperty({ example: 'high' }) policy_id!: string;
  @ApiProperty({ enum: SLA_METRICS, example: 'first_reply_time' }) metric!: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) due_at!: string;
  @ApiProperty({ example: 17.5 }) remaining_minutes!: number;
}

export class AtRiskDto {
  @ApiProperty({ example: 60 }) within_minutes!: number;
  @ApiProperty({ example: '2026-11-25T09:42:30.000Z' }) generated_at!: string;
  @ApiProperty({ type: [AtRiskItemDto], description: 'Soonest first.' }) items!: AtRiskItemDto[];
  @ApiProperty({ example: false, description: 'More tickets are at risk than `limit`.' }) truncated!: boolean;
}

export class SlaStatsDto {
  @ApiProperty({ example: 12, description: 'Tickets not resolved or closed.' }) open!: number;
  @ApiProperty({ example: 2, description: 'Open tickets with a clock due within SLA_AT_RISK_MINUTES.' }) at_risk!: number;
  @ApiProperty({ example: 1, description: 'Open tickets with a clock past its target.' }) breached!: number;
  @ApiProperty({ example: 3 }) resolved_1h!: number;
  @ApiProperty({ example: 40 }) resolved_24h!: number;
  @ApiProperty({ example: 3 }) resolved_within_sla_1h!: number;
  @ApiProperty({ example: 37 }) resolved_within_sla_24h!: number;
  @ApiProperty({ example: 0.925, nullable: true }) sla_compliance_24h!: number | null;
}

export class SlaOverviewDto {
  @ApiProperty({ example: '2026-11-25T09:42:30.000Z' }) generated_at!: string;
  @ApiProperty({ example: 60 }) at_risk_minutes!: number;
  @ApiProperty({ type: SlaStatsDto }) overall!: SlaStatsDto;
  @ApiProperty({ example: { High: { open: 3, at_risk: 1, breached: 1, resolved_1h: 0, resolved_24h: 8, resolved_within_sla_1h: 0, resolved_within_sla_24h: 7, sla_compliance_24h: 0.875 } } })
  by_priority!: Record<string, SlaStatsDto>;
  @ApiProperty({ example: {} }) by_category!: Record<string, SlaStatsDto>;
  @ApiProperty({ example: {} }) by_channel!: Record<string, SlaStatsDto>;
  @ApiProperty({ example: [{ ticket_id: 'a1b2', status: 'escalated', priority: 'High', category: 'billing', channel: 'email', policy_id: 'high', metric: 'first_reply_time', breached_at: '2026-11-25T09:30:00.000Z', overdue_minutes: 12.5 }] })
  breached_tickets!: unknown[];
  @ApiProperty({ type: [AtRiskItemDto] }) at_risk_tickets!: AtRiskItemDto[];
  @ApiProperty({ example: { at: '2026-11-25T09:42:00.000Z', duration_ms: 35, tickets: 52, alerts_raised: 1, actions_taken: 0 }, nullable: true }) last_check!: unknown;
}

export class TrendsDto {
  @ApiProperty({ enum: ['hour', 'day'], example: 'hour' }) granularity!: string;
  @ApiProperty({ enum: ['overall', 'priority', 'category', 'channel'], example: 'overall' }) dimension!: string;
  @ApiProperty({ example: '2026-11-23T09:00:00.000Z' }) from!: string;
  @ApiProperty({ example: '2026-11-25T09:42:30.000Z' }) to!: string;
  @ApiProperty({
    example: [{ key: null, points: [{ bucket: '2026-11-25T08:00:00.000Z', taken_at: '2026-11-25T08:59:10.000Z', open: 12, at_risk: 2, breached: 1, resolved_1h: 3, resolved_24h: 40, resolved_within_sla_1h: 3, resolved_within_sla_24h: 37, sla_compliance_24h: 0.925 }] }],
  })
  series!: unknown[];
}

export class CheckResultDto {
  @ApiProperty({ example: '2026-11-25T09:42:00.000Z' }) at!: string;
  @ApiProperty({ example: 35 }) duration_ms!: number;
  @ApiProperty({ example: 52 }) tickets!: number;
  @ApiProperty({ example: 1 }) breaches_open!: number;
  @ApiProperty({ example: 2 }) at_risk!: number;
  @ApiProperty({ example: 1, description: 'New alerts (already-alerted breaches are not raised again).' }) alerts_raised!: number;
  @ApiProperty({ example: 0 }) alerts_renotified!: number;
  @ApiProperty({ example: 0, description: 'Alerts (new or re-notified) that reached people inside one digest message instead of their own (beyond ALERT_MAX_PER_CHECK).' })
  alerts_digested!: number;
  @ApiProperty({ example: 0, description: 'Pre-breach actions taken (priority raised, escalated).' }) actions_taken!: number;
}

export class PolicySetDto {
  @ApiProperty({ enum: ['api', 'file', 'default'], example: 'api', description: 'api: PUT /monitoring/policies; file: SLA_POLICIES_FILE; default: built in.' }) source!: string;
  @ApiProperty({ example: 3, description: 'Also the ETag; send it as If-Match with PUT to refuse a concurrent edit.' }) version!: number;
  @ApiProperty({ example: '2026-11-25T09:00:00.000Z', nullable: true }) updated_at!: string | null;
  @ApiProperty({ example: 'lead@support', nullable: true }) updated_by!: string | null;
  @ApiProperty({ example: [{ id: 'berlin-office', time_zone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '15:00' }] }, holidays: ['2026-12-25'] }] })
  calendars!: unknown[];
  @ApiProperty({
    example: [
      {
        id: 'vip-high',
        name: 'High priority',
        match: { priority: ['High'] },
        business_hours: 'berlin-office',
        targets: { first_reply_time: 60, next_reply_time: 120, resolution_time: 480 },
        actions: [{ metric: 'first_reply_time', before: 15, action: 'raise_priority' }],
      },
    ],
  })
  policies!: unknown[];
}

export class PolicySetInputDto {
  @ApiPropertyOptional({ example: [{ id: 'berlin-office', time_zone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }], tue: [{ start: '09:00', end: '17:00' }] }, holidays: ['2026-12-25', { date: '2026-12-26', name: 'Boxing Day' }] }] })
  calendars?: unknown[];
  @ApiProperty({
    description: 'Ordered: the first policy whose match holds applies. Targets in minutes, or "90m" / "4h".',
    example: [
      { id: 'high', match: { priority: ['High'] }, business_hours: 'berlin-office', targets: { first_reply_time: '1h', resolution_time: '8h' }, actions: [{ metric: 'resolution_time', before: 60, action: 'escalate' }] },
      { id: 'default', targets: { first_reply_time: '4h', next_reply_time: '8h', resolution_time: '24h' } },
    ],
  })
  policies!: unknown[];
}

const DURATION = /^\d{1,6}(\.\d+)?\s*(m|min|h)?$/;

/** "90", "90m", "1.5h" → minutes. */
export const durationMinutes = (s: string) => {
  const n = Number.parseFloat(s);
  return /h$/.test(s) ? n * 60 : n;
};

export class AtRiskQueryDto {
  @ApiPropertyOptional({ example: '1h', default: 'SLA_AT_RISK_MINUTES', description: 'Window: minutes, or "90m" / "2h" (at most 7 days).' })
  @Optional()
  @Matches(DURATION, { message: 'within must be minutes or a duration such as "90m" or "2h"' })
  @IsString()
  within?: string;

  @ApiPropertyOptional({ example: 100, minimum: 1, maximum: 1000, default: 100 })
  @Optional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @Min(1)
  @Max(1000)
  @IsInt()
  limit?: number;
}

export class TrendsQueryDto {
  @ApiPropertyOptional({ example: '2026-11-23T00:00:00Z', description: 'Default: 48 hours (hour) or 30 days (day) before `to`.' })
  @Optional()
  @MaxLength(64)
  @IsString()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-25T12:00:00Z', description: 'Default: now.' })
  @Optional()
  @MaxLength(64)
  @IsString()
  to?: string;

  @ApiPropertyOptional({ enum: ['hour', 'day'], default: 'hour' })
  @Optional()
  @IsIn(['hour', 'day'], { message: 'granularity must be hour or day' })
  granularity?: 'hour' | 'day';

  @ApiPropertyOptional({ enum: ['overall', 'priority', 'category', 'channel'], default: 'overall' })
  @Optional()
  @IsIn(['overall', 'priority', 'category', 'channel'], { message: 'dimension must be one of: overall, priority, category, channel' })
  dimension?: 'overall' | 'priority' | 'category' | 'channel';
}

/** A ticket's SLA in the approval queue and the hand-off package (src/sla/sla-state.ts): the same deadline as GET /tickets/:id/sla. */
const CLOCK_STATES: NonNullable<SlaState['state']>[] = ['not_started', 'running', 'paused', 'fulfilled'];
export class SlaStateDto implements SlaState {
  @ApiProperty({ example: 'High', nullable: true, type: String }) priority!: string | null;
  @ApiProperty({
    enum: SLA_METRICS,
    example: 'resolution_time',
    nullable: true,
    description: "The policy clock shown: resolution_time when the ticket's policy sets it, else the running clock due first (or a breached one); null when no policy applies.",
  })
  metric!: SlaMetric | null;
  @ApiProperty({ enum: CLOCK_STATES, example: 'running', nullable: true, description: "The clock's state, as in GET /tickets/:id/sla." }) state!: SlaState['state'];
  @ApiProperty({ example: 4, nullable: true, type: Number, description: 'The policy target (business hours when business_hours).' }) target_hours!: number | null;
  @ApiProperty({ example: false, nullable: true, type: Boolean, description: "The target counts the policy calendar's working time only." }) business_hours!: boolean | null;
  @ApiProperty({
    example: '2026-11-25T14:00:01.000Z',
    nullable: true,
    type: String,
    description:
      "The clock's due_at (breached_at once breached), as GET /tickets/:id/sla shows it. Null while the clock is paused (its status pauses it, e.g. pending for periodic_update), once it stopped within target, or without a policy.",
  })
  deadline!: string | null;
  @ApiProperty({ example: 3.42, nullable: true, type: Number, description: 'Target minus the time counted so far, counted like the target; negative once breached; null once stopped or without a policy.' })
  remaining_hours!: number | null;
  @ApiProperty({ example: false }) breached!: boolean;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/page-query.dto.js';
import { Optional } from '../common/validation.js';
import { ALERT_CHANNELS, ALERT_KINDS, ALERT_STATUSES, type AlertChannel, type AlertFieldValue, type AlertKind, type AlertLogItem, type AlertStatus, type ChannelDelivery } from './alerts.types.js';

const toList = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value);

const ALERT_ID = '3b2f6a0e-8c1d-4f7a-9e25-6d4c0b1a7f93';

export class AlertDeliveryDto implements ChannelDelivery {
  @ApiProperty({ example: 1, description: 'Which notification (1, then one more per re-notification).' }) notification!: number;
  @ApiProperty({ enum: ALERT_CHANNELS, example: 'slack', description: 'slack: ALERT_WEBHOOK_URL; generic: ALERT_GENERIC_WEBHOOK_URL.' }) channel!: AlertChannel;
  @ApiProperty({ example: 'hooks.slack.com', description: "The URL's host only (a Slack webhook URL's path is its secret)." }) host!: string;
  @ApiProperty({ example: true }) delivered!: boolean;
  @ApiProperty({ example: 200, nullable: true, description: 'The last HTTP status (null: no answer).' }) http_status!: number | null;
  @ApiProperty({ example: 2, description: 'HTTP attempts (network errors, timeouts, 429 and 5xx are retried).' }) attempts!: number;
  @ApiProperty({ example: null, nullable: true, description: 'Why not delivered.' }) error!: string | null;
  @ApiProperty({ example: '2026-11-25T10:05:00.000Z' }) at!: string;
  @ApiPropertyOptional({ example: '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d', description: 'Present when this notification went out inside a digest alert: its id (the POST was the digest\'s).' })
  digest_id?: string;
  @ApiPropertyOptional({ example: 600000, description: "Present when the receiver answered 429/503 with Retry-After: the delay it asked for in ms (at most 30 minutes); the channel's next try waited at least that long." })
  retry_after_ms?: number;
}

export class AlertLogItemDto implements AlertLogItem {
  @ApiProperty({ example: ALERT_ID }) id!: string;
  @ApiProperty({
    enum: ALERT_KINDS,
    example: 'breach',
    description:
      'breach / at_risk: from the SLA check (re-notified while it lasts); metrics: a POST /run_performance_monitoring/ alert; digest: one message for the alerts of a check beyond ALERT_MAX_PER_CHECK.',
  })
  kind!: AlertKind;
  @ApiProperty({ example: 'breach:T-123:first_reply_time:2026-11-25T09:00:00.000Z', description: 'What the alert is about: one alert per key.' }) dedupe_key!: string;
  @ApiProperty({ example: 'T-123', nullable: true }) ticket_id!: string | null;
  @ApiProperty({ example: 'first_reply_time', nullable: true }) metric!: string | null;
  @ApiProperty({ example: 'SLA breached: first reply time on T-123 (High)' }) title!: string;
  @ApiProperty({
    enum: ALERT_STATUSES,
    example: 'delivered',
    description:
      'pending: being sent; delivered: a channel answered 2xx to its own message; digested: it reached people inside a digest alert (digest_id); failed: no channel took it (breach/at_risk alerts are retried while the condition lasts); not_configured: no channel was set.',
  })
  status!: AlertStatus;
  @ApiProperty({ example: 2, description: 'HTTP attempts over every notification (channels in parallel: the most any one needed).' }) attempts!: number;
  @ApiProperty({ example: 1, description: 'Notifications that reached people.' }) notifications!: number;
  @ApiProperty({ type: [AlertDeliveryDto], description: 'Per-channel results, oldest first (the latest 50).' }) deliveries!: AlertDeliveryDto[];
  @ApiProperty({ example: '2026-11-25T10:05:00.000Z' }) created_at!: string;
  @ApiProperty({ example: '2026-11-25T10:05:00.000Z', nullable: true }) last_attempt_at!: string | null;
  @ApiProperty({ example: '2026-11-25T10:05:00.000Z', nullable: true, description: 'When a channel first answered 2xx.' }) delivered_at!: string | null;
  @ApiProperty({ example: '2026-11-25T14:05:00.000Z', nullable: true, description: 'The next send (reminder after ALERT_RENOTIFY_MINUTES, or a retry: to every channel, or to the one that missed the notification); null when none is planned.' })
  renotify_at!: string | null;
  @ApiProperty({ example: null, nullable: true, description: 'When the SLA check found the condition over (no more notifications).' }) resolved_at!: string | null;
  @ApiProperty({ example: null, nullable: true, description: 'The digest alert through which this alert last reached people (status digested); null otherwise.' })
  digest_id!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }], nullable: true },
    example: { priority: 'High', target_minutes: 60, elapsed_minutes: 75, due_at: '2026-11-25T10:00:00.000Z' },
  })
  fields!: Record<string, AlertFieldValue>;
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertLogItemDto] }) alerts!: AlertLogItemDto[];
  @ApiProperty({ nullable: true, example: null, description: 'Pass as `cursor` for the next (older) page; null on the last page.' }) next_cursor!: string | null;
}

export class AlertListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'failed', description: `Comma-separated: ${ALERT_STATUSES.join(', ')}.` })
  @Optional()
  @Transform(toList)
  @IsIn(ALERT_STATUSES, { each: true, message: `status must be a comma-separated list of: ${ALERT_STATUSES.join(', ')}` })
  status?: AlertStatus[];

  @ApiPropertyOptional({ example: 'breach,at_risk', description: `Comma-separated: ${ALERT_KINDS.join(', ')}.` })
  @Optional()
  @Transform(toList)
  @IsIn(ALERT_KINDS, { each: true, message: `kind must be a comma-separated list of: ${ALERT_KINDS.join(', ')}` })
  kind?: AlertKind[];

  @ApiPropertyOptional({ example: 'T-123' })
  @Optional()
  @MaxLength(200)
  @IsString()
  ticket_id?: string;
}

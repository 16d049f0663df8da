import { z } from 'zod';
import { PRIORITIES } from '../triage/taxonomy.js';
import { METRIC_NAMES } from './metrics.js';
import { SLA_TARGET_KEYS } from './sla.js';
import { ACTORS, UPDATE_STATUSES } from './ticket-facts.js';
import { TIMESTAMP_MESSAGE, isTimestamp } from './timestamp.js';

export const MAX_TICKET_UPDATES = 200_000;
const iso = z.string().refine(isTimestamp, { message: TIMESTAMP_MESSAGE });

const EventSchema = z
  .object({
    ticket_id: z.string().min(1).max(200),
    status: z.enum(UPDATE_STATUSES),
    timestamp: iso,
    actor: z.enum(ACTORS).optional(),
    priority: z.enum(PRIORITIES).optional(),
    category: z.string().max(64).optional(),
    csat: z.number().int().min(1).max(5).optional(),
  })
  .strict();
const SnapshotSchema = z
  .object({
    ticket_id: z.string().min(1).max(200),
    created_at: iso,
    first_response_at: iso.optional(),
    resolved_at: iso.optional(),
    priority: z.enum(PRIORITIES).optional(),
    category: z.string().max(64).optional(),
    csat: z.number().int().min(1).max(5).optional(),
  })
  .strict();

export const MonitoringRequestSchema = z
  .object({
    ticket_updates: z.array(z.union([EventSchema, SnapshotSchema])).max(MAX_TICKET_UPDATES),
    sla_targets: z.partialRecord(z.enum(SLA_TARGET_KEYS as [string, ...string[]]), z.number().min(0)).optional(),
  })
  .strict();
export type MonitoringRequest = z.infer<typeof MonitoringRequestSchema>;

export const MetricSchema = z.object({ metric_name: z.enum(METRIC_NAMES), value: z.number() });

/** The monitoring agent (model) writes the report; numbers come from the tools, not the model. */
export const MonitoringReportSchema = z.object({
  dashboard_report: z.string().describe('Markdown report for the support dashboard, using only the numbers the tools returned.'),
});

export const MonitoringResultSchema = z.object({
  metrics: z.array(MetricSchema),
  sla_breaches: z.array(z.enum(METRIC_NAMES)),
  alerts_sent: z.boolean(),
  dashboard_report: z.string(),
});
export type MonitoringResult = z.infer<typeof MonitoringResultSchema>;

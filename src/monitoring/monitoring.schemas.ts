import { z } from 'zod';
import { MAX_FIELD_ERRORS } from '../common/problem-details.js';
import { PRIORITIES } from '../triage/taxonomy.js';
import { METRIC_NAMES } from './metrics.js';
import { slaTargetErrors } from './sla.js';
import { ACTORS, UPDATE_STATUSES, type TicketUpdate } from './ticket-facts.js';
import { TIMESTAMP_MESSAGE, isTimestamp } from '../common/timestamp.js';

export const MAX_TICKET_UPDATES = 200_000;
const timestamp = z.string().refine(isTimestamp, { message: TIMESTAMP_MESSAGE });
const common = {
  ticket_id: z.string().min(1).max(200),
  priority: z.enum(PRIORITIES).optional(),
  category: z.string().max(64).optional(),
  csat: z.number().int().min(1).max(5).optional(),
};
const EVENT_ONLY = ['status', 'timestamp', 'actor'];
const SNAPSHOT_ONLY = ['created_at', 'first_response_at', 'resolved_at'];

const EventSchema = z.strictObject({ ...common, status: z.enum(UPDATE_STATUSES), timestamp, actor: z.enum(ACTORS).optional() });
const SnapshotSchema = z.strictObject({ ...common, created_at: timestamp, first_response_at: timestamp.optional(), resolved_at: timestamp.optional() });

type Issue = { path: PropertyKey[]; message: string };

/**
 * One update: a snapshot when it has `created_at`, an event otherwise. Choosing the form first
 * (instead of a union) makes every error name the right field of the right form.
 */
export function parseTicketUpdate(value: unknown): { update?: TicketUpdate; issues: Issue[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { issues: [{ path: [], message: 'must be an object (an event or a snapshot)' }] };
  }
  const isSnapshot = 'created_at' in value;
  const parsed = (isSnapshot ? SnapshotSchema : EventSchema).safeParse(value);
  if (parsed.success) return { update: parsed.data, issues: [] };
  const issues: Issue[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code !== 'unrecognized_keys') {
      issues.push({ path: issue.path, message: issue.message });
      continue;
    }
    for (const key of issue.keys) {
      const message = (isSnapshot ? EVENT_ONLY : SNAPSHOT_ONLY).includes(key)
        ? isSnapshot
          ? `${key} belongs to an event; an update with created_at is a snapshot (send events and snapshots as separate updates)`
          : `${key} belongs to a snapshot: it needs created_at`
        : `property ${key} should not exist`;
      issues.push({ path: [...issue.path, key], message });
    }
  }
  return { issues };
}

/**
 * The list, item by item, stopping at MAX_FIELD_ERRORS: 200k bad updates must not cost
 * seconds and a gigabyte of error objects that nobody will read.
 */
const TicketUpdatesSchema = z
  .array(z.unknown())
  .max(MAX_TICKET_UPDATES)
  .transform((items, ctx): TicketUpdate[] => {
    const updates: TicketUpdate[] = new Array(items.length);
    let errors = 0;
    for (let i = 0; i < items.length; i++) {
      const { update, issues } = parseTicketUpdate(items[i]);
      for (const issue of issues) {
        ctx.addIssue({ code: 'custom', message: issue.message, path: [i, ...issue.path] });
        if (++errors >= MAX_FIELD_ERRORS) return z.NEVER;
      }
      updates[i] = update!;
    }
    return errors ? z.NEVER : updates;
  });

/** Targets are checked by the same function for every caller (lists the known keys). */
const SlaTargetsSchema = z.record(z.string(), z.unknown()).superRefine((targets, ctx) => {
  for (const e of slaTargetErrors(targets)) ctx.addIssue({ code: 'custom', message: e.message, path: e.path.split('.').slice(1) });
});

export const MonitoringRequestSchema = z.strictObject({
  // Count first, then the items: an oversized list is refused before 200k items are checked.
  ticket_updates: TicketUpdatesSchema,
  sla_targets: SlaTargetsSchema.optional(),
});
export type MonitoringRequest = { ticket_updates: TicketUpdate[]; sla_targets?: Record<string, number> };

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

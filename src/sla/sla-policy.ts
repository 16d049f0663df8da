import { z } from 'zod';
import { PRIORITIES, type Priority } from '../triage/taxonomy.js';

/**
 * SLA policies as support teams write them in helpdesks (docs/sla.md): ordered policies, the
 * first whose conditions match a ticket applies; each sets targets for the metrics helpdesk SLA
 * policies use, optionally counted in business hours of a calendar, and actions to take before
 * a target is breached. Pure: parsing, defaults and matching; the clocks are in sla-clock.ts.
 */

export const SLA_METRICS = [
  'first_reply_time',
  'next_reply_time',
  'periodic_update',
  'requester_wait_time',
  'agent_work_time',
  'resolution_time',
] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const PRE_BREACH_ACTIONS = ['raise_priority', 'escalate'] as const;
export type PreBreachAction = (typeof PRE_BREACH_ACTIONS)[number];

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** "09:00"-"17:30" within one day; "24:00" closes a day that works until midnight. */
const IntervalSchema = z
  .object({
    start: z.string().regex(HHMM, 'must be HH:MM (00:00-23:59)'),
    end: z.string().regex(HHMM, 'must be HH:MM (00:01-24:00)'),
  })
  .strict()
  // Only when both are well-formed: a malformed time already has its own error.
  .refine((i) => !HHMM.test(i.start) || !HHMM.test(i.end) || minutesOf(i.end) > minutesOf(i.start), { message: 'end must be after start', path: ['end'] });

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export const CalendarSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -, at most 64'),
    name: z.string().max(200).optional(),
    time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/New_York'),
    /** Working intervals per weekday, in the calendar's time zone; a day not listed is closed. */
    hours: z
      .partialRecord(z.enum(WEEKDAYS), z.array(IntervalSchema).max(8))
      .refine((h) => Object.values(h).some((d) => d && d.length > 0), 'at least one working interval is needed'),
    /** Whole days off, in the calendar's time zone. */
    holidays: z
      .array(z.union([z.string().regex(ISO_DATE, 'must be YYYY-MM-DD'), z.object({ date: z.string().regex(ISO_DATE, 'must be YYYY-MM-DD'), name: z.string().max(200).optional() }).strict()]))
      .max(2000)
      .default([]),
  })
  .strict();
export type CalendarInput = z.input<typeof CalendarSchema>;
export type Calendar = z.output<typeof CalendarSchema>;

/** A target: minutes as a number, or "90m" / "4h" / "1.5h". */
const Duration = z.union([
  z.number().positive('must be more than 0').max(525_600, 'at most a year (525600 minutes)'),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(m|min|h)$/, 'a number of minutes, or a duration such as "90m" or "4h"')
    .transform((s, ctx) => {
      const n = Number.parseFloat(s);
      const minutes = /h$/.test(s) ? n * 60 : n;
      if (minutes <= 0 || minutes > 525_600) {
        ctx.addIssue({ code: 'custom', message: 'must be more than 0 and at most a year' });
        return z.NEVER;
      }
      return minutes;
    }),
], { error: 'a number of minutes (> 0), or a duration such as "90m" or "4h"' });

const TargetsSchema = z
  .object(Object.fromEntries(SLA_METRICS.map((m) => [m, Duration.optional()])) as Record<SlaMetric, z.ZodOptional<typeof Duration>>)
  .strict()
  .refine((t) => Object.values(t).some((v) => v !== undefined), 'at least one target is needed');

const ActionSchema = z
  .object({
    /** Which metric's deadline (any: whichever comes first). */
    metric: z.union([z.enum(SLA_METRICS), z.literal('any')]).default('any'),
    /** How long before the deadline, in minutes (counted like the target: business time when the policy says so). */
    before: Duration,
    action: z.enum(PRE_BREACH_ACTIONS),
  })
  .strict();

const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(200);

export const PolicySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -, at most 64'),
    name: z.string().min(1).max(200).optional(),
    /** All given conditions must hold; none given: every ticket. */
    match: z
      .object({
        priority: nonEmptyList(z.enum(PRIORITIES)).optional(),
        category: nonEmptyList(z.string().min(1).max(200)).optional(),
        channel: nonEmptyList(z.string().min(1).max(200)).optional(),
      })
      .strict()
      .default({}),
    /** A calendar id: targets count business time of that calendar; omitted: calendar time (24/7). */
    business_hours: z.string().optional(),
    targets: TargetsSchema,
    actions: z.array(ActionSchema).max(10).default([]),
  })
  .strict();
export type PolicyInput = z.input<typeof PolicySchema>;
export type Policy = z.output<typeof PolicySchema>;

export const PolicySetSchema = z
  .object({
    calendars: z.array(CalendarSchema).max(50).default([]),
    policies: z.array(PolicySchema).min(1, 'at least one policy is needed').max(200),
  })
  .strict()
  .superRefine((set, ctx) => {
    const calendarIds = new Set<string>();
    set.calendars.forEach((c, i) => {
      if (calendarIds.has(c.id)) ctx.addIssue({ code: 'custom', path: ['calendars', i, 'id'], message: `duplicate calendar id "${c.id}"` });
      calendarIds.add(c.id);
    });
    const policyIds = new Set<string>();
    set.policies.forEach((p, i) => {
      if (policyIds.has(p.id)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'id'], message: `duplicate policy id "${p.id}"` });
      policyIds.add(p.id);
      if (p.business_hours !== undefined && !calendarIds.has(p.business_hours)) {
        ctx.addIssue({
          code: 'custom',
          path: ['policies', i, 'business_hours'],
          message: `unknown calendar "${p.business_hours}"; known: ${[...calendarIds].join(', ') || 'none (add one under calendars)'}`,
        });
      }
      p.actions.forEach((a, j) => {
        if (a.metric !== 'any' && p.targets[a.metric] === undefined) {
          ctx.addIssue({ code: 'custom', path: ['policies', i, 'actions', j, 'metric'], message: `the policy has no ${a.metric} target` });
        }
      });
    });
  });
export type PolicySetInput = z.input<typeof PolicySetSchema>;
export type PolicySet = z.output<typeof PolicySetSchema>;

/**
 * The built-in policies (DESIGN §3's resolution targets 4 / 24 / 72 hours, in calendar time),
 * plus first- and next-reply targets a support team would expect. Used when neither
 * `PUT /monitoring/policies` nor SLA_POLICIES_FILE set any.
 */
export const DEFAULT_POLICY_SET: PolicySet = PolicySetSchema.parse({
  calendars: [],
  policies: [
    { id: 'high', name: 'High priority', match: { priority: ['High'] }, targets: { first_reply_time: '1h', next_reply_time: '2h', resolution_time: '4h' } },
    { id: 'medium', name: 'Medium priority', match: { priority: ['Medium'] }, targets: { first_reply_time: '4h', next_reply_time: '8h', resolution_time: '24h' } },
    { id: 'low', name: 'Low priority', match: { priority: ['Low'] }, targets: { first_reply_time: '8h', next_reply_time: '24h', resolution_time: '72h' } },
  ],
});

/** What policies are matched on. Untriaged tickets count as Medium (the middle targets). */
export interface PolicySubject {
  priority: string | null;
  category: string | null;
  channel: string | null;
}

export const effectivePriority = (p: string | null): Priority => ((PRIORITIES as readonly string[]).includes(p ?? '') ? (p as Priority) : 'Medium');

/** The first policy whose conditions all hold (helpdesk order semantics), or undefined. */
export function matchPolicy(set: PolicySet, subject: PolicySubject): Policy | undefined {
  const priority = effectivePriority(subject.priority);
  return set.policies.find(
    (p) =>
      (!p.match.priority || p.match.priority.includes(priority)) &&
      (!p.match.category || (subject.category !== null && p.match.category.includes(subject.category))) &&
      (!p.match.channel || (subject.channel !== null && p.match.channel.includes(subject.channel))),
  );
}

export function calendarOf(set: PolicySet, policy: Policy): Calendar | null {
  return policy.business_hours === undefined ? null : (set.calendars.find((c) => c.id === policy.business_hours) ?? null);
}

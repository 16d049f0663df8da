import { sql } from 'drizzle-orm';
import { bigint, bigserial, doublePrecision, index, integer, json, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * One schema for PGlite and PostgreSQL. Migrations in `drizzle/` are generated from this file
 * (`npm run db:generate`) and applied at start-up and by `npm run db:migrate`.
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Knowledge-base articles. Deleted articles stay as tombstones so other instances' indexes can drop them. */
export const kbArticles = pgTable(
  'kb_articles',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    category: text('category').notNull(),
    tags: jsonb('tags').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    /** Per-article version, incremented on every change (optimistic concurrency with If-Match). */
    version: integer('version').notNull().default(1),
    /** Knowledge-base-wide change counter at this article's last change (index synchronisation). */
    revision: bigint('revision', { mode: 'number' }).notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
    deletedAt: ts('deleted_at'),
  },
  (t) => [index('kb_articles_revision_idx').on(t.revision)],
);

/** A single row holding the knowledge base's change counter; updating it serialises KB writes. */
export const kbState = pgTable('kb_state', {
  id: integer('id').primaryKey(),
  revision: bigint('revision', { mode: 'number' }).notNull(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    /** Insertion order: the cursor of `GET /tickets`. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    status: text('status').notNull(),
    inquiryText: text('inquiry_text').notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    channel: text('channel'),
    customerId: text('customer_id'),
    category: text('category'),
    priority: text('priority'),
    triage: jsonb('triage'),
    resolution: jsonb('resolution'),
    lastError: jsonb('last_error'),
    attempts: integer('attempts').notNull().default(0),
    /** While a workflow runs: until when this process owns it (a crashed run is picked up after). */
    leaseUntil: ts('lease_until'),
    /** Set when a guardrail stopped the ticket: { guardrail, reason, detail, at }; a person must look at it. */
    review: jsonb('review').$type<Record<string, unknown>>(),
    /**
     * Version of PII redaction applied to the stored text (0: stored before redaction existed).
     * A start-up job redacts rows below the current version, so old tickets lose their secrets too.
     */
    redaction: integer('redaction').notNull().default(0),
    /**
     * A resolution run paused for approval: the SDK's serialized RunState and the backend it ran
     * on, so any instance can restore it with the same agent graph and resume it. Null otherwise.
     */
    runState: text('run_state'),
    runBackend: text('run_backend'),
    /** The person who took the ticket over from the agents (the key's name), if any. */
    assignee: text('assignee'),
    /** The latest hand-off package (built when the agents escalate): what a person needs on one screen. */
    handoff: jsonb('handoff').$type<Record<string, unknown>>(),
    /** Whether an automated "resolved" held: { status: pending|verified|not_verified, method, reasoning, at }. */
    verification: jsonb('verification').$type<Record<string, unknown>>(),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_seq_idx').on(t.seq),
    index('tickets_redaction_idx').on(t.redaction),
    index('tickets_status_idx').on(t.status, t.seq),
    index('tickets_created_at_idx').on(t.createdAt),
    // The SLA check reads the tickets that changed since its previous run.
    index('tickets_updated_at_idx').on(t.updatedAt),
  ],
);

export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('ticket_events_ticket_idx').on(t.ticketId, t.id), index('ticket_events_at_idx').on(t.at)],
);

/** Idempotency-Key records: the first request's fingerprint and, once done, its response. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** What the first request created (e.g. the ticket id), set in the same transaction. */
    resourceId: text('resource_id'),
    responseStatus: integer('response_status'),
    /** json, not jsonb: a replay returns the first response byte for byte (jsonb reorders keys). */
    responseBody: json('response_body'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/** API keys created through the API (keys from API_KEYS live in the environment only). Only a hash is stored. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** SHA-256 of the key (keys are 256-bit random: a slow hash adds nothing), hex. */
    keyHash: text('key_hash').notNull(),
    /** The key's first characters, to recognise it in a list. */
    prefix: text('prefix').notNull(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash)],
);

/**
 * Account actions the agents proposed that need a person's decision (one row per paused tool
 * call). Decisions are audited as ticket events too.
 */
export const approvals = pgTable(
  'approvals',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** The SDK tool call this approval is for (unique within the ticket's paused run). */
    callId: text('call_id').notNull(),
    agent: text('agent').notNull(),
    action: text('action').notNull(),
    arguments: jsonb('arguments').$type<Record<string, unknown>>().notNull(),
    customerId: text('customer_id'),
    /** pending | approved | rejected | expired | cancelled */
    status: text('status').notNull(),
    requestedAt: ts('requested_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    decidedAt: ts('decided_at'),
    decidedBy: text('decided_by'),
    reason: text('reason'),
  },
  (t) => [
    index('approvals_status_idx').on(t.status, t.requestedAt),
    index('approvals_ticket_idx').on(t.ticketId),
    uniqueIndex('approvals_ticket_call_idx').on(t.ticketId, t.callId),
  ],
);

/** A customer's account as the actions change it (our own store of record for them). */
export const customerAccounts = pgTable('customer_accounts', {
  customerId: text('customer_id').primaryKey(),
  currency: text('currency').notNull(),
  /** Account credit, in cents of `currency`. */
  creditCents: bigint('credit_cents', { mode: 'number' }).notNull().default(0),
  refundedCents: bigint('refunded_cents', { mode: 'number' }).notNull().default(0),
  mfaResetAt: ts('mfa_reset_at'),
  closedAt: ts('closed_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * The ledger of executed account actions. (ticket, call) is unique: a resumed run that executes
 * the same tool call again finds the first execution instead of acting twice.
 */
export const accountActions = pgTable(
  'account_actions',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').references(() => tickets.id, { onDelete: 'set null' }),
    callId: text('call_id').notNull(),
    customerId: text('customer_id').notNull(),
    action: text('action').notNull(),
    arguments: jsonb('arguments').$type<Record<string, unknown>>().notNull(),
    /** How it was allowed: "approval" (with approval_id) or "policy" (under the auto-approve limit). */
    authorizedBy: text('authorized_by').notNull(),
    approvalId: text('approval_id'),
    outcome: jsonb('outcome').$type<Record<string, unknown>>().notNull(),
    executedAt: ts('executed_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('account_actions_call_idx').on(t.ticketId, t.callId), index('account_actions_customer_idx').on(t.customerId, t.executedAt)],
);

export type ArticleRow = typeof kbArticles.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type TicketEventRow = typeof ticketEvents.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApprovalRow = typeof approvals.$inferSelect;
export type AccountActionRow = typeof accountActions.$inferSelect;
export type CustomerAccountRow = typeof customerAccounts.$inferSelect;

/**
 * The SLA policy set written through `PUT /monitoring/policies` (one row, id "current"). Without
 * it the policies come from SLA_POLICIES_FILE or the built-in defaults (docs/sla.md).
 */
export const slaPolicySets = pgTable('sla_policy_sets', {
  id: text('id').primaryKey(),
  body: jsonb('body').$type<Record<string, unknown>>().notNull(),
  /** Bumped by every write: `PUT` with `If-Match` refuses a stale edit. */
  version: integer('version').notNull(),
  updatedBy: text('updated_by'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/**
 * The alert delivery log. `dedupe_key` names what the alert is about (one breach of one metric
 * of one ticket, or an at-risk warning): inserting it is how one instance, once, gets to send it.
 */
export const slaAlerts = pgTable(
  'sla_alerts',
  {
    id: text('id').primaryKey(),
    dedupeKey: text('dedupe_key').notNull(),
    /** breach | at_risk | metrics (a POST /run_performance_monitoring/ alert) | digest (the alerts of a check beyond ALERT_MAX_PER_CHECK) */
    kind: text('kind').notNull(),
    ticketId: text('ticket_id'),
    metric: text('metric'),
    /** The alert as delivered (Slack-compatible text and the structured fields). */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** pending | delivered | digested (told through a digest, named in its deliveries) | failed | not_configured */
    status: text('status').notNull(),
    /** Per channel: { channel, url host, delivered, http_status, attempts, error, at }. */
    deliveries: jsonb('deliveries').$type<Record<string, unknown>[]>().notNull().default([]),
    attempts: integer('attempts').notNull().default(0),
    /** How many times it was sent (1 + re-notifications while the breach lasts). */
    notifications: integer('notifications').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    lastAttemptAt: ts('last_attempt_at'),
    deliveredAt: ts('delivered_at'),
    /** While the condition lasts, send again after this instant (ALERT_RENOTIFY_MINUTES). */
    renotifyAt: ts('renotify_at'),
    /** Set when the check finds the condition over (the ticket replied to, resolved…). */
    resolvedAt: ts('resolved_at'),
  },
  (t) => [
    uniqueIndex('sla_alerts_dedupe_idx').on(t.dedupeKey),
    index('sla_alerts_created_idx').on(t.createdAt),
    index('sla_alerts_status_idx').on(t.status, t.createdAt),
    // The sweep reads the alerts still open (a small set among a long log).
    index('sla_alerts_open_idx').on(t.kind).where(sql`${t.resolvedAt} is null`),
  ],
);

/**
 * One row per hour: the state the latest SLA check of that hour saw (overall and by priority,
 * category and channel). `GET /monitoring/trends` reads these; old rows are pruned.
 */
export const slaSnapshots = pgTable('sla_snapshots', {
  bucket: ts('bucket').primaryKey(),
  takenAt: ts('taken_at').notNull(),
  checks: integer('checks').notNull().default(1),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
});

/**
 * Things a check did to a ticket exactly once: a pre-breach action (raise priority, escalate)
 * for one cycle of one metric. The key makes a second instance's attempt a no-op.
 */
export const slaTicketMarks = pgTable(
  'sla_ticket_marks',
  {
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.key] })],
);

/** Time-boxed leases so one instance at a time runs a scheduled job (the SLA check). */
export const jobLeases = pgTable('job_leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  leaseUntil: ts('lease_until').notNull(),
});

/**
 * Model usage ledger (docs/costs.md): one row per agent stage of a ticket and model, written in
 * the transaction that records the stage's event. A ticket's tokens and cost are the sum of its
 * rows; the token budget and GET /monitoring/costs read it.
 */
export const modelUsage = pgTable(
  'model_usage',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    /** The stage's agent: triage_agent, resolution_agent (with the agents it called as tools). */
    agent: text('agent').notNull(),
    /** The model name asked for ("offline" for the offline policy). */
    model: text('model').notNull(),
    backend: text('backend').notNull(),
    requests: integer('requests').notNull(),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull(),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull(),
    totalTokens: bigint('total_tokens', { mode: 'number' }).notNull(),
    /** Estimated from MODEL_PRICES (or the built-in list) at the time of the call. */
    costUsd: doublePrecision('cost_usd').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('model_usage_ticket_idx').on(t.ticketId), index('model_usage_at_idx').on(t.at)],
);

export type ModelUsageRow = typeof modelUsage.$inferSelect;

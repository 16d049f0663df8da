import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, json, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

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
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('tickets_seq_idx').on(t.seq),
    index('tickets_status_idx').on(t.status, t.seq),
    index('tickets_created_at_idx').on(t.createdAt),
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

export type ArticleRow = typeof kbArticles.$inferSelect;
export type TicketRow = typeof tickets.$inferSelect;
export type TicketEventRow = typeof ticketEvents.$inferSelect;

import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { and, asc, eq, inArray, isNotNull, like, lt, sql } from 'drizzle-orm';
import { Database } from '../database/database.js';
import { idempotencyKeys, ticketEvents, tickets } from '../database/schema.js';
import { GuardrailsService } from '../guardrails/guardrails.service.js';
import { REDACTION_VERSION, redactFreeText } from './stored-redaction.js';

const PAGE = 100;

/**
 * Brings tickets stored before PII redaction (or under an older redaction version) up to date:
 * their inquiry, events, triage and resolution text, and the stored idempotent responses that
 * repeat them. Runs in the background after start-up, page by page; rows are locked with SKIP
 * LOCKED, so several instances share the work, and a crash mid-way resumes on the next start.
 */
@Injectable()
export class TicketRedactionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TicketRedaction');
  private running: Promise<unknown> | undefined;
  private stopping = false;

  constructor(
    private readonly database: Database,
    private readonly guardrails: GuardrailsService,
  ) {}

  onApplicationBootstrap(): void {
    // Partial redaction (some kinds off) must not mark rows as done: they wait for full redaction.
    if (!this.guardrails.redactsAllKinds) return;
    this.running = this.run().catch((err: unknown) =>
      this.logger.error(`Redacting stored tickets stopped (${err instanceof Error ? err.message : String(err)}); the next start continues.`),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Redacts every ticket below the current version; returns how many were rewritten. */
  async run(): Promise<number> {
    const started = new Date();
    let total = 0;
    let changed = 0;
    for (;;) {
      if (this.stopping) return total;
      const page = await this.redactPage();
      if (page.seen === 0) break;
      total += page.seen;
      changed += page.changed;
    }
    // Stored responses are checked on every start (an earlier run may have stopped before them);
    // they live IDEMPOTENCY_TTL_HOURS, so this reads a bounded set, and rewrites only what changes.
    const responses = await this.redactResponses(started);
    if (total || responses) this.logger.log(`Redacted stored text of ${total} tickets (${changed} held personal data; ${responses} stored responses rewritten)`);
    return total;
  }

  private redact = (text: string) => this.guardrails.redact(text).text;

  private redactPage(): Promise<{ seen: number; changed: number }> {
    return this.database.db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(tickets)
        .where(lt(tickets.redaction, REDACTION_VERSION))
        .orderBy(asc(tickets.seq))
        .limit(PAGE)
        .for('update', { skipLocked: true });
      if (!rows.length) return { seen: 0, changed: 0 };
      const events = await tx.select().from(ticketEvents).where(inArray(ticketEvents.ticketId, rows.map((r) => r.id)));
      let changed = 0;
      for (const row of rows) {
        const inquiry = this.redact(row.inquiryText);
        const rest = redactFreeText({ metadata: row.metadata, triage: row.triage, resolution: row.resolution, review: row.review }, this.redact);
        if (inquiry !== row.inquiryText || rest.changed) changed++;
        // Evidence offsets point into the old text: they would mark the wrong passage now.
        const review = inquiry !== row.inquiryText && rest.value.review ? { ...rest.value.review, evidence: [] } : rest.value.review;
        await tx
          .update(tickets)
          .set({ inquiryText: inquiry, ...rest.value, review, redaction: REDACTION_VERSION })
          .where(eq(tickets.id, row.id));
      }
      for (const event of events) {
        const data = redactFreeText(event.data, this.redact);
        if (data.changed) await tx.update(ticketEvents).set({ data: data.value }).where(eq(ticketEvents.id, event.id));
      }
      return { seen: rows.length, changed };
    });
  }

  /** Stored ticket responses (Idempotency-Key replays) from before this run repeat the old text; read in keyset pages. */
  private async redactResponses(before: Date): Promise<number> {
    let rewritten = 0;
    let after: { scope: string; key: string } | undefined;
    for (;;) {
      const rows = await this.database.db
        .select({ scope: idempotencyKeys.scope, key: idempotencyKeys.key, body: idempotencyKeys.responseBody })
        .from(idempotencyKeys)
        .where(
          and(
            like(idempotencyKeys.scope, 'POST /tickets%'),
            isNotNull(idempotencyKeys.responseBody),
            lt(idempotencyKeys.createdAt, before),
            after ? sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key}) > (${after.scope}, ${after.key})` : undefined,
          ),
        )
        .orderBy(asc(idempotencyKeys.scope), asc(idempotencyKeys.key))
        .limit(PAGE);
      if (!rows.length || this.stopping) return rewritten;
      for (const row of rows) {
        const body = redactFreeText(row.body, this.redact);
        if (!body.changed) continue;
        await this.database.db
          .update(idempotencyKeys)
          .set({ responseBody: body.value })
          .where(and(eq(idempotencyKeys.scope, row.scope), eq(idempotencyKeys.key, row.key)));
        rewritten++;
      }
      after = rows.at(-1)!;
    }
  }
}

import { Injectable } from '@nestjs/common';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProblemException, problem } from '../common/problem-details.js';
import { AppConfig } from '../config/configuration.js';
import { Database, type Db } from '../database/database.js';
import { idempotencyKeys } from '../database/schema.js';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface StoredResponse<T = unknown> {
  status: number;
  body: T;
  /** True when this is the stored answer to an earlier request with the same key. */
  replayed: boolean;
}

/** Printable ASCII, as in draft-ietf-httpapi-idempotency-key-header; long enough for a UUID or more. */
const KEY = /^[\x21-\x7e]{1,255}$/;
const WAIT_MS = 30_000;
/** A claim this old without a response belongs to a request whose process died. */
const ABANDONED_MS = 60_000;

/** The answer for a created resource, rebuilt from its current state (when the first request died). */
export type ResourceResolver<T> = (resourceId: string) => Promise<{ status: number; body: T; settled: boolean }>;

/**
 * Idempotency-Key for POST routes that create something. The key is claimed in the same
 * transaction that creates the resource, so a retry can never create it twice, even when it
 * races the first request or the first process dies; the response is stored once the request
 * finished and replayed to every retry. Same key with another body → 422; a retry while the
 * first is still running waits for its answer (409 only if that takes longer than 30 s and the
 * resource has not settled); if the first request died, the answer is rebuilt from the resource.
 */
@Injectable()
export class IdempotencyService {
  /** Requests of this process still running, so same-process retries wait without polling. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly database: Database,
    private readonly config: AppConfig,
  ) {}

  /**
   * Runs `create` (inside a transaction that also claims the key) and then `finish` (outside
   * it), storing what `finish` returns. Without a key both simply run.
   */
  async execute<R, T>(
    key: string | undefined,
    scope: string,
    request: unknown,
    create: (tx: Tx) => Promise<R>,
    finish: (created: R) => Promise<{ status: number; body: T }>,
    resolve?: ResourceResolver<T>,
  ): Promise<StoredResponse<T>> {
    if (key === undefined) {
      const created = await this.database.db.transaction(create);
      return { ...(await finish(created)), replayed: false };
    }
    if (!KEY.test(key)) {
      throw ProblemException.validation([{ path: 'headers.idempotency-key', message: 'must be 1-255 printable ASCII characters (a UUID is a good key)' }]);
    }
    const hash = createHash('sha256').update(canonicalJson(request)).digest('base64url');
    const id = `${scope}\u0000${key}`;

    const claimed = await this.database.db.transaction(async (tx) => {
      // An expired record is forgotten; then the key is claimed, or found taken.
      await tx
        .delete(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${this.config.env.IDEMPOTENCY_TTL_HOURS})`)));
      const inserted = await tx.insert(idempotencyKeys).values({ scope, key, requestHash: hash }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
      if (inserted.length === 0) return undefined;
      const created = await create(tx);
      return { created };
    });
    if (!claimed) return this.replay<T>(scope, key, hash, id, resolve);

    let done!: () => void;
    this.running.set(id, new Promise<void>((resolve) => (done = resolve)));
    try {
      const response = await finish(claimed.created);
      await this.store(scope, key, response);
      return { ...response, replayed: false };
    } finally {
      this.running.delete(id);
      done();
    }
  }

  /**
   * The first request's stored response, waiting for it while that request still runs. If that
   * request died after creating its resource (no response was ever stored), the answer is
   * rebuilt from the resource once it has settled, stored, and replayed from then on.
   */
  private async replay<T>(scope: string, key: string, hash: string, id: string, resolve?: ResourceResolver<T>): Promise<StoredResponse<T>> {
    const deadline = Date.now() + WAIT_MS;
    for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
      const [row] = await this.database.db
        .select({
          requestHash: idempotencyKeys.requestHash,
          resourceId: idempotencyKeys.resourceId,
          responseStatus: idempotencyKeys.responseStatus,
          responseBody: idempotencyKeys.responseBody,
          // On the database's clock, like created_at (instances' clocks may differ).
          ageMs: sql<number>`extract(epoch from now() - ${idempotencyKeys.createdAt}) * 1000`.mapWith(Number),
        })
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
      if (row && row.requestHash !== hash) {
        throw new ProblemException(
          problem(422, 'idempotency-key-reused', 'This Idempotency-Key was used with a different request body; use a new key for a new request.'),
        );
      }
      if (row?.responseStatus != null) return { status: row.responseStatus, body: row.responseBody as T, replayed: true };
      const waitedOut = Date.now() > deadline;
      const abandoned = row !== undefined && !this.running.has(id) && row.ageMs > ABANDONED_MS;
      if (row?.resourceId && resolve && (abandoned || waitedOut)) {
        const current = await resolve(row.resourceId);
        // Stored only if still no response: a first request that was slow, not dead, keeps its own
        // answer, and the loop replays whichever response was stored first.
        if (current.settled && (await this.store(scope, key, current, true))) return { status: current.status, body: current.body, replayed: true };
        if (current.settled) continue;
      }
      if (!row || waitedOut) {
        throw new ProblemException(
          problem(409, 'request-in-progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
            ...(row?.resourceId ? { resource_id: row.resourceId } : {}),
          }),
          { 'Retry-After': '2' },
        );
      }
      const local = this.running.get(id);
      if (local) await local;
      else await sleep(delay);
    }
  }

  /** Stores the response; with `onlyFirst`, only if none is stored yet (returns whether it stored). */
  private async store(scope: string, key: string, response: { status: number; body: unknown }, onlyFirst = false): Promise<boolean> {
    const conditions = [eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key), ...(onlyFirst ? [isNull(idempotencyKeys.responseStatus)] : [])];
    const stored = await this.database.db
      .update(idempotencyKeys)
      .set({ responseStatus: response.status, responseBody: response.body as object })
      .where(and(...conditions))
      .returning({ key: idempotencyKeys.key });
    return stored.length > 0;
  }

  /** Links the claimed key to the resource it created (call inside `create`). */
  async linkResource(tx: Tx, scope: string, key: string | undefined, resourceId: string): Promise<void> {
    if (key === undefined) return;
    await tx.update(idempotencyKeys).set({ resourceId }).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  }

  /** Deletes expired records (housekeeping at start-up). */
  async purgeExpired(): Promise<number> {
    const deleted = await this.database.db
      .delete(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${this.config.env.IDEMPOTENCY_TTL_HOURS})`))
      .returning({ key: idempotencyKeys.key });
    return deleted.length;
  }
}

/** JSON with object keys sorted, so the same body in another key order is the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

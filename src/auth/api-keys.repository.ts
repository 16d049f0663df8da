import { Injectable } from '@nestjs/common';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { Database } from '../database/database.js';
import { apiKeys, type ApiKeyRow } from '../database/schema.js';

/** The api_keys table: only the SHA-256 of a key is stored, never the key. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly database: Database) {}

  /** Keys not revoked (what authentication accepts). */
  active(): Promise<ApiKeyRow[]> {
    return this.database.db.select().from(apiKeys).where(isNull(apiKeys.revokedAt));
  }

  /** Every key, revoked ones included, newest first. */
  list(): Promise<ApiKeyRow[]> {
    return this.database.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  }

  async insert(row: Pick<ApiKeyRow, 'id' | 'name' | 'keyHash' | 'prefix' | 'scopes'>): Promise<ApiKeyRow> {
    const [inserted] = await this.database.db.insert(apiKeys).values(row).returning();
    return inserted!;
  }

  /** Revokes the key (revoking a revoked key keeps its first revocation time); undefined when there is no such key. */
  async revoke(id: string): Promise<ApiKeyRow | undefined> {
    const [revoked] = await this.database.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    if (revoked) return revoked;
    const [existing] = await this.database.db.select().from(apiKeys).where(eq(apiKeys.id, id));
    return existing;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.database.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
  }
}

import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../src/config/configuration.js';
import { Database } from '../../src/database/database.js';

/** A fresh embedded data directory: a copy of the migrated template made by global-setup.mjs. */
export function freshDataDir(): string {
  const root = process.env.TEST_TMP_ROOT!;
  const dir = mkdtempSync(join(root, 'db-'));
  cpSync(process.env.TEST_PGLITE_TEMPLATE!, dir, { recursive: true });
  return dir;
}

export interface TestDatabase {
  name: 'PGlite' | 'PostgreSQL';
  /** Environment that points the app at this database (a new directory / schema per call). */
  env(): Record<string, string>;
  /** A migrated connection to a new directory / schema, for repository tests (close it after). */
  open(): Promise<Database>;
  /** Drops what env() created (PostgreSQL schemas). */
  cleanup(): Promise<void>;
}

/**
 * The databases every persistence suite runs on: PGlite always, PostgreSQL when global set-up
 * reached it (TEST_POSTGRES_URL), each schema dropped afterwards. A skipped PostgreSQL says why
 * in the suite's name.
 */
export function testDatabases(): { db: TestDatabase; skip: string | undefined }[] {
  const schemas: string[] = [];
  const postgresUrl = process.env.TEST_POSTGRES_URL;
  return [
    {
      skip: undefined,
      db: withOpen({ name: 'PGlite', env: () => ({ DATABASE_URL: '', DATA_DIR: freshDataDir() }), cleanup: async () => undefined }),
    },
    {
      skip: postgresUrl ? undefined : (process.env.TEST_POSTGRES_SKIP ?? 'PostgreSQL not probed'),
      db: withOpen({
        name: 'PostgreSQL',
        env: () => {
          const schema = `test_${process.pid}_${randomBytes(3).toString('hex')}`;
          schemas.push(schema);
          return { DATABASE_URL: postgresUrl!, DATABASE_SCHEMA: schema, DATABASE_POOL_SIZE: '4' };
        },
        cleanup: async () => {
          if (!schemas.length) return;
          const client = new pg.Client({ connectionString: postgresUrl });
          await client.connect();
          try {
            for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          } finally {
            await client.end();
          }
        },
      }),
    },
  ];
}

function withOpen(db: Omit<TestDatabase, 'open'>): TestDatabase {
  return {
    ...db,
    async open() {
      const database = await Database.open(loadConfig({ LLM_PROVIDER: 'offline', ...db.env() }).env);
      await database.migrate();
      return database;
    },
  };
}

/** `describe` per database; a skipped one is named with the reason, so the output says why. */
export function describeEachDatabase(title: string, body: (db: TestDatabase) => void): void {
  for (const { db, skip } of testDatabases()) {
    if (skip) describe.skip(`${title} on ${db.name} — SKIPPED: ${skip}`, () => body(db));
    else describe(`${title} on ${db.name}`, () => body(db));
  }
}

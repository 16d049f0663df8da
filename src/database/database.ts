import type { PGlite } from '@electric-sql/pglite';
import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Pool } from 'pg';
import type { Env } from '../config/configuration.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DatabaseKind = 'pglite' | 'postgres';

/** drizzle/ sits next to src/ and dist/, so this resolves from both. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
/**
 * PGlite's default shared_buffers (128 MB) is allocated inside the process; 16 MB holds this
 * service's working set (the files are in the OS page cache anyway) and cuts ~140 MB of RSS.
 */
const PGLITE_CONF = ['shared_buffers=16MB'];
/** Migration bookkeeping lives in the application's own schema, so one schema is one deployment. */
const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * The connection: PGlite (PostgreSQL compiled to WebAssembly, in DATA_DIR) when DATABASE_URL is
 * unset, a node-postgres pool otherwise. Both speak the same SQL, so one schema and one set of
 * migrations serve both; services only see the typed Drizzle `db`.
 */
export class Database implements OnApplicationShutdown {
  private closed = false;

  private constructor(
    readonly db: Db,
    readonly kind: DatabaseKind,
    readonly schemaName: string,
    /** Where the data is, for logs (never the password). */
    readonly location: string,
    private readonly closeDriver: () => Promise<void>,
  ) {}

  static async open(env: Pick<Env, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_SIZE' | 'DATA_DIR'>): Promise<Database> {
    if (env.DATABASE_URL) return Database.openPostgres(env.DATABASE_URL, env.DATABASE_SCHEMA, env.DATABASE_POOL_SIZE);
    return Database.openPglite(env.DATA_DIR);
  }

  private static async openPglite(dataDir: string): Promise<Database> {
    // Loaded only here: a PostgreSQL deployment never pays for the WebAssembly build.
    const [{ PGlite }, { drizzle }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
    let lock: DataDirLock | undefined;
    let client: PGlite;
    const options = { postgresqlconf: PGLITE_CONF };
    if (dataDir === 'memory://') {
      client = await PGlite.create(options);
    } else {
      mkdirSync(dataDir, { recursive: true });
      // PGlite has no server to arbitrate: two processes on one directory would corrupt it.
      lock = acquireDataDirLock(dataDir);
      try {
        if (!existsSync(join(dataDir, 'PG_VERSION'))) await createPgliteDir(dataDir);
        client = await PGlite.create(dataDir, options);
      } catch (err) {
        lock.release();
        throw err;
      }
    }
    const db = drizzle({ client, schema }) as unknown as Db;
    return new Database(db, 'pglite', 'public', dataDir === 'memory://' ? 'memory' : resolve(dataDir), async () => {
      await client.close();
      lock?.release();
    });
  }

  private static async openPostgres(url: string, schemaName: string, max: number): Promise<Database> {
    const [{ default: pg }, { drizzle }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
    const pool: Pool = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: 5_000,
      // Every connection resolves unqualified names in our schema (DATABASE_SCHEMA).
      options: `-c search_path=${schemaName}`,
      application_name: 'support-agents',
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', (err) => new Logger('Database').warn(`PostgreSQL connection lost: ${err.message}`));
    const db = drizzle({ client: pool, schema }) as unknown as Db;
    const location = redactUrl(url) + (schemaName === 'public' ? '' : ` (schema ${schemaName})`);
    const database = new Database(db, 'postgres', schemaName, location, () => pool.end());
    try {
      await database.ping(); // unreachable or refused: fail here, with the connection error
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return database;
  }

  /** Applies pending migrations; on PostgreSQL under an advisory lock, so instances starting together take turns. */
  async migrate(): Promise<void> {
    const config = { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema: this.schemaName, migrationsTable: MIGRATIONS_TABLE };
    if (this.kind === 'pglite') {
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      await migrate(this.db as never, config);
      return;
    }
    const [{ migrate }, { drizzle }] = await Promise.all([import('drizzle-orm/node-postgres/migrator'), import('drizzle-orm/node-postgres')]);
    // The lock is per session, so the migration runs on the one connection that holds it.
    const pool = (this.db as unknown as { $client: Pool }).$client;
    const conn = await pool.connect();
    const lockKey = `support-agents:migrate:${this.schemaName}`;
    try {
      await conn.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      // Under the lock: two instances creating a new schema together would collide (23505). Only
      // when missing: CREATE SCHEMA needs the database's CREATE privilege even with IF NOT EXISTS.
      const { rowCount } = await conn.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schemaName]);
      if (!rowCount) await conn.query(`CREATE SCHEMA "${this.schemaName}"`);
      await migrate(drizzle({ client: conn }), config);
    } finally {
      await conn.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
      conn.release();
    }
  }

  /** A round trip to the database (readiness). */
  async ping(): Promise<void> {
    await this.db.execute(sql`select 1`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeDriver();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

/**
 * First start: initdb in a worker thread (see pglite-init.worker.ts); the service's own instance
 * then opens the directory at ~170 MB instead of ~700 MB (measured). In process if the worker fails.
 */
async function createPgliteDir(dataDir: string): Promise<void> {
  const entry = `./pglite-init.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`;
  try {
    await new Promise<void>((resolveCreated, reject) => {
      const worker = new Worker(new URL(entry, import.meta.url), { workerData: { dataDir, conf: PGLITE_CONF } });
      worker.once('message', () => resolveCreated());
      worker.once('error', reject);
      worker.once('exit', (code) => (code === 0 ? resolveCreated() : reject(new Error(`initdb worker exited with code ${code}`))));
    });
  } catch (err) {
    new Logger('Database').warn(`Creating the embedded database in a worker thread failed (${(err as Error).message}); creating it in process.`);
    const { PGlite } = await import('@electric-sql/pglite');
    await (await PGlite.create(dataDir, { postgresqlconf: PGLITE_CONF })).close();
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable DATABASE_URL)';
  }
}

import pRetry from 'p-retry';
import type { Env } from '../config/configuration.js';
import { isConnectionError, rootMessage } from './database-errors.js';
import { Database } from './database.js';

type DatabaseEnv = Pick<Env, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_SIZE' | 'DATA_DIR'>;

/** ~30 s in all: long enough for a database container that starts alongside the service. */
const CONNECT_RETRIES = 6;

/**
 * Opens the database and applies pending migrations (the service at start-up and
 * `npm run db:migrate`). An unreachable PostgreSQL is retried with backoff; anything else fails
 * at once with one readable line saying where and why.
 */
export async function connectDatabase(env: DatabaseEnv, log: (message: string) => void): Promise<Database> {
  const where = env.DATABASE_URL ? 'PostgreSQL' : `the embedded database in ${env.DATA_DIR}`;
  try {
    return await pRetry(
      async () => {
        const database = await Database.open(env);
        try {
          await database.migrate();
        } catch (err) {
          await database.close();
          throw err;
        }
        return database;
      },
      {
        retries: env.DATABASE_URL ? CONNECT_RETRIES : 0,
        minTimeout: 500,
        factor: 2,
        maxTimeout: 8_000,
        shouldRetry: ({ error }) => isConnectionError(error),
        onFailedAttempt: ({ error, retriesLeft }) => {
          if (retriesLeft > 0 && isConnectionError(error)) log(`Cannot reach ${where} (${rootMessage(error)}); retrying (${retriesLeft} left)`);
        },
      },
    );
  } catch (err) {
    throw new Error(`Cannot open or migrate ${where}: ${rootMessage(err)}`, { cause: err });
  }
}

// `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded DATA_DIR) and exits.
// The service also migrates at start-up; this is for deployments that migrate as a separate step.
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/configuration.js';
import { connectDatabase } from './connect.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { env } = loadConfig(process.env);
  const started = performance.now();
  const database = await connectDatabase(env, (message) => console.warn(message));
  console.log(`Migrated ${database.kind} at ${database.location} in ${Math.round(performance.now() - started)} ms`);
  await database.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

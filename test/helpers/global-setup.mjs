// Once per test run: an embedded database migrated by the real `db:migrate` code, copied by each
// test app (opening a copy takes ~0.3 s; creating a database takes ~3 s), and a probe of the
// PostgreSQL the PostgreSQL suites use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { URL } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';

export default async function globalSetup() {
  const root = mkdtempSync(join(tmpdir(), 'support-agents-test-'));
  const template = join(root, 'template');
  execFileSync(process.execPath, ['--import', './scripts/register-swc.mjs', 'src/database/migrate.cli.ts'], {
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: template },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.TEST_TMP_ROOT = root;
  process.env.TEST_PGLITE_TEMPLATE = template;

  const url = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    process.env.TEST_POSTGRES_URL = url;
  } catch (err) {
    process.env.TEST_POSTGRES_SKIP = `PostgreSQL not reachable at ${url.replace(/:[^:@/]*@/, ':***@')} (${err.code ?? err.message})`;
    console.warn(`\n[tests] ${process.env.TEST_POSTGRES_SKIP}: the PostgreSQL suites are skipped; the PGlite suites run.`);
  } finally {
    await client.end().catch(() => undefined);
  }

  // The Redis the rate-limit suites share (TEST_REDIS_URL, or the local one); skipped with the reason when down.
  const redisUrl = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    process.env.TEST_REDIS_URL = redisUrl;
  } catch (err) {
    process.env.TEST_REDIS_SKIP = `Redis not reachable at ${redisUrl.replace(/:[^:@/]*@/, ':***@')} (${err.message})`;
    console.warn(`\n[tests] ${process.env.TEST_REDIS_SKIP}: the Redis rate-limit suites are skipped.`);
  } finally {
    redis.disconnect();
  }

  // The NATS server of the transport suites (TEST_NATS_URL, or the local one): its port must answer.
  const natsUrl = process.env.TEST_NATS_URL || 'nats://127.0.0.1:4222';
  const { hostname, port } = new URL(natsUrl.replace(/^nats:/, 'http:'));
  try {
    await new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port || 4222), timeout: 1_000 });
      socket.once('connect', () => (socket.destroy(), resolve(undefined)));
      socket.once('timeout', () => (socket.destroy(), reject(new Error('timed out'))));
      socket.once('error', reject);
    });
    process.env.TEST_NATS_URL = natsUrl;
  } catch (err) {
    process.env.TEST_NATS_SKIP = `NATS not reachable at ${hostname}:${port || 4222} (${err.code ?? err.message})`;
    console.warn(`\n[tests] ${process.env.TEST_NATS_SKIP}: the NATS transport suites are skipped.`);
  }
}

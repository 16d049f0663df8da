import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServer, type Server, type Socket, connect } from 'node:net';
import request from 'supertest';
import { loadConfig } from '../src/config/configuration.js';
import { Database } from '../src/database/database.js';
import { RedisHealth } from '../src/health/redis-health.js';
import { ShutdownState } from '../src/health/shutdown-state.js';
import { testDatabases } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * A TCP proxy on loopback in front of PostgreSQL that the test can cut (every connection dropped,
 * the port closed) and restore: the database becomes unreachable for real, as in an outage.
 */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe('health probes', () => {
  const KEY = 'k'.repeat(32);
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    // Keys and a tight rate limit: probes need neither a key nor any share of the limit.
    app = await createTestApp({ API_KEYS: `${KEY}:admin`, RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST_PER_SECOND: '2' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  }, 60_000);

  it('GET /health/live answers without a key, never cached, never rate limited', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await http().get('/health/live').expect(200);
      expect(res.body).toMatchObject({ status: 'ok', info: { process: { status: 'up', uptime_seconds: expect.any(Number) } } });
      expect(res.headers['cache-control']).toMatch(/no-store/);
    }
    // The same burst on an API route is limited (the limit is real).
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await http().get('/agents').set('x-api-key', KEY)).status);
    expect(statuses).toContain(429);
  });

  it('GET /health/ready is 200 with every check up on a healthy embedded database (offline model, no Redis)', async () => {
    const res = await http().get('/health/ready').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details).toEqual({
      shutdown: { status: 'up' },
      database: { status: 'up', kind: 'pglite', responseTime: expect.any(Number) },
      model: { status: 'up', backend: 'offline' },
    });
  });

  it('readiness turns 503 as soon as shutdown begins, naming why', async () => {
    const state = app.get(ShutdownState);
    state.begin('SIGTERM');
    try {
      const res = await http().get('/health/ready').expect(503);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toMatchObject({ status: 'error', error: { shutdown: { status: 'down', message: 'shutting down (SIGTERM)' } } });
      await http().get('/health/live').expect(200); // alive while it drains
    } finally {
      // Only this test's app: let the next test see a running instance again.
      (state as unknown as { startedAt: undefined }).startedAt = undefined;
    }
  });
});

describe('readiness and the database', () => {
  it('app.close() starts draining before anything closes', async () => {
    const app = await createTestApp();
    const state = app.get(ShutdownState);
    expect(state.draining).toBe(false);
    await app.close();
    expect(state.draining).toBe(true);
    expect(state.reason?.reason).toBe('application closing');
  }, 120_000);

  it('is 503 when the embedded database is closed under the running app', async () => {
    const app = await createTestApp();
    try {
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      await app.get(Database).close();
      const res = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ status: 'error', error: { database: { status: 'down', message: expect.any(String) } } });
      expect(res.body.details.model.status).toBe('up');
    } finally {
      await app.close();
    }
  }, 120_000);

  const postgres = testDatabases().find((d) => d.db.name === 'PostgreSQL')!;
  const title = 'PostgreSQL unreachable (connections cut at a proxy) → 503; reachable again → 200';
  (postgres.skip ? it.skip : it)(postgres.skip ? `${title} — SKIPPED: ${postgres.skip}` : title, async () => {
    const env = postgres.db.env();
    const url = new URL(env.DATABASE_URL!);
    const proxy = new CuttableProxy(url.hostname, Number(url.port || 5432));
    await proxy.open();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const app = await createTestApp({ ...env, DATABASE_URL: url.toString() });
    try {
      await request(app.getHttpServer()).get('/health/ready').expect(200);
      await proxy.cut();
      const down = await request(app.getHttpServer()).get('/health/ready').expect(503);
      expect(down.body.error.database).toMatchObject({ status: 'down', kind: 'postgres' });
      // An API route answers 503 problem details meanwhile, not a 500.
      const tickets = await request(app.getHttpServer()).get('/tickets');
      expect(tickets.status).toBe(503);
      await proxy.open(); // same port: the pool reconnects
      await request(app.getHttpServer()).get('/health/ready').expect(200);
    } finally {
      await app.close();
      await proxy.cut().catch(() => undefined);
      await postgres.db.cleanup();
    }
  }, 180_000);
});

describe('the Redis readiness check', () => {
  const redisUrl = process.env.TEST_REDIS_URL;
  const skip = redisUrl ? undefined : (process.env.TEST_REDIS_SKIP ?? 'Redis not probed');
  const title = 'PING fails at once while Redis is unreachable (cut at a proxy) and passes again when it is back';
  (skip ? it.skip : it)(skip ? `${title} — SKIPPED: ${skip}` : title, async () => {
    const target = new URL(redisUrl!);
    const proxy = new CuttableProxy(target.hostname, Number(target.port || 6379));
    await proxy.open();
    const url = new URL(redisUrl!);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const health = new RedisHealth(loadConfig({ REDIS_URL: url.toString() }));
    const pings = async () => health.ping().then(() => true, () => false);
    const until = async (want: boolean) => {
      for (let i = 0; i < 300 && (await pings()) !== want; i++) await new Promise((r) => setTimeout(r, 100));
      return pings();
    };
    health.onModuleInit();
    try {
      expect(await until(true)).toBe(true);
      await proxy.cut();
      expect(await until(false)).toBe(false);
      await expect(health.ping()).rejects.toThrow(/not connected/);
      await proxy.open(); // same port: ioredis reconnects on its own
      expect(await until(true)).toBe(true);
    } finally {
      await health.onApplicationShutdown();
      await proxy.cut().catch(() => undefined);
    }
  }, 60_000);
});

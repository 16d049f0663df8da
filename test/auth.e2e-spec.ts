import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AppModule } from '../src/app.module.js';
import { AppConfig, loadConfig } from '../src/config/configuration.js';
import { setupApp } from '../src/setup-app.js';
import { freshDataDir } from './helpers/databases.js';
import { expectProblem } from './helpers/problems.js';
import { SEED_TRIAGE, createTestApp } from './helpers/test-app.js';

/** A random key per run (so parallel runs sharing a Redis never share a counter). */
const newKey = (label: string) => `${label}-${randomBytes(16).toString('base64url')}`;
const ADMIN = newKey('admin');
const AGENT = newKey('agent');
const READER = newKey('reader');
const WRITER = newKey('writer');

/**
 * Boots the app like createTestApp, but closes it when start-up fails (createTestApp would leave
 * the database it opened behind) and returns the start-up error.
 */
async function startupError(env: Record<string, string>): Promise<Error | undefined> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(AppConfig)
    .useValue(loadConfig({ LLM_PROVIDER: 'offline', DATA_DIR: freshDataDir(), ...env }))
    .compile();
  const app = setupApp(moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false }));
  try {
    await app.init();
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await app.close().catch(() => undefined);
  }
}

describe('API keys and scopes', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp({
      API_KEYS: `${ADMIN}:admin,${AGENT}:agents:run,${READER}:tickets:read, ${WRITER} : tickets:write + kb:write`,
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_BURST_PER_SECOND: '0',
      CORS_ORIGINS: 'https://app.example.com',
      BODY_LIMIT: '16kb',
    });
  });
  afterAll(() => app.close());

  it('401 without a key, with WWW-Authenticate: Bearer', async () => {
    for (const res of [await http().get('/tickets'), await http().post('/run_triage/').send(SEED_TRIAGE), await http().get('/agents')]) {
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="support-agents"/);
      expect(res.body.detail).toContain('Authorization: Bearer');
    }
  });

  it('401 with a wrong key in either header style, and with two different keys', async () => {
    for (const res of [
      await http().get('/tickets').set('Authorization', `Bearer ${READER}x`),
      await http().get('/tickets').set('x-api-key', 'not-a-key-0123456789'),
      await http().get('/tickets').set('Authorization', `Basic ${READER}`),
    ]) {
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    }
    expect((await http().get('/tickets').set('x-api-key', 'nope')).headers['www-authenticate']).toContain('error="invalid_token"');
    const both = await http().get('/tickets').set('Authorization', `Bearer ${READER}`).set('x-api-key', ADMIN);
    expectProblem(both, 401);
    expect(both.body.detail).toContain('two different keys');
  });

  it('403 with a key lacking the scope; the detail names the missing scope', async () => {
    const res = await http().post('/tickets').set('x-api-key', READER).send(SEED_TRIAGE);
    expectProblem(res, 403);
    expect(res.body.detail).toContain('tickets:write');
    expect(res.body.missing_scopes).toEqual(['tickets:write']);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');

    const report = await http().get('/monitoring/report').set('Authorization', `Bearer ${AGENT}`);
    expectProblem(report, 403);
    expect(report.body.detail).toContain('monitoring:read');
    expectProblem(await http().post('/run_triage/').set('x-api-key', WRITER).send(SEED_TRIAGE), 403);
  });

  it('200/201 with the right scope in either header; tickets:write implies tickets:read; admin may do everything', async () => {
    await http().post('/run_triage/').set('Authorization', `Bearer ${AGENT}`).send(SEED_TRIAGE).expect(200);
    await http().post('/run_triage/').set('x-api-key', AGENT).send(SEED_TRIAGE).expect(200);
    await http().get('/tickets').set('x-api-key', READER).expect(200);
    await http().get('/tickets').set('authorization', `bearer ${WRITER}`).expect(200);
    await http().post('/tickets?mode=async').set('x-api-key', WRITER).send(SEED_TRIAGE).expect(202);
    await http().get('/agents').set('x-api-key', READER).expect(200); // any valid key
    await http().get('/monitoring/report').set('x-api-key', ADMIN).expect(200);
    await http().get('/knowledge-base/search?q=password').set('x-api-key', ADMIN).expect(200);
  });

  it('admin creates a database key (shown once), it works at once, the list shows its prefix only, a revoke is a 401 at once', async () => {
    expectProblem(await http().post('/api-keys').set('x-api-key', WRITER).send({ name: 'x', scopes: ['admin'] }), 403);

    const bad = await http().post('/api-keys').set('x-api-key', ADMIN).send({ name: ' ', scopes: ['root'], extra: 1 });
    expectProblem(bad, 400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['extra', 'name', 'scopes[0]']);
    expectProblem(await http().post('/api-keys').set('x-api-key', ADMIN).send({ name: 'none', scopes: [] }), 400);

    const created = await http().post('/api-keys').set('x-api-key', ADMIN).send({ name: 'helpdesk', scopes: ['tickets:write'] }).expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'helpdesk',
      prefix: created.body.key.slice(0, 10),
      scopes: ['tickets:write'],
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
      key: expect.stringMatching(/^sa_[A-Za-z0-9_-]{43}$/),
    });
    const { id, key } = created.body as { id: string; key: string };

    await http().get('/tickets').set('Authorization', `Bearer ${key}`).expect(200);
    const forbidden = await http().post('/run_triage/').set('x-api-key', key).send(SEED_TRIAGE);
    expectProblem(forbidden, 403);
    expect(forbidden.body.detail).toContain('agents:run');

    const list = await http().get('/api-keys').set('x-api-key', ADMIN).expect(200);
    const listed = (list.body as { id: string }[]).find((k) => k.id === id);
    expect(listed).toMatchObject({ name: 'helpdesk', prefix: key.slice(0, 10), scopes: ['tickets:write'], revoked_at: null, last_used_at: expect.any(String) });
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(JSON.stringify(list.body)).not.toMatch(/hash/i);

    await http().delete(`/api-keys/${id}`).set('x-api-key', ADMIN).expect(204);
    expectProblem(await http().get('/tickets').set('Authorization', `Bearer ${key}`), 401);
    await http().delete(`/api-keys/${id}`).set('x-api-key', ADMIN).expect(204); // already revoked
    expectProblem(await http().delete('/api-keys/6f1d0c2e-8b4a-4f6e-9d3c-2a7b5e9f0c11').set('x-api-key', ADMIN), 404);
    expectProblem(await http().delete('/api-keys/env%231').set('x-api-key', ADMIN), 404);
    const after = await http().get('/api-keys').set('x-api-key', ADMIN).expect(200);
    expect((after.body as { id: string; revoked_at: string | null }[]).find((k) => k.id === id)!.revoked_at).toEqual(expect.any(String));
  });

  it('helmet headers on answers and problems; no x-powered-by', async () => {
    for (const res of [await http().get('/tickets').set('x-api-key', READER), await http().get('/tickets')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('413 above BODY_LIMIT is still a problem, with the security headers', async () => {
    const res = await http()
      .post('/run_triage/')
      .set('x-api-key', AGENT)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ ...SEED_TRIAGE, inquiry_text: 'x'.repeat(20_000) }));
    expectProblem(res, 413);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('CORS: the allowed origin gets Access-Control-Allow-Origin and the exposed headers; another origin does not', async () => {
    const allowed = await http().get('/tickets').set('Origin', 'https://app.example.com').set('x-api-key', READER).expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-expose-headers']).toEqual(expect.stringContaining('Retry-After'));
    expect(allowed.headers['access-control-expose-headers']).toEqual(expect.stringContaining('x-agent-degraded'));
    expect(allowed.headers['access-control-allow-credentials']).toBeUndefined();

    const preflight = await http()
      .options('/tickets')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'x-api-key, idempotency-key, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(preflight.headers['access-control-allow-headers']).toEqual(expect.stringContaining('x-api-key'));
    expect(preflight.headers['access-control-allow-headers']).toEqual(expect.stringContaining('If-Match'));

    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'http://app.example.com']) {
      const other = await http().get('/tickets').set('Origin', origin).set('x-api-key', READER);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('Swagger UI still loads at /docs (no key needed) and documents both security schemes', async () => {
    const page = await http().get('/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('swagger-ui');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self' https: 'unsafe-inline'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    // Every script the page loads is served ('self'), and nothing runs inline.
    const assets = [...page.text.matchAll(/<(?:script src|link rel="stylesheet" type="text\/css" href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining([expect.stringContaining('swagger-ui-init.js'), expect.stringContaining('swagger-ui.css')]));
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
    for (const src of assets) {
      const asset = await http().get(new URL(src, 'http://x/docs').pathname).expect(200);
      expect(asset.headers['content-security-policy']).toBe(csp);
    }

    const doc = (await http().get('/docs-json').expect(200)).body;
    expect(doc.components.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
      api_key: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    });
    expect(doc.paths['/api-keys'].post.security).toEqual(expect.arrayContaining([{ bearer: [] }, { api_key: [] }]));
  });
});

describe('open mode (development, no keys configured)', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST_PER_SECOND: '0' });
  });
  afterAll(() => app.close());

  it('every route answers without a key, until a database key exists', async () => {
    await http().get('/tickets').expect(200);
    await http().post('/run_triage/').send(SEED_TRIAGE).expect(200);
    await http().get('/tickets').set('x-api-key', 'anything-at-all').expect(200);
    const { key } = (await http().post('/api-keys').send({ name: 'first', scopes: ['admin'] }).expect(201)).body as { key: string };
    // A database key exists: keys are required from now on.
    expectProblem(await http().get('/tickets'), 401);
    await http().get('/tickets').set('x-api-key', key).expect(200);
  });
});

describe('production start-up', () => {
  it('refuses to start without keys, with a readable message', async () => {
    const err = await startupError({ NODE_ENV: 'production' });
    expect(err?.message).toMatch(/^NODE_ENV=production requires API_KEYS/);
  });

  it('refuses keys shorter than 16 characters', async () => {
    const err = await startupError({ NODE_ENV: 'production', API_KEYS: 'short-key:admin' });
    expect(err?.message).toMatch(/API_KEYS entry 1 shorter than 16 characters/);
    expect(err?.message).not.toContain('short-key');
  });

  it('starts with a key, and requires it', async () => {
    const app = await createTestApp({ NODE_ENV: 'production', API_KEYS: `${ADMIN}:admin` });
    try {
      expectProblem(await request(app.getHttpServer()).get('/tickets'), 401);
      await request(app.getHttpServer()).get('/tickets').set('x-api-key', ADMIN).expect(200);
    } finally {
      await app.close();
    }
  });
});

describe('rate limiting (in memory)', () => {
  it('429 with Retry-After past RATE_LIMIT_PER_MINUTE; limits are per key', async () => {
    const [k1, k2] = [newKey('k1'), newKey('k2')];
    const app = await createTestApp({ API_KEYS: `${k1}:agents:run,${k2}:agents:run`, RATE_LIMIT_PER_MINUTE: '5', RATE_LIMIT_BURST_PER_SECOND: '0' });
    const http = () => request(app.getHttpServer());
    try {
      for (let i = 1; i <= 5; i++) {
        const res = await http().get('/agents').set('x-api-key', k1).expect(200);
        expect(res.headers['ratelimit-limit']).toBe('5');
        expect(res.headers['ratelimit-remaining']).toBe(String(5 - i));
        expect(res.headers['x-ratelimit-remaining']).toBe(String(5 - i));
        expect(res.headers['ratelimit-policy']).toBe('5;w=60');
      }
      const limited = await http().get('/agents').set('x-api-key', k1);
      expectProblem(limited, 429);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body).toMatchObject({ limit: 5, window_seconds: 60, retry_after: retryAfter });
      expect(limited.body.detail).toContain('this API key');
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      // Another key has its own budget; the limit spans every route of the key.
      await http().get('/agents').set('x-api-key', k2).expect(200);
      expectProblem(await http().post('/run_triage/').set('x-api-key', k1).send(SEED_TRIAGE), 429);
    } finally {
      await app.close();
    }
  });

  // The minute window, not the 1 s burst one: on a loaded CI machine three requests to a fresh app
  // can take longer than a second, and a burst test would then pass or fail by timing.
  it('open mode counts per client address (TRUST_PROXY: behind a proxy, the forwarded one)', async () => {
    const app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '2', RATE_LIMIT_BURST_PER_SECOND: '0', TRUST_PROXY: 'loopback' });
    const http = () => request(app.getHttpServer());
    try {
      const a = () => http().get('/agents').set('X-Forwarded-For', '203.0.113.7');
      const answers = await Promise.all([a(), a(), a()]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 429]);
      const limited = answers.find((r) => r.status === 429)!;
      expectProblem(limited, 429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.body.detail).toContain('this address');
      await http().get('/agents').set('X-Forwarded-For', '203.0.113.8').expect(200);
    } finally {
      await app.close();
    }
  });
});

// Probed once for the whole run by test/helpers/global-setup.mjs.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisSkip = process.env.TEST_REDIS_SKIP;

describe('rate limiting in Redis', () => {
  it('fails open when Redis is unreachable (requests pass, no limit headers)', async () => {
    const key = newKey('k');
    const app = await createTestApp({ API_KEYS: `${key}:agents:run`, RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_BURST_PER_SECOND: '0', REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await request(app.getHttpServer()).get('/agents').set('x-api-key', key).expect(200);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await app.close();
    }
  });

  (redisSkip ? it.skip : it)(`two instances with the same REDIS_URL share one limit${redisSkip ? ` (skipped: ${redisSkip})` : ''}`, async () => {
    const [key, other] = [newKey('shared'), newKey('other')]; // unique per run: their counters are too
    const env = { API_KEYS: `${key}:agents:run,${other}:agents:run`, RATE_LIMIT_PER_MINUTE: '4', RATE_LIMIT_BURST_PER_SECOND: '0', REDIS_URL };
    const [one, two] = [await createTestApp(env), await createTestApp(env)];
    try {
      const get = (app: NestExpressApplication, k = key) => request(app.getHttpServer()).get('/agents').set('x-api-key', k);
      for (const [i, app] of [one, two, one, two].entries()) {
        const res = await get(app).expect(200);
        expect(res.headers['ratelimit-limit']).toBe('4');
        expect(res.headers['ratelimit-remaining']).toBe(String(3 - i));
        expect(res.headers['x-ratelimit-remaining']).toBe(String(3 - i));
        expect(res.headers['ratelimit-policy']).toBe('4;w=60');
      }
      expectProblem(await get(one), 429);
      const limited = await get(two);
      expectProblem(limited, 429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.body).toMatchObject({ limit: 4, window_seconds: 60 });
      // Another key keeps its own budget on both instances.
      expect((await get(one, other).expect(200)).headers['ratelimit-remaining']).toBe('3');
      expect((await get(two, other).expect(200)).headers['ratelimit-remaining']).toBe('2');
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AppModule } from '../src/app.module.js';
import { AppConfig, loadConfig } from '../src/config/configuration.js';
import { RedactingLogger } from '../src/guardrails/redacting-logger.js';
import { LOG_DESTINATION } from '../src/observability/logging.module.js';
import { setupApp } from '../src/setup-app.js';
import { SlaCheckService } from '../src/sla/sla-check.service.js';
import { freshDataDir } from './helpers/databases.js';
import { FakeOpenAI } from './helpers/fake-openai.js';
import { expectProblem } from './helpers/problems.js';
import { createTestApp } from './helpers/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MISSING_TICKET = '0f8e3c1a-2b4d-4c6e-9f01-23456789abcd';

/** The value of one series in Prometheus text (0 when absent). */
function series(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (want.length === 0 && line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.lastIndexOf('}'));
    const have = inside.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('GET /metrics (Prometheus)', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  }, 60_000);

  it('serves the Prometheus text format with every metric family', async () => {
    const res = await http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of ['http_request_duration_seconds', 'agent_run_duration_seconds', 'model_tokens_total', 'sla_breaches_total', 'queue_jobs', 'process_resident_memory_bytes']) {
      expect(res.text).toContain(`# TYPE ${family} `);
    }
  });

  it('counts requests by route template and status, never by raw path', async () => {
    const before = (await http().get('/metrics')).text;
    const labels = { method: 'GET', route: '/tickets/:id', status_code: '404' };
    await http().get(`/tickets/${MISSING_TICKET}`).expect(404);
    await http().get(`/tickets/${MISSING_TICKET.replace('0f8e', '1f8e')}`).expect(404);
    await http().post('/run_triage/').send({ inquiry_text: "I can't log in to my account.", metadata: { channel: 'email', customer_id: '1' } }).expect(200);
    await http().post('/run_triage/').send({ inquiry_text: 42 }).expect(400);
    await http().get(`/no-such-route/${MISSING_TICKET}`).expect(404);
    const after = (await http().get('/metrics')).text;
    const delta = (name: string, l: Record<string, string>) => series(after, name, l) - series(before, name, l);
    expect(delta('http_request_duration_seconds_count', labels)).toBe(2);
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/run_triage', status_code: '200' })).toBe(1);
    // An error thrown and answered with problem details counts under its status.
    expect(delta('http_request_duration_seconds_count', { method: 'POST', route: '/run_triage', status_code: '400' })).toBe(1);
    expect(delta('http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    // The latency buckets of the series moved too.
    expect(series(after, 'http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBeGreaterThanOrEqual(2);
    expect(after).not.toContain(MISSING_TICKET);
    expect(after).not.toContain('no-such-route');
  });

  it('counts requests refused before routing (malformed JSON) too', async () => {
    const before = (await http().get('/metrics')).text;
    await http().post('/run_triage/').set('content-type', 'application/json').send('{"inquiry_text": ').expect(400);
    const after = (await http().get('/metrics')).text;
    const l = { method: 'POST', route: 'unmatched', status_code: '400' };
    expect(series(after, 'http_request_duration_seconds_count', l) - series(before, 'http_request_duration_seconds_count', l)).toBe(1);
  });
  it('counts an SLA breach once, when the scheduled check first finds it', async () => {
    const hacked = await http()
      .post('/tickets')
      .send({ inquiry_text: 'I think someone hacked my account and changed my email', metadata: { channel: 'email', customer_id: 'c-77' } })
      .expect(201);
    const sla = await http().get(`/tickets/${hacked.body.id}/sla`).expect(200);
    const clock = sla.body.metrics.find((m: { metric: string }) => m.metric === 'first_reply_time') as { due_at: string };
    const due = Date.parse(clock.due_at);
    const labels = { metric: 'first_reply_time', priority: hacked.body.triage.priority as string };
    const count = async () => series((await http().get('/metrics')).text, 'sla_breaches_total', labels);
    const before = await count();
    const check = (at: number) => app.get(SlaCheckService).check(new Date(at));
    await check(due + 30_000);
    expect(await count()).toBe(before + 1);
    expect(series((await http().get('/metrics')).text, 'sla_open_breaches', {})).toBeGreaterThanOrEqual(1);
    // The next check sees the same breach still open: not a new one.
    await check(due + 120_000);
    expect(await count()).toBe(before + 1);
  }, 90_000);

  describe('X-Request-Id', () => {
    it('echoes a sane incoming id and generates one otherwise', async () => {
      const http = () => request(app.getHttpServer());
      expect((await http().get('/agents').set('x-request-id', 'lb-7f3a9c.42')).headers['x-request-id']).toBe('lb-7f3a9c.42');
      expect((await http().get('/agents')).headers['x-request-id']).toMatch(UUID);
      const hostile = await http().get('/agents').set('x-request-id', `"><img src=x>${'z'.repeat(200)}`);
      expect(hostile.headers['x-request-id']).toMatch(UUID);
    });

    it('is on problem responses (header and body), also for requests refused before routing', async () => {
      const http = () => request(app.getHttpServer());
      const notFound = await http().get(`/tickets/${MISSING_TICKET}`).set('x-request-id', 'trace-404');
      expectProblem(notFound, 404);
      expect(notFound.headers['x-request-id']).toBe('trace-404');
      expect(notFound.body.request_id).toBe('trace-404');
      const malformed = await http().post('/run_triage/').set('content-type', 'application/json').set('x-request-id', 'trace-400').send('{');
      expectProblem(malformed, 400);
      expect(malformed.headers['x-request-id']).toBe('trace-400');
      expect(malformed.body.request_id).toBe('trace-400');
    });
  });
});

describe('GET /metrics with API keys', () => {
  const ADMIN = 'a'.repeat(32);
  const SCRAPER = 'b'.repeat(32);
  const AGENTS = 'c'.repeat(32);
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ API_KEYS: `${ADMIN}:admin,${SCRAPER}:metrics:read,${AGENTS}:agents:run`, RATE_LIMIT_PER_MINUTE: '600', RATE_LIMIT_BURST_PER_SECOND: '2' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  }, 60_000);

  it('needs a key with metrics:read (admin implies it)', async () => {
    const http = () => request(app.getHttpServer());
    expectProblem(await http().get('/metrics'), 401);
    const refused = await http().get('/metrics').set('authorization', `Bearer ${AGENTS}`);
    expectProblem(refused, 403);
    expect(refused.body.missing_scopes).toEqual(['metrics:read']);
    await http().get('/metrics').set('authorization', `Bearer ${SCRAPER}`).expect(200);
    await http().get('/metrics').set('x-api-key', ADMIN).expect(200);
  });

  it('scrapes are never rate limited', async () => {
    for (let i = 0; i < 6; i++) await request(app.getHttpServer()).get('/metrics').set('authorization', `Bearer ${SCRAPER}`).expect(200);
  });
});

describe('structured logs', () => {
  const fake = new FakeOpenAI();
  let app: NestExpressApplication;
  const chunks: string[] = [];
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    // An OpenAI backend that always fails: the run falls back to the offline policy and logs why
    // from inside the ticket's run, which is the line that must carry the ticket id.
    const baseUrl = await fake.start();
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(AppConfig)
      .useValue(
        loadConfig({
          LLM_PROVIDER: 'openai',
          OPENAI_API_KEY: 'sk-test-0000',
          OPENAI_BASE_URL: baseUrl,
          OPENAI_MAX_RETRIES: '0',
          LLM_FALLBACK: 'true',
          LOG_LEVEL: 'info',
          RATE_LIMIT_PER_MINUTE: '0',
          RATE_LIMIT_BURST_PER_SECOND: '0',
          SLA_CHECK_INTERVAL_SECONDS: '0',
          DATA_DIR: freshDataDir(),
        }),
      )
      .overrideProvider(LOG_DESTINATION)
      .useValue(stream)
      .compile();
    app = setupApp(moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: ['error', 'warn'] }));
    // As main.ts does: Nest's loggers write through pino too.
    app.useLogger(app.get(RedactingLogger));
    await app.init();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await fake.stop();
  }, 60_000);

  it('writes one JSON line per request and per log call, with request id and ticket id, and no personal data', async () => {
    const email = 'jane.doe@example.com';
    const card = '4111 1111 1111 1111';
    const res = await request(app.getHttpServer())
      .post('/tickets')
      .set('x-request-id', 'obs-test-1')
      .set('authorization', 'Bearer not-a-real-key-but-secret')
      .send({ inquiry_text: `My card ${card} was charged twice, please email me at ${email}`, metadata: { channel: 'email', customer_id: 'c-1' } })
      .expect(201);
    const ticketId = res.body.id as string | undefined;
    await request(app.getHttpServer())
      .get(`/agents?customer=${encodeURIComponent(email)}&api_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc`)
      .set('x-request-id', 'obs-test-2')
      .set('cookie', 'session=cookie-secret-value')
      .expect(200);

    const all = lines();
    const text = chunks.join('');
    expect(text).not.toContain(email);
    expect(text).not.toContain(card);
    expect(text).not.toContain('4111111111111111');
    expect(text).not.toContain('sk_live_4eC39HqLyjWDarjtT1zdp7dc');
    expect(text).not.toContain('not-a-real-key-but-secret');
    for (const line of all) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String) });

    expect(text).not.toContain('cookie-secret-value');
    const requestLine = all.find((l) => l.msg === 'request completed' && l.request_id === 'obs-test-1');
    expect(requestLine).toMatchObject({ level: 'info', method: 'POST', route: '/tickets', url: '/tickets', status: 201, duration_ms: expect.any(Number) });
    const queryLine = all.find((l) => l.msg === 'request completed' && l.request_id === 'obs-test-2');
    expect(queryLine).toMatchObject({ method: 'GET', route: '/agents', status: 200, url: '/agents?customer=[EMAIL_1]&api_key=[REDACTED]' });
    // Bodies are never logged.
    expect(text).not.toContain('charged twice');

    // The fallback warning was logged inside the ticket's run: it carries both ids.
    expect(ticketId).toMatch(UUID);
    const inRun = all.filter((l) => l.ticket_id === ticketId);
    expect(inRun.length).toBeGreaterThan(0);
    expect(inRun.some((l) => l.request_id === 'obs-test-1' && l.level === 'warn' && /offline policy/.test(String(l.msg)))).toBe(true);
  }, 90_000);

  it('readiness reports a failing model provider as degraded, not down', async () => {
    const res = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.details.model).toMatchObject({ status: 'degraded', backend: 'openai', message: expect.stringContaining('/models answered HTTP 500') });
    expect(res.body.details.database.status).toBe('up');
    // It asked the provider's model list with the key, and spent no tokens.
    const probe = fake.requests.find((r) => r.path.endsWith('/models'));
    expect(probe).toMatchObject({ method: 'GET' });
    expect(probe!.headers.authorization).toBe('Bearer sk-test-0000');
  });
});

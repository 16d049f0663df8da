import fc from 'fast-check';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import {
  adversarialText,
  anyJsonBody,
  contentTypeArb,
  idempotencyKeyArb,
  ifMatchArb,
  importBodyArb,
  monitoringBodyArb,
  nearValidArb,
  pathIdArb,
  rawBodyArb,
  runAgentBodyArb,
  ticketEventArb,
  ticketQueryArb,
  type Json,
} from './helpers/fuzz-arbitraries.js';
import { SEED_TRIAGE, createTestApp } from './helpers/test-app.js';

/**
 * Fuzz test of every POST/PUT route (issue 5): random and malformed JSON, huge strings, deep
 * nesting, wrong types, odd headers and path ids. The server answers 4xx as problem details,
 * never 5xx, and stays up. One app for the whole file; every property has a fixed seed (in its
 * name) and a bounded number of runs, so a failure is reproducible with the same seed.
 */

const SEED = { raw: 501, structured: 502, nearValid: 503, targeted: 505, headers: 504, apiKeys: 506 } as const;
const RUNS = { raw: 1000, structured: 400, nearValid: 1500, targeted: 1000, headers: 1000, apiKeys: 600 } as const;
const TIMEOUT_MS = 120_000;

let app: NestExpressApplication;
const http = () => request(app.getHttpServer());

// ---------------------------------------------------------------------------------------------
// Routes and their valid example bodies (Swagger examples, README and the e2e suites)
// ---------------------------------------------------------------------------------------------

interface Route {
  name: string;
  method: 'post' | 'put';
  path: () => string;
  example: Json;
  headers?: Record<string, string>;
  /** 4xx statuses this route may also answer to a well-formed body (conflicts, preconditions). */
  alsoExpected?: number[];
}

const TICKET = { category: 'technical', priority: 'High', confidence: 0.92, ticket_metadata: { channel: 'email', customer_id: '12345' }, clarification_needed: false };
const ARTICLE = { title: 'Change your billing e-mail', category: 'billing', tags: ['invoices'], body: 'Owners can change where invoices go: Settings → Billing → Billing e-mail.' };
const MONITORING: Json = {
  ticket_updates: [
    { ticket_id: 'T-1', status: 'open', timestamp: '2026-11-24T09:00:00Z', actor: 'customer', priority: 'High' },
    { ticket_id: 'T-1', status: 'resolved', timestamp: '2026-11-24T15:00:00Z', actor: 'agent', csat: 4 },
    { ticket_id: 'T-2', created_at: '2026-11-24T10:00:00Z', first_response_at: '2026-11-24T11:00:00Z', priority: 'Low' },
  ],
  sla_targets: { sla_compliance: 0.95, avg_resolution_time: 24 },
};
const PUT_ID = 'fuzz-put-target';
/** A policy set using every feature (calendar, holidays, match, business hours, actions), for near-valid mutations. */
const SLA_POLICIES: Json = {
  calendars: [{ id: 'office', time_zone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }], fri: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '24:00' }] }, holidays: ['2026-12-25', { date: '2026-12-26', name: 'Boxing Day' }] }],
  policies: [
    { id: 'high', name: 'High', match: { priority: ['High'], channel: ['email'] }, business_hours: 'office', targets: { first_reply_time: '1h', next_reply_time: 90, resolution_time: '8h' }, actions: [{ metric: 'resolution_time', before: 60, action: 'escalate' }] },
    { id: 'rest', targets: { first_reply_time: '4h', periodic_update: '1.5h', requester_wait_time: 600, agent_work_time: 300, resolution_time: '24h' } },
  ],
};

let ticketId = '';
/** Tickets in different states (resolved, waiting for the customer, escalated) for fuzzed events. */
const eventTicketIds: string[] = [];
let apiKeysRoute = false;
let approvalId = '';
/** The admin key property 3b creates; from then on the service is closed and every request needs it. */
let adminKey: string | undefined;
const auth = (): Record<string, string> => (adminKey ? { Authorization: `Bearer ${adminKey}` } : {});

function routes(): Route[] {
  const list: Route[] = [
    { name: 'POST /run_triage/', method: 'post', path: () => '/run_triage/', example: SEED_TRIAGE },
    { name: 'POST /run_resolution/', method: 'post', path: () => '/run_resolution/', example: { ticket: TICKET, inquiry_text: 'I forgot my password and the reset link says it expired' } },
    { name: 'POST /run_performance_monitoring/', method: 'post', path: () => '/run_performance_monitoring/', example: MONITORING },
    { name: 'POST /run_agent/ (triage)', method: 'post', path: () => '/run_agent/', example: { agent_name: 'triage_agent', query: SEED_TRIAGE }, alsoExpected: [404] },
    { name: 'POST /run_agent/ (kb, text)', method: 'post', path: () => '/run_agent/', example: { agent_name: 'knowledge_base_agent', query: 'how do I download an invoice' }, alsoExpected: [404] },
    { name: 'POST /run_agent/ (monitoring)', method: 'post', path: () => '/run_agent/', example: { agent_name: 'performance_monitoring_agent', query: MONITORING }, alsoExpected: [404] },
    { name: 'POST /tickets', method: 'post', path: () => '/tickets', example: SEED_TRIAGE, alsoExpected: [409] },
    { name: 'POST /tickets?mode=async', method: 'post', path: () => '/tickets?mode=async', example: SEED_TRIAGE, alsoExpected: [409] },
    { name: 'POST /tickets/:id/events', method: 'post', path: () => `/tickets/${ticketId}/events`, example: { type: 'note', message: 'Checked the logs: the sync client crashed.', author: 'agent-7' }, alsoExpected: [409] },
    { name: 'POST /tickets/:id/retry', method: 'post', path: () => `/tickets/${ticketId}/retry`, example: {}, alsoExpected: [409] },
    { name: 'POST /knowledge-base/articles', method: 'post', path: () => '/knowledge-base/articles', example: ARTICLE, alsoExpected: [409] },
    { name: 'POST /approvals/:id/reject', method: 'post', path: () => `/approvals/${approvalId}/reject`, example: { reason: 'Not a duplicate: a second seat.', approver: 'fuzz' }, alsoExpected: [409] },
    { name: 'POST /approvals/:id/approve', method: 'post', path: () => `/approvals/${approvalId}/approve`, example: { reason: 'ok' }, alsoExpected: [409] },
    { name: 'PUT /knowledge-base/articles/:id', method: 'put', path: () => `/knowledge-base/articles/${PUT_ID}`, example: ARTICLE },
    { name: 'PUT /monitoring/policies', method: 'put', path: () => '/monitoring/policies', example: SLA_POLICIES, alsoExpected: [412] },
    { name: 'POST /monitoring/checks', method: 'post', path: () => '/monitoring/checks', example: {}, alsoExpected: [409] },
    { name: 'PUT /knowledge-base/articles/:id (If-Match)', method: 'put', path: () => `/knowledge-base/articles/${PUT_ID}`, example: ARTICLE, headers: { 'If-Match': '"1"' }, alsoExpected: [412] },
    {
      name: 'POST /knowledge-base/import',
      method: 'post',
      path: () => '/knowledge-base/import',
      example: {
        articles: [{ id: 'fuzz-imp-1', title: 'Export your invoices', body: 'Billing → Invoices → Export as CSV.', category: 'billing', tags: ['invoices'] }],
        markdown: [{ name: 'fuzz-imp-2.md', content: '---\nid: fuzz-imp-2\ntitle: Pair a scanner\ncategory: general\ntags: [kiosk]\n---\nOpen Settings → Devices and press Pair.' }],
        on_existing: 'update',
      },
      alsoExpected: [409],
    },
  ];
  // Issue 5 adds key management; fuzzed only once the route exists (it answers something but 404),
  // and only by property 3b, last: the first key it creates closes the open service.
  if (apiKeysRoute) list.push({ name: 'POST /api-keys', method: 'post', path: () => '/api-keys', example: { name: 'fuzz', scopes: ['agents:run'] }, headers: auth() });
  return list;
}

// ---------------------------------------------------------------------------------------------
// Sending, counting, checking
// ---------------------------------------------------------------------------------------------

interface Sent {
  label: string;
  method: 'post' | 'put' | 'get';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const stats = {
  requests: 0,
  fiveXX: 0,
  byRoute: new Map<string, { sent: number; ok: number }>(),
  byStatus: new Map<number, number>(),
  byProblem: new Map<string, number>(),
  slowest: { ms: 0, request: '' },
};
const failures: string[] = [];

function describeRequest(s: Sent): string {
  const body = s.body === undefined ? '' : s.body.length > 300 ? `${JSON.stringify(s.body.subarray(0, 300).toString('utf8'))}… (${s.body.length} bytes)` : JSON.stringify(s.body.toString('utf8'));
  const headers = Object.entries(s.headers).map(([k, v]) => `${k}: ${JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}… (${v.length})` : v)}`);
  return `${s.method.toUpperCase()} ${s.path.length > 200 ? `${s.path.slice(0, 200)}… (${s.path.length})` : s.path} [${headers.join('; ')}] ${body}`;
}

/** Sends one request; every answer must come back (deadline), and a 5xx is recorded with the request. */
async function send(s: Sent): Promise<request.Response> {
  stats.requests++;
  const route = stats.byRoute.get(s.label) ?? { sent: 0, ok: 0 };
  stats.byRoute.set(s.label, route);
  route.sent++;
  let t = http()[s.method](s.path).timeout({ response: 30_000, deadline: 60_000 });
  for (const [k, v] of Object.entries(s.headers)) t = t.set(k, v);
  // The body goes out byte for byte (superagent would JSON-serialize a Buffer sent as application/json).
  if (s.body !== undefined) t = t.serialize(asIs).send(s.body);
  const started = performance.now();
  const res = await t;
  const ms = performance.now() - started;
  if (ms > stats.slowest.ms) stats.slowest = { ms, request: `${res.status} ← ${describeRequest(s)}` };
  stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
  if (res.status < 300) route.ok++;
  if (res.status >= 400 && typeof res.body?.type === 'string') {
    const slug = `${res.status} ${res.body.type.split('/').pop()}`;
    stats.byProblem.set(slug, (stats.byProblem.get(slug) ?? 0) + 1);
  }
  if (res.status >= 500) {
    stats.fiveXX++;
    failures.push(`${res.status} ${JSON.stringify(res.body).slice(0, 200)} ← ${describeRequest(s)}`);
  }
  return res;
}

const asIs = ((body: Buffer) => body) as unknown as (body: unknown) => string;
const json = (v: Json): Buffer => Buffer.from(JSON.stringify(v), 'utf8');

/** Never 5xx; a 4xx is problem details whose status is the HTTP status and whose detail says something. */
function expectSane(res: request.Response, allowed4xx: number[]): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(allowed4xx).toContain(res.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(res.status);
    expect(typeof res.body.detail).toBe('string');
    expect(res.body.detail.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/); // never a stack trace
  } else {
    expect(res.status).toBeGreaterThanOrEqual(200);
  }
}

/** Errors every body-carrying route may answer with: invalid, too large, media type, guardrail. */
const BODY_ERRORS = [400, 413, 415, 422];

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  app = await createTestApp({ RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_BURST_PER_SECOND: '0' });
  await app.listen(0, '127.0.0.1'); // one server for the whole file: "stays up" means this one
  const created = await http().post('/tickets').send(SEED_TRIAGE).expect(201);
  ticketId = created.body.id;
  for (const inquiry of [SEED_TRIAGE.inquiry_text, 'hello?', 'Someone hacked my account and changed my email address']) {
    const res = await http().post('/tickets').send({ inquiry_text: inquiry, metadata: { channel: 'chat' } }).expect(201);
    eventTicketIds.push(res.body.id);
  }
  await http().put(`/knowledge-base/articles/${PUT_ID}`).send(ARTICLE).expect(201);
  // A ticket paused for approval: its approval is fuzzed (decided once, the rest are 409s).
  const paused = await http()
    .post('/tickets')
    .send({ inquiry_text: 'I was charged twice, $30 each time. Please refund the duplicate.', metadata: { channel: 'email', customer_id: 'fuzz-1' } })
    .expect(201);
  approvalId = (await http().get(`/approvals?ticket_id=${paused.body.id}`).expect(200)).body.approvals[0].id;
  const probe = await http().post('/api-keys').send({});
  apiKeysRoute = probe.status !== 404;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('fuzz: every POST/PUT route answers 4xx (problem details), never 5xx', () => {
  /** The routes properties 1–3 fuzz (all but /api-keys, which property 3b fuzzes last). */
  const openRoutes = () => routes().filter((r) => r.name !== 'POST /api-keys');

  it(`1. raw bodies as application/json (malformed, truncated, BOM, \\ud800, \\u0000, 1e400, duplicate keys): ${RUNS.raw} runs, seed ${SEED.raw}`, async () => {
    const all = openRoutes();
    const examples = all.map((r) => JSON.stringify(r.example)).filter((s) => s.length > 2);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all), rawBodyArb(examples), async (route, { kind, body }) => {
        const res = await send({ label: route.name, method: route.method, path: route.path(), headers: { 'Content-Type': 'application/json', ...route.headers }, body });
        // Mutations that keep the JSON valid (a duplicated space, a duplicate key whose last value is right) may succeed.
        expectSane(res, [...BODY_ERRORS, ...(route.alsoExpected ?? [])]);
        // JSON that is not an object, or nested past 32 levels, is refused before any route looks at it.
        if (/^(not an object|nested)/.test(kind)) expect(res.status).toBe(400);
      }),
      { seed: SEED.raw, numRuns: RUNS.raw },
    );
  }, TIMEOUT_MS);

  it(`2a. any JSON value as the body (fc.jsonValue / fc.anything, prototype and unicode keys): ${RUNS.structured} runs, seed ${SEED.structured}`, async () => {
    const all = openRoutes();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all), anyJsonBody, async (route, body) => {
        const res = await send({ label: route.name, method: route.method, path: route.path(), headers: { 'Content-Type': 'application/json', ...route.headers }, body: json(body) });
        expectSane(res, [...BODY_ERRORS, ...(route.alsoExpected ?? [])]);
      }),
      { seed: SEED.structured, numRuns: RUNS.structured },
    );
  }, TIMEOUT_MS);

  it(`2b. near-valid bodies (each route's example with dropped/added keys, wrong types, 1 MB strings, long arrays, nesting to 100, unicode, edge numbers): ${RUNS.nearValid} runs, seed ${SEED.nearValid}`, async () => {
    const all = openRoutes();
    const cases = fc.constantFrom(...all).chain((route) => nearValidArb(route.example).map((mutated) => ({ route, ...mutated })));
    await fc.assert(
      fc.asyncProperty(cases, async ({ route, body }) => {
        const res = await send({ label: route.name, method: route.method, path: route.path(), headers: { 'Content-Type': 'application/json', ...route.headers }, body: json(body) });
        expectSane(res, [...BODY_ERRORS, ...(route.alsoExpected ?? [])]);
      }),
      { seed: SEED.nearValid, numRuns: RUNS.nearValid },
    );
  }, TIMEOUT_MS);

  it(`2c. targeted bodies that pass validation (monitoring updates with edge timestamps, ticket event sequences, cross-agent /run_agent/ queries, adversarial 20k-char text, Markdown front matter: YAML tags, aliases, billion laughs, deep nesting): ${RUNS.targeted} runs, seed ${SEED.targeted}`, async () => {
    const all = openRoutes();
    const byName = (name: string) => all.find((r) => r.name === name)!;
    const text = (route: Route, key: string) => adversarialText.map((t) => ({ route, path: route.path(), body: { ...(route.example as Record<string, Json>), [key]: t } as Json }));
    const events = byName('POST /tickets/:id/events');
    const cases = fc.oneof(
      fc.record({ route: fc.constantFrom(byName('POST /run_performance_monitoring/')), body: monitoringBodyArb }).map((c) => ({ ...c, path: c.route.path() })),
      fc.record({ id: fc.constantFrom(...eventTicketIds), body: ticketEventArb }).map(({ id, body }) => ({ route: events, path: `/tickets/${id}/events`, body })),
      runAgentBodyArb(all.map((r) => r.example)).map((body) => ({ route: byName('POST /run_agent/ (triage)'), path: '/run_agent/', body })),
      importBodyArb.map((body) => ({ route: byName('POST /knowledge-base/import'), path: '/knowledge-base/import', body })),
      text(byName('POST /run_triage/'), 'inquiry_text'),
      text(byName('POST /tickets'), 'inquiry_text'),
      text(byName('POST /run_resolution/'), 'inquiry_text'),
      text(byName('POST /knowledge-base/articles'), 'body'),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ route, path, body }) => {
        const res = await send({ label: route.name, method: route.method, path, headers: { 'Content-Type': 'application/json', ...route.headers }, body: json(body) });
        expectSane(res, [...BODY_ERRORS, ...(route.alsoExpected ?? []), 404, 409]);
      }),
      { seed: SEED.targeted, numRuns: RUNS.targeted },
    );
  }, TIMEOUT_MS);

  it(`3. headers and URLs (Content-Type, Idempotency-Key, If-Match, path ids, ?mode=): ${RUNS.headers} runs, seed ${SEED.headers}`, async () => {
    const all = openRoutes();
    const byName = (name: string) => all.find((r) => r.name === name)!;
    const tickets = byName('POST /tickets');
    const events = byName('POST /tickets/:id/events');
    const retry = byName('POST /tickets/:id/retry');
    const put = byName('PUT /knowledge-base/articles/:id');

    type Case =
      | { kind: 'content-type'; route: Route; contentType: { value: string; notJson: boolean } }
      | { kind: 'idempotency-key'; route: Route; key: string }
      | { kind: 'if-match'; ifMatch: string }
      | { kind: 'path-id'; route: Route; id: string }
      | { kind: 'query'; query: string };
    const caseArb: fc.Arbitrary<Case> = fc.oneof(
      fc.record({ kind: fc.constant('content-type' as const), route: fc.constantFrom(...all), contentType: contentTypeArb }),
      fc.record({ kind: fc.constant('idempotency-key' as const), route: fc.constantFrom(tickets, byName('POST /tickets?mode=async'), events), key: idempotencyKeyArb }),
      fc.record({ kind: fc.constant('if-match' as const), ifMatch: ifMatchArb }),
      fc.record({ kind: fc.constant('path-id' as const), route: fc.constantFrom(events, retry, put), id: pathIdArb }),
      fc.record({ kind: fc.constant('query' as const), query: ticketQueryArb }),
    );

    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        let s: Sent;
        let allowed = [...BODY_ERRORS, 404, 409, 412];
        switch (c.kind) {
          case 'content-type':
            s = { label: c.route.name, method: c.route.method, path: c.route.path(), headers: { ...c.route.headers, 'Content-Type': c.contentType.value }, body: json(c.route.example) };
            if (c.contentType.notJson) allowed = [415];
            break;
          case 'idempotency-key':
            s = { label: c.route.name, method: 'post', path: c.route.path(), headers: { 'Content-Type': 'application/json', 'Idempotency-Key': c.key }, body: json(c.route.example) };
            break;
          case 'if-match':
            s = { label: put.name, method: 'put', path: put.path(), headers: { 'Content-Type': 'application/json', 'If-Match': c.ifMatch }, body: json(put.example) };
            break;
          case 'path-id': {
            const path = c.route === put ? `/knowledge-base/articles/${c.id}` : `/tickets/${c.id}/${c.route === retry ? 'retry' : 'events'}`;
            s = { label: c.route.name, method: c.route.method, path, headers: { 'Content-Type': 'application/json' }, body: json(c.route.example) };
            break;
          }
          case 'query':
            s = { label: tickets.name, method: 'post', path: `/tickets${c.query}`, headers: { 'Content-Type': 'application/json' }, body: json(tickets.example) };
            break;
        }
        expectSane(await send(s), allowed);
      }),
      { seed: SEED.headers, numRuns: RUNS.headers },
    );
  }, TIMEOUT_MS);

  it(`3b. POST /api-keys (last: the admin key it creates first closes the open service) — raw, any-JSON and near-valid bodies, and random Authorization / x-api-key headers on every route: ${RUNS.apiKeys} runs, seed ${SEED.apiKeys}`, async () => {
    if (!apiKeysRoute) {
      process.stdout.write('fuzz: POST /api-keys skipped (404 for every path: not implemented)\n');
      return;
    }
    const created = await send({ label: 'POST /api-keys', method: 'post', path: '/api-keys', headers: { 'Content-Type': 'application/json' }, body: json({ name: 'fuzz admin', scopes: ['admin'] }) });
    expect(created.status).toBe(201);
    adminKey = created.body.key as string;
    const all = routes();
    const apiKeys = all.find((r) => r.name === 'POST /api-keys')!;
    const keyValue = fc.oneof(
      fc.constantFrom('', ' ', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', `bearer ${adminKey}`, `Bearer  ${adminKey}`, `Bearer ${adminKey} `, `Bearer ${adminKey.slice(0, -1)}`, `Bearer ${adminKey}x`, adminKey.slice(0, 10), 'sa_', `sa_${'A'.repeat(43)}`, 'Bearer ' + 'k'.repeat(10_000), 'Bearer \u00ff\u00fe'),
      idempotencyKeyArb.map((k) => `Bearer ${k}`),
      idempotencyKeyArb,
    );
    type Case = { kind: 'body'; body: Buffer } | { kind: 'auth'; route: Route; header: 'Authorization' | 'x-api-key' | 'both'; value: string };
    const cases: fc.Arbitrary<Case> = fc.oneof(
      rawBodyArb([JSON.stringify(apiKeys.example)]).map(({ body }) => ({ kind: 'body' as const, body })),
      anyJsonBody.map((b) => ({ kind: 'body' as const, body: json(b) })),
      nearValidArb(apiKeys.example).map(({ body }) => ({ kind: 'body' as const, body: json(body) })),
      fc.record({ kind: fc.constant('auth' as const), route: fc.constantFrom(...all), header: fc.constantFrom('Authorization' as const, 'x-api-key' as const, 'both' as const), value: keyValue }),
    );
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        if (c.kind === 'body') {
          const res = await send({ label: apiKeys.name, method: 'post', path: '/api-keys', headers: { 'Content-Type': 'application/json', ...auth() }, body: c.body });
          expectSane(res, BODY_ERRORS);
        } else {
          const headers: Record<string, string> = { 'Content-Type': 'application/json' };
          if (c.header !== 'x-api-key') headers.Authorization = c.value;
          if (c.header !== 'Authorization') headers['x-api-key'] = c.header === 'both' ? adminKey! : c.value;
          const res = await send({ label: 'any route with a fuzzed Authorization / x-api-key', method: c.route.method, path: c.route.path(), headers: { ...c.route.headers, ...headers }, body: json(c.route.example) });
          expectSane(res, [401, 403, ...BODY_ERRORS, ...(c.route.alsoExpected ?? [])]);
        }
      }),
      { seed: SEED.apiKeys, numRuns: RUNS.apiKeys },
    );
  }, TIMEOUT_MS);

  it('4. afterwards the server is still up: GET /agents 200 and a valid POST /run_triage/ 200; no 5xx in the whole run', async () => {
    const agents = await send({ label: 'GET /agents', method: 'get', path: '/agents', headers: auth() });
    expect(agents.status).toBe(200);
    expect(agents.body.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['triage_agent', 'resolution_agent']));
    const triage = await send({ label: 'POST /run_triage/', method: 'post', path: '/run_triage/', headers: { 'Content-Type': 'application/json', ...auth() }, body: json(SEED_TRIAGE) });
    if (triage.status !== 200) process.stdout.write(`final POST /run_triage/: ${triage.status} ${JSON.stringify(triage.body)}\n`);
    expect(triage.status).toBe(200);
    expect(triage.body.triage_result.category).toBe('technical');

    const perRoute = [...stats.byRoute].map(([route, { sent, ok }]) => `${route}: ${sent} (${ok} 2xx)`).join(', ');
    const perStatus = [...stats.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(' ');
    const perProblem = [...stats.byProblem].sort(([a], [b]) => a.localeCompare(b)).map(([slug, n]) => `${slug}×${n}`).join(', ');
    process.stdout.write(
      `fuzz: ${stats.requests} requests, ${stats.fiveXX} 5xx\n` +
        `  statuses: ${perStatus}\n  problems: ${perProblem}\n  per route: ${perRoute}\n` +
        `  slowest answer: ${Math.round(stats.slowest.ms)} ms (${stats.slowest.request.slice(0, 300)})\n` +
        `  /api-keys: ${apiKeysRoute ? 'fuzzed (property 3b; the service is closed from then on)' : 'skipped (404: not implemented yet)'}\n` +
        failures.map((f) => `  5xx: ${f}\n`).join(''),
    );
    // Every route was reached by the fuzzer.
    for (const route of routes()) expect(stats.byRoute.get(route.name)?.sent ?? 0).toBeGreaterThan(20);
    expect(failures).toEqual([]);
    expect(stats.fiveXX).toBe(0);
  });
});

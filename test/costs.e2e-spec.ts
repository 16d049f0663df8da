import { jest } from '@jest/globals';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { describeEachDatabase } from './helpers/databases.js';
import { FakeOpenAI, responsesMessage, responsesReply, type FakeReply, type RecordedRequest } from './helpers/fake-openai.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * Cost and pacing against a local OpenAI-compatible server (docs/costs.md). The server plays a
 * provider with limits of its own — it answers 429 to a call over its concurrency or rate — so
 * "no 429" means the pacer kept the service inside them. Every fake answer reports 120 input and
 * 30 output tokens (test/helpers/fake-openai.ts).
 */
const TRIAGE = { category: 'billing', priority: 'Medium', confidence: 0.9, clarification_needed: false };
const RESOLUTION = {
  ticket_status: 'resolved',
  resolution_reply: 'I checked your invoice: the second charge was a pre-authorisation and has been released.',
  resolution_notes: 'Duplicate charge explained.',
};
const isResolution = (r: RecordedRequest) => (r.body.tools ?? []).some((t: { name: string }) => t.name === 'knowledge_base_agent');
const answer = (r: RecordedRequest): FakeReply => responsesReply(r.body.model, [responsesMessage(JSON.stringify(isResolution(r) ? RESOLUTION : TRIAGE))]);
const refusal = (message: string, headers: Record<string, string> = {}): FakeReply => ({
  status: 429,
  json: { error: { message, type: 'requests', code: 'rate_limit_exceeded' } },
  headers,
});
const inquiry = (n: number) => ({ inquiry_text: `My invoice for order ${n} shows the same charge twice this month. Can you check it?`, metadata: { channel: 'email', customer_id: `cost-${n}` } });

/** Per call: 120 input and 30 output tokens; at 1 and 2 USD per million tokens that is 0.00018 USD. */
const PRICES = 'gpt-test=1/2';
const CALL_COST = 0.00018;

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fake = new FakeOpenAI();
let baseUrl = '';
beforeAll(async () => {
  baseUrl = await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

/** An app on the OpenAI backend against the fake provider (no client retries, no offline fallback unless `env` says). */
function openaiApp(env: Record<string, string>): Promise<NestExpressApplication> {
  return createTestApp({
    LLM_PROVIDER: '',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: baseUrl,
    OPENAI_MODEL: 'gpt-test',
    OPENAI_MAX_RETRIES: '0',
    LLM_FALLBACK: 'false',
    MODEL_PRICES: PRICES,
    ...env,
  });
}

/** A run that completed (the agents may resolve or escalate a billing question). */
const DONE = expect.stringMatching(/^(resolved|escalated)$/);
/** Statuses with the error of a failed run, so a failure says why. */
const outcomes = (bodies: { status: string; error?: unknown }[]) => bodies.map((b) => (b.status === 'failed' ? { failed: b.error } : b.status));

/** A provider allowing one call at a time: a call arriving before the previous answer went out is refused. */
function oneAtATimeProvider(): { refused: () => number } {
  let busyUntil = 0;
  let refused = 0;
  fake.respond = (r) => {
    const now = Date.now();
    if (now < busyUntil) {
      refused++;
      return refusal('Too many concurrent requests');
    }
    busyUntil = now + 40;
    return { ...answer(r), delayMs: 40 };
  };
  return { refused: () => refused };
}

// App start-up takes seconds on a loaded 2-core machine: generous limits, polled conditions.
jest.setTimeout(180_000);

describe('model pacing', () => {
  let app: NestExpressApplication | undefined;
  const http = () => request(app!.getHttpServer());
  afterEach(async () => {
    await app?.close();
    app = undefined;
    fake.reset();
  });

  it('MODEL_MAX_CONCURRENCY=1: a burst of parallel tickets never has two calls at the provider, and none is refused', async () => {
    app = await openaiApp({ MODEL_MAX_CONCURRENCY: '1' });
    const provider = oneAtATimeProvider();
    const created = await Promise.all([1, 2, 3, 4, 5].map((n) => http().post('/tickets').send(inquiry(n))));
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(outcomes(created.map((r) => r.body))).toEqual([DONE, DONE, DONE, DONE, DONE]);
    expect(provider.refused()).toBe(0);
    expect(fake.requests.length).toBe(10);
    // Each ticket's view counts its own two calls, whatever order the burst ran in.
    for (const r of created) expect(r.body.usage).toEqual({ requests: 2, input_tokens: 240, output_tokens: 60, total_tokens: 300, cost_usd: 2 * CALL_COST });
  });

  it('without the limit the same provider refuses part of the burst (control: the check above can fail); with retries a 429 pauses and the run still succeeds', async () => {
    app = await openaiApp({ MODEL_MAX_CONCURRENCY: '8', OPENAI_MAX_RETRIES: '2' });
    const provider = oneAtATimeProvider();
    const created = await Promise.all([1, 2, 3, 4, 5].map((n) => http().post('/tickets').send(inquiry(n))));
    expect(provider.refused()).toBeGreaterThan(0);
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
  });

  it('MODEL_REQUESTS_PER_MINUTE=60: calls start a second apart and the provider refuses none', async () => {
    app = await openaiApp({ MODEL_REQUESTS_PER_MINUTE: '60' });
    const arrivals: number[] = [];
    let refused = 0;
    fake.respond = (r) => {
      const now = Date.now();
      // The provider's own limit, looser than ours: when a call reaches the server jitters with the
      // event loop of a busy machine (the first call of a fresh app also builds its client).
      if (arrivals.length && now - arrivals.at(-1)! < 500) {
        refused++;
        return refusal('Rate limit reached for requests');
      }
      arrivals.push(now);
      return answer(r);
    };
    const created = await Promise.all([1, 2].map((n) => http().post('/tickets').send(inquiry(n))));
    expect(outcomes(created.map((r) => r.body))).toEqual([DONE, DONE]);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect({ refused, calls: arrivals.length }).toEqual({ refused: 0, calls: 4 });
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(500);
    // Evenly spaced: four starts take at least three spacings.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(2_500);
  });

  it('a 429 with Retry-After pauses new calls for that long; the refused call is retried and every ticket still completes', async () => {
    app = await openaiApp({ OPENAI_MAX_RETRIES: '2' });
    let pausedUntil = 0;
    let refusedDuringPause = 0;
    fake.respond = (r) => {
      const now = Date.now();
      if (!pausedUntil) {
        pausedUntil = now + 1000;
        return refusal('Rate limit reached; try again in 1s', { 'retry-after': '1' });
      }
      if (now < pausedUntil - 50) {
        refusedDuringPause++;
        return refusal('Rate limit reached; still limited', { 'retry-after': '1' });
      }
      return answer(r);
    };
    const first = http().post('/tickets').send(inquiry(1)).then((r) => r);
    await until(() => pausedUntil > 0, 'the first call to be refused');
    // A second ticket while the provider asked us to wait: its calls are held back, not sent into the limit.
    const second = await http().post('/tickets').send(inquiry(2));
    const firstDone = await first;
    expect(outcomes([firstDone.body, second.body])).toEqual([DONE, DONE]);
    expect(refusedDuringPause).toBe(0);
    // The refused attempt is not usage: two answered calls per ticket.
    expect(firstDone.body.usage).toMatchObject({ requests: 2, total_tokens: 300 });
  });
});

describeEachDatabase('tokens, cost and budget per ticket', (db) => {
  let app: NestExpressApplication | undefined;
  const http = () => request(app!.getHttpServer());
  afterEach(async () => {
    await app?.close();
    app = undefined;
    fake.reset();
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('a ticket that used up TICKET_TOKEN_BUDGET goes to a person with the reason; the agents stop spending on it; bad /monitoring/costs queries are 400s naming the field', async () => {
    // One call spends 150 tokens: the triage crosses a budget of 100, is kept, and the resolution never runs.
    app = await openaiApp({ TICKET_TOKEN_BUDGET: '100', ...db.env() });
    fake.respond = answer;
    const created = await http().post('/tickets').send(inquiry(1)).expect(201);
    expect(created.body.status).toBe('escalated');
    expect(created.body.triage).toMatchObject({ category: 'billing' });
    const stop = created.body.events.find((e: { type: string }) => e.type === 'token_budget_exceeded');
    expect(stop).toMatchObject({ actor: 'system', data: { status: 'escalated', stage: 'resolution', spent_tokens: 150, budget_tokens: 100 } });
    expect(stop.data.reason).toMatch(/150 tokens.*budget of 100/);
    expect(fake.requests.filter(isResolution)).toHaveLength(0);
    expect(fake.requests).toHaveLength(1);
    expect(created.body.usage).toEqual({ requests: 1, input_tokens: 120, output_tokens: 30, total_tokens: 150, cost_usd: CALL_COST });

    const handoff = (await http().get(`/tickets/${created.body.id}/handoff`).expect(200)).body;
    expect(handoff).toMatchObject({ reason_kind: 'token_budget', reason: expect.stringMatching(/budget of 100/) });

    const costs = (await http().get('/monitoring/costs?group_by=agent').expect(200)).body;
    expect(costs.budget).toMatchObject({ ticket_token_budget: 100, escalations: 1, recent_escalations: [expect.objectContaining({ ticket_id: created.body.id, spent_tokens: 150 })] });
    expect(costs.groups).toEqual([expect.objectContaining({ key: 'triage_agent', tickets: 1, total_tokens: 150, cost_usd: CALL_COST })]);

    for (const [query, field] of [
      ['group_by=customer', 'group_by'],
      ['since=yesterday', 'since'],
      ['until=2026-13-45', 'until'],
      ['since=2026-02-01&until=2026-01-01', 'until'],
      ['limit=0', 'limit'],
      ['limit=1000', 'limit'],
      ['limit=abc', 'limit'],
      ['currency=EUR', 'currency'],
    ] as const) {
      const res = await http().get(`/monitoring/costs?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    }
  });

  it('tokens and estimated cost per ticket: the ticket view and GET /monitoring/costs agree with the provider and MODEL_PRICES', async () => {
    app = await openaiApp({ TICKET_TOKEN_BUDGET: '10000', ...db.env() });
    fake.respond = answer;
    const a = (await http().post('/tickets').send(inquiry(1)).expect(201)).body;
    const b = (await http().post('/tickets').send(inquiry(2)).expect(201)).body;
    expect(fake.requests).toHaveLength(4);
    const perTicket = { requests: 2, input_tokens: 240, output_tokens: 60, total_tokens: 300, cost_usd: 2 * CALL_COST };
    expect(a.usage).toEqual(perTicket);
    expect((await http().get(`/tickets/${b.id}`).expect(200)).body.usage).toEqual(perTicket);
    const listed = (await http().get('/tickets').expect(200)).body.tickets;
    expect(listed.map((t: { usage: unknown }) => t.usage)).toEqual([perTicket, perTicket]);

    const report = (await http().get('/monitoring/costs?group_by=agent').expect(200)).body;
    expect(report).toMatchObject({
      group_by: 'agent',
      currency: 'USD',
      totals: { tickets: 2, requests: 4, input_tokens: 480, output_tokens: 120, total_tokens: 600, cost_usd: 4 * CALL_COST, avg_tokens_per_ticket: 300, avg_cost_per_ticket_usd: 2 * CALL_COST },
      budget: { ticket_token_budget: 10000, escalations: 0 },
      prices: { configured: { 'gpt-test': { input: 1, output: 2 } } },
    });
    expect(report.groups).toEqual(
      expect.arrayContaining(
        ['triage_agent', 'resolution_agent'].map((key) => expect.objectContaining({ key, tickets: 2, requests: 2, total_tokens: 300, cost_usd: 2 * CALL_COST })),
      ),
    );
    expect(report.groups).toHaveLength(2);
    expect(report.most_expensive_tickets.map((t: { ticket_id: string }) => t.ticket_id).sort()).toEqual([a.id, b.id].sort());
    expect(report.most_expensive_tickets[0]).toMatchObject({ category: 'billing', cost_usd: 2 * CALL_COST });

    const byModel = (await http().get('/monitoring/costs?group_by=model&limit=1').expect(200)).body;
    expect(byModel.groups).toEqual([expect.objectContaining({ key: 'gpt-test', requests: 4, cost_usd: 4 * CALL_COST })]);
    expect(byModel.most_expensive_tickets).toHaveLength(1);
    const day = new Date().toISOString().slice(0, 10);
    const byDay = (await http().get('/monitoring/costs?group_by=day').expect(200)).body;
    expect(byDay.groups).toEqual([expect.objectContaining({ key: day, tickets: 2 })]);
    // A window before the spending is empty.
    const before = (await http().get('/monitoring/costs?since=2020-01-01&until=2020-02-01').expect(200)).body;
    expect(before.totals).toMatchObject({ tickets: 0, total_tokens: 0, cost_usd: 0, avg_cost_per_ticket_usd: 0 });
  });
});

describe('cost on the offline backend', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ TICKET_TOKEN_BUDGET: '1' });
  });
  afterAll(async () => {
    await app.close();
  });

  it('the offline policy spends no tokens and costs nothing, so a token budget never stops it', async () => {
    const created = (await request(app.getHttpServer()).post('/tickets').send(inquiry(9)).expect(201)).body;
    expect(created.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0, cost_usd: 0 });
    expect(created.events.map((e: { type: string }) => e.type)).not.toContain('token_budget_exceeded');
  });
});

import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { sql } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import { Database } from '../src/database/database.js';
import { idempotencyKeys } from '../src/database/schema.js';
import { canonicalJson } from '../src/idempotency/idempotency.service.js';
import { describeEachDatabase } from './helpers/databases.js';
import { FakeOpenAI, responsesMessage, responsesReply } from './helpers/fake-openai.js';
import { SEED_TRIAGE, createTestApp } from './helpers/test-app.js';

const LOCKED_OUT = { inquiry_text: 'I forgot my password and now I cannot log in to my account', metadata: { channel: 'email', customer_id: 'c-42' } };
const VAGUE = { inquiry_text: 'hello?', metadata: { channel: 'chat', customer_id: 'c-7' } };
const HACKED = { inquiry_text: 'Someone hacked my account and changed my email address', metadata: { channel: 'chat' } };

describeEachDatabase('tickets', (db) => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp(db.env());
  });
  afterAll(async () => {
    await app.close();
    await db.cleanup();
  });

  it('stores the ticket, runs triage then resolution, and records every step', async () => {
    const res = await http().post('/tickets').send(LOCKED_OUT).expect(201);
    expect(res.headers.location).toBe(`/tickets/${res.body.id}`);
    const ticket = res.body;
    expect(ticket).toMatchObject({ status: 'resolved', inquiry_text: LOCKED_OUT.inquiry_text, metadata: LOCKED_OUT.metadata, attempts: 1, error: null });
    expect(ticket.triage).toMatchObject({ category: 'technical', clarification_needed: false, ticket_metadata: LOCKED_OUT.metadata });
    expect(ticket.resolution).toMatchObject({ ticket_status: 'resolved', escalation_channel: null });
    expect(ticket.resolution.resolution_notes).toContain('kb-0001');
    expect(ticket.events.map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['created', 'customer'],
      ['triaged', 'triage_agent'],
      ['resolution', 'resolution_agent'],
    ]);
    const [, triaged, resolved] = ticket.events;
    expect(triaged.data).toMatchObject({ backend: 'offline', degraded: false, output: ticket.triage, usage: { requests: 1, total_tokens: 0 } });
    expect(resolved.data).toMatchObject({ status: 'resolved', backend: 'offline', output: ticket.resolution });
    expect(typeof resolved.data.duration_ms).toBe('number');
    expect(Date.parse(resolved.at)).toBeGreaterThanOrEqual(Date.parse(triaged.at));

    const fetched = await http().get(`/tickets/${ticket.id}`).expect(200);
    expect(fetched.body).toEqual(ticket);
  });

  it('escalates what needs a person, with the channel', async () => {
    const res = await http().post('/tickets').send(HACKED).expect(201);
    expect(res.body.status).toBe('escalated');
    expect(res.body.resolution.escalation_channel).toBe('slack:#support-escalations');
  });

  it('waits for the customer on a vague inquiry, and runs again when they answer', async () => {
    const asked = await http().post('/tickets').send(VAGUE).expect(201);
    expect(asked.body.status).toBe('pending further action');
    expect(asked.body.resolution.resolution_reply).toMatch(/\?/);
    expect(asked.body.events.at(-1)).toMatchObject({ type: 'clarification_requested', actor: 'resolution_agent' });

    const answered = await http()
      .post(`/tickets/${asked.body.id}/events`)
      .send({ type: 'customer_reply', message: 'I forgot my password and the reset email never arrives, I cannot log in' })
      .expect(201);
    expect(answered.body.attempts).toBe(2);
    expect(answered.body.status).toBe('resolved');
    expect(answered.body.events.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'triaged',
      'clarification_requested',
      'customer_reply',
      'triaged',
      'resolution',
    ]);
    expect(answered.body.events[3]).toMatchObject({ actor: 'customer', data: { status: 'queued' } });
  });

  it('records updates from people and the helpdesk, and refuses impossible ones with 409', async () => {
    const { body: t } = await http().post('/tickets').send(HACKED).expect(201);
    const post = (event: object) => http().post(`/tickets/${t.id}/events`).send(event);
    expect((await post({ type: 'agent_reply', message: 'Refund issued for the duplicate charge.', author: 'maria' }).expect(201)).body.status).toBe('in_progress');
    await post({ type: 'note', message: 'Checked in Stripe: duplicate confirmed.' }).expect(201);
    const csatTooEarly = await post({ type: 'csat', score: 5 }).expect(409);
    expect(csatTooEarly.body).toMatchObject({ type: expect.stringContaining('invalid-ticket-transition'), ticket_status: 'in_progress' });
    expect((await post({ type: 'resolved', note: 'Refunded' }).expect(201)).body.status).toBe('resolved');
    await post({ type: 'resolved' }).expect(409);
    await post({ type: 'csat', score: 4, comment: 'ok' }).expect(201);
    expect((await post({ type: 'reopened', reason: 'charged again' }).expect(201)).body.status).toBe('reopened');
    const closed = await post({ type: 'closed' }).expect(201);
    expect(closed.body.status).toBe('closed');
    const steps = closed.body.events.map((e: { type: string; actor: string; data: { status: string } }) => [e.type, e.actor, e.data.status]);
    expect(steps.slice(-6)).toEqual([
      ['agent_reply', 'agent', 'in_progress'],
      ['note', 'agent', 'in_progress'],
      ['resolved', 'agent', 'resolved'],
      ['csat', 'customer', 'resolved'],
      ['reopened', 'customer', 'reopened'],
      ['closed', 'agent', 'closed'],
    ]);
    const csat = closed.body.events.find((e: { type: string }) => e.type === 'csat');
    expect(csat.data).toMatchObject({ score: 4, comment: 'ok' });
  });

  it.each([
    [{ type: 'csat', score: 6 }, 'score'],
    [{ type: 'csat' }, 'score'],
    [{ type: 'agent_reply' }, 'message'],
    [{ type: 'agent_reply', message: '   ' }, 'message'],
    [{ type: 'teleport' }, 'type'],
    [{ type: 'note', message: 'x', extra: 1 }, 'extra'],
  ])('400 naming the field for a bad event %j', async (event, field) => {
    const { body: t } = await http().post('/tickets').send(LOCKED_OUT).expect(201);
    const res = await http().post(`/tickets/${t.id}/events`).send(event).expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain(field);
  });

  it('404 for an unknown ticket, on read, events and retry', async () => {
    await http().get('/tickets/nope').expect(404);
    await http().post('/tickets/nope/events').send({ type: 'note', message: 'hi' }).expect(404);
    await http().post('/tickets/nope/retry').expect(404);
  });

  it('400 naming the field for a bad ticket, and stores nothing', async () => {
    const before = (await http().get('/tickets?limit=200').expect(200)).body.tickets.length;
    const res = await http().post('/tickets').send({ inquiry_text: 'help', metadata: { channel: 'pigeon' } }).expect(400);
    expect(res.body.errors[0].path).toBe('metadata.channel');
    await http().post('/tickets').send({ metadata: { channel: 'email' } }).expect(400);
    expect((await http().get('/tickets?limit=200').expect(200)).body.tickets.length).toBe(before);
  });

  describe('input the database cannot hold is a 400 (or 404), never a 503 to retry forever', () => {
    it.each([
      ['a NUL in a path id', () => http().get('/tickets/%00'), 400],
      ['a NUL in a query parameter', () => http().get('/tickets?customer_id=a%00b'), 400],
      ['a NUL in the inquiry', () => http().post('/tickets').send({ ...LOCKED_OUT, inquiry_text: 'help\u0000me' }), 400],
      ['an unpaired surrogate in metadata', () => http().post('/tickets').send({ ...LOCKED_OUT, metadata: { channel: 'email', customer_id: 'x\ud800' } }), 400],
      ['a NUL in an article body', () => http().post('/knowledge-base/articles').send({ title: 'T', body: 'a\u0000b', category: 'general' }), 400],
      ['year 0000 in a filter', () => http().get('/tickets?created_from=0000-01-01'), 400],
      ['a date-time without an offset', () => http().get('/tickets?created_from=2026-01-01T10:00:00'), 400],
      ['year 0000 in an imported article', () => http().post('/knowledge-base/import').send({ articles: [{ id: 'y0', title: 'T', body: 'B', category: 'general', updated_at: '0000-01-01' }] }), 400],
      ['a report range in year 0000', () => http().get('/monitoring/report?from=0000-01-01T00:00:00Z&to=0000-06-01T00:00:00Z'), 400],
      ['a ticket id that is not one', () => http().post(`/tickets/${'x'.repeat(4500)}/events`).set('Idempotency-Key', 'k-long').send({ type: 'note', message: 'hi' }), 404],
      ['an article id that is not one', () => http().delete(`/knowledge-base/articles/${'Z'.repeat(300)}`), 404],
    ])('%s', async (_what, call, status) => {
      const res = await call();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });
  });

  it('lists newest first with filters and a cursor that walks every ticket once', async () => {
    for (let i = 0; i < 5; i++) await http().post('/tickets').send({ ...LOCKED_OUT, metadata: { channel: 'phone', customer_id: `pager-${i}` } }).expect(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await http()
        .get('/tickets')
        .query({ channel: 'phone', limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(page.body.tickets.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.tickets.map((t: { metadata: { customer_id: string } }) => t.metadata.customer_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['pager-4', 'pager-3', 'pager-2', 'pager-1', 'pager-0']);

    const resolved = await http().get('/tickets').query({ status: 'resolved,escalated', category: 'technical', limit: 200 }).expect(200);
    expect(resolved.body.tickets.length).toBeGreaterThan(0);
    for (const t of resolved.body.tickets) {
      expect(['resolved', 'escalated']).toContain(t.status);
      expect(t.triage.category).toBe('technical');
      expect(t.events).toBeUndefined();
    }
    const future = await http().get('/tickets').query({ created_from: '2999-01-01T00:00:00Z' }).expect(200);
    expect(future.body).toEqual({ tickets: [], next_cursor: null });
    const past = await http().get('/tickets').query({ created_to: '2000-01-01T00:00:00Z' }).expect(200);
    expect(past.body.tickets).toEqual([]);
  });

  it.each([
    [{ status: 'done' }, 'status'],
    [{ priority: 'urgent' }, 'priority'],
    [{ created_from: 'yesterday' }, 'created_from'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '201' }, 'limit'],
    [{ cursor: 'garbage' }, 'cursor'],
  ])('400 naming the parameter for GET /tickets?%j', async (query, field) => {
    const res = await http().get('/tickets').query(query).expect(400);
    expect(res.body.errors[0].path).toBe(field);
  });

  describe('Idempotency-Key', () => {
    it('the same key sent 20 times at once creates one ticket, and every answer is the first one', async () => {
      const key = `same-${db.name}-${Date.now()}`;
      const body = { ...LOCKED_OUT, metadata: { channel: 'web', customer_id: key } };
      const answers = await Promise.all(Array.from({ length: 20 }, () => http().post('/tickets').set('Idempotency-Key', key).send(body)));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
      const ids = new Set(answers.map((a) => a.body.id));
      expect(ids.size).toBe(1);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
      const stored = await http().get('/tickets').query({ customer_id: key }).expect(200);
      expect(stored.body.tickets).toHaveLength(1);
      expect(stored.body.tickets[0].attempts).toBe(1);
    });

    it('a later retry returns the first response; another body with the key is 422', async () => {
      const key = `retry-${db.name}-${Date.now()}`;
      const first = await http().post('/tickets').set('Idempotency-Key', key).send(LOCKED_OUT).expect(201);
      const again = await http().post('/tickets').set('Idempotency-Key', key).send({ metadata: LOCKED_OUT.metadata, inquiry_text: LOCKED_OUT.inquiry_text }).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const other = await http().post('/tickets').set('Idempotency-Key', key).send(VAGUE).expect(422);
      expect(other.body.type).toContain('idempotency-key-reused');
      await http().post('/tickets').set('Idempotency-Key', 'bad key with spaces').send(LOCKED_OUT).expect(400);
    });

    it('a retry after the first request died (ticket created, no response stored) gets the ticket, not a 409', async () => {
      const key = `died-${db.name}-${Date.now()}`;
      const { body: ticket } = await http().post('/tickets').send(LOCKED_OUT).expect(201);
      // What a process that died after the insert but before storing its response leaves behind.
      const hash = createHash('sha256').update(canonicalJson({ ...LOCKED_OUT, async: false })).digest('base64url');
      await app
        .get(Database)
        .db.insert(idempotencyKeys)
        .values({ scope: 'POST /tickets', key, requestHash: hash, resourceId: ticket.id, createdAt: sql`now() - interval '2 minutes'` });
      const started = Date.now();
      const retried = await http().post('/tickets').set('Idempotency-Key', key).send(LOCKED_OUT).expect(201);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.body).toMatchObject({ id: ticket.id, status: 'resolved' });
      const again = await http().post('/tickets').set('Idempotency-Key', key).send(LOCKED_OUT).expect(201);
      expect(again.body).toEqual(retried.body);
    });

    it('…and for an async create the rebuilt answer is the 202 the first request would have given', async () => {
      const key = `died-async-${db.name}-${Date.now()}`;
      const { body: ticket } = await http().post('/tickets').send(LOCKED_OUT).expect(201);
      const hash = createHash('sha256').update(canonicalJson({ ...LOCKED_OUT, async: true })).digest('base64url');
      await app
        .get(Database)
        .db.insert(idempotencyKeys)
        .values({ scope: 'POST /tickets', key, requestHash: hash, resourceId: ticket.id, createdAt: sql`now() - interval '2 minutes'` });
      const retried = await http().post('/tickets?mode=async').set('Idempotency-Key', key).send(LOCKED_OUT).expect(202);
      expect(retried.body).toEqual({ id: ticket.id, status: 'queued' });
    });

    it('events: the same key records the update once', async () => {
      const { body: t } = await http().post('/tickets').send(HACKED).expect(201);
      const key = `evt-${db.name}-${Date.now()}`;
      const replies = await Promise.all(
        Array.from({ length: 5 }, () => http().post(`/tickets/${t.id}/events`).set('Idempotency-Key', key).send({ type: 'agent_reply', message: 'On it.' })),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(5).fill(201));
      const after = await http().get(`/tickets/${t.id}`).expect(200);
      expect(after.body.events.filter((e: { type: string }) => e.type === 'agent_reply')).toHaveLength(1);
      // The key is per ticket: the same key on another ticket is another request.
      const { body: t2 } = await http().post('/tickets').send(HACKED).expect(201);
      await http().post(`/tickets/${t2.id}/events`).set('Idempotency-Key', key).send({ type: 'agent_reply', message: 'On it.' }).expect(201);
    });
  });

  it('?mode=async answers 202 { id, status: "queued" } (DESIGN §3b) with a Location, and the ticket completes in the background', async () => {
    const res = await http().post('/tickets?mode=async').send(LOCKED_OUT).expect(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    expect(res.headers.location).toBe(`/tickets/${res.body.id}`);
    let ticket: { status: string } = { status: 'queued' };
    for (let i = 0; i < 100 && ['queued', 'processing'].includes(ticket.status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      ticket = (await http().get(res.headers.location!).expect(200)).body;
    }
    expect(ticket.status).toBe('resolved');
  });

  it('a database that fails answers 503 with Retry-After, never 500', async () => {
    const other = await createTestApp(db.env());
    try {
      await other.get(Database).close();
      const server = request(other.getHttpServer());
      for (const call of [
        () => server.get('/tickets'),
        () => server.post('/tickets').send(LOCKED_OUT),
        () => server.post('/knowledge-base/articles').send({ title: 'x', body: 'y', category: 'general' }),
      ]) {
        const res = await call().expect(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body).toMatchObject({ type: expect.stringContaining('database-unavailable'), status: 503 });
        expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
      }
    } finally {
      await other.close();
    }
  });
});

describeEachDatabase('tickets whose agent run fails', (db) => {
  const fake = new FakeOpenAI();
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const baseUrl = await fake.start();
    app = await createTestApp({
      ...db.env(),
      LLM_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: baseUrl,
      OPENAI_MAX_RETRIES: '0',
      LLM_FALLBACK: 'false',
    });
  });
  afterAll(async () => {
    await app.close();
    await fake.stop();
    await db.cleanup();
  });

  it('keeps the ticket as failed with the error, and a retry runs it again', async () => {
    fake.respond = () => ({ status: 503, json: { error: { message: 'overloaded' } } });
    const failed = await http().post('/tickets').send(SEED_TRIAGE).expect(201);
    expect(failed.body).toMatchObject({ status: 'failed', attempts: 1, triage: null, error: { stage: 'triage', status: 503 } });
    expect(failed.body.error.type).toContain('model-unavailable');
    expect(failed.body.events.at(-1)).toMatchObject({ type: 'run_failed', actor: 'system', data: { status: 'failed' } });
    await http().post(`/tickets/${failed.body.id}/events`).send({ type: 'agent_reply', message: 'x' }).expect(201);
    // A person replying took it over; only a failed ticket is retried.
    await http().post(`/tickets/${failed.body.id}/retry`).expect(409);

    const second = await http().post('/tickets').send(SEED_TRIAGE).expect(201);
    expect(second.body.status).toBe('failed');
    fake.respond = (r) =>
      responsesReply(
        r.body.model,
        [
          responsesMessage(
            JSON.stringify(
              JSON.stringify(r.body.instructions ?? '').includes('You triage')
                ? { category: 'technical', priority: 'High', confidence: 0.9, clarification_needed: false }
                : { ticket_status: 'escalated', resolution_reply: 'A specialist will contact you.', resolution_notes: 'Needs an engineer.' },
            ),
          ),
        ],
      );
    const retried = await http().post(`/tickets/${second.body.id}/retry`).expect(200);
    expect(retried.body).toMatchObject({ status: 'escalated', attempts: 2, error: null, triage: { category: 'technical', priority: 'High' } });
    expect(retried.body.events.map((e: { type: string }) => e.type)).toEqual(['created', 'run_failed', 'retry', 'triaged', 'resolution']);
    expect(retried.body.events[3].data).toMatchObject({ backend: 'openai', usage: { requests: 1, input_tokens: 120, output_tokens: 30, total_tokens: 150 } });
    await http().post(`/tickets/${second.body.id}/retry`).expect(409);
  });

  it('a customer reply that arrives while the agents work is read: the ticket goes round again', async () => {
    const answer = (r: { body: { model: string; instructions?: string } }) =>
      responsesReply(r.body.model, [
        responsesMessage(
          JSON.stringify(
            JSON.stringify(r.body.instructions ?? '').includes('You triage')
              ? { category: 'technical', priority: 'Medium', confidence: 0.9, clarification_needed: false }
              : { ticket_status: 'escalated', resolution_reply: 'A specialist will contact you.', resolution_notes: 'Needs an engineer.' },
          ),
        ),
      ]);
    fake.respond = (r) => ({ ...answer(r), delayMs: 400 });
    const queued = await http().post('/tickets?mode=async').send(SEED_TRIAGE).expect(202);
    await new Promise((r) => setTimeout(r, 150));
    await http().post(`/tickets/${queued.body.id}/events`).send({ type: 'customer_reply', message: 'It is the desktop app on Windows 11.' }).expect(201);
    fake.respond = answer;
    let ticket = (await http().get(`/tickets/${queued.body.id}`).expect(200)).body;
    for (let i = 0; i < 100 && ['queued', 'processing'].includes(ticket.status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      ticket = (await http().get(`/tickets/${queued.body.id}`).expect(200)).body;
    }
    expect(ticket.status).toBe('escalated');
    const types = ticket.events.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'triaged')).toHaveLength(2);
    expect(types.indexOf('customer_reply')).toBeLessThan(types.lastIndexOf('triaged'));
    const superseded = ticket.events.find((e: { data: { superseded_by_reply?: boolean } }) => e.data.superseded_by_reply);
    expect(superseded).toMatchObject({ type: 'resolution', data: { status: 'queued' } });
    // The second pass sent the reply to the model.
    expect(fake.requests.some((r) => JSON.stringify(r.body).includes('desktop app on Windows 11'))).toBe(true);
  }, 15_000);
});

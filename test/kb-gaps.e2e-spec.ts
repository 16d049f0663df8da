import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Database } from '../src/database/database.js';
import { ticketEvents, tickets } from '../src/database/schema.js';
import { KbGapsRepository } from '../src/knowledge-base/kb-gaps.repository.js';
import { describeEachDatabase } from './helpers/databases.js';
import { expectProblem, paths } from './helpers/problems.js';
import { createTestApp } from './helpers/test-app.js';

const READER = 'gaps-reader-key-0001';
const WRITER = 'gaps-writer-key-0001';
const KB_EDITOR = 'gaps-kb-editor-key-01';

// Topics the shipped knowledge base has no article for: the offline agents escalate them with
// "no knowledge-base article fits well enough".
const PRINT = [
  'Can I print a task board as a PDF? The print preview cuts the columns off.',
  'How do I print my project board? Printing only shows the first page.',
  'Printing the board view leaves out half the cards, how can I print everything?',
  'When I print a board from Chrome the printout is missing columns.',
  'Is there a print layout for boards? My printed board is cut off on paper.',
];
const DOMAIN = [
  'Is there a way to use a custom domain for our shared workspace portal?',
  'Can we host the client portal on our own custom domain like help.acme.com?',
  'How do I point our own domain name at the customer portal instead of your subdomain?',
  'We want the shared portal on a custom domain with our own SSL certificate, how?',
  'Does the portal support custom domains? We need portal.ourcompany.com.',
];
// Answered, escalated for another reason, or waiting for the customer: never gaps.
const ANSWERED = ['I forgot my password and now I cannot log in to my account', 'The desktop sync client is stuck and my files are not syncing'];
const HACKED = 'Someone hacked my account and changed my email address';
const VAGUE = 'hello?';

const LOW = (id: string, match: number) =>
  `Escalated: no knowledge-base article fits well enough (best ${id}: match ${match}, threshold 0.6; 2 of 5 query terms). Articles consulted: ${id}.`;
const NONE = 'Escalated: the knowledge base has no article for this inquiry.';
const JUNE = { from: '2025-06-01T00:00:00Z', to: '2025-07-01T00:00:00%2B00:00' };

type Group = { topic: string; count: number; example_ticket_ids: string[]; [k: string]: unknown };

describeEachDatabase('GET /knowledge-base/gaps', (db) => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const get = (query = '', key = READER) => http().get(`/knowledge-base/gaps${query}`).set('x-api-key', key);
  const ids: Record<string, string[]> = { print: [], domain: [], other: [] };
  const june: Record<string, string> = {};

  /** A ticket stored as an older version of the workflow left it, with its events. */
  async function stored(name: string, text: string, createdAt: string, category: string | null, ...events: { type: string; data: Record<string, unknown> }[]) {
    const id = randomUUID();
    june[name] = id;
    const orm = app.get(Database).db;
    const at = new Date(createdAt);
    await orm.insert(tickets).values({ id, status: 'escalated', inquiryText: text, metadata: { channel: 'email' }, category, createdAt: at, updatedAt: at });
    for (const e of events) await orm.insert(ticketEvents).values({ ticketId: id, actor: e.type === 'resolution' ? 'resolution_agent' : 'customer', at, ...e });
  }
  const resolution = (status: string, notes: string, kb?: Record<string, unknown>) => ({
    type: 'resolution',
    data: { status, output: { ticket_status: status, resolution_notes: notes, resolution_reply: '…' }, ...(kb ? { kb } : {}) },
  });

  beforeAll(async () => {
    app = await createTestApp({ ...db.env(), API_KEYS: `${READER}:tickets:read,${WRITER}:tickets:write,${KB_EDITOR}:kb:write` });
    const post = async (text: string) => {
      const res = await http().post('/tickets').set('x-api-key', WRITER).send({ inquiry_text: text, metadata: { channel: 'email', customer_id: 'c-1' } }).expect(201);
      return res.body as { id: string; status: string; resolution: { resolution_notes: string } };
    };
    for (const text of PRINT) ids.print!.push((await post(text)).id);
    for (const text of DOMAIN) ids.domain!.push((await post(text)).id);
    for (const text of [...ANSWERED, HACKED, VAGUE]) ids.other!.push((await post(text)).id);

    // June 2025: events stored before the workflow recorded a kb summary (notes only), and after.
    await stored('recurring1', 'How do I set up recurring tasks that repeat every Monday?', '2025-06-01T10:00:00Z', 'general', resolution('escalated', LOW('kb-0041', 0.185)));
    await stored('recurring2', 'Can a task repeat weekly, as a recurring task?', '2025-06-02T10:00:00Z', 'general', resolution('escalated', LOW('kb-0041', 0.134)));
    // The same instant as recurring2: the keyset cursor must not skip or repeat either.
    await stored('recurring3', 'Is there a way to create recurring tasks that repeat each month?', '2025-06-02T10:00:00Z', null, resolution('escalated', LOW('kb-0021', 0.163)));
    await stored('stickers', 'Do you sell stickers with the logo?', '2025-06-03T10:00:00Z', 'billing', resolution('escalated', NONE));
    const kb = { consulted: [{ id: 'kb-0041', title: 'Getting started', match: 0.2, score: 10 }], best_match: 0.2, threshold: 0.6, no_article_fit: true };
    // A model's own words, judged by the kb summary the workflow stores now.
    await stored('recurring4', 'Recurring task that repeats daily: how?', '2025-06-04T10:00:00Z', 'billing', resolution('escalated', 'No article covers recurring tasks; a person should answer.', kb));
    // Not gaps: another reason (even with no article fitting), answered, answered on a later run, no resolution at all.
    await stored('security', 'Recurring tasks vanished, I think someone hacked my account', '2025-06-05T10:00:00Z', 'billing', resolution('escalated', 'Escalated to security: possible security incident. Articles consulted: kb-0041.', kb));
    await stored('answered', 'Recurring tasks that repeat every week', '2025-06-06T10:00:00Z', 'billing', resolution('resolved', 'Used KB article kb-0041 (match 0.9, score 30).'));
    await stored(
      'answeredLater',
      'Recurring tasks repeat weekly?',
      '2025-06-07T10:00:00Z',
      'billing',
      resolution('escalated', LOW('kb-0041', 0.2)),
      { type: 'customer_reply', data: { status: 'queued', message: 'I mean the repeat setting on a task' } },
      resolution('resolved', 'Used KB article kb-0041 (match 0.8, score 25).'),
    );
    await stored('waiting', 'Recurring tasks?', '2025-06-08T10:00:00Z', 'billing', { type: 'clarification_requested', data: { status: 'pending further action' } });
  });
  afterAll(async () => {
    await app?.close();
    await db.cleanup();
  });

  it('groups the escalated inquiries of the last 30 days by topic, and counts what the agents handled', async () => {
    const res = await get().expect(200);
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(30 * 86_400_000);
    // Every ticket created through the API reached a resolution except the vague one (it waits for the customer).
    expect(res.body).toMatchObject({ tickets_considered: 13, gap_tickets: 10, groups_total: 2, truncated: false });
    const groups = res.body.groups as Group[];
    const print = groups.find((g) => g.topic.includes('print'))!;
    const domain = groups.find((g) => g.topic.includes('domain'))!;
    expect(print.example_ticket_ids.sort()).toEqual([...ids.print!].sort());
    expect(domain.example_ticket_ids.sort()).toEqual([...ids.domain!].sort());
    expect(print).toMatchObject({ count: 5, reasons: { no_article: 0, low_match: 5 }, closest_article: { id: expect.stringMatching(/^kb-\d{4}$/), title: expect.any(String) } });
    expect(domain.topic.split(' / ')).toEqual(expect.arrayContaining(['custom', 'domain']));
    expect((print.sample_inquiries as string[]).every((s) => PRINT.includes(s))).toBe(true);
    expect(Object.values(print.categories as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(5);
    // Answered, escalated to security, waiting: in no group.
    const grouped = groups.flatMap((g) => g.example_ticket_ids);
    for (const id of ids.other!) expect(grouped).not.toContain(id);
  });

  it('reads events stored before the kb summary, takes the latest resolution, and leaves out other escalations', async () => {
    const res = await get(`?from=${JUNE.from}&to=${JUNE.to}`).expect(200);
    expect(res.body).toMatchObject({ from: '2025-06-01T00:00:00.000Z', to: '2025-07-01T00:00:00.000Z', tickets_considered: 8, gap_tickets: 5, truncated: false });
    const [recurring, stickers] = res.body.groups as Group[];
    expect(recurring).toMatchObject({
      count: 4,
      categories: { billing: 1, general: 2, uncategorized: 1 },
      first_seen: '2025-06-01T10:00:00.000Z',
      last_seen: '2025-06-04T10:00:00.000Z',
      reasons: { no_article: 0, low_match: 4 },
      // The best match of the group, its title read from the knowledge base (the notes carry only the id).
      closest_article: { id: 'kb-0041', title: 'Getting started', best_match: 0.2 },
    });
    expect(recurring!.topic).toMatch(/recurring/);
    // Newest first; two created at the same instant come by ticket id (descending).
    const tied = [june.recurring2!, june.recurring3!].sort().reverse();
    expect(recurring!.example_ticket_ids).toEqual([june.recurring4, ...tied, june.recurring1]);
    expect(stickers).toMatchObject({ count: 1, example_ticket_ids: [june.stickers], closest_article: null, reasons: { no_article: 1, low_match: 0 } });
  });

  it('filters by category, min_count and limit', async () => {
    const general = await get(`?from=${JUNE.from}&to=${JUNE.to}&category=general`).expect(200);
    expect(general.body).toMatchObject({ tickets_considered: 2, gap_tickets: 2, groups_total: 1 });
    expect(general.body.groups[0].example_ticket_ids).toEqual([june.recurring2, june.recurring1]);
    const none = await get(`?from=${JUNE.from}&to=${JUNE.to}&category=legal`).expect(200);
    expect(none.body).toMatchObject({ tickets_considered: 0, gap_tickets: 0, groups_total: 0, groups: [] });

    const big = await get(`?from=${JUNE.from}&to=${JUNE.to}&min_count=2`).expect(200);
    expect(big.body).toMatchObject({ gap_tickets: 5, groups_total: 1 });
    expect(big.body.groups.map((g: Group) => g.count)).toEqual([4]);
    const first = await get(`?from=${JUNE.from}&to=${JUNE.to}&limit=1`).expect(200);
    expect(first.body).toMatchObject({ groups_total: 2 });
    expect(first.body.groups).toHaveLength(1);
    // Before the range starts: nothing, and the default range leaves June 2025 out.
    expect((await get(`?from=2025-05-01&to=2025-06-01T10:00:00Z`).expect(200)).body).toMatchObject({ tickets_considered: 0, groups: [] });
    expect((await get().expect(200)).body.groups.flatMap((g: Group) => g.example_ticket_ids)).not.toContain(june.recurring1);
  });

  it('reads the range a page at a time, newest first, and says when it stopped at the cap', async () => {
    const repo = app.get(KbGapsRepository);
    const query = { from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-07-01T00:00:00Z'), minCount: 1, limit: 100 };
    const whole = await repo.report(query);
    expect(await repo.report(query, 2)).toEqual(whole);
    expect(await repo.report(query, 1)).toEqual(whole);
    const capped = await repo.report(query, 2, 3);
    expect(capped).toMatchObject({ truncated: true, gap_tickets: 3, tickets_considered: 8 });
    // The newest three: recurring4, stickers, and of the two created at the same instant the later stored.
    expect(capped.groups.flatMap((g) => g.example_ticket_ids).sort()).toEqual([june.recurring4, june.stickers, june.recurring3].sort());
  });

  it('400 naming the field for bad parameters, never a 500', async () => {
    const cases: [string, string][] = [
      ['?from=yesterday', 'from'],
      ['?from=2026-11-01T09:00:00', 'from'],
      ['?to=2026-02-30', 'to'],
      ['?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'to'],
      ['?from=2025-01-01&to=2026-06-01', 'to'],
      ['?from=2026-11-01T00:00:00+01:00', 'from'], // an unencoded + is a space
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=1e2', 'limit'],
      ['?min_count=0', 'min_count'],
      ['?min_count=two', 'min_count'],
      [`?category=${'x'.repeat(65)}`, 'category'],
      ['?category=a&category=b', 'category'],
      ['?group_by=topic', 'group_by'],
    ];
    for (const [query, field] of cases) {
      const res = await get(query);
      expectProblem(res, 400);
      expect([query, paths(res)]).toEqual([query, expect.arrayContaining([field])]);
    }
  });

  it('needs a key with tickets:read (the reports show customer inquiries)', async () => {
    expectProblem(await http().get('/knowledge-base/gaps'), 401);
    const res = await get('', KB_EDITOR);
    expectProblem(res, 403);
    expect(res.body.detail).toContain('tickets:read');
    await get('', WRITER).expect(200);
  });

  it('answers exactly the documented fields', async () => {
    const doc = (await http().get('/docs-json').expect(200)).body;
    const op = doc.paths['/knowledge-base/gaps'].get;
    expect(op.summary).toBeTruthy();
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['category', 'from', 'limit', 'min_count', 'to']);
    const schemas = doc.components.schemas;
    const res = await get().expect(200);
    expect(Object.keys(res.body).sort()).toEqual(Object.keys(schemas.KbGapsResponseDto.properties).sort());
    expect(Object.keys(res.body.groups[0]).sort()).toEqual(Object.keys(schemas.KbGapGroupDto.properties).sort());
  });
});

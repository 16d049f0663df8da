import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Database } from '../src/database/database.js';
import { ticketEvents, tickets } from '../src/database/schema.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * GET /knowledge-base/gaps, what docs/knowledge-gaps.md promises beyond the basics
 * (kb-gaps.e2e-spec.ts): e-mail sign-offs, the latest run's outcome, account actions, the
 * `uncategorized` filter and long texts. Tickets are stored directly (as the workflow leaves them)
 * in ranges of their own, except the live flow, which goes through the API in the default range.
 */

type Ev = { type: string; actor?: string; data: Record<string, unknown> };
type Group = { topic: string; count: number; example_ticket_ids: string[]; categories: Record<string, number> };

const LOW = (id: string, match: number) =>
  `Escalated: no knowledge-base article fits well enough (best ${id}: match ${match}, threshold 0.6; 1 of 5 query terms). Articles consulted: ${id}.`;
const KB_FIT = { consulted: [{ id: 'kb-0027', title: 'Duplicate or unexpected charge on your statement', match: 0.87, score: 80 }], best_match: 0.87, threshold: 0.6, no_article_fit: false };
const KB_NO_FIT = { consulted: [{ id: 'kb-0041', title: 'Getting started', match: 0.2, score: 10 }], best_match: 0.2, threshold: 0.6, no_article_fit: true };
const resolution = (status: string, notes: string, extra: Record<string, unknown> = {}): Ev => ({
  type: 'resolution',
  actor: 'resolution_agent',
  data: { status, output: { ticket_status: status, resolution_notes: notes, resolution_reply: '…' }, ...extra },
});

describe('GET /knowledge-base/gaps: sign-offs, run outcomes, actions, categories, long texts', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const gaps = (query = '') => http().get(`/knowledge-base/gaps${query}`);

  /** A ticket with its events, stored in order (the latest event has the highest id), one second apart. */
  async function stored(text: string, createdAt: string, category: string | null, status: string, ...events: Ev[]): Promise<string> {
    const id = randomUUID();
    const orm = app.get(Database).db;
    const at = new Date(createdAt);
    await orm.insert(tickets).values({ id, status, inquiryText: text, metadata: { channel: 'email' }, category, createdAt: at, updatedAt: at });
    let k = 0;
    for (const e of events) {
      await orm.insert(ticketEvents).values({ ticketId: id, type: e.type, actor: e.actor ?? 'customer', data: e.data, at: new Date(at.getTime() + 1000 * ++k) });
    }
    return id;
  }

  beforeAll(async () => {
    app = await createTestApp();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  // E-mail boilerplate is cut before the analysis: it makes no topic and swallows none.
  it('does not group unrelated e-mails by their sign-off ("Kind regards, Sent from my iPhone")', async () => {
    const range = '?from=2024-03-01T00:00:00Z&to=2024-04-01T00:00:00Z';
    const signOff = '\n\nKind regards,\nSent from my iPhone';
    const unrelated = [
      'Can I export my timesheets to an Excel spreadsheet?',
      'Is there a dark mode for the mobile app?',
      'Do you offer a nonprofit discount for charities?',
      'How do I embed a form on my WordPress site?',
      'Can guests comment on a shared calendar?',
    ];
    const print = ['Can I print the board? The printout cuts off columns.', 'How do I print a board, columns are cut on paper'];
    const unrelatedIds: string[] = [];
    const printIds: string[] = [];
    let day = 1;
    for (const text of unrelated) {
      unrelatedIds.push(await stored(text + signOff, `2024-03-${String(day++).padStart(2, '0')}T10:00:00Z`, 'general', 'escalated', resolution('escalated', LOW('kb-0041', 0.2))));
    }
    for (const text of print) {
      printIds.push(await stored(text + signOff, `2024-03-${String(day++).padStart(2, '0')}T10:00:00Z`, 'technical', 'escalated', resolution('escalated', LOW('kb-0041', 0.3))));
    }
    const res = await gaps(range).expect(200);
    expect(res.body.gap_tickets).toBe(7);
    const groups = res.body.groups as Group[];
    // No group is labelled by the sign-off…
    for (const g of groups) expect([g.topic, g.topic.split(' / ')]).toEqual([g.topic, expect.not.arrayContaining(['kind', 'iphone'])]);
    // …the two print inquiries form their group, and no unrelated inquiry shares a group with anything.
    const printGroup = groups.find((g) => g.example_ticket_ids.includes(printIds[0]!))!;
    expect([...printGroup.example_ticket_ids].sort()).toEqual([...printIds].sort());
    for (const id of unrelatedIds) expect(groups.find((g) => g.example_ticket_ids.includes(id))!.count).toBe(1);
  });

  // The latest run outcome decides (any of resolution, clarification_requested, approval_requested,
  // approval_expired, guardrail_tripped, run_failed): an earlier run's gap verdict does not stay.
  it('does not count a ticket whose latest run proposed an account action (awaiting approval, or the approval expired)', async () => {
    const range = '?from=2024-05-01T00:00:00Z&to=2024-06-01T00:00:00Z';
    const text = 'Charged twice on card [PAYMENT_CARD_1], mail me at [EMAIL_1]';
    const firstRun = resolution('escalated', LOW('kb-0024', 0.44), { kb: { ...KB_NO_FIT } });
    const reply: Ev = { type: 'customer_reply', data: { status: 'escalated', message: 'I was charged twice, $30 each time (invoice INV-5555). Please refund the duplicate.' } };
    const handback: Ev = { type: 'handback', actor: 'agent', data: { status: 'queued' } };
    const triaged: Ev = { type: 'triaged', actor: 'triage_agent', data: { status: 'processing' } };
    const paused: Ev = {
      type: 'approval_requested',
      actor: 'resolution_agent',
      data: { status: 'awaiting_approval', kb: KB_FIT, approvals: [{ id: randomUUID(), action: 'issue_refund', summary: 'Refund 30.00 USD for INV-5555' }] },
    };
    const expired: Ev = { type: 'approval_expired', actor: 'system', data: { status: 'escalated', approvals: [] } };
    await stored(text, '2024-05-02T10:00:00Z', 'billing', 'awaiting_approval', firstRun, reply, handback, triaged, paused);
    await stored(text, '2024-05-03T10:00:00Z', 'billing', 'escalated', firstRun, reply, handback, triaged, paused, expired);
    const res = await gaps(range).expect(200);
    // docs/knowledge-gaps.md: "awaiting approval" and approval expiry are not gaps; the knowledge base answered the latest run.
    expect(res.body).toMatchObject({ gap_tickets: 0, groups: [] });
  });

  it('does not count a ticket whose latest run asked the customer, failed or was stopped by a guardrail; counts one whose latest run is the gap', async () => {
    const range = '?from=2024-06-01T00:00:00Z&to=2024-07-01T00:00:00Z';
    const text = 'How do I print my project board? The printout cuts off columns.';
    const gapRun = resolution('escalated', LOW('kb-0041', 0.3));
    const reply: Ev = { type: 'customer_reply', data: { status: 'queued', message: 'Any news?' } };
    const later: Ev[] = [
      { type: 'clarification_requested', actor: 'resolution_agent', data: { status: 'pending further action' } },
      { type: 'run_failed', actor: 'system', data: { status: 'failed', error: { status: 503 } } },
      { type: 'guardrail_tripped', actor: 'system', data: { status: 'escalated', stage: 'resolution', guardrail: 'pii' } },
    ];
    for (const [k, e] of later.entries()) await stored(text, `2024-06-0${k + 2}T10:00:00Z`, 'technical', e.data.status as string, gapRun, reply, e);
    // Paused for an approval first, then a later run escalated with no article fitting: a gap.
    const paused: Ev = { type: 'approval_requested', actor: 'resolution_agent', data: { status: 'awaiting_approval', kb: KB_FIT, approvals: [] } };
    const gapNow = await stored(text, '2024-06-10T10:00:00Z', 'technical', 'escalated', paused, reply, gapRun);
    const res = await gaps(range).expect(200);
    expect(res.body).toMatchObject({ tickets_considered: 1, gap_tickets: 1 });
    expect((res.body.groups as Group[])[0]!.example_ticket_ids).toEqual([gapNow]);
  });

  it('the same through the API: a gap ticket handed back that now waits for a refund approval is no longer a gap', async () => {
    const post = await http()
      .post('/tickets')
      .send({ inquiry_text: 'Charged twice on card 4111 1111 1111 1111, mail me at jo@example.com', metadata: { channel: 'email', customer_id: 'c-77' } })
      .expect(201);
    const id = post.body.id as string;
    expect(post.body.status).toBe('escalated');
    expect(((await gaps().expect(200)).body.groups as Group[]).flatMap((g) => g.example_ticket_ids)).toContain(id);
    await http().post(`/tickets/${id}/events`).send({ type: 'customer_reply', message: 'I was charged twice, $30 each time (invoice INV-5555). Please refund the duplicate.' }).expect(201);
    const back = await http().post(`/tickets/${id}/events`).send({ type: 'handback' }).expect(201);
    expect(back.body.status).toBe('awaiting_approval');
    expect(((await gaps().expect(200)).body.groups as Group[]).flatMap((g) => g.example_ticket_ids)).not.toContain(id);
  });

  // A model's escalation after a declined account action is not a knowledge-base gap.
  it('does not count an escalation after a person declined the proposed account action (model notes, kb.no_article_fit true)', async () => {
    const range = '?from=2024-07-01T00:00:00Z&to=2024-08-01T00:00:00Z';
    const approvalId = randomUUID();
    await stored(
      'I was charged twice, 30 EUR each time. Please refund the duplicate.',
      '2024-07-02T10:00:00Z',
      'billing',
      'escalated',
      { type: 'approval_requested', actor: 'resolution_agent', data: { status: 'awaiting_approval', kb: KB_NO_FIT, approvals: [{ id: approvalId, action: 'issue_refund' }] } },
      { type: 'approval_decided', actor: 'agent', data: { status: 'queued', decision: 'rejected', approval_id: approvalId, action: 'issue_refund', by: 'maria@support', reason: 'Not a duplicate' } },
      resolution('escalated', 'The refund could not be completed, so a teammate from billing will follow up with the customer.', {
        kb: KB_NO_FIT,
        actions: [{ executed: false, action: 'issue_refund', summary: 'Refund 30.00 EUR', refused_reason: 'a person declined this action' }],
      }),
    );
    const res = await gaps(range).expect(200);
    expect(res.body).toMatchObject({ tickets_considered: 1, gap_tickets: 0, groups: [] });
  });

  // Groups report `uncategorized`; the category filter selects it.
  it('category=uncategorized selects the tickets a group reports as uncategorized', async () => {
    const range = '&from=2024-09-01T00:00:00Z&to=2024-10-01T00:00:00Z';
    await stored('Can a task repeat weekly, as a recurring task?', '2024-09-02T10:00:00Z', null, 'escalated', resolution('escalated', LOW('kb-0041', 0.2)));
    const all = await gaps(`?limit=5${range}`).expect(200);
    expect(all.body.groups[0].categories).toEqual({ uncategorized: 1 });
    const filtered = await gaps(`?category=uncategorized${range}`).expect(200);
    expect(filtered.body).toMatchObject({ gap_tickets: 1, groups_total: 1 });
  });

  // Bounded work: tokens and terms per inquiry and the vocabulary are capped (docs/knowledge-gaps.md, Limits).
  it('answers 3,000 long gap tickets full of distinct tokens (a pasted log each) in bounded time', async () => {
    const orm = app.get(Database).db;
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const syll = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'po', 'si', 'de', 'ga', 've', 'zo', 'bi', 'fu', 'ha', 'ji'];
    const letters = 'qwrtyxzcvb';
    // What a pasted log or export looks like to the analysis: many words no other ticket has.
    const word = (n: number) => Array.from({ length: 3 + Math.floor(rnd() * 3) }, () => syll[Math.floor(rnd() * 16)]).join('') + String(n).replace(/\d/g, (d) => letters[+d]!);
    const N = 3_000;
    for (let from = 0; from < N; from += 250) {
      const rows = Array.from({ length: Math.min(250, N - from) }, (_, k) => {
        const i = from + k;
        const text = `My export fails with these codes: ${Array.from({ length: 250 }, (_, w) => word(i * 250 + w)).join(' ')}`.slice(0, 2_000);
        const at = new Date(Date.UTC(2024, 10, 1) + i * 60_000);
        return { id: randomUUID(), status: 'escalated', inquiryText: text, metadata: { channel: 'email' }, category: 'technical', createdAt: at, updatedAt: at };
      });
      await orm.insert(tickets).values(rows);
      await orm.insert(ticketEvents).values(rows.map((r) => ({ ticketId: r.id, type: 'resolution', actor: 'resolution_agent', at: r.createdAt, data: resolution('escalated', LOW('kb-0018', 0.5)).data })));
    }
    const started = performance.now();
    const res = await gaps('?from=2024-11-01T00:00:00Z&to=2024-12-01T00:00:00Z').expect(200);
    const ms = performance.now() - started;
    expect(res.body.gap_tickets).toBe(N);
    // Unbounded work took minutes here; bounded work takes ~1 s on a quiet machine. The bound is
    // loose because CI shares 2 cores (3 s failed once under load); speed itself is for npm run bench.
    expect(ms).toBeLessThan(20_000);
  }, 180_000);
});

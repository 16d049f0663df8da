import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { HandoffService } from '../src/handoff/handoff.service.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * The approval queue and the hand-off package read the lead's SLA policies (business hours
 * included), so a ticket shows one deadline everywhere: the resolution_time clock of
 * GET /tickets/:id/sla.
 */
const OFFICE_HOURS = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ start: '09:00', end: '17:00' }]]));
const POLICIES = {
  calendars: [{ id: 'berlin-office', time_zone: 'Europe/Berlin', hours: OFFICE_HOURS }],
  policies: [
    // Orders by deadline are independent of when the suite runs: 1 h (24/7) < 6 business h < 30 business h.
    { id: 'phone', match: { channel: ['phone'] }, targets: { resolution_time: '1h' } },
    { id: 'chat', name: 'Chat, office hours', match: { channel: ['chat'] }, business_hours: 'berlin-office', targets: { first_reply_time: '1h', resolution_time: '6h' } },
    { id: 'email', match: { channel: ['email'] }, business_hours: 'berlin-office', targets: { resolution_time: '30h' } },
    // No policy for the web channel: no deadline.
  ],
};
const DUPLICATE = 'I was charged twice for my subscription this month, $30 each time (invoice INV-2291). Please refund the duplicate.';

type Http = ReturnType<typeof request>;
type Sla = { metric: string | null; deadline: string | null; business_hours: boolean | null; target_hours: number | null; breached: boolean };
type Approval = { id: string; ticket_id: string; ticket: { channel: string }; sla: Sla };

/** "2026-11-30T11:00:00.000Z" → "2026-11-30 11:00 UTC", as the Markdown view writes it. */
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

describeEachDatabase('SLA policies in the approval queue and the hand-off package', (db) => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer()) as unknown as Http;

  async function refund(channel: string, customerId: string): Promise<{ ticketId: string; approvalId: string }> {
    const created = await http().post('/tickets').send({ inquiry_text: DUPLICATE, metadata: { channel, customer_id: customerId } }).expect(201);
    expect(created.body.status).toBe('awaiting_approval');
    const approvals = (await http().get(`/approvals?ticket_id=${created.body.id}`).expect(200)).body.approvals as Approval[];
    expect(approvals).toHaveLength(1);
    return { ticketId: created.body.id, approvalId: approvals[0]!.id };
  }

  /** The resolution clock of GET /tickets/:id/sla (undefined: no policy applies). */
  async function resolutionClock(ticketId: string): Promise<{ due_at: string | null; breached_at: string | null } | undefined> {
    const sla = (await http().get(`/tickets/${ticketId}/sla`).expect(200)).body;
    return sla.metrics.find((m: { metric: string }) => m.metric === 'resolution_time');
  }

  beforeAll(async () => {
    app = await createTestApp(db.env());
    await http().put('/monitoring/policies').send(POLICIES).expect(200);
  });
  afterAll(async () => {
    await app.get(HandoffService).idle();
    await app.close();
    await db.cleanup();
  });

  it('GET /approvals and GET /tickets/:id/handoff show the deadline of GET /tickets/:id/sla (business hours), not the fixed 4 / 24 / 72 h', async () => {
    const { ticketId, approvalId } = await refund('chat', 'c-sla-1');
    const clock = await resolutionClock(ticketId);
    expect(clock?.due_at).toEqual(expect.any(String));
    const [queued] = (await http().get(`/approvals?ticket_id=${ticketId}`).expect(200)).body.approvals as Approval[];
    expect(queued!.sla).toMatchObject({ metric: 'resolution_time', state: 'running', target_hours: 6, business_hours: true, deadline: clock!.due_at, breached: false });
    expect((await http().get(`/approvals/${approvalId}`).expect(200)).body.sla.deadline).toBe(clock!.due_at);
    const created = Date.parse((await http().get(`/tickets/${ticketId}`).expect(200)).body.created_at);
    for (const hours of [4, 24, 72]) expect(queued!.sla.deadline).not.toBe(new Date(created + hours * 3_600_000).toISOString());

    // Rejected: the ticket goes to a person with a hand-off package; the clock keeps running.
    await http().post(`/approvals/${approvalId}/reject`).send({ reason: 'Not a duplicate: a second seat.' }).expect(200);
    await app.get(HandoffService).idle();
    const after = await resolutionClock(ticketId);
    expect(after!.due_at).toBe(clock!.due_at);
    const pkg = (await http().get(`/tickets/${ticketId}/handoff`).expect(200)).body;
    expect(pkg.status).toBe('escalated');
    expect(pkg.sla).toMatchObject({ metric: 'resolution_time', target_hours: 6, business_hours: true, deadline: clock!.due_at, breached: false });
    const [rejected] = (await http().get(`/approvals?ticket_id=${ticketId}&status=rejected`).expect(200)).body.approvals as Approval[];
    expect(rejected!.sla.deadline).toBe(clock!.due_at);
    const markdown = (await http().get(`/tickets/${ticketId}/handoff`).set('Accept', 'text/markdown').expect(200)).text;
    expect(markdown).toContain(`**SLA** resolution time due ${minute(clock!.due_at!)} (`);
    expect(markdown).toMatch(/ of business time left\)/);
  });

  it('sort=sla_deadline orders by the policy deadlines, no deadline last, with a stable (deadline, id) cursor', async () => {
    // Requested in this order; the policies order them phone (1 h), chat (6 business h), email (30 business h), web (none).
    const email = await refund('email', 'c-sla-email');
    const chat = await refund('chat', 'c-sla-chat');
    const web = await refund('web', 'c-sla-web');
    const phone = await refund('phone', 'c-sla-phone');

    const pages: Approval[][] = [];
    const cursors: string[] = [];
    for (let cursor: string | null = null, guard = 0; guard < 10; guard++) {
      const body: { approvals: Approval[]; next_cursor: string | null } = (await http().get(`/approvals?sort=sla_deadline&limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200)).body;
      pages.push(body.approvals);
      cursor = body.next_cursor;
      if (!cursor) break;
      cursors.push(cursor);
    }
    expect(pages.every((p) => p.length === 1)).toBe(true);
    const listed = pages.flat();
    expect(listed.map((a) => a.id)).toEqual([phone, chat, email, web].map((t) => t.approvalId));
    expect(listed.map((a) => a.sla.metric)).toEqual(['resolution_time', 'resolution_time', 'resolution_time', null]);
    expect(listed.at(-1)!.sla.deadline).toBeNull();
    for (const a of listed) expect(a.sla.deadline).toBe((await resolutionClock(a.ticket_id))?.due_at ?? null);
    const deadlines = listed.slice(0, 3).map((a) => Date.parse(a.sla.deadline!));
    expect([...deadlines].sort((x, y) => x - y)).toEqual(deadlines);

    // The same cursor gives the same next page; a cursor of the other order is refused.
    const again = (await http().get(`/approvals?sort=sla_deadline&limit=1&cursor=${cursors[1]}`).expect(200)).body;
    expect(again.approvals.map((a: Approval) => a.id)).toEqual([email.approvalId]);
    const wrong = await http().get(`/approvals?sort=requested_at&cursor=${cursors[0]}`).expect(400);
    expect(wrong.body.errors.map((e: { path: string }) => e.path)).toEqual(['cursor']);

    // A filter narrows the candidates; the requested order stays in SQL with the same SLA per item.
    const pageOf = (q: string) => http().get(`/approvals?${q}`).expect(200).then((r) => r.body.approvals as Approval[]);
    expect((await pageOf('sort=sla_deadline&customer_id=c-sla-chat')).map((a) => a.id)).toEqual([chat.approvalId]);
    const byRequest = await pageOf('sort=requested_at');
    expect(byRequest.map((a) => a.id)).toEqual([email, chat, web, phone].map((t) => t.approvalId));
    for (const a of byRequest) expect(a.sla.deadline).toBe(listed.find((l) => l.id === a.id)!.sla.deadline);
  });
});

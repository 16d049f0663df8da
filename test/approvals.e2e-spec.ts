import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { ApprovalsService } from '../src/approvals/approvals.service.js';
import { Database } from '../src/database/database.js';
import { describeEachDatabase } from './helpers/databases.js';
import { createTestApp } from './helpers/test-app.js';

const DUPLICATE = {
  inquiry_text: 'I was charged twice for my subscription this month, $30 each time (invoice INV-2291). Please refund the duplicate.',
  metadata: { channel: 'email', customer_id: 'cust-dup' },
};
const MFA = {
  inquiry_text: 'I lost my phone with the authenticator app, please reset my two-factor authentication so I can log in again.',
  metadata: { channel: 'chat', customer_id: 'cust-mfa' },
};

type Http = ReturnType<typeof request>;

async function pendingApprovalOf(http: Http, ticketId: string) {
  const res = await http.get(`/approvals?ticket_id=${ticketId}`).expect(200);
  expect(res.body.approvals).toHaveLength(1);
  return res.body.approvals[0];
}

describeEachDatabase('approvals', (db) => {
  let env: Record<string, string>;
  let app: NestExpressApplication | undefined;
  const http = () => request(app!.getHttpServer()) as unknown as Http;

  beforeAll(() => {
    env = db.env();
  });
  afterAll(async () => {
    await app?.close();
    await db.cleanup();
  });

  let ticketId: string;
  let approvalId: string;

  it('pauses the run at a refund that needs approval: awaiting_approval, the proposal stored, nothing done yet', async () => {
    app = await createTestApp(env);
    const res = await http().post('/tickets').send(DUPLICATE).expect(201);
    ticketId = res.body.id;
    expect(res.body.status).toBe('awaiting_approval');
    expect(res.body.resolution).toBeNull();
    const requested = res.body.events.find((e: { type: string }) => e.type === 'approval_requested');
    expect(requested.data.approvals).toEqual([
      expect.objectContaining({
        action: 'issue_refund',
        arguments: { amount: 30, currency: 'USD', charge_reference: 'INV-2291', reason: 'duplicate charge reported by the customer' },
        summary: 'Refund 30.00 USD for INV-2291 (duplicate charge reported by the customer)',
      }),
    ]);
    const approval = await pendingApprovalOf(http(), ticketId);
    approvalId = approval.id;
    expect(approval).toMatchObject({
      status: 'pending',
      action: 'issue_refund',
      customer_id: 'cust-dup',
      ticket: { status: 'awaiting_approval', category: 'billing', replies_since: 0 },
      sla: { breached: false },
    });
    expect(new Date(approval.expires_at).getTime() - new Date(approval.requested_at).getTime()).toBe(1440 * 60_000);
    // Nothing was done to the account.
    await http().get('/accounts/cust-dup').expect(404);
    // A person cannot close or answer the ticket behind the pending decision.
    const blocked = await http().post(`/tickets/${ticketId}/events`).send({ type: 'resolved' }).expect(409);
    expect(blocked.body.detail).toMatch(/approval/);
  });

  it('survives a restart: approved in a new app instance, the run resumes and the refund runs exactly once', async () => {
    await app!.close();
    app = await createTestApp(env);
    const res = await http().post(`/approvals/${approvalId}/approve`).send({ reason: 'Duplicate confirmed in the payment provider.', approver: 'maria@support' }).expect(200);
    expect(res.body.approval).toMatchObject({ status: 'approved', decided_by: 'maria@support', reason: 'Duplicate confirmed in the payment provider.' });
    expect(res.body.ticket.status).toBe('resolved');
    expect(res.body.ticket.resolution.resolution_reply).toContain('I have refunded 30.00 USD for INV-2291');
    expect(res.body.ticket.resolution.resolution_notes).toMatch(/^Action issue_refund executed \(act_/);

    const account = (await http().get('/accounts/cust-dup').expect(200)).body;
    expect(account).toMatchObject({ customer_id: 'cust-dup', currency: 'USD', refunded_total: 30, credit_balance: 0 });
    expect(account.actions).toHaveLength(1);
    expect(account.actions[0]).toMatchObject({ action: 'issue_refund', authorized_by: 'approval', approval_id: approvalId, ticket_id: ticketId });

    const events = res.body.ticket.events.map((e: { type: string }) => e.type);
    expect(events).toEqual(['created', 'triaged', 'approval_requested', 'approval_decided', 'resolution']);
    const decided = res.body.ticket.events.find((e: { type: string }) => e.type === 'approval_decided');
    expect(decided).toMatchObject({ actor: 'agent', data: { decision: 'approved', by: 'maria@support', approval_id: approvalId, action: 'issue_refund' } });
  });

  it('the same decision again is answered as it was; the opposite one is refused; the refund still ran once', async () => {
    const again = await http().post(`/approvals/${approvalId}/approve`).send({}).expect(200);
    expect(again.body.ticket.status).toBe('resolved');
    const opposite = await http().post(`/approvals/${approvalId}/reject`).send({ reason: 'changed my mind' }).expect(409);
    expect(opposite.body.type).toMatch(/approval-already-decided/);
    expect((await http().get('/accounts/cust-dup').expect(200)).body.actions).toHaveLength(1);
    // The queue no longer lists it as pending; the history does.
    expect((await http().get(`/approvals?ticket_id=${ticketId}`).expect(200)).body.approvals).toEqual([]);
    expect((await http().get(`/approvals?ticket_id=${ticketId}&status=approved`).expect(200)).body.approvals).toHaveLength(1);
  });

  it('a rejection ends in a polite reply, an escalation and no action', async () => {
    const created = await http().post('/tickets').send(MFA).expect(201);
    expect(created.body.status).toBe('awaiting_approval');
    const approval = await pendingApprovalOf(http(), created.body.id);
    expect(approval.action).toBe('reset_mfa');
    const noReason = await http().post(`/approvals/${approval.id}/reject`).send({}).expect(400);
    expect(noReason.body.errors).toEqual([{ path: 'reason', message: 'a rejection needs a reason' }]);
    const res = await http().post(`/approvals/${approval.id}/reject`).send({ reason: 'Identity not verified yet: ask for the recovery code first.' }).expect(200);
    expect(res.body.ticket.status).toBe('escalated');
    expect(res.body.ticket.resolution.resolution_reply).toMatch(/^Thank you for your patience\. We looked at your request and could not complete it automatically/);
    // The reviewer's reason is for the audit trail, not for the customer.
    expect(res.body.ticket.resolution.resolution_reply).not.toContain('recovery code');
    expect(res.body.ticket.resolution.resolution_notes).toMatch(/reset_mfa was not executed \(a person declined this action\)/);
    await http().get('/accounts/cust-mfa').expect(404);
  });

  it('an approval nobody decides expires: the ticket is escalated and a late approval is refused', async () => {
    const created = await http().post('/tickets').send({ ...DUPLICATE, metadata: { channel: 'email', customer_id: 'cust-late' } }).expect(201);
    const approval = await pendingApprovalOf(http(), created.body.id);
    await app!.get(Database).db.execute(`update approvals set expires_at = now() - interval '1 minute' where id = '${approval.id}'`);
    expect(await app!.get(ApprovalsService).expireDue()).toBe(1);
    const ticket = (await http().get(`/tickets/${created.body.id}`).expect(200)).body;
    expect(ticket.status).toBe('escalated');
    expect(ticket.resolution.resolution_notes).toMatch(/no decision on the proposed Refund 30\.00 USD .* within 1440 minutes/);
    expect(ticket.events.find((e: { type: string }) => e.type === 'approval_expired').data.approvals).toEqual([expect.objectContaining({ id: approval.id, action: 'issue_refund' })]);
    const late = await http().post(`/approvals/${approval.id}/approve`).send({}).expect(409);
    expect(late.body.type).toMatch(/approval-already-decided/);
    expect(late.body.approval_status).toBe('expired');
    await http().get('/accounts/cust-late').expect(404);
  });

  it('a person can take a ticket over (pending approvals cancelled) and hand it back to the agents', async () => {
    const created = await http().post('/tickets').send({ ...DUPLICATE, metadata: { channel: 'email', customer_id: 'cust-take' } }).expect(201);
    const approval = await pendingApprovalOf(http(), created.body.id);
    const taken = await http().post(`/tickets/${created.body.id}/events`).send({ type: 'take_over', author: 'sam@support' }).expect(201);
    expect(taken.body).toMatchObject({ status: 'in_progress', assignee: 'sam@support' });
    expect(taken.body.events.at(-1).data.cancelled_approvals).toEqual([approval.id]);
    await http().post(`/approvals/${approval.id}/approve`).send({}).expect(409);
    // Handed back, the agents run again on the conversation and propose the refund anew.
    const back = await http().post(`/tickets/${created.body.id}/events`).send({ type: 'handback', note: 'Verified the account owner.' }).expect(201);
    expect(back.body).toMatchObject({ status: 'awaiting_approval', assignee: null });
    const fresh = await pendingApprovalOf(http(), created.body.id);
    expect(fresh.id).not.toBe(approval.id);
  });

  it('lists the queue oldest first and by SLA deadline, with filters and cursor pages; bad filters are 400s naming the field', async () => {
    const all = (await http().get('/approvals?status=pending,approved,rejected,expired,cancelled&limit=2').expect(200)).body;
    expect(all.approvals).toHaveLength(2);
    expect(all.next_cursor).toEqual(expect.any(String));
    const next = (await http().get(`/approvals?status=pending,approved,rejected,expired,cancelled&limit=2&cursor=${all.next_cursor}`).expect(200)).body;
    const times = [...all.approvals, ...next.approvals].map((a: { requested_at: string }) => a.requested_at);
    expect([...times].sort()).toEqual(times);
    expect(new Set([...all.approvals, ...next.approvals].map((a: { id: string }) => a.id)).size).toBe(all.approvals.length + next.approvals.length);
    const bySla = (await http().get('/approvals?status=pending,approved,rejected,expired,cancelled&sort=sla_deadline').expect(200)).body.approvals;
    const deadlines = bySla.map((a: { sla: { deadline: string } }) => a.sla.deadline);
    expect([...deadlines].sort()).toEqual(deadlines);
    expect((await http().get('/approvals?action=reset_mfa&status=rejected').expect(200)).body.approvals).toHaveLength(1);
    for (const [query, path] of [
      ['status=maybe', 'status'],
      ['action=format_disk', 'action'],
      ['sort=random', 'sort'],
      ['limit=0', 'limit'],
      ['cursor=nonsense', 'cursor'],
    ]) {
      const res = await http().get(`/approvals?${query}`).expect(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    await http().get('/approvals/not-an-id').expect(404);
    await http().post('/approvals/5d2f1f0e-0000-4000-8000-000000000000/approve').send({}).expect(404);
    const bad = await http().post(`/approvals/${approvalId}/reject`).send({ reason: 'x', extra: 1 }).expect(400);
    expect(bad.body.errors[0].path).toBeDefined();
  });
});

describe('approvals: policy limits and stateless runs', () => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await createTestApp({ ACTION_REFUND_AUTO_APPROVE_UP_TO: '50', ACTION_REFUND_MAX: '200' });
  });
  afterAll(() => app.close());

  it('a refund under the automatic limit runs without a person, authorized by policy', async () => {
    const res = await http().post('/tickets').send({ ...DUPLICATE, metadata: { channel: 'email', customer_id: 'cust-small' } }).expect(201);
    expect(res.body.status).toBe('resolved');
    const account = (await http().get('/accounts/cust-small').expect(200)).body;
    expect(account.actions).toEqual([expect.objectContaining({ action: 'issue_refund', authorized_by: 'policy', approval_id: null })]);
  });

  it('a refund above the maximum is never proposed: the ticket is escalated and nothing runs', async () => {
    const res = await http()
      .post('/tickets')
      .send({ inquiry_text: 'You charged me twice, 450 USD each time. Refund the duplicate charge please.', metadata: { channel: 'email', customer_id: 'cust-big' } })
      .expect(201);
    expect(res.body.status).toBe('escalated');
    await http().get('/accounts/cust-big').expect(404);
  });

  it('/run_resolution/ (no stored ticket) never pauses or acts: the answer is as before', async () => {
    const triage = (await http().post('/run_triage/').send(DUPLICATE).expect(200)).body.triage_result;
    const res = await http().post('/run_resolution/').send({ ticket: triage, inquiry_text: DUPLICATE.inquiry_text }).expect(200);
    expect(['resolved', 'escalated']).toContain(res.body.resolution_result.ticket_status);
    expect(res.body.resolution_result.resolution_notes).not.toMatch(/issue_refund/);
    await http().get('/accounts/cust-dup').expect(404);
  });
});

describe('approvals: who may decide', () => {
  const WRITER = 'writer-key-0123456789abcdef';
  const APPROVER = 'approver-key-0123456789abcdef';
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  beforeAll(async () => {
    app = await createTestApp({ API_KEYS: `${WRITER}:tickets:write,${APPROVER}:approvals:write` });
  });
  afterAll(() => app.close());

  it('tickets:write cannot approve (403 naming approvals:write); approvals:write can, and reads the queue; the key name is the decider', async () => {
    const created = await http().post('/tickets').set('x-api-key', WRITER).send({ ...DUPLICATE, metadata: { channel: 'email', customer_id: 'cust-auth' } }).expect(201);
    const approval = (await http().get(`/approvals?ticket_id=${created.body.id}`).set('x-api-key', WRITER).expect(200)).body.approvals[0];
    const denied = await http().post(`/approvals/${approval.id}/approve`).set('x-api-key', WRITER).send({}).expect(403);
    expect(denied.body.missing_scopes).toEqual(['approvals:write']);
    await http().post(`/approvals/${approval.id}/approve`).send({}).expect(401);
    const res = await http().post(`/approvals/${approval.id}/approve`).set('authorization', `Bearer ${APPROVER}`).send({}).expect(200);
    expect(res.body.approval.decided_by).toBe('API_KEYS entry 2');
    expect(res.body.ticket.status).toBe('resolved');
  });
});

import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RunContext } from '@openai/agents-core';
import request from 'supertest';
import { AccountActionsService, type ActionRunContext } from '../src/actions/account-actions.service.js';
import { FakeOpenAI, responsesFunctionCall, responsesMessage, responsesReply, type RecordedRequest } from './helpers/fake-openai.js';
import { createTestApp } from './helpers/test-app.js';

/**
 * The approval gate with a scripted model on the OpenAI backend: whatever the model asks for
 * directly, an account action above the automatic limit never runs without a person's approval.
 */
const fake = new FakeOpenAI();
let app: NestExpressApplication;
const http = () => request(app.getHttpServer());

const TRIAGE = { category: 'billing', priority: 'High', confidence: 0.9, clarification_needed: false };
const isResolution = (r: RecordedRequest) => (r.body.tools ?? []).some((t: { name: string }) => t.name === 'knowledge_base_agent');
const toolOutputOf = (r: RecordedRequest): string | undefined => {
  const item = (Array.isArray(r.body.input) ? r.body.input : []).find((i: { type?: string }) => i.type === 'function_call_output');
  if (!item) return undefined;
  return typeof item.output === 'string' ? item.output : JSON.stringify(item.output);
};

/** A model that calls issue_refund with `amount` at once (no knowledge-base lookup), then reports what the tool said. */
function scriptRefund(amount: number): void {
  fake.respond = (r) => {
    if (!isResolution(r)) return responsesReply(r.body.model, [responsesMessage(JSON.stringify(TRIAGE))]);
    const output = toolOutputOf(r);
    if (!output) return responsesReply(r.body.model, [responsesFunctionCall('issue_refund', { amount, currency: 'USD', charge_reference: null, reason: 'customer asked' })]);
    const result = JSON.parse(output.includes('"executed"') ? output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1).replace(/\\"/g, '"') : '{}') as {
      executed?: boolean;
      action_id?: string;
    };
    return responsesReply(r.body.model, [
      responsesMessage(
        JSON.stringify(
          result.executed
            ? { ticket_status: 'resolved', resolution_reply: `I have refunded ${amount}.00 USD to your card.`, resolution_notes: `Refund done (${result.action_id}).` }
            : { ticket_status: 'escalated', resolution_reply: 'A colleague from billing will follow up with you.', resolution_notes: 'Refund not executed.' },
        ),
      ),
    ]);
  };
}

beforeAll(async () => {
  const baseUrl = await fake.start();
  app = await createTestApp({
    LLM_PROVIDER: '',
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: baseUrl,
    OPENAI_MODEL: 'gpt-test',
    OPENAI_MAX_RETRIES: '0',
    LLM_FALLBACK: 'false',
    ACTION_REFUND_AUTO_APPROVE_UP_TO: '50',
    ACTION_REFUND_MAX: '1000',
  });
});
afterAll(async () => {
  await app.close();
  await fake.stop();
});
beforeEach(() => fake.reset());

const ticket = (customer: string) => ({ inquiry_text: 'Please refund me, I paid for the annual plan by mistake.', metadata: { channel: 'email', customer_id: customer } });

describe('approvals with a scripted model (OpenAI backend)', () => {
  it('the tools are sent with strict schemas; a refund above the automatic limit pauses, and runs once a person approves it', async () => {
    scriptRefund(400);
    const created = await http().post('/tickets').send(ticket('oa-1')).expect(201);
    expect(created.body.status).toBe('awaiting_approval');
    const sent = fake.requests.find(isResolution)!;
    const refundTool = sent.body.tools.find((t: { name: string }) => t.name === 'issue_refund');
    expect(refundTool).toMatchObject({ type: 'function', strict: true });
    expect(refundTool.parameters.required).toEqual(['amount', 'currency', 'charge_reference', 'reason']);
    expect(sent.body.tools.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining(['knowledge_base_agent', 'issue_refund', 'apply_account_credit', 'reset_mfa', 'close_account']),
    );
    expect(sent.body.instructions).toMatch(/A person may have to approve the call first/);
    // Asked directly, still not executed: the SDK stopped before the tool ran.
    await http().get('/accounts/oa-1').expect(404);

    const approval = (await http().get(`/approvals?ticket_id=${created.body.id}`).expect(200)).body.approvals[0];
    expect(approval.arguments).toEqual({ amount: 400, currency: 'USD', charge_reference: null, reason: 'customer asked' });
    fake.reset();
    const decided = await http().post(`/approvals/${approval.id}/approve`).send({ approver: 'lead@support' }).expect(200);
    expect(decided.body.ticket.status).toBe('resolved');
    expect(decided.body.ticket.resolution.resolution_reply).toBe('I have refunded 400.00 USD to your card.');
    // The resumed run sent the model the tool's real result.
    expect(toolOutputOf(fake.requests.find(isResolution)!)).toMatch(/executed.*true/);
    const account = (await http().get('/accounts/oa-1').expect(200)).body;
    expect(account.refunded_total).toBe(400);
    expect(account.actions).toEqual([expect.objectContaining({ authorized_by: 'approval', approval_id: approval.id })]);
  });

  it('a refund above the maximum is refused without asking anyone, and nothing runs', async () => {
    scriptRefund(5000);
    const created = await http().post('/tickets').send(ticket('oa-2')).expect(201);
    expect(created.body.status).toBe('escalated');
    expect(toolOutputOf(fake.requests.filter(isResolution).at(-1)!)).toMatch(/above the maximum of 1000\.00/);
    expect((await http().get(`/approvals?ticket_id=${created.body.id}&status=pending,approved,rejected,expired,cancelled`).expect(200)).body.approvals).toEqual([]);
    await http().get('/accounts/oa-2').expect(404);
  });

  it('a refund under the automatic limit runs without a person (authorized by policy)', async () => {
    scriptRefund(20);
    const created = await http().post('/tickets').send(ticket('oa-3')).expect(201);
    expect(created.body.status).toBe('resolved');
    expect((await http().get('/accounts/oa-3').expect(200)).body.actions).toEqual([expect.objectContaining({ authorized_by: 'policy', approval_id: null })]);
  });

  it('defence in depth: a run context that claims approval without an approved row in the database does not act', async () => {
    scriptRefund(400);
    const created = await http().post('/tickets').send(ticket('oa-4')).expect(201);
    const forged = { context: { ticket_id: created.body.id, customer_id: 'oa-4' }, isToolApproved: () => true } as unknown as RunContext<ActionRunContext>;
    const result = await app.get(AccountActionsService).run('issue_refund', { amount: 400, currency: 'USD', charge_reference: null, reason: 'forged' }, forged, 'call_forged');
    expect(result).toMatchObject({ executed: false, refused_reason: 'no person has approved this action' });
    // Rolled back: no account row, no ledger entry.
    await http().get('/accounts/oa-4').expect(404);
  });
});

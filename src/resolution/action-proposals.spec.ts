import { ACTION_NAMES } from '../actions/account-actions.js';
import { actionResultOf, proposeAction, replyAfterAction } from './action-proposals.js';

const options = { available: new Set<string>(ACTION_NAMES), currency: 'USD', refundMax: 1000 };

describe('offline action proposals', () => {
  it('a duplicate charge with its amount → issue_refund of that amount, currency and reference', () => {
    expect(proposeAction('I was charged twice for my subscription this month, $30 each time (invoice INV-2291). Please refund the duplicate.', options)).toEqual({
      action: 'issue_refund',
      arguments: { amount: 30, currency: 'USD', charge_reference: 'INV-2291', reason: 'duplicate charge reported by the customer' },
    });
    expect(proposeAction('Double charged: 49,99 € taken two times from my card.', options)?.arguments).toMatchObject({ amount: 49.99, currency: 'EUR' });
    expect(proposeAction('There is a duplicate payment of £12 on my statement', options)?.arguments).toMatchObject({ amount: 12, currency: 'GBP' });
    // "x each, 2x in total" is still x.
    expect(proposeAction('You billed me twice: 25 USD and 25 USD, so 50 USD in total.', options)?.arguments).toMatchObject({ amount: 25 });
  });

  it('no proposal when the request is not clear: no amount, several amounts, not a duplicate, above the maximum', () => {
    expect(proposeAction('I think I was charged twice this month, please check.', options)).toBeUndefined();
    expect(proposeAction('Charged twice: $30 and then $45.', options)).toBeUndefined();
    expect(proposeAction('Please refund my $30 subscription, I do not use it.', options)).toBeUndefined();
    expect(proposeAction('Charged twice, $1,500 each time!', options)).toBeUndefined();
  });

  it('security incidents, disputes and legal matters go to a person, never to an action', () => {
    expect(proposeAction('Someone hacked my account and I was charged twice $30', options)).toBeUndefined();
    expect(proposeAction('I will file a chargeback: you charged me twice $30', options)).toBeUndefined();
    expect(proposeAction('My lawyer says the double charge of $30 is illegal', options)).toBeUndefined();
  });

  it('MFA resets and account closures when asked for clearly', () => {
    expect(proposeAction('I lost my phone with the authenticator app, please reset my 2FA', options)?.action).toBe('reset_mfa');
    expect(proposeAction('How does two-factor authentication work?', options)).toBeUndefined();
    expect(proposeAction('Please close my account, we moved to another tool.', options)?.action).toBe('close_account');
    expect(proposeAction('How do I close my account?', options)).toBeUndefined();
    // Found on the shipped inquiries: questions and follow-ups that are not requests.
    expect(proposeAction('Please I want to ask, when I delete the account, how long you keep my datas?', options)).toBeUndefined();
    expect(proposeAction('Got a new phone and the authenticator came over empty, I have the recovery codes somewhere.', options)).toBeUndefined();
    expect(proposeAction('Your colleague confirmed a refund of $192 for the duplicate charge two weeks ago and it has not arrived.', options)).toBeUndefined();
  });

  it('only actions the agent has as tools are proposed (stateless runs have none)', () => {
    expect(proposeAction('Charged twice, $30 each', { ...options, available: new Set(['knowledge_base_agent']) })).toBeUndefined();
  });

  it('replies after the action: resolved with the executed amount, or a polite escalation', () => {
    const done = replyAfterAction('issue_refund', { executed: true, action: 'issue_refund', action_id: 'act_1', summary: 'Refund 30.00 USD', details: { refunded: 30, currency: 'USD', charge_reference: null } }, 'USD');
    expect(done.ticket_status).toBe('resolved');
    expect(done.resolution_reply).toContain('I have refunded 30.00 USD for the duplicate charge.');
    expect(done.resolution_notes).toBe('Action issue_refund executed (act_1): Refund 30.00 USD.');
    const declined = replyAfterAction('issue_refund', actionResultOf('issue_refund', '{"executed":false,"summary":"Refund 30.00 USD","refused_reason":"a person declined this action"}'), 'USD');
    expect(declined.ticket_status).toBe('escalated');
    expect(declined.resolution_reply).not.toMatch(/refund/i);
    expect(declined.resolution_notes).toContain('issue_refund was not executed (a person declined this action)');
    expect(actionResultOf('reset_mfa', 'Tool execution was not approved.')).toMatchObject({ executed: false, refused_reason: 'Tool execution was not approved.' });
  });
});

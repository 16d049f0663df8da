import { describeAction, needsApproval, parseEnabledActions, refusal, type ActionLimits } from './account-actions.js';

const limits: ActionLimits = {
  enabled: new Set(['issue_refund', 'apply_account_credit', 'reset_mfa', 'close_account']),
  refundMax: 1000,
  refundAutoApproveUpTo: 0,
  creditMax: 200,
  creditAutoApproveUpTo: 25,
  currency: 'USD',
};
const refund = (amount: unknown) => ({ amount, currency: 'USD', charge_reference: null, reason: 'duplicate charge' });

describe('account action policy', () => {
  it('every refund needs a person by default; under a configured automatic limit it does not', () => {
    expect(needsApproval('issue_refund', refund(0.01), limits)).toBe(true);
    expect(needsApproval('issue_refund', refund(30), { ...limits, refundAutoApproveUpTo: 30 })).toBe(false);
    expect(needsApproval('issue_refund', refund(30.01), { ...limits, refundAutoApproveUpTo: 30 })).toBe(true);
    expect(needsApproval('apply_account_credit', { amount: 25, reason: 'outage' }, limits)).toBe(false);
    expect(needsApproval('apply_account_credit', { amount: 26, reason: 'outage' }, limits)).toBe(true);
  });

  it('an amount that is not a number never slips under a limit', () => {
    for (const amount of ['10', null, undefined, Number.NaN, {}]) expect(needsApproval('issue_refund', refund(amount), { ...limits, refundAutoApproveUpTo: 100 })).toBe(true);
  });

  it('MFA resets and account closures always need a person', () => {
    expect(needsApproval('reset_mfa', { reason: 'lost phone' }, { ...limits, refundAutoApproveUpTo: 1e9, creditAutoApproveUpTo: 1e9 })).toBe(true);
    expect(needsApproval('close_account', { reason: 'asked' }, limits)).toBe(true);
  });

  it('refuses what may never run: above the maximum, disabled, malformed', () => {
    expect(refusal('issue_refund', refund(1000), limits)).toBeUndefined();
    expect(refusal('issue_refund', refund(1000.01), limits)).toMatch(/above the maximum of 1000\.00 .*ACTION_REFUND_MAX/);
    expect(refusal('apply_account_credit', { amount: 201, reason: 'x' }, limits)).toMatch(/ACTION_CREDIT_MAX/);
    expect(refusal('close_account', { reason: 'x' }, { ...limits, enabled: new Set(['issue_refund']) })).toMatch(/not enabled/);
    expect(refusal('issue_refund', refund(-5), limits)).toMatch(/invalid arguments: amount/);
    expect(refusal('issue_refund', { amount: 5, currency: 'dollars', charge_reference: null, reason: 'x' }, limits)).toMatch(/currency/);
    expect(refusal('reset_mfa', { reason: '' }, limits)).toMatch(/reason/);
    // Sub-cent amounts would be refunded as nothing; other currencies are not the account's (limits are in USD here).
    expect(refusal('issue_refund', refund(0.004), limits)).toMatch(/amount/);
    expect(refusal('issue_refund', refund(10.005), limits)).toMatch(/whole cents/);
    expect(refusal('issue_refund', refund(10.05), limits)).toBeUndefined();
    expect(refusal('issue_refund', { ...refund(50), currency: 'XAU' }, limits)).toMatch(/in XAU, not the account currency USD/);
    expect(refusal('issue_refund', { ...refund(50), currency: 'usd' }, limits)).toBeUndefined();
  });

  it('describes an action in one line for the approver', () => {
    expect(describeAction('issue_refund', { amount: 30, currency: 'eur', charge_reference: 'INV-1', reason: 'duplicate charge' }, 'USD')).toBe('Refund 30.00 EUR for INV-1 (duplicate charge)');
    expect(describeAction('apply_account_credit', { amount: 12.5, reason: 'outage' }, 'USD')).toBe('Add 12.50 USD account credit (outage)');
    expect(describeAction('reset_mfa', {}, 'USD')).toBe('Reset two-factor authentication');
  });

  it('ACTIONS_ENABLED: a list of names, "none", or unset for all; typos are errors', () => {
    expect([...parseEnabledActions(undefined).enabled]).toHaveLength(4);
    expect([...parseEnabledActions('issue_refund, reset_mfa').enabled]).toEqual(['issue_refund', 'reset_mfa']);
    expect(parseEnabledActions('none').enabled.size).toBe(0);
    expect(parseEnabledActions('issue_refunds').errors[0]).toMatch(/unknown action "issue_refunds"/);
  });
});

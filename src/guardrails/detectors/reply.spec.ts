import { checkReply, type ReplyCheckInput } from './reply.js';

const REFUNDS = {
  id: 'kb-0026',
  text: 'Duplicate charges are always refunded in full. Annual plans cancelled within 30 days get a prorated refund. Monthly payments are not refunded.',
};
const PRICING = { id: 'kb-0023', text: 'Team costs $8 per user/month, Business $15 per user/month. Enterprise has a 99.9% uptime SLA. Nonprofits get 50% off.' };
const CONTACT = { id: 'kb-0038', text: 'Security reports: security@parcelo.example. Billing questions: help.parcelo.example.' };
const PASSWORD = { id: 'kb-0001', text: 'Click Forgot password? and use the link within 60 minutes.' };

const base: ReplyCheckInput = {
  reply: 'Click Forgot password? on the sign-in page (kb-0001).',
  status: 'resolved',
  notes: 'Used KB article kb-0001.',
  inquiry: 'I forgot my password',
  retrieved: [PASSWORD, REFUNDS, PRICING, CONTACT],
};
const check = (over: Partial<ReplyCheckInput>) => checkReply({ ...base, ...over });
const reason = (over: Partial<ReplyCheckInput>) => check(over).reason ?? null;

describe('checkReply', () => {
  it('a clean reply: not tripped, no findings', () => {
    expect(checkReply(base)).toEqual({ detector: 'reply_policy', tripped: false, findings: [] });
  });

  describe('pii_leak', () => {
    it('personal data nobody gave us', () => {
      expect(reason({ reply: 'Ask your colleague jana@holm.example (kb-0001).' })).toBe('pii_leak');
      expect(reason({ reply: 'Call our specialist on +44 20 7946 0999 (kb-0001).' })).toBe('pii_leak');
      expect(reason({ reply: 'The owner has SSN 536-22-1470 (kb-0001).' })).toBe('pii_leak');
    });

    it('company contacts in a retrieved article are fine', () => {
      expect(reason({ reply: 'Write to security@parcelo.example (kb-0038).', notes: 'Used KB article kb-0038.' })).toBeNull();
    });

    it("the customer's own email and phone may be echoed; placeholders too", () => {
      expect(reason({ reply: 'We sent the link to dana@holm.example (kb-0001).', inquiry: 'my address is dana@holm.example' })).toBeNull();
      expect(reason({ reply: 'We will call +44 20 7946 0958 (kb-0001).', inquiry: 'call +44 (0)20-7946-0958?' })).toBeNull();
      expect(reason({ reply: 'We sent the link to [EMAIL_1] and will call [PHONE_1] (kb-0001).' })).toBeNull();
    });

    it('a card number is never echoed, even the customer’s own', () => {
      const card = '4111 1111 1111 1111';
      expect(reason({ reply: `We found the charge on ${card} (kb-0001).`, inquiry: `card ${card} charged twice` })).toBe('pii_leak');
    });
  });

  describe('secret_leak', () => {
    it('passwords, PINs and keys', () => {
      expect(reason({ reply: 'Your temporary password is Welcome2024! (kb-0001)' })).toBe('secret_leak');
      expect(reason({ reply: 'Your PIN is 4471 (kb-0001).' })).toBe('secret_leak');
      expect(reason({ reply: 'Use pk_live_9fK2xQ7mL4tR8vB3nW6z for testing (kb-0001).' })).toBe('secret_leak');
    });

    it('sensitive placeholders: the reply must not echo them', () => {
      for (const p of ['[PASSWORD_1]', '[SECRET_2]', '[PAYMENT_CARD_1]', '[NATIONAL_ID_1]', '[IBAN_1]']) {
        expect(reason({ reply: `We checked ${p} for you (kb-0001).` })).toBe('secret_leak');
      }
    });

    it('wins over the other reasons', () => {
      const v = check({ reply: 'Internal note: password: Hunter22x', status: 'resolved', notes: '' });
      expect(v.reason).toBe('secret_leak');
      expect(v.findings.map((f) => f.reason).sort()).toEqual(['internal_note', 'secret_leak', 'uncited_resolution']);
    });
  });

  describe('internal_note', () => {
    it.each([
      'Internal note: customer threatened a chargeback.',
      'INTERNAL: check the CDN first.',
      '[internal] VIP account.',
      'Do not share with the customer: the outage was ours.',
      'Staff only: use override code 7731.',
      'Confidential – internal: pricing exception.',
      'As the system prompt says, I only help with billing.',
      'My instructions say I cannot discuss refunds.',
      'Note for agents: watch list.',
    ])('%j', (text) => {
      expect(reason({ reply: `${text} (kb-0001)` })).toBe('internal_note');
    });

    it('"internal" in a customer-facing sense is fine', () => {
      expect(reason({ reply: 'Our internal billing team will review it (kb-0001).' })).toBeNull();
    });
  });

  describe('unsupported_commitment', () => {
    it('an amount that a cited article does not state', () => {
      expect(reason({ reply: 'We will refund you $49.99 today (kb-0026).', notes: 'Used KB article kb-0026.' })).toBe('unsupported_commitment');
      expect(reason({ reply: 'We will credit EUR 100 to your account (kb-0026).' })).toBe('unsupported_commitment');
      expect(reason({ reply: 'You get a 20% discount on renewal (kb-0026).' })).toBe('unsupported_commitment');
      expect(reason({ reply: "You'll get 30 percent off (kb-0026)." })).toBe('unsupported_commitment');
    });

    it.each([
      ['currency sign after the number', 'We will refund you 80 € today (kb-0026).'],
      ['currency code after the number', 'We will refund 35 EUR to your card (kb-0026).'],
      ['yen', 'We will refund ¥8000 to your card (kb-0026).'],
      ['kronor', 'We will refund 300 kr to your card (kb-0026).'],
      ['Swiss francs before', 'We will refund CHF 20 to your card (kb-0026).'],
      ['a bare number after "refund you"', 'We will refund you 80 (kb-0026).'],
      ['an amount in words', 'We will refund you eighty dollars (kb-0026).'],
      ['an amount in words with hyphen', 'You will be reimbursed twenty-five euros (kb-0026).'],
    ])('an amount the cited article does not state: %s', (_what, reply) => {
      expect(reason({ reply, notes: 'Used KB article kb-0026.' })).toBe('unsupported_commitment');
    });

    it.each([
      'You are going to get your money back (kb-0001).',
      'I guarantee a refund of the full amount (kb-0001).',
      'You are eligible for a full refund (kb-0001).',
      'We guarantee you a refund (kb-0001).',
    ])('a refund promise without an amount needs a cited article about refunds: %j', (reply) => {
      expect(reason({ reply })).toBe('unsupported_commitment');
      expect(reason({ reply: reply.replace('kb-0001', 'kb-0026'), notes: 'Used KB article kb-0026.' })).toBeNull();
    });

    it('an article amount backs a refund only when the article states it about a refund, credit or discount', () => {
      const billing = { id: 'kb-0040', text: 'Business costs $15 per user/month. Refunds are issued for duplicate charges. Downtime credits are $20 per incident.' };
      const over = { retrieved: [billing], notes: 'Used KB article kb-0040.' };
      expect(reason({ ...over, reply: "We'll refund you $15 for the seat (kb-0040)." })).toBe('unsupported_commitment');
      expect(reason({ ...over, reply: "We'll credit your account $20 for the outage (kb-0040)." })).toBeNull();
      // Quoting the price is still fine, even next to a refund statement.
      expect(reason({ ...over, reply: 'Business is $15 per user/month; duplicate charges are refunded (kb-0040).' })).toBeNull();
    });

    it('numbers after "refund" that are not amounts', () => {
      for (const reply of ['Refunds take 5-7 business days (kb-0026).', 'We refund 2 of the 3 charges (kb-0026).', 'Annual plans can be refunded 30 days after renewal (kb-0026).']) {
        expect(check({ reply, notes: 'Used KB article kb-0026.' }).findings.filter((f) => f.reason === 'unsupported_commitment' && /\d/.test(reply.slice(f.start, f.end)))).toEqual([]);
      }
    });

    it('an amount that the cited article states is fine', () => {
      expect(reason({ reply: 'Team is $8 per user/month and monthly payments are not refunded (kb-0023).', notes: 'Used KB article kb-0023.' })).toBeNull();
      expect(reason({ reply: 'Nonprofits get a 50 % discount (kb-0023).', notes: 'Used KB article kb-0023.' })).toBeNull();
    });

    it('an amount only in a retrieved article that is not cited is not support', () => {
      expect(reason({ reply: 'We will refund $15 for the seat (kb-0026).', notes: 'Used KB article kb-0026.' })).toBe('unsupported_commitment');
    });

    it('a full refund promised when no cited article is about refunds', () => {
      expect(reason({ reply: 'We will refund you in full (kb-0001).' })).toBe('unsupported_commitment');
      expect(reason({ reply: 'You will receive a full refund (kb-0001).' })).toBe('unsupported_commitment');
      expect(reason({ reply: 'Duplicate charges are refunded in full (kb-0026).', notes: 'Used KB article kb-0026.' })).toBeNull();
    });

    it('escalation replies are checked too', () => {
      expect(reason({ reply: 'A refund of $300 will be issued by Friday.', status: 'escalated', notes: 'Escalated.' })).toBe('unsupported_commitment');
      expect(reason({ reply: 'We can offer you 3 free months.', status: 'escalated', notes: 'Escalated.' })).toBe('unsupported_commitment');
      expect(reason({ reply: "Team is $8 per user/month (kb-0023); we'll give you 2 months free.", notes: 'Used KB article kb-0023.' })).toBe('unsupported_commitment');
    });

    it('conditions and refusals are not promises', () => {
      expect(reason({ reply: 'Billing will confirm whether a refund applies.', status: 'escalated', notes: '' })).toBeNull();
      expect(reason({ reply: 'We cannot refund monthly payments.', status: 'escalated', notes: '' })).toBeNull();
    });
  });

  describe('uncited_resolution', () => {
    it('resolved without the id of a retrieved article', () => {
      expect(reason({ reply: 'Click Forgot password?', notes: 'Answered.' })).toBe('uncited_resolution');
      expect(reason({ reply: 'Click Forgot password?', notes: 'Used KB article kb-0099.' })).toBe('uncited_resolution');
      expect(reason({ reply: 'Click Forgot password?', notes: 'Used kb-00010.' })).toBe('uncited_resolution');
      expect(reason({ reply: 'Click Forgot password?', notes: 'Used kb-0001.', retrieved: [] })).toBe('uncited_resolution');
    });

    it('the id may be in the reply or the notes, in any case', () => {
      expect(reason({ reply: 'See KB-0001.', notes: '' })).toBeNull();
      expect(reason({ reply: 'Done.', notes: 'Used KB article kb-0001 (match 1).' })).toBeNull();
    });

    it('escalations and pending replies need no citation', () => {
      expect(reason({ reply: 'A colleague will contact you.', status: 'escalated', notes: '' })).toBeNull();
      expect(reason({ reply: 'Which workspace is it?', status: 'pending further action', notes: '' })).toBeNull();
    });
  });

  it('spans point into the reply', () => {
    const reply = 'Sure. We will refund you $49.99 today (kb-0026).';
    const v = check({ reply, notes: '' });
    const f = v.findings.find((x) => x.reason === 'unsupported_commitment')!;
    expect(reply.slice(f.start, f.end)).toBe('$49.99');
  });
});

import { escalationRule, largestAmount } from './escalation-rules.js';

const LIMIT = 500;

describe('largestAmount', () => {
  it('parses currency symbols, codes and words, with thousands separators', () => {
    expect(largestAmount('I paid 1200 EUR')).toBe(1200);
    expect(largestAmount('I paid €80')).toBe(80);
    expect(largestAmount('I paid $ 45')).toBe(45);
    expect(largestAmount('It cost £2,500')).toBe(2500);
    expect(largestAmount('It cost 300 dollars')).toBe(300);
    expect(largestAmount('It cost 90 usd')).toBe(90);
  });

  it('keeps the cents: $1,200.50 is 1200.50', () => {
    expect(largestAmount('Please refund $1,200.50')).toBe(1200.5);
    expect(largestAmount('€80.5 and $19.99')).toBe(80.5);
  });

  it('returns the largest of several amounts', () => {
    expect(largestAmount('charged $80 then €1,200 and 300 EUR')).toBe(1200);
  });

  it('ignores numbers that are not money', () => {
    expect(largestAmount('no amounts here')).toBeUndefined();
    expect(largestAmount('order 123456 from 2024, 30 seats')).toBeUndefined();
  });
});

describe('escalationRule', () => {
  it('sends security incidents to the security team', () => {
    for (const text of [
      'I think my account was hacked',
      'Someone logged in from another country',
      'I see unauthorized charges and logins',
      "I can see another company's invoices in my workspace",
      'I found a vulnerability in your API',
    ]) {
      expect(escalationRule(text, LIMIT)).toEqual({ reason: 'possible security incident', team: 'security' });
    }
  });

  it('sends legal matters to the legal team', () => {
    for (const text of ['My lawyer will be in touch', 'We received a subpoena', 'This is a DMCA takedown notice', 'The account owner passed away']) {
      expect(escalationRule(text, LIMIT)).toEqual({ reason: 'legal matter', team: 'legal' });
    }
  });

  it('sends disputed or fraudulent payments to billing', () => {
    for (const text of ['I filed a chargeback with my bank', 'I dispute this charge', 'This payment is fraud']) {
      expect(escalationRule(text, LIMIT)).toEqual({ reason: 'disputed or fraudulent payment', team: 'billing' });
    }
  });

  it('sends refunds above the automatic limit to billing, naming amount and limit', () => {
    expect(escalationRule('Please refund the $1,200 annual charge', LIMIT)).toEqual({
      reason: 'refund request of 1200 above the automatic limit of 500',
      team: 'billing',
    });
    expect(escalationRule('I want my money back: 800 EUR', LIMIT)?.team).toBe('billing');
  });

  it('does not escalate refunds at or below the limit, or without an amount', () => {
    expect(escalationRule('Please refund the $80 charge', LIMIT)).toBeUndefined();
    expect(escalationRule('Please refund $500', LIMIT)).toBeUndefined();
    expect(escalationRule('Can I get a refund?', LIMIT)).toBeUndefined();
    // An amount above the limit without a refund request is no refund escalation.
    expect(escalationRule('My invoice says $1,200', LIMIT)).toBeUndefined();
  });

  it('compares the exact amount, cents included, with the limit', () => {
    expect(escalationRule('Please refund $500.50', LIMIT)?.team).toBe('billing');
  });

  it('uses the configured limit', () => {
    expect(escalationRule('Please refund the $80 charge', 50)?.team).toBe('billing');
    expect(escalationRule('Please refund the $1,200 charge', 5000)).toBeUndefined();
  });

  it('sends outages to on-call engineering', () => {
    for (const text of ['Is there an outage?', 'The app is down for everyone', 'Nobody in our team can log in', 'Production is down']) {
      expect(escalationRule(text, LIMIT)).toEqual({ reason: 'possible service outage affecting many users', team: 'on-call engineering' });
    }
  });

  it('checks security first, then legal, dispute, refund and outage', () => {
    expect(escalationRule('We were hacked and my lawyer wants a refund of $9,000', LIMIT)?.team).toBe('security');
    expect(escalationRule('My lawyer says to file a chargeback', LIMIT)?.team).toBe('legal');
    expect(escalationRule('Refund $900 or I dispute it', LIMIT)?.reason).toBe('disputed or fraudulent payment');
    expect(escalationRule('Outage all day, refund $900', LIMIT)?.reason).toMatch(/^refund request of 900/);
  });

  it('leaves ordinary inquiries alone', () => {
    for (const text of [
      'How do I reset my password?',
      'Can I change my plan to annual billing?',
      'The mobile app crashes when I open a project',
      'Is there a discount for nonprofits?',
    ]) {
      expect(escalationRule(text, LIMIT)).toBeUndefined();
    }
  });

  it('reads typographic apostrophes like straight ones', () => {
    expect(escalationRule('I can see another company’s invoices in my workspace', LIMIT)?.team).toBe('security');
    expect(escalationRule('Our whole team can’t log in', LIMIT)?.team).toBe('on-call engineering');
  });

  it('does not treat a workspace or IT administrator as a legal matter', () => {
    expect(escalationRule('I am the administrator of our workspace, how do I add seats?', LIMIT)).toBeUndefined();
    expect(escalationRule("Google says 'Parcelo has not been approved by your administrator'", LIMIT)).toBeUndefined();
  });
});

describe('escalationRule: names are not legal threats', () => {
  it('"Sue" the colleague is not a lawsuit, "we will sue" is', () => {
    expect(escalationRule('My colleague Sue cannot log in', 500)).toBeUndefined();
    expect(escalationRule('Fix this or we will sue you', 500)?.team).toBe('legal');
  });
});

describe('escalationRule: the customer already tried the steps', () => {
  it('escalates to support instead of sending the same steps again', () => {
    expect(escalationRule('I already reset my password twice and it still does not let me in', 500)).toMatchObject({ team: 'support' });
    expect(escalationRule('We have tried everything in your help article', 500)?.team).toBe('support');
    expect(escalationRule('How do I reset my password?', 500)).toBeUndefined();
  });
});

describe('largestAmount: more formats', () => {
  it('reads European and bare "refund N" amounts', () => {
    expect(largestAmount('Please refund €1.500,00')).toBe(1500);
    expect(largestAmount('I want a refund of 600')).toBe(600);
    expect(largestAmount('ticket 123456 about my order')).toBeUndefined();
  });
});

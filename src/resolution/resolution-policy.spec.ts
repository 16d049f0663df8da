import { requireRetrievedCitation, decideResolution, type ConsultedArticle, type ResolutionPolicyInput } from './resolution-policy.js';

const RESET: ConsultedArticle = {
  id: 'kb-0001',
  title: 'Reset your password',
  match: 1,
  matched_terms: 2,
  query_terms: 2,
  score: 42.5,
  content: 'Forgot your password? Set a new one.\n\nSteps:\n1. Click Forgot password?',
};
const LOCKED: ConsultedArticle = { id: 'kb-0003', title: 'Account locked', match: 0.6, matched_terms: 1, query_terms: 2, score: 9.1 };
const TWO_FA: ConsultedArticle = { id: 'kb-0002', title: 'Two-factor authentication', match: 0.3, matched_terms: 1, query_terms: 2, score: 3.3 };
const SSO: ConsultedArticle = { id: 'kb-0004', title: 'Single sign-on', match: 0.2, matched_terms: 1, query_terms: 2, score: 1.2 };

function input(over: Partial<ResolutionPolicyInput> = {}): ResolutionPolicyInput {
  return {
    inquiryText: 'I forgot my password and cannot reset it',
    category: 'technical',
    clarificationNeeded: false,
    articles: [RESET, LOCKED, TWO_FA, SSO],
    matchThreshold: 0.5,
    refundLimit: 500,
    ...over,
  };
}

describe('decideResolution', () => {
  it('escalates to the rule’s team when an escalation rule applies, whatever the articles say', () => {
    const d = decideResolution(input({ inquiryText: 'My account was hacked and I forgot my password' }));
    expect(d.ticket_status).toBe('escalated');
    expect(d.resolution_reply).toContain('our security team');
    expect(d.resolution_reply).toContain('Please do not send passwords');
    expect(d.resolution_notes).toBe('Escalated to security: possible security incident. Articles consulted: kb-0001, kb-0003, kb-0002, kb-0004.');
  });

  it('escalates refunds above the limit to billing, before asking for clarification', () => {
    const d = decideResolution(input({ inquiryText: 'refund $900', category: 'billing', clarificationNeeded: true, articles: [] }));
    expect(d.ticket_status).toBe('escalated');
    expect(d.resolution_reply).toContain('our billing team');
    expect(d.resolution_notes).toBe(
      'Escalated to billing: refund request of 900 above the automatic limit of 500. Articles consulted: none.',
    );
  });

  it('escalates outages to on-call engineering', () => {
    const d = decideResolution(input({ inquiryText: 'Outage: the app is down for everyone in the office' }));
    expect(d.ticket_status).toBe('escalated');
    expect(d.resolution_notes).toMatch(/^Escalated to on-call engineering: possible service outage/);
  });

  it('is pending further action when clarification is needed, asking per category', () => {
    const technical = decideResolution(input({ inquiryText: 'it does not work', clarificationNeeded: true }));
    expect(technical.ticket_status).toBe('pending further action');
    expect(technical.resolution_reply).toContain('exact error message');
    expect(technical.resolution_notes).toBe(
      'Waiting for the customer: the inquiry was too vague to act on. Articles consulted: kb-0001, kb-0003, kb-0002, kb-0004.',
    );
    const billing = decideResolution(input({ inquiryText: 'wrong', category: 'billing', clarificationNeeded: true, articles: [] }));
    expect(billing.ticket_status).toBe('pending further action');
    expect(billing.resolution_reply).toContain('invoice number');
    expect(billing.resolution_notes).toMatch(/Articles consulted: none\.$/);
    const other = decideResolution(input({ inquiryText: 'hello?', category: 'general', clarificationNeeded: true }));
    expect(other.resolution_reply).toContain('what you were trying to do');
  });

  it('escalates when the best match is below the threshold', () => {
    const d = decideResolution(input({ articles: [LOCKED, TWO_FA], matchThreshold: 0.7 }));
    expect(d.ticket_status).toBe('escalated');
    expect(d.resolution_reply).toContain('support team');
    expect(d.resolution_notes).toContain('no knowledge-base article fits well enough');
    expect(d.resolution_notes).toContain('kb-0003');
    expect(d.resolution_notes).toContain('match 0.6');
    expect(d.resolution_notes).toContain('0.7');
    expect(d.resolution_notes).toMatch(/Articles consulted: kb-0003, kb-0002\.$/);
  });

  it('escalates when the best article shares only one of several query terms', () => {
    const d = decideResolution(input({ articles: [{ ...RESET, matched_terms: 1, query_terms: 3 }] }));
    expect(d.ticket_status).toBe('escalated');
    expect(d.resolution_notes).toContain('1 of 3 query terms');
    // A one-term query only needs that term.
    expect(decideResolution(input({ articles: [{ ...RESET, matched_terms: 1, query_terms: 1 }] })).ticket_status).toBe('resolved');
  });

  it('escalates when there is no article, or the best one has no content', () => {
    const none = decideResolution(input({ articles: [] }));
    expect(none.ticket_status).toBe('escalated');
    expect(none.resolution_notes).toBe('Escalated: the knowledge base has no article for this inquiry.');
    const empty = decideResolution(input({ articles: [{ ...RESET, content: undefined }] }));
    expect(empty.ticket_status).toBe('escalated');
    expect(empty.resolution_notes).toContain('kb-0001');
  });

  it('resolves with the best article, citing its id and title in the reply and the notes', () => {
    const d = decideResolution(input());
    expect(d.ticket_status).toBe('resolved');
    expect(d.resolution_reply).toContain('"Reset your password" (kb-0001)');
    expect(d.resolution_reply).toContain(RESET.content);
    expect(d.resolution_reply).toMatch(/just reply to this message/);
    expect(d.resolution_notes).toBe('Used KB article kb-0001 (match 1, score 42.5). Also relevant: kb-0003, kb-0002.');
  });

  it('resolves at exactly the threshold and lists no other articles when there are none', () => {
    const d = decideResolution(input({ articles: [{ ...RESET, match: 0.5 }], matchThreshold: 0.5 }));
    expect(d.ticket_status).toBe('resolved');
    expect(d.resolution_notes).toBe('Used KB article kb-0001 (match 0.5, score 42.5).');
  });

  it('is deterministic', () => {
    expect(decideResolution(input())).toEqual(decideResolution(input()));
  });
});

describe('requireRetrievedCitation', () => {
  const resolved = { ticket_status: 'resolved' as const, resolution_reply: 'See "Reset your password" (kb-0001).', resolution_notes: 'Used KB article kb-0001.' };

  it('keeps a resolved answer that cites a retrieved article', () => {
    expect(requireRetrievedCitation(resolved, new Set(['kb-0001', 'kb-0003']))).toBe(resolved);
  });

  it('withholds a resolved answer citing nothing retrieved, or when the lookup failed', () => {
    const notRetrieved = requireRetrievedCitation(resolved, new Set(['kb-0003']));
    expect(notRetrieved.ticket_status).toBe('escalated');
    expect(notRetrieved.resolution_notes).toMatch(/withheld.*retrieved: kb-0003/);
    const failed = requireRetrievedCitation(resolved, new Set());
    expect(failed).toMatchObject({ ticket_status: 'escalated', resolution_notes: expect.stringMatching(/lookup returned nothing or failed/) });
  });

  it('leaves escalations and questions alone', () => {
    const escalated = { ...resolved, ticket_status: 'escalated' as const };
    expect(requireRetrievedCitation(escalated, new Set())).toBe(escalated);
  });
});

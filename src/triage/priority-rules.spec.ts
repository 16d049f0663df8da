import { applyPriorityRules, prioritySignals, type PrioritySignals } from './priority-rules.js';

const NONE: PrioritySignals = { critical: false, urgent: false, calm: false, importantCustomer: false, angry: false, blocked: false };
const signals = (s: Partial<PrioritySignals>): PrioritySignals => ({ ...NONE, ...s });

const CRITICAL_REASON = 'outage, security, data-loss or legal-threat cue';
const CALM_REASON = 'customer says it is not urgent';
const BLOCKED_REASON = 'customer cannot use the product';
const IMPORTANT_REASON = 'important customer who is blocked, in a hurry or upset';
const ANGRY_REASON = 'frustrated customer';

describe('applyPriorityRules', () => {
  it('keeps the model priority without signals', () => {
    for (const p of ['Low', 'Medium', 'High'] as const) expect(applyPriorityRules(p, NONE)).toEqual({ priority: p, reasons: [] });
  });

  it('critical cue → High', () => {
    expect(applyPriorityRules('Low', signals({ critical: true }))).toEqual({ priority: 'High', reasons: [CRITICAL_REASON] });
    expect(applyPriorityRules('Medium', signals({ critical: true }))).toEqual({ priority: 'High', reasons: [CRITICAL_REASON] });
    expect(applyPriorityRules('High', signals({ critical: true }))).toEqual({ priority: 'High', reasons: [] });
  });

  it('critical wins over calm', () => {
    expect(applyPriorityRules('Medium', signals({ critical: true, calm: true }))).toEqual({ priority: 'High', reasons: [CRITICAL_REASON] });
  });

  it('calm downgrades one step, unless urgent, and never below Low', () => {
    expect(applyPriorityRules('High', signals({ calm: true }))).toEqual({ priority: 'Medium', reasons: [CALM_REASON] });
    expect(applyPriorityRules('Medium', signals({ calm: true }))).toEqual({ priority: 'Low', reasons: [CALM_REASON] });
    expect(applyPriorityRules('Low', signals({ calm: true }))).toEqual({ priority: 'Low', reasons: [] });
    expect(applyPriorityRules('Medium', signals({ calm: true, urgent: true }))).toEqual({ priority: 'Medium', reasons: [] });
  });

  it('blocked customer at Low → Medium; Medium and High are kept', () => {
    expect(applyPriorityRules('Low', signals({ blocked: true }))).toEqual({ priority: 'Medium', reasons: [BLOCKED_REASON] });
    expect(applyPriorityRules('Medium', signals({ blocked: true }))).toEqual({ priority: 'Medium', reasons: [] });
    expect(applyPriorityRules('High', signals({ blocked: true }))).toEqual({ priority: 'High', reasons: [] });
  });

  it('blocked applies after a calm downgrade', () => {
    expect(applyPriorityRules('Medium', signals({ calm: true, blocked: true }))).toEqual({
      priority: 'Medium',
      reasons: [CALM_REASON, BLOCKED_REASON],
    });
  });

  it('important customer who is blocked, urgent or angry is upgraded one step', () => {
    expect(applyPriorityRules('Medium', signals({ importantCustomer: true, urgent: true }))).toEqual({
      priority: 'High',
      reasons: [IMPORTANT_REASON],
    });
    expect(applyPriorityRules('Low', signals({ importantCustomer: true, angry: true }))).toEqual({
      priority: 'Medium',
      reasons: [IMPORTANT_REASON],
    });
    // Blocked first lifts Low to Medium, then the important customer to High.
    expect(applyPriorityRules('Low', signals({ importantCustomer: true, blocked: true }))).toEqual({
      priority: 'High',
      reasons: [BLOCKED_REASON, IMPORTANT_REASON],
    });
    expect(applyPriorityRules('High', signals({ importantCustomer: true, urgent: true }))).toEqual({ priority: 'High', reasons: [] });
  });

  it('an important customer alone does not change the priority', () => {
    expect(applyPriorityRules('Low', signals({ importantCustomer: true }))).toEqual({ priority: 'Low', reasons: [] });
    expect(applyPriorityRules('Medium', signals({ importantCustomer: true, calm: true }))).toEqual({
      priority: 'Low',
      reasons: [CALM_REASON],
    });
  });

  it('angry customer at Low → Medium, unless calm; other levels are kept', () => {
    expect(applyPriorityRules('Low', signals({ angry: true }))).toEqual({ priority: 'Medium', reasons: [ANGRY_REASON] });
    expect(applyPriorityRules('Medium', signals({ angry: true }))).toEqual({ priority: 'Medium', reasons: [] });
    expect(applyPriorityRules('Low', signals({ angry: true, calm: true }))).toEqual({ priority: 'Low', reasons: [] });
  });
});

describe('prioritySignals', () => {
  it('detects outage, security and data-loss cues as critical', () => {
    for (const text of [
      'There is an outage, nothing loads',
      'Production is down since 9am',
      'Nobody can log in at our company',
      'I think my account was hacked',
      'We lost all our files',
      'The workspace is read-only',
    ]) {
      expect(prioritySignals(text).critical).toBe(true);
    }
    expect(prioritySignals('How do I change my avatar?').critical).toBe(false);
  });

  it('detects a blocked customer', () => {
    for (const text of ["I can't log in", 'I cannot sign in since this morning', 'I am locked out of my account', 'Access denied when I open the app']) {
      expect(prioritySignals(text).blocked).toBe(true);
    }
    expect(prioritySignals('I can log in but the page is slow').blocked).toBe(false);
  });

  it('treats a typographic apostrophe like a straight one (chat and mobile keyboards)', () => {
    expect(prioritySignals('I can’t log in').blocked).toBe(true);
    expect(prioritySignals('I can’t work like this').urgent).toBe(true);
  });

  it('detects urgency and calm', () => {
    expect(prioritySignals('Please fix this ASAP, we have a deadline').urgent).toBe(true);
    expect(prioritySignals('No rush, just curious how exports work').calm).toBe(true);
    expect(prioritySignals('Feature request: dark mode would be nice').calm).toBe(true);
    expect(prioritySignals('How do exports work?')).toMatchObject({ urgent: false, calm: false });
  });

  it('reads the customer tier from the customer history only', () => {
    expect(prioritySignals('help', 'VIP, 3 prior tickets').importantCustomer).toBe(true);
    expect(prioritySignals('help', 'Enterprise plan').importantCustomer).toBe(true);
    expect(prioritySignals('help', 'Free plan, first contact').importantCustomer).toBe(false);
    expect(prioritySignals('I am a VIP customer').importantCustomer).toBe(false);
  });

  it('detects anger from words, repeated exclamation marks and shouting', () => {
    expect(prioritySignals('This is unacceptable').angry).toBe(true);
    expect(prioritySignals('Why is it broken!!').angry).toBe(true);
    expect(prioritySignals('WHY IS MY INVOICE STILL WRONG AFTER A WEEK').angry).toBe(true);
    expect(prioritySignals('OK').angry).toBe(false);
    expect(prioritySignals('How do I export my tasks to CSV?').angry).toBe(false);
  });

  it('counts "again!" as anger', () => {
    expect(prioritySignals('The sync failed again!').angry).toBe(true);
    expect(prioritySignals('The sync failed again?!').angry).toBe(true);
  });
});

describe('applyPriorityRules: explicit urgency', () => {
  it('an urgent request is never Low', () => {
    const s = prioritySignals('URGENT: how do I remove a guest from our project?');
    expect(s.urgent).toBe(true);
    expect(applyPriorityRules('Low', s)).toEqual({ priority: 'Medium', reasons: ['customer says it is urgent'] });
  });
});

describe('prioritySignals: false alarms', () => {
  it('"no idea" and "whenever I click" are not calm; "not a VIP" is not important', () => {
    expect(prioritySignals('Payment failed and I have no idea why. We need this fixed today.').calm).toBe(false);
    expect(prioritySignals('Whenever I click Save, the app crashes').calm).toBe(false);
    expect(prioritySignals('x', 'Not a VIP, free plan').importantCustomer).toBe(false);
    expect(prioritySignals('x', 'non-enterprise account').importantCustomer).toBe(false);
    expect(prioritySignals('x', 'Enterprise plan, 14 prior tickets').importantCustomer).toBe(true);
  });
});

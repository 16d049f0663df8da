import { DEFAULT_POLICY_SET, matchPolicy, PolicySetSchema, type PolicySet } from './sla-policy.js';

const errorsOf = (input: unknown) => {
  const r = PolicySetSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('policy set validation', () => {
  it('accepts minutes and durations, and fills defaults', () => {
    const set = PolicySetSchema.parse({ policies: [{ id: 'a', targets: { first_reply_time: '90m', resolution_time: '1.5h', next_reply_time: 30 } }] });
    expect(set.policies[0]).toEqual({ id: 'a', match: {}, targets: { first_reply_time: 90, resolution_time: 90, next_reply_time: 30 }, actions: [] });
    expect(set.calendars).toEqual([]);
  });

  it('names every bad field', () => {
    expect(errorsOf({ policies: [] })).toEqual(['policies: at least one policy is needed']);
    expect(errorsOf({ policies: [{ id: 'A b', targets: {} }] })).toEqual(['policies.0.id: lowercase letters, digits, _ and -, at most 64', 'policies.0.targets: at least one target is needed']);
    expect(errorsOf({ policies: [{ id: 'a', targets: { first_reply_time: 0 } }] })[0]).toMatch(/^policies\.0\.targets\.first_reply_time: /);
    expect(errorsOf({ policies: [{ id: 'a', targets: { first_reply_time: '2d' } }] })[0]).toMatch(/^policies\.0\.targets\.first_reply_time: a number of minutes/);
    expect(errorsOf({ policies: [{ id: 'a', targets: { reply: 5 } }] })[0]).toMatch(/^policies\.0\.targets: /);
    expect(errorsOf({ policies: [{ id: 'a', match: { priority: ['Urgent'] }, targets: { first_reply_time: 5 } }] })[0]).toMatch(/^policies\.0\.match\.priority\.0: /);
  });

  it('checks calendars: time zone, intervals, holidays, references', () => {
    const cal = (over: object) => ({ id: 'office', time_zone: 'Europe/Berlin', hours: { mon: [{ start: '09:00', end: '17:00' }] }, ...over });
    const policies = [{ id: 'a', business_hours: 'office', targets: { first_reply_time: 60 } }];
    expect(errorsOf({ calendars: [cal({})], policies })).toEqual([]);
    expect(errorsOf({ calendars: [cal({ time_zone: 'Berlin' })], policies })[0]).toMatch(/^calendars\.0\.time_zone: must be an IANA time zone/);
    expect(errorsOf({ calendars: [cal({ hours: { mon: [{ start: '17:00', end: '09:00' }] } })], policies })).toEqual(['calendars.0.hours.mon.0.end: end must be after start']);
    expect(errorsOf({ calendars: [cal({ hours: { mon: [{ start: '9:00', end: '25:00' }] } })], policies })).toHaveLength(2);
    expect(errorsOf({ calendars: [cal({ hours: {} })], policies })[0]).toMatch(/^calendars\.0\.hours: at least one working interval/);
    expect(errorsOf({ calendars: [cal({ holidays: ['25.12.2026'] })], policies })[0]).toMatch(/^calendars\.0\.holidays\.0/);
    expect(errorsOf({ calendars: [cal({}), cal({})], policies })).toEqual(['calendars.1.id: duplicate calendar id "office"']);
    expect(errorsOf({ policies })).toEqual(['policies.0.business_hours: unknown calendar "office"; known: none (add one under calendars)']);
  });

  it('an action needs a target for its metric', () => {
    expect(errorsOf({ policies: [{ id: 'a', targets: { first_reply_time: 60 }, actions: [{ metric: 'resolution_time', before: 10, action: 'escalate' }] }] })).toEqual([
      'policies.0.actions.0.metric: the policy has no resolution_time target',
    ]);
  });

  it('refuses unknown keys anywhere (a typo must not be silently ignored)', () => {
    expect(errorsOf({ policies: [{ id: 'a', targets: { first_reply_time: 60 }, buisness_hours: 'x' }] })[0]).toMatch(/^policies\.0: /);
    expect(errorsOf({ polices: [] }).length).toBeGreaterThan(0);
  });
});

describe('matchPolicy', () => {
  const set: PolicySet = PolicySetSchema.parse({
    policies: [
      { id: 'vip-email', match: { priority: ['High'], channel: ['email'] }, targets: { first_reply_time: 30 } },
      { id: 'billing', match: { category: ['billing'] }, targets: { first_reply_time: 60 } },
      { id: 'rest', targets: { first_reply_time: 240 } },
    ],
  });
  const subject = (priority: string | null, category: string | null, channel: string | null) => ({ priority, category, channel });

  it('takes the first policy whose conditions all hold', () => {
    expect(matchPolicy(set, subject('High', 'billing', 'email'))?.id).toBe('vip-email');
    expect(matchPolicy(set, subject('High', 'billing', 'chat'))?.id).toBe('billing');
    expect(matchPolicy(set, subject('Low', null, null))?.id).toBe('rest');
  });

  it('holds an untriaged ticket to the Medium policy', () => {
    expect(matchPolicy(DEFAULT_POLICY_SET, subject(null, null, null))?.id).toBe('medium');
    expect(matchPolicy(DEFAULT_POLICY_SET, subject('Critical', null, null))?.id).toBe('medium');
  });

  it('matches no policy when none applies (no clocks)', () => {
    const narrow = PolicySetSchema.parse({ policies: [{ id: 'h', match: { priority: ['High'] }, targets: { first_reply_time: 5 } }] });
    expect(matchPolicy(narrow, subject('Low', null, null))).toBeUndefined();
  });
});

import { METRIC_NAMES, type Metric } from './metrics.js';
import { BREACH_DIRECTION, RESOLUTION_TARGET_KEYS, SLA_TARGET_KEYS, findBreaches, resolutionTargets, slaTargetErrors } from './sla.js';

describe('findBreaches', () => {
  it('time metrics breach when above their target', () => {
    const metrics: Metric[] = [
      { metric_name: 'avg_first_response_time', value: 1.5 },
      { metric_name: 'avg_resolution_time', value: 30 },
      { metric_name: 'p90_resolution_time', value: 47.9 },
    ];
    expect(findBreaches(metrics, { avg_first_response_time: 1, avg_resolution_time: 24, p90_resolution_time: 48 })).toEqual([
      { metric_name: 'avg_first_response_time', value: 1.5, target: 1, direction: 'above' }, // 1.5 > 1
      { metric_name: 'avg_resolution_time', value: 30, target: 24, direction: 'above' }, // 30 > 24
      // p90 47.9 < 48: lower is better, no breach
    ]);
  });

  it('sla_compliance and customer_satisfaction breach when below their target', () => {
    const metrics: Metric[] = [
      { metric_name: 'sla_compliance', value: 0.9 },
      { metric_name: 'customer_satisfaction', value: 3.9 },
    ];
    expect(findBreaches(metrics, { sla_compliance: 0.95, customer_satisfaction: 4 })).toEqual([
      { metric_name: 'sla_compliance', value: 0.9, target: 0.95, direction: 'below' }, // 0.9 < 0.95
      { metric_name: 'customer_satisfaction', value: 3.9, target: 4, direction: 'below' }, // 3.9 < 4
    ]);
    // above the target is good for these two
    expect(
      findBreaches(
        [
          { metric_name: 'sla_compliance', value: 0.99 },
          { metric_name: 'customer_satisfaction', value: 4.8 },
        ],
        { sla_compliance: 0.95, customer_satisfaction: 4 },
      ),
    ).toEqual([]);
  });

  it('a value equal to its target is not a breach, in either direction', () => {
    const metrics: Metric[] = [
      { metric_name: 'avg_resolution_time', value: 24 },
      { metric_name: 'p90_resolution_time', value: 48 },
      { metric_name: 'avg_first_response_time', value: 1 },
      { metric_name: 'sla_compliance', value: 0.95 },
      { metric_name: 'customer_satisfaction', value: 4 },
      { metric_name: 'reopen_rate', value: 0.1 },
      { metric_name: 'backlog', value: 0 },
    ];
    expect(
      findBreaches(metrics, {
        avg_resolution_time: 24,
        p90_resolution_time: 48,
        avg_first_response_time: 1,
        sla_compliance: 0.95,
        customer_satisfaction: 4,
        reopen_rate: 0.1,
        backlog: 0,
      }),
    ).toEqual([]);
  });

  it('a metric without data (omitted) never breaches, even with a target that any value would breach', () => {
    // no ticket resolved → no avg_resolution_time / sla_compliance; no csat → no customer_satisfaction
    const metrics: Metric[] = [
      { metric_name: 'tickets_total', value: 2 },
      { metric_name: 'tickets_resolved', value: 0 },
      { metric_name: 'backlog', value: 2 },
    ];
    expect(findBreaches(metrics, { avg_resolution_time: 0, sla_compliance: 1, customer_satisfaction: 5, reopen_rate: 0 })).toEqual([]);
  });

  it('metrics without a target never breach; no targets → no breaches', () => {
    const metrics: Metric[] = [
      { metric_name: 'avg_resolution_time', value: 1000 },
      { metric_name: 'sla_compliance', value: 0 },
    ];
    expect(findBreaches(metrics, {})).toEqual([]);
    expect(findBreaches(metrics, { customer_satisfaction: 4 })).toEqual([]);
  });

  it('per-priority resolution targets are not metrics and produce no breach on their own', () => {
    const metrics: Metric[] = [{ metric_name: 'avg_resolution_time', value: 100 }];
    expect(findBreaches(metrics, { resolution_time_high: 1, resolution_time_medium: 1, resolution_time_low: 1 })).toEqual([]);
  });

  it('volume and reopen metrics follow their directions (backlog, reopen_rate above; tickets_resolved below)', () => {
    const metrics: Metric[] = [
      { metric_name: 'tickets_resolved', value: 3 },
      { metric_name: 'backlog', value: 1 },
      { metric_name: 'reopen_rate', value: 0.25 },
    ];
    expect(findBreaches(metrics, { tickets_resolved: 5, backlog: 0, reopen_rate: 0.2 })).toEqual([
      { metric_name: 'tickets_resolved', value: 3, target: 5, direction: 'below' }, // 3 < 5
      { metric_name: 'backlog', value: 1, target: 0, direction: 'above' }, // 1 > 0
      { metric_name: 'reopen_rate', value: 0.25, target: 0.2, direction: 'above' }, // 0.25 > 0.2
    ]);
  });

  it('every metric has a direction: times, counts of open work and reopen_rate above; compliance and satisfaction below', () => {
    expect(Object.keys(BREACH_DIRECTION).sort()).toEqual([...METRIC_NAMES].sort());
    expect(BREACH_DIRECTION.avg_first_response_time).toBe('above');
    expect(BREACH_DIRECTION.avg_resolution_time).toBe('above');
    expect(BREACH_DIRECTION.p90_resolution_time).toBe('above');
    expect(BREACH_DIRECTION.backlog).toBe('above');
    expect(BREACH_DIRECTION.reopen_rate).toBe('above');
    expect(BREACH_DIRECTION.sla_compliance).toBe('below');
    expect(BREACH_DIRECTION.customer_satisfaction).toBe('below');
  });

  it('lists breaches in the order of the metrics given', () => {
    const metrics: Metric[] = [
      { metric_name: 'customer_satisfaction', value: 2 },
      { metric_name: 'avg_resolution_time', value: 30 },
    ];
    expect(findBreaches(metrics, { avg_resolution_time: 24, customer_satisfaction: 4 }).map((b) => b.metric_name)).toEqual([
      'customer_satisfaction',
      'avg_resolution_time',
    ]);
  });
});

describe('resolutionTargets', () => {
  it('defaults to High 4, Medium 24, Low 72 hours', () => {
    expect(resolutionTargets({})).toEqual({ High: 4, Medium: 24, Low: 72 });
  });

  it('takes resolution_time_high|medium|low, each independently', () => {
    expect(resolutionTargets({ resolution_time_high: 2 })).toEqual({ High: 2, Medium: 24, Low: 72 });
    expect(resolutionTargets({ resolution_time_medium: 8, resolution_time_low: 0 })).toEqual({ High: 4, Medium: 8, Low: 0 });
  });
});

describe('slaTargetErrors', () => {
  it('accepts no targets, empty targets and every known key with a valid value', () => {
    expect(slaTargetErrors(undefined)).toEqual([]);
    expect(slaTargetErrors({})).toEqual([]);
    expect(
      slaTargetErrors({
        tickets_total: 100,
        tickets_resolved: 10,
        backlog: 5,
        avg_first_response_time: 1,
        avg_resolution_time: 24,
        p90_resolution_time: 1000, // times have no upper bound
        sla_compliance: 0.95,
        reopen_rate: 0.1,
        customer_satisfaction: 4,
        resolution_time_high: 4,
        resolution_time_medium: 24,
        resolution_time_low: 0, // 0 is allowed
      }),
    ).toEqual([]);
  });

  it('the known keys are the metric names and the three per-priority resolution targets', () => {
    expect([...SLA_TARGET_KEYS].sort()).toEqual([...METRIC_NAMES, ...RESOLUTION_TARGET_KEYS].sort());
    expect(RESOLUTION_TARGET_KEYS).toEqual(['resolution_time_high', 'resolution_time_medium', 'resolution_time_low']);
  });

  it('an unknown key is an error at sla_targets.<key> that lists every known key', () => {
    const errors = slaTargetErrors({ avg_resolution: 24, sla_compliance: 0.9 });
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('sla_targets.avg_resolution');
    expect(errors[0]!.message).toMatch(/^unknown target; known targets: /);
    for (const key of SLA_TARGET_KEYS) expect(errors[0]!.message).toContain(key);
  });

  it('inherited property names are unknown keys too', () => {
    expect(slaTargetErrors({ toString: 1 }).map((e) => e.path)).toEqual(['sla_targets.toString']);
  });

  it.each([
    ['a negative number', -1],
    ['a string', '24'],
    ['null', null],
    ['a boolean', true],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an object', { hours: 24 }],
  ])('%s is not a valid target value', (_label, value) => {
    expect(slaTargetErrors({ avg_resolution_time: value })).toEqual([
      { path: 'sla_targets.avg_resolution_time', message: 'must be a finite number ≥ 0' },
    ]);
  });

  it('negative per-priority resolution targets are errors', () => {
    expect(slaTargetErrors({ resolution_time_low: -0.5 })).toEqual([
      { path: 'sla_targets.resolution_time_low', message: 'must be a finite number ≥ 0' },
    ]);
  });

  it('sla_compliance and reopen_rate are fractions in [0, 1]', () => {
    expect(slaTargetErrors({ sla_compliance: 0, reopen_rate: 1 })).toEqual([]);
    expect(slaTargetErrors({ sla_compliance: 1, reopen_rate: 0 })).toEqual([]);
    expect(slaTargetErrors({ sla_compliance: 95, reopen_rate: 1.01 })).toEqual([
      { path: 'sla_targets.sla_compliance', message: 'is a fraction: must be between 0 and 1' },
      { path: 'sla_targets.reopen_rate', message: 'is a fraction: must be between 0 and 1' },
    ]);
    // below 0 is caught by the general rule
    expect(slaTargetErrors({ sla_compliance: -0.1 })).toEqual([{ path: 'sla_targets.sla_compliance', message: 'must be a finite number ≥ 0' }]);
  });

  it('customer_satisfaction is on the 1-5 scale', () => {
    expect(slaTargetErrors({ customer_satisfaction: 1 })).toEqual([]);
    expect(slaTargetErrors({ customer_satisfaction: 5 })).toEqual([]);
    expect(slaTargetErrors({ customer_satisfaction: 0.5 })).toEqual([{ path: 'sla_targets.customer_satisfaction', message: 'must be between 1 and 5' }]);
    expect(slaTargetErrors({ customer_satisfaction: 5.5 })).toEqual([{ path: 'sla_targets.customer_satisfaction', message: 'must be between 1 and 5' }]);
  });

  it('other metrics have no upper bound and no fraction rule', () => {
    expect(slaTargetErrors({ backlog: 5000, tickets_total: 2, avg_first_response_time: 1.5 })).toEqual([]);
  });

  it('reports every bad key, in the order given', () => {
    expect(slaTargetErrors({ nope: 1, sla_compliance: 2, backlog: -3 }).map((e) => e.path)).toEqual([
      'sla_targets.nope',
      'sla_targets.sla_compliance',
      'sla_targets.backlog',
    ]);
  });

  it.each([
    ['null', null],
    ['an array', [{ avg_resolution_time: 24 }]],
    ['a number', 24],
    ['a string', 'avg_resolution_time=24'],
  ])('sla_targets that is %s is one error at sla_targets', (_label, targets) => {
    expect(slaTargetErrors(targets)).toEqual([{ path: 'sla_targets', message: 'must be an object of metric name → target number' }]);
  });
});

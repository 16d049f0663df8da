import fc from 'fast-check';
import type { AlertOutcome } from './alert.sender.js';
import { METRIC_NAMES, type Metric, type MetricName } from './metrics.js';
import { renderReport } from './report.js';
import { describeFacts, extractNumbers, isBacked, reportFacts, unbackedNumbers, type Fact, type ReportNumber } from './report-numbers.js';
import { findBreaches, type SlaTargets } from './sla.js';

/** [text, value, unit] of every number found. */
const found = (md: string) => extractNumbers(md).map((n) => [n.text, n.value, n.unit] as const);
const texts = (ns: ReportNumber[]) => ns.map((n) => n.text);

const METRICS: Metric[] = [
  { metric_name: 'tickets_total', value: 4 },
  { metric_name: 'tickets_resolved', value: 3 },
  { metric_name: 'backlog', value: 1 },
  { metric_name: 'avg_first_response_time', value: 0.75 },
  { metric_name: 'avg_resolution_time', value: 6.5 },
  { metric_name: 'p90_resolution_time', value: 11.2 },
  { metric_name: 'sla_compliance', value: 0.8333 },
  { metric_name: 'reopen_rate', value: 0.3333 },
  { metric_name: 'customer_satisfaction', value: 4.25 },
];
// A compliance target of 0.9: the gap (6.67 points) must not back the invented "12%" below.
const TARGETS: SlaTargets = { avg_resolution_time: 4, sla_compliance: 0.9 };
const BREACHES = findBreaches(METRICS, TARGETS);
const DELIVERED: AlertOutcome = { delivered: true, detail: 'delivered to the alert webhook (HTTP 200)' };
const FACTS = reportFacts({ metrics: METRICS, breaches: BREACHES, targets: TARGETS, ticketUpdates: 11, alert: DELIVERED });

const unbacked = (md: string, facts: Fact[] = FACTS) => texts(unbackedNumbers(md, facts));

describe('extractNumbers', () => {
  it('integers, decimals, leading points, thousands separators, exponents', () => {
    expect(found('4 tickets, 0.75 and .5, 4,000 and 1,234,567.5; 2e3')).toEqual([
      ['4', 4, 'none'],
      ['0.75', 0.75, 'none'],
      ['.5', 0.5, 'none'],
      ['4,000', 4000, 'none'],
      ['1,234,567.5', 1234567.5, 'none'],
      ['2e3', 2000, 'none'],
    ]);
  });

  it('percentages in every spelling', () => {
    expect(found('83.3%, 83 %, 12 percent, 5 per cent, 3 pct, 28.3 percentage points, 4pp')).toEqual([
      ['83.3%', 83.3, 'percent'],
      ['83 %', 83, 'percent'],
      ['12 percent', 12, 'percent'],
      ['5 per cent', 5, 'percent'],
      ['3 pct', 3, 'percent'],
      ['28.3 percentage points', 28.3, 'percent'],
      ['4pp', 4, 'percent'],
    ]);
  });

  it('negative numbers (hyphen or minus sign) and explicit plus; a hyphen inside a word or range is no sign', () => {
    expect(found('change -2.5 h, (−12%), +3, T-1, 2-3 days')).toEqual([
      ['-2.5 h', -2.5, 'hours'],
      ['−12%', -12, 'percent'],
      ['+3', 3, 'none'],
      ['1', 1, 'none'],
      ['2', 2, 'none'],
      ['3 days', 3, 'days'],
    ]);
  });

  it('numbers glued to units, or a space before them', () => {
    expect(found('4h, 3.5 h, 2 hours, 1 hr, 45 min, 30m, 3 days, 2d, 90 seconds, 4k, 4.2k, 2 thousand, 1.5M')).toEqual([
      ['4h', 4, 'hours'],
      ['3.5 h', 3.5, 'hours'],
      ['2 hours', 2, 'hours'],
      ['1 hr', 1, 'hours'],
      ['45 min', 45, 'minutes'],
      ['30m', 30, 'minutes'],
      ['3 days', 3, 'days'],
      ['2d', 2, 'days'],
      ['90 seconds', 90, 'seconds'],
      ['4k', 4000, 'none'],
      ['4.2k', 4200, 'none'],
      ['2 thousand', 2000, 'none'],
      ['1.5M', 1500000, 'none'],
    ]);
    // "4.2k" is rounded to hundreds: decimals -2.
    expect(extractNumbers('4.2k')[0]!.decimals).toBe(-2);
  });

  it('hours and minutes written together are one duration in minutes', () => {
    expect(found('6 h 30 min, 6h30m, 6h30, 1 hour 5 minutes')).toEqual([
      ['6 h 30 min', 390, 'minutes'],
      ['6h30m', 390, 'minutes'],
      ['6h30', 390, 'minutes'],
      ['1 hour 5 minutes', 65, 'minutes'],
    ]);
    // A count after an hour figure stays a count.
    expect(found('6 h 30 tickets')).toEqual([
      ['6 h', 6, 'hours'],
      ['30', 30, 'none'],
    ]);
  });

  it('unit words only as whole words ("4 High" is no hours)', () => {
    expect(found('4 High, 2 minor, 3 dozen')).toEqual([
      ['4', 4, 'none'],
      ['2', 2, 'none'],
      ['3', 3, 'none'],
    ]);
  });

  it('spelled-out numbers, with units; a lone "one" is a pronoun', () => {
    expect(found('Two tickets; twelve percent; twenty-five; two hundred; one hundred; one of the targets; no one')).toEqual([
      ['Two', 2, 'none'],
      ['twelve percent', 12, 'percent'],
      ['twenty-five', 25, 'none'],
      ['two hundred', 200, 'none'],
      ['one hundred', 100, 'none'],
    ]);
    expect(found('one percent, one hour')).toEqual([
      ['one percent', 1, 'percent'],
      ['one hour', 1, 'hours'],
    ]);
    expect(found('five twenty')).toEqual([
      ['five', 5, 'none'],
      ['twenty', 20, 'none'],
    ]);
    expect(found('often, tenth, weight, nineties')).toEqual([]);
  });

  it('gives offsets into the report', () => {
    const md = '## Support\n\n| Resolved within SLA | **83.3%** |\nBacklog: 4,000 (−2.5 h)';
    for (const n of extractNumbers(md)) expect(md.slice(n.offset, n.offset + n.text.length)).toBe(n.text);
    expect(extractNumbers(md).map((n) => n.offset)).toEqual([md.indexOf('83.3%'), md.indexOf('4,000'), md.indexOf('−2.5 h')]);
  });

  describe('what is not a number', () => {
    it('ordered-list markers at line start (also indented or quoted), but not a "1." inside a sentence', () => {
      expect(found('1. Backlog\n  2) Reopens\n> 3. quoted\n10. tenth item')).toEqual([]);
      expect(found('we had 7. Then')).toEqual([['7', 7, 'none']]);
    });

    it('heading levels and heading numbering, not a number in the heading text', () => {
      expect(found('# Report\n## 2. Breaches\n### 2.1 Details\n<h2>x</h2>')).toEqual([]);
      expect(found('## 3 breaches')).toEqual([['3', 3, 'none']]);
    });

    it('table separators and alignment rows', () => {
      expect(found('| Metric | Value |\n|---|:---:|\n|:--|--:|')).toEqual([]);
    });

    it('metric names with digits; p90 and "90th percentile" are percentile ranks', () => {
      expect(found('p90_resolution_time, avg_resolution_time, ALERT_WEBHOOK_URL, h2, P1 tickets')).toEqual([]);
      expect(extractNumbers('p90 is 11.2 h; the 90th percentile; P95').map((n) => [n.text, n.kind])).toEqual([
        ['p90', 'percentile'],
        ['11.2 h', 'number'],
        ['90th', 'percentile'],
        ['P95', 'percentile'],
      ]);
    });

    it('the CSAT scale: "(1-5)", "1-5 scale", "1 to 5 scale", "out of 5", "/5"', () => {
      expect(found('Customer satisfaction (1-5): 4.25 out of 5, 4.25/5, on a 1-5 scale, a 1 to 5 scale, (1–5)')).toEqual([
        ['4.25', 4.25, 'none'],
        ['4.25', 4.25, 'none'],
      ]);
    });

    it('ordinals, URLs, footnotes, HTML character references', () => {
      expect(found('the 3rd and 2nd breach; see https://example.com/reports/2026/12 [^1] &#8209;')).toEqual([]);
    });
  });

  it('dates and clock times are their own kind', () => {
    expect(extractNumbers('on 2026-11-24T09:00:00Z and 2026-11-25 at 14:30').map((n) => [n.text, n.kind])).toEqual([
      ['2026-11-24T09:00:00Z', 'date'],
      ['2026-11-25', 'date'],
      ['14:30', 'time'],
    ]);
  });

  it('a version-like "1.2.3" reads as 1.2 (the rest is skipped); a number right after a full stop is read', () => {
    expect(found('1.2.3')).toEqual([['1.2', 1.2, 'none']]);
    expect(found('Backlog was 1.12% more.')).toEqual([['1.12%', 1.12, 'percent']]);
    expect(found('Backlog was 1.Then 12% more.')).toEqual([
      ['1', 1, 'none'],
      ['12%', 12, 'percent'],
    ]);
    expect(found('tickets.12% more')).toEqual([['12%', 12, 'percent']]);
  });

  it('a number glued to a word is still read when it has a percent sign or decimals', () => {
    expect(found('compliance improved by12% and is at99.99%')).toEqual([
      ['12%', 12, 'percent'],
      ['99.99%', 99.99, 'percent'],
    ]);
  });
});

describe('reportFacts', () => {
  it('metric values, targets, resolution targets, breach gaps, counts and the alert outcome', () => {
    const byLabel = Object.fromEntries(FACTS.map((f) => [f.label, f]));
    expect(byLabel.sla_compliance).toMatchObject({ value: 0.8333, kind: 'fraction' });
    expect(byLabel.avg_resolution_time).toMatchObject({ value: 6.5, kind: 'hours' });
    expect(byLabel['target sla_compliance']).toMatchObject({ value: 0.9, kind: 'fraction' });
    expect(byLabel['resolution target for High priority']).toMatchObject({ value: 4, kind: 'hours' });
    expect(byLabel['resolution target for Low priority']).toMatchObject({ value: 72, kind: 'hours' });
    expect(byLabel['number of SLA breaches']).toMatchObject({ value: 2, kind: 'count' });
    expect(byLabel['avg_resolution_time above its target by']).toMatchObject({ value: 2.5, kind: 'hours', signed: true });
    expect(byLabel['sla_compliance below its target by']).toMatchObject({ value: 0.0667, kind: 'fraction', signed: true });
    expect(byLabel['ticket updates in the request']).toMatchObject({ value: 11 });
    expect(byLabel['resolved tickets within their resolution target']).toMatchObject({ value: 2 }); // round(0.8333 × 3)
    expect(byLabel['share of tickets resolved']).toMatchObject({ value: 0.75, kind: 'fraction' });
    expect(FACTS).toContainEqual(expect.objectContaining({ kind: 'literal', value: 200, text: '200' }));
  });

  it('requested resolution targets replace the defaults', () => {
    const facts = reportFacts({ metrics: [], breaches: [], targets: { resolution_time_high: 2 } });
    expect(facts.filter((f) => f.label.startsWith('resolution target')).map((f) => f.value)).toEqual([2, 24, 72]);
  });

  it('describeFacts lists what the model may use, with the allowed forms', () => {
    const lines = describeFacts(FACTS);
    expect(lines).toContain('- sla_compliance: 0.8333 (= 83.33%)');
    expect(lines).toContain('- avg_first_response_time: 0.75 h (= 45 min)');
    expect(lines).toContain('- number of SLA breaches: 2');
    expect(lines).toContain('- sla_compliance below its target by: 0.0667 (= 6.67 percentage points)');
    expect(lines.join('\n')).not.toMatch(/percentile|alert/);
  });
});

describe('isBacked / unbackedNumbers', () => {
  it('the presentational forms of a fraction: percent with fewer decimals, or the fraction itself', () => {
    expect(unbacked('Compliance 83.3 %, 83 %, 83.33%, 0.8333, 0.83, 0.8')).toEqual([]);
    expect(unbacked('Compliance 84%')).toEqual(['84%']); // neither rounded nor truncated
    expect(unbacked('Compliance 83.34%')).toEqual(['83.34%']);
    expect(unbacked('Compliance 0.8334')).toEqual(['0.8334']);
    expect(unbacked('Compliance 83.333%')).toEqual(['83.333%']); // more digits than the fact has
  });

  it('a fraction is not "rounded" to a whole number', () => {
    const metrics: Metric[] = [
      { metric_name: 'sla_compliance', value: 0.8333 },
      { metric_name: 'reopen_rate', value: 0.3333 },
    ];
    expect(unbacked('compliance was 1', reportFacts({ metrics, breaches: [], targets: {} }))).toEqual(['1']);
  });

  it('rounding to fewer decimals (or truncating), never to 0, never up past the last digit', () => {
    expect(unbacked('Satisfaction 4.3, 4.2, 4 and 4.25; resolution 7 h and 6 h')).toEqual([]);
    expect(unbacked('Satisfaction 5')).toEqual(['5']);
    expect(unbacked('resolution 8 h')).toEqual(['8 h']);
    const tiny = reportFacts({ metrics: [{ metric_name: 'reopen_rate', value: 0.0001 }], breaches: [], targets: {} });
    expect(unbacked('Reopen rate 0%', tiny)).toEqual(['0%']);
    expect(unbacked('Reopen rate 0.01%', tiny)).toEqual([]);
  });

  it('hours shown as minutes, days or seconds, and durations in hours and minutes', () => {
    expect(unbacked('First response 45 min (45 minutes, 2700 seconds); Low target 3 days; average 6 h 30 min, 6h30m, 390 min')).toEqual([]);
    expect(unbacked('First response 40 min')).toEqual(['40 min']);
    expect(unbacked('average 6 h 40 min')).toEqual(['6 h 40 min']);
  });

  it('units must fit the fact: hours are no percentage, a share is no duration, a count has no unit', () => {
    expect(unbacked('Average resolution 6.5%')).toEqual(['6.5%']);
    expect(unbacked('Compliance 83.3 h')).toEqual(['83.3 h']);
    expect(unbacked('Tickets: 4 h')).toEqual([]); // 4 h is the High resolution target
    const onlyCounts = reportFacts({ metrics: [{ metric_name: 'backlog', value: 7 }], breaches: [], targets: {} });
    expect(unbacked('Backlog 7 h', onlyCounts)).toEqual(['7 h']);
    expect(unbacked('Backlog 7%', onlyCounts)).toEqual(['7%']);
  });

  it('counts: exact, with thousands separators, or abbreviated', () => {
    const big = reportFacts({ metrics: [{ metric_name: 'tickets_total', value: 4213 }, { metric_name: 'backlog', value: 200_000 }], breaches: [], targets: {} });
    expect(unbacked('4,213 tickets (4.2k, 4k); backlog 200,000 (200k)', big)).toEqual([]);
    expect(unbacked('about 4,200 tickets', big)).toEqual(['4,200']);
    expect(unbacked('4,214 tickets', big)).toEqual(['4,214']);
  });

  it('breach gaps with either sign; the negative of another fact is not backed', () => {
    expect(unbacked('Average resolution is 2.5 h over target (-2.5 h); compliance is 6.7 percentage points below')).toEqual([]);
    expect(unbacked('Average resolution -4 h')).toEqual(['-4 h']);
  });

  it('derived counts and shares: within / over the resolution target, resolved share, updates', () => {
    expect(unbacked('2 of 3 resolved tickets met their target, 1 did not; 75% of the 4 tickets are resolved, 25% are open; 11 updates')).toEqual([]);
    expect(unbacked('all 9 metrics have data; 2 targets were given')).toEqual([]);
    expect(unbacked('all 10 metrics have data')).toEqual(['10']);
  });

  it('percentile ranks: only the computed p90', () => {
    expect(unbacked('p90 resolution is 11.2 h (90th percentile)')).toEqual([]);
    expect(unbacked('p95 resolution is 11.2 h; the 99th percentile')).toEqual(['p95', '99th']);
  });

  it('numbers quoted from the alert outcome are backed as written; dates and times never', () => {
    expect(unbacked('Alert delivered (HTTP 200).')).toEqual([]);
    expect(unbacked('Alert delivered (HTTP 201).')).toEqual(['201']);
    expect(unbacked('As of 2026-11-24 at 09:00')).toEqual(['2026-11-24', '09:00']);
  });

  describe('attacks: invented numbers are caught', () => {
    it('"SLA compliance improved by 12%"', () => {
      expect(unbacked('SLA compliance improved by 12% compared with last week.')).toEqual(['12%']);
    });

    it('"99.99%" when compliance is 0.5', () => {
      const half = reportFacts({ metrics: [{ metric_name: 'sla_compliance', value: 0.5 }], breaches: [], targets: {} });
      expect(unbacked('We resolved 99.99% of tickets within SLA.', half)).toEqual(['99.99%']);
      expect(unbacked('We resolved 50% of tickets within SLA.', half)).toEqual([]);
    });

    it('a number hidden as "4,000" when 4000 is not a fact (4 is)', () => {
      expect(unbacked('We handled 4,000 tickets.')).toEqual(['4,000']);
      expect(unbacked('We handled 4 tickets.')).toEqual([]);
    });

    it('spelled out, glued to a word, signed, abbreviated, or as minutes', () => {
      expect(unbacked('improved by twelve percent')).toEqual(['twelve percent']);
      expect(unbacked('improved by12%')).toEqual(['12%']);
      expect(unbacked('a change of -12%')).toEqual(['-12%']);
      expect(unbacked('we expect 10k tickets next month')).toEqual(['10k']);
      expect(unbacked('the average is 20 minutes')).toEqual(['20 minutes']);
    });

    it('several at once, with offsets', () => {
      const md = 'Backlog fell by 30% to 1 ticket; resolution took 5.5 h on 3 days.';
      const found = unbackedNumbers(md, FACTS);
      expect(texts(found)).toEqual(['30%', '5.5 h']);
      for (const n of found) expect(md.slice(n.offset, n.offset + n.text.length)).toBe(n.text);
    });
  });

  it('isBacked is per number', () => {
    const [n] = extractNumbers('83.3%');
    expect(isBacked(n!, FACTS)).toBe(true);
    expect(isBacked(n!, [])).toBe(false);
  });
});

describe('the template report always passes', () => {
  const fraction = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000);
  const hours = fc.integer({ min: 0, max: 2_000_000 }).map((n) => n / 10_000);
  const value = (name: MetricName) =>
    name === 'sla_compliance' || name === 'reopen_rate'
      ? fraction
      : name === 'customer_satisfaction'
        ? fc.integer({ min: 10_000, max: 50_000 }).map((n) => n / 10_000)
        : hours;
  const alerts = fc.constantFrom<AlertOutcome | undefined>(
    undefined,
    { delivered: true, detail: 'delivered to the alert webhook (HTTP 200)' },
    { delivered: true, detail: 'delivered to the alert webhook (HTTP 204)' },
    { delivered: false, detail: 'no alert channel is configured (set ALERT_WEBHOOK_URL)' },
    { delivered: false, detail: 'delivery to the alert webhook failed (webhook answered 503)' },
    { delivered: false, detail: 'delivery to the alert webhook failed (The operation was aborted due to timeout)' },
  );
  const run = fc.record({
    total: fc.integer({ min: 0, max: 300_000 }),
    resolvedShare: fraction,
    present: fc.subarray([...METRIC_NAMES.slice(3)]),
    values: fc.record(Object.fromEntries(METRIC_NAMES.slice(3).map((n) => [n, value(n)])) as Record<MetricName, fc.Arbitrary<number>>),
    targets: fc.record(
      {
        tickets_total: fc.integer({ min: 0, max: 1000 }),
        backlog: fc.integer({ min: 0, max: 1000 }),
        avg_first_response_time: hours,
        avg_resolution_time: hours,
        p90_resolution_time: hours,
        sla_compliance: fraction,
        reopen_rate: fraction,
        customer_satisfaction: value('customer_satisfaction'),
        resolution_time_high: hours,
        resolution_time_low: hours,
      },
      { requiredKeys: [] },
    ),
    updates: fc.integer({ min: 0, max: 1_000_000 }),
    alert: alerts,
  });

  it('on many generated metric sets: every number in renderReport is a fact', () => {
    fc.assert(
      fc.property(run, (r) => {
        const resolved = Math.round(r.total * r.resolvedShare);
        const metrics: Metric[] = [
          { metric_name: 'tickets_total', value: r.total },
          { metric_name: 'tickets_resolved', value: resolved },
          { metric_name: 'backlog', value: r.total - resolved },
          ...(r.total ? r.present.map((n) => ({ metric_name: n, value: r.values[n] })) : []),
        ];
        const targets = r.targets as SlaTargets;
        const breaches = findBreaches(metrics, targets);
        const alert = breaches.length ? r.alert : undefined;
        const report = renderReport(metrics, breaches, alert, { targets, ticketUpdates: Math.max(r.updates, r.total) });
        const facts = reportFacts({ metrics, breaches, targets, ticketUpdates: Math.max(r.updates, r.total), alert });
        expect(unbackedNumbers(report, facts)).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });

  it('without targets or update count (the minimal form)', () => {
    fc.assert(
      fc.property(run, (r) => {
        const metrics: Metric[] = [{ metric_name: 'tickets_total', value: r.total }, ...r.present.map((n) => ({ metric_name: n, value: r.values[n] }))];
        expect(unbackedNumbers(renderReport(metrics, [], undefined), reportFacts({ metrics, breaches: [], targets: {} }))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });
});

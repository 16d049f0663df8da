import type { AlertOutcome } from './alert.sender.js';
import type { Metric } from './metrics.js';
import { renderReport } from './report.js';
import { findBreaches, type Breach } from './sla.js';

const METRICS: Metric[] = [
  { metric_name: 'tickets_total', value: 4 },
  { metric_name: 'tickets_resolved', value: 3 },
  { metric_name: 'backlog', value: 1 },
  { metric_name: 'avg_first_response_time', value: 0.75 },
  { metric_name: 'avg_resolution_time', value: 6.5 },
  { metric_name: 'p90_resolution_time', value: 11.2 },
  { metric_name: 'sla_compliance', value: 0.6667 },
  { metric_name: 'reopen_rate', value: 0.3333 },
  { metric_name: 'customer_satisfaction', value: 4.25 },
];

const BREACHES: Breach[] = [
  { metric_name: 'avg_resolution_time', value: 6.5, target: 4, direction: 'above' },
  { metric_name: 'sla_compliance', value: 0.6667, target: 0.95, direction: 'below' },
];

const DELIVERED: AlertOutcome = { delivered: true, detail: 'delivered to the alert webhook (HTTP 200)' };
const NO_CHANNEL: AlertOutcome = { delivered: false, detail: 'no alert channel is configured (set ALERT_WEBHOOK_URL)' };

describe('renderReport', () => {
  it('has a table row with the value of every metric (times in hours, fractions as percentages)', () => {
    const report = renderReport(METRICS, [], undefined);
    expect(report).toContain('## Support performance');
    expect(report).toContain('| Metric | Value |');
    expect(report).toContain('| Tickets | 4 |');
    expect(report).toContain('| Resolved | 3 |');
    expect(report).toContain('| Backlog (not resolved) | 1 |');
    expect(report).toContain('| Average first response | 0.75 h |');
    expect(report).toContain('| Average resolution | 6.5 h |');
    expect(report).toContain('| 90th percentile resolution | 11.2 h |');
    expect(report).toContain('| Resolved within SLA | 66.7% |'); // 0.6667 → 66.67% → 66.7%
    expect(report).toContain('| Reopen rate | 33.3% |'); // 0.3333 → 33.33% → 33.3%
    expect(report).toContain('| Customer satisfaction (1-5) | 4.25 |');
  });

  it('lists the rows in the order of the metrics given, one per metric', () => {
    const rows = renderReport(METRICS, [], undefined)
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| Metric'));
    expect(rows).toHaveLength(METRICS.length);
    expect(rows[0]).toBe('| Tickets | 4 |');
    expect(rows[8]).toBe('| Customer satisfaction (1-5) | 4.25 |');
  });

  it('formats whole and round fractions as percentages', () => {
    const report = renderReport(
      [
        { metric_name: 'sla_compliance', value: 1 },
        { metric_name: 'reopen_rate', value: 0 },
      ],
      [],
      undefined,
    );
    expect(report).toContain('| Resolved within SLA | 100% |');
    expect(report).toContain('| Reopen rate | 0% |');
  });

  it('with no breach (targets unknown): says no target was breached and that no alert was needed', () => {
    const report = renderReport(METRICS, [], undefined);
    expect(report).toContain('**SLA status:** no target breached. No alert was needed.');
    expect(report).not.toContain('**Alert:**');
    expect(report).not.toContain('No ticket updates were provided');
  });

  it('with breaches and a delivered alert: names each breach with value, direction and target, and says the alert was sent', () => {
    const report = renderReport(METRICS, BREACHES, DELIVERED);
    expect(report).toContain('**SLA status:** 2 breaches.');
    expect(report).toContain('- Average resolution: 6.5 h is above the target of 4 h (by 2.5 h).');
    expect(report).toContain('- Resolved within SLA: 66.7% is below the target of 95% (by 28.3 percentage points).');
    expect(report).toContain('**Alert:** sent — delivered to the alert webhook (HTTP 200).');
    expect(report).not.toContain('all targets met');
    // the metrics table is still there
    expect(report).toContain('| Average resolution | 6.5 h |');
  });

  it('with one breach and no alert channel: singular wording, and says why the alert was not sent', () => {
    const report = renderReport(METRICS, [{ metric_name: 'customer_satisfaction', value: 4.25, target: 4.5, direction: 'below' }], NO_CHANNEL);
    expect(report).toContain('**SLA status:** 1 breach.');
    expect(report).toContain('- Customer satisfaction (1-5): 4.25 is below the target of 4.5 (by 0.25).');
    expect(report).toContain('**Alert:** not sent — no alert channel is configured (set ALERT_WEBHOOK_URL).');
  });

  it('with breaches and a failed delivery: says the alert was not sent and gives the failure', () => {
    const failed: AlertOutcome = { delivered: false, detail: 'delivery to the alert webhook failed (webhook answered 500)' };
    const report = renderReport(METRICS, BREACHES, failed);
    expect(report).toContain('**Alert:** not sent — delivery to the alert webhook failed (webhook answered 500).');
  });

  it('with breaches but no alert outcome: says the alert was not evaluated', () => {
    expect(renderReport(METRICS, BREACHES, undefined)).toContain('**Alert:** not evaluated.');
  });

  it('empty input: zero volume rows, says there is nothing to measure, and that no alert was needed', () => {
    const metrics: Metric[] = [
      { metric_name: 'tickets_total', value: 0 },
      { metric_name: 'tickets_resolved', value: 0 },
      { metric_name: 'backlog', value: 0 },
    ];
    const report = renderReport(metrics, [], undefined);
    expect(report).toBe(
      [
        '## Support performance',
        '',
        '| Metric | Value |',
        '|---|---|',
        '| Tickets | 0 |',
        '| Resolved | 0 |',
        '| Backlog (not resolved) | 0 |',
        '',
        'No ticket updates were provided, so there is nothing to measure yet.',
        '',
        '**SLA status:** no target breached. No alert was needed.',
      ].join('\n'),
    );
  });

  it('no metrics at all is treated as no tickets', () => {
    const report = renderReport([], [], undefined);
    expect(report).toContain('No ticket updates were provided');
    expect(report).toContain('No alert was needed.');
  });

  it('with targets: a Target column saying at most / at least, and whether each was met', () => {
    const targets = { avg_resolution_time: 4, sla_compliance: 0.95, backlog: 5 };
    const report = renderReport(METRICS, findBreaches(METRICS, targets), NO_CHANNEL, { targets });
    expect(report).toContain('| Metric | Value | Target |\n|---|---|---|');
    expect(report).toContain('| Tickets | 4 |  |');
    expect(report).toContain('| Backlog (not resolved) | 1 | at most 5: met |');
    expect(report).toContain('| Average resolution | 6.5 h | at most 4 h: **breached** |');
    expect(report).toContain('| Resolved within SLA | 66.7% | at least 95%: **breached** |');
    expect(report).toContain('**SLA status:** 2 breaches.');
  });

  it('with tickets: a metric without data has a row saying "no data" and why, and its target is not checked', () => {
    const metrics: Metric[] = [
      { metric_name: 'tickets_total', value: 2 },
      { metric_name: 'tickets_resolved', value: 0 },
      { metric_name: 'backlog', value: 2 },
    ];
    const targets = { sla_compliance: 0.9, customer_satisfaction: 4 };
    const report = renderReport(metrics, [], undefined, { targets, ticketUpdates: 5 });
    expect(report).toContain('From 5 ticket updates of 2 tickets.');
    expect(report).toContain('| Average first response | no data: no ticket has a first response yet |  |');
    expect(report).toContain('| Average resolution | no data: no ticket is resolved |  |');
    expect(report).toContain('| 90th percentile resolution | no data: no ticket is resolved |  |');
    expect(report).toContain('| Resolved within SLA | no data: no ticket is resolved | at least 90%: not checked (no data) |');
    expect(report).toContain('| Reopen rate | no data: no ticket was resolved |  |');
    expect(report).toContain('| Customer satisfaction (1-5) | no data: no CSAT score was given | at least 4: not checked (no data) |');
    expect(report).toContain(
      '**SLA status:** all targets with data met; not checked for lack of data: Resolved within SLA, Customer satisfaction (1-5). No alert was needed.',
    );
  });

  it('says how compliance was measured: the resolution target per priority, and how many made it', () => {
    const report = renderReport(METRICS, [], undefined, { targets: { resolution_time_high: 2 } });
    expect(report).toContain(
      '"Resolved within SLA" counts the resolved tickets resolved within their priority\'s target (High 2 h, Medium 24 h, Low 72 h): 2 of 3.',
    );
  });

  it('with targets for no metric: says nothing was checked against targets; with all met: says so', () => {
    expect(renderReport(METRICS, [], undefined, { targets: {} })).toContain(
      '**SLA status:** no metric targets were given (`sla_targets`), so nothing was checked against them. No alert was needed.',
    );
    expect(renderReport(METRICS, [], undefined, { targets: { backlog: 10 } })).toContain('**SLA status:** all targets met. No alert was needed.');
  });

  it('never shows a nonzero share as 0% nor an incomplete one as 100%', () => {
    const report = renderReport(
      [
        { metric_name: 'sla_compliance', value: 0.9999 },
        { metric_name: 'reopen_rate', value: 0.0001 },
      ],
      [],
      undefined,
    );
    expect(report).toContain('| Resolved within SLA | 99.99% |');
    expect(report).toContain('| Reopen rate | 0.01% |');
  });

  it('large counts and hours get thousands separators', () => {
    const report = renderReport(
      [
        { metric_name: 'tickets_total', value: 200000 },
        { metric_name: 'avg_resolution_time', value: 1234 },
      ],
      [],
      undefined,
    );
    expect(report).toContain('| Tickets | 200,000 |');
    expect(report).toContain('| Average resolution | 1,234 h |');
  });

  it('is deterministic', () => {
    const targets = { avg_resolution_time: 4 };
    const a = renderReport(METRICS, findBreaches(METRICS, targets), DELIVERED, { targets, ticketUpdates: 9 });
    expect(renderReport(METRICS, findBreaches(METRICS, targets), DELIVERED, { targets, ticketUpdates: 9 })).toBe(a);
  });
});

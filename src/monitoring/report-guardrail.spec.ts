import { Agent, OutputGuardrailTripwireTriggered, Runner, type JsonSchemaDefinition } from '@openai/agents-core';
import { StructuredOutput } from '../agents/structured-output.js';
import { OfflineModel, OfflineModelProvider, out } from '../models/offline-model.js';
import type { Metric } from './metrics.js';
import { monitoringInstructions, runFacts, type MonitoringRunContext } from './monitoring.agent.js';
import { MonitoringReportSchema } from './monitoring.schemas.js';
import { METRIC_TOOLS } from './monitoring.tools.js';
import { REPORT_NUMBERS_GUARDRAIL, checkReportNumbers, replacedNarrativeNote, reportNumbersGuardrail, reportNumbersTripOf } from './report-guardrail.js';
import { reportFacts } from './report-numbers.js';
import { resolutionTargets } from './sla.js';
import type { TicketFacts } from './ticket-facts.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-24T09:00:00Z');

/** Two tickets: A (High) resolved in 2 h with a first response after 0.5 h, B open. */
const TICKETS: TicketFacts[] = [
  { id: 'A', createdAt: T0, firstResponseAt: T0 + 0.5 * HOUR, resolvedAt: T0 + 2 * HOUR, everResolved: true, reopened: false, priority: 'High' },
  { id: 'B', createdAt: T0, everResolved: false, reopened: false },
];

function context(targets: MonitoringRunContext['targets'] = { backlog: 0 }): MonitoringRunContext {
  return { facts: TICKETS, targets, resolutionTargets: resolutionTargets(targets), metrics: new Map(), delivery: {}, ticketUpdates: 3 };
}

const METRICS: Metric[] = [
  { metric_name: 'tickets_total', value: 2 },
  { metric_name: 'tickets_resolved', value: 1 },
  { metric_name: 'backlog', value: 1 },
];
const FACTS = reportFacts({ metrics: METRICS, breaches: [], targets: {} });

describe('checkReportNumbers', () => {
  it('passes a report whose numbers are all facts', () => {
    expect(checkReportNumbers('2 tickets, 1 resolved, backlog 1 (50%).', FACTS)).toBeUndefined();
  });

  it('names each unbacked number with its offset, never the report', () => {
    const report = 'Backlog fell by 12% to 1.';
    expect(checkReportNumbers(report, FACTS)).toEqual({ unbacked: [{ text: '12%', offset: report.indexOf('12%') }] });
  });
});

describe('reportNumbersGuardrail', () => {
  const guardrail = reportNumbersGuardrail<{ facts: typeof FACTS }>((c) => c.facts);
  const run = (report: unknown) =>
    guardrail.execute({ agentOutput: report, context: { context: { facts: FACTS } }, agent: {} } as unknown as Parameters<typeof guardrail.execute>[0]);

  it('trips on an invented number, with the verdict as output info', async () => {
    expect(guardrail.name).toBe(REPORT_NUMBERS_GUARDRAIL);
    await expect(run({ dashboard_report: 'Compliance improved by 12%.' })).resolves.toEqual({
      tripwireTriggered: true,
      outputInfo: { unbacked: [{ text: '12%', offset: 23 }] },
    });
  });

  it('passes a report without invented numbers (and an output without a report)', async () => {
    await expect(run({ dashboard_report: 'Two tickets, 1 resolved.' })).resolves.toEqual({ tripwireTriggered: false, outputInfo: null });
    await expect(run(undefined)).resolves.toEqual({ tripwireTriggered: false, outputInfo: null });
  });

  it('stops a real SDK run, and reportNumbersTripOf reads the verdict from the error', async () => {
    const output = new StructuredOutput(MonitoringReportSchema);
    const agent = new Agent<{ facts: typeof FACTS }, JsonSchemaDefinition>({
      name: 'report_writer',
      instructions: 'Write the report.',
      model: new OfflineModel('test', () => [out.json({ dashboard_report: 'We closed 40 tickets, 99.99% within SLA.' })]),
      outputType: output.outputType,
      outputGuardrails: [guardrail],
    });
    const runner = new Runner({ modelProvider: new OfflineModelProvider(), tracingDisabled: true });
    const err = await runner.run(agent, 'go', { context: { facts: FACTS } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputGuardrailTripwireTriggered);
    expect(reportNumbersTripOf(err)?.unbacked.map((u) => u.text)).toEqual(['40', '99.99%']);
  });

  it('reportNumbersTripOf ignores other errors and other guardrails', () => {
    const other = new OutputGuardrailTripwireTriggered('x', {
      guardrail: { type: 'output', name: 'reply_policy' },
      output: { tripwireTriggered: true, outputInfo: { unbacked: [] } },
    } as never);
    expect(reportNumbersTripOf(other)).toBeUndefined();
    expect(reportNumbersTripOf(new Error('boom'))).toBeUndefined();
  });
});

describe('replacedNarrativeNote', () => {
  it('quotes the unbacked numbers as code, once each', () => {
    expect(replacedNarrativeNote({ unbacked: [{ text: '12%', offset: 3 }, { text: '4,000', offset: 9 }, { text: '12%', offset: 30 }] })).toBe(
      '_The written narrative was replaced by this template: it stated numbers that are not in the metrics (`12%`, `4,000`)._',
    );
  });

  it('at most five, then "and more"', () => {
    const unbacked = ['1', '2', '3', '4', '5', '6'].map((text, offset) => ({ text: `${text}0%`, offset }));
    expect(replacedNarrativeNote({ unbacked })).toMatch(/\(`10%`, `20%`, `30%`, `40%`, `50%`, and more\)\._$/);
  });
});

describe('the monitoring agent: facts and instructions from the run context', () => {
  it('runFacts(complete) has every collector and the breaches, even if no tool ran; without complete only what the tools returned', () => {
    const ctx = context();
    const complete = runFacts(ctx, true);
    expect(complete).toContainEqual(expect.objectContaining({ label: 'avg_resolution_time', value: 2 }));
    expect(complete).toContainEqual(expect.objectContaining({ label: 'number of SLA breaches', value: 1 })); // backlog 1 > 0
    expect(complete).toContainEqual(expect.objectContaining({ label: 'ticket updates in the request', value: 3 }));
    expect(ctx.metrics.size).toBe(0); // read, not changed
    expect(runFacts(ctx, false).map((f) => f.label)).not.toContain('avg_resolution_time');
  });

  it('the instructions carry the rule, and the numbers the tools have returned so far', () => {
    const ctx = context();
    const before = monitoringInstructions(ctx);
    expect(before).toMatch(/Use only the numbers listed under "Numbers you may use"; never invent/);
    expect(before).toMatch(/call them first/);
    expect(before).toContain('- target backlog: 0');
    expect(before).not.toContain('avg_resolution_time: 2 h');
    expect(before).not.toContain('number of SLA breaches'); // not evaluated yet: not "0"
    expect(before).not.toContain('number of metrics with data');

    for (const [name, t] of Object.entries(METRIC_TOOLS)) ctx.metrics.set(name, t.compute(ctx));
    ctx.sla = { breaches: [{ metric_name: 'backlog', value: 1, target: 0, direction: 'above' }], alert: { delivered: false, detail: 'delivery to the alert webhook failed (webhook answered 503)' } };
    const after = monitoringInstructions(ctx);
    expect(after).toContain('- avg_resolution_time: 2 h (= 120 min)');
    expect(after).toContain('- sla_compliance: 1 (= 100%)');
    expect(after).toContain('- number of SLA breaches: 1');
    expect(after).toContain('Alert outcome: not delivered (delivery to the alert webhook failed (webhook answered 503)).');
    expect(after).not.toMatch(/call them first/);
  });
});

import { OutputGuardrailTripwireTriggered, type JsonSchemaDefinition, type OutputGuardrail } from '@openai/agents-core';
import { unbackedNumbers, type Fact } from './report-numbers.js';

export const REPORT_NUMBERS_GUARDRAIL = 'report_numbers';

/** What the guardrail found: the numbers no fact backs, as written and where (never the report itself). */
export interface ReportNumbersVerdict {
  unbacked: { text: string; offset: number }[];
}

/** Pure check of one report against the run's facts (undefined: every number is backed). */
export function checkReportNumbers(report: string, facts: readonly Fact[]): ReportNumbersVerdict | undefined {
  const unbacked = unbackedNumbers(report, facts).map((n) => ({ text: n.text, offset: n.offset }));
  return unbacked.length ? { unbacked } : undefined;
}

/**
 * SDK output guardrail of the monitoring agent: trips when the written report states a number
 * that is not one of the run's facts. `factsOf` reads the facts from the run context (what the
 * tools computed), never from the model's answer.
 */
export function reportNumbersGuardrail<C>(factsOf: (context: C) => Fact[]): OutputGuardrail<JsonSchemaDefinition, C> {
  return {
    name: REPORT_NUMBERS_GUARDRAIL,
    execute: async ({ agentOutput, context }) => {
      const report = String((agentOutput as { dashboard_report?: unknown } | undefined)?.dashboard_report ?? '');
      const verdict = checkReportNumbers(report, factsOf(context.context));
      return { tripwireTriggered: verdict !== undefined, outputInfo: verdict ?? null };
    },
  };
}

/** The verdict behind a tripped numbers guardrail (undefined for any other error). */
export function reportNumbersTripOf(err: unknown): ReportNumbersVerdict | undefined {
  if (!(err instanceof OutputGuardrailTripwireTriggered) || err.result.guardrail.name !== REPORT_NUMBERS_GUARDRAIL) return undefined;
  return (err.result.output.outputInfo as ReportNumbersVerdict | null) ?? undefined;
}

const MAX_QUOTED = 5;

/**
 * The line appended to the template report that replaced a refused narrative. It quotes the
 * offending numbers (as code, so no one reads them as figures) so a person can see what was wrong.
 */
export function replacedNarrativeNote(verdict: ReportNumbersVerdict): string {
  const quoted = [...new Set(verdict.unbacked.map((u) => u.text.replace(/`/g, '')))];
  const shown = quoted.slice(0, MAX_QUOTED).map((t) => `\`${t}\``).join(', ');
  const more = quoted.length > MAX_QUOTED ? ', and more' : '';
  return `_The written narrative was replaced by this template: it stated numbers that are not in the metrics (${shown}${more})._`;
}

/**
 * Every case of the labelled corpus (test/fixtures/guardrails/) through the detectors:
 * precision and recall per detector, with floors just under what was measured (the table in
 * docs/EVALUATION.md#guardrails). The counting lives in eval/guardrails.ts, shared with `npm run eval`.
 */
import { detectInjection, INJECTION_FAMILIES } from './injection.js';
import { TEXT_LIMIT_REASONS } from './limits.js';
import { REPLY_REASONS } from './reply.js';
import { PII_KINDS } from './types.js';
import { evaluateGuardrails, guardrailTable, GUARDRAIL_INPUT_CORPUS, InputCaseSchema } from '../../../eval/guardrails.js';
import { readJsonl } from '../../../eval/datasets.js';
import { fileURLToPath } from 'node:url';

/** Floors per detector row (measured: every precision 100 %; recall 100 % except passwords 94.1 % and injection 97.8 %). */
const PRECISION_FLOOR = 0.95;
const RECALL_FLOOR = 0.9;

const result = evaluateGuardrails();
const inputs = readJsonl(fileURLToPath(new URL(`../../../${GUARDRAIL_INPUT_CORPUS}`, import.meta.url)), InputCaseSchema);

describe('guardrail corpus', () => {
  beforeAll(() => {
    process.stdout.write(`\nGuardrail corpus: ${result.input_cases} input cases, ${result.output_cases} reply cases\n${guardrailTable(result)}\n`);
  });

  it('is big enough and covers every kind, family and reason', () => {
    expect(result.input_cases).toBeGreaterThanOrEqual(170);
    expect(result.output_cases).toBeGreaterThanOrEqual(40);
    expect(result.benign.cases).toBeGreaterThanOrEqual(60);
    const row = (d: string) => result.detectors.find((r) => r.detector === d)!;
    for (const kind of PII_KINDS) expect(row(`pii:${kind}`).positives).toBeGreaterThanOrEqual(5);
    expect(row('prompt_injection').positives).toBeGreaterThanOrEqual(40);
    for (const reason of REPLY_REASONS) expect(row(`reply:${reason}`).positives).toBeGreaterThanOrEqual(4);
    expect(row('reply_policy').cases - row('reply_policy').positives).toBeGreaterThanOrEqual(10);
    for (const reason of TEXT_LIMIT_REASONS) expect(inputs.filter((x) => x.limits === reason).length).toBeGreaterThanOrEqual(1);
    // Each injection family decides at least two of the attacks.
    const families = inputs.filter((x) => x.injection).map((x) => detectInjection(x.text).reason);
    for (const family of INJECTION_FAMILIES) expect(families.filter((f) => f === family).length).toBeGreaterThanOrEqual(2);
  });

  it.each(result.detectors.filter((d) => d.positives > 0).map((d) => [d.detector, d] as const))('%s: precision and recall above the floors', (_name, d) => {
    expect(d.precision ?? 0).toBeGreaterThanOrEqual(PRECISION_FLOOR);
    expect(d.recall ?? 0).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });

  it('benign messages pass every input detector', () => {
    expect(result.benign.ids).toEqual([]);
  });
});

/**
 * What the input guardrails cost per customer text, against the cheapest agent step on the
 * same text (the offline triage classifier's decision), measured in the same run. Also texts at
 * the length limit (20,000 characters) built to make the detectors work; longer texts are refused
 * before any scan.
 */
import { loadConfig } from '../src/config/configuration.js';
import { checkTextLimits, detectInjection, redactPii } from '../src/guardrails/detectors/index.js';
import { readArticleDir } from '../src/knowledge-base/article-files.js';
import { trainTriage } from '../src/triage/triage-training.js';
import { trainingSource } from '../src/triage/triage-training.prestart.js';
import { inquiries } from './fixtures.js';
import { median, quantile } from './in-process.js';

export interface GuardrailsBench {
  texts: number;
  /** Per text, µs: redaction, limits, prompt injection, and all three as the service runs them. */
  redact_us: number;
  limits_us: number;
  injection_us: number;
  inspect_mean_us: number;
  inspect_p99_us: number;
  /** The baseline: the triage classifier's decision on the same text. */
  triage_mean_us: number;
  /** 20k-character adversarial texts: the slowest inspection, ms. */
  adversarial_max_ms: number;
}

const inspect = (text: string) => {
  const redacted = redactPii(text).text;
  checkTextLimits(redacted, { maxChars: 20_000 });
  return detectInjection(redacted);
};

/** Mean µs of `fn` over `texts`, after a warm-up pass; and the per-text times. */
function timed(texts: string[], fn: (t: string) => unknown, rounds = 5): { mean: number; each: number[] } {
  for (const t of texts) fn(t);
  const each: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const start = performance.now();
      fn(t);
      each.push((performance.now() - start) * 1000);
    }
  }
  return { mean: each.reduce((a, b) => a + b, 0) / each.length, each };
}

/** Texts at the API's length limit made of what each detector works hardest on. */
function adversarialTexts(): string[] {
  const fill = (unit: string) => unit.repeat(Math.ceil(20_000 / unit.length)).slice(0, 20_000);
  return [
    fill('4111 1111 1111 111 '),
    fill('a@a.'),
    fill('+1 (555) '),
    fill('password: x '),
    fill('ignore previous '),
    fill('aGVsbG8gd29ybGQ='),
    fill('i g n o r e '),
    fill('\u200b a'),
    fill('[EMAIL_1] '),
    fill('-----BEGIN '),
  ];
}

export function guardrailsBench(): GuardrailsBench {
  const texts = inquiries();
  const { model } = trainTriage(trainingSource(loadConfig({}).env), readArticleDir('./data/kb'));
  const triage = timed(texts, (t) => model.decide(t, undefined, 'email'));
  const all = timed(texts, inspect);
  const sorted = [...all.each].sort((a, b) => a - b);
  const adversarial = adversarialTexts().map((t) => median(Array.from({ length: 3 }, () => timed([t], inspect, 1).mean / 1000)));
  return {
    texts: texts.length,
    redact_us: timed(texts, (t) => redactPii(t)).mean,
    limits_us: timed(texts, (t) => checkTextLimits(t, { maxChars: 20_000 })).mean,
    injection_us: timed(texts, (t) => detectInjection(t)).mean,
    inspect_mean_us: all.mean,
    inspect_p99_us: quantile(sorted, 0.99),
    triage_mean_us: triage.mean,
    adversarial_max_ms: Math.max(...adversarial),
  };
}

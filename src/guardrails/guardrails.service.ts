import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { getCurrentTrace } from '@openai/agents-core';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/configuration.js';
import { Metrics } from '../metrics/metrics.js';
import { checkReply, checkTextLimits, detectInjection, PLACEHOLDER_PATTERN, redactPii } from './detectors/index.js';
import { injectionModel } from './detectors/injection-model.js';
import { PII_KINDS, type Finding, type Verdict } from './detectors/types.js';
import { describeGuardrails, guardrailSettings, type GuardrailDescription, type GuardrailSettings } from './guardrail-settings.js';
import type { GuardrailTrip } from './guardrail-trip.js';
import { InjectionClassifier } from './injection-classifier.agent.js';

export interface InspectedText {
  /** The text with personal data replaced by placeholders (what may reach a model, the database or a log). */
  text: string;
  /** What was redacted (kinds and spans in the original text). */
  redacted: Finding[];
  /** Set when the text must not go further. */
  trip?: GuardrailTrip;
}

export type ReplyCheck = Parameters<typeof checkReply>[0];

/** The rule-based part of an inspection (no model): cached per text. */
interface RuleResult {
  text: string;
  redacted: Finding[];
  limits?: Verdict;
  injection?: Verdict;
}

/**
 * The guardrails as the service applies them, one set of detectors for every entry point: HTTP
 * pipes, the SDK input/output guardrails on the agents, the ticket workflow. Settings come from
 * configuration (GET /guardrails shows them).
 */
@Injectable()
export class GuardrailsService implements OnModuleInit {
  private readonly logger = new Logger('Guardrails');
  readonly settings: GuardrailSettings;

  constructor(
    private readonly config: AppConfig,
    private readonly classifier: InjectionClassifier,
    private readonly metrics: Metrics,
  ) {
    this.settings = guardrailSettings(config.env);
  }

  /** Whether every PII kind is redacted (what stored rows may record as fully redacted). */
  get redactsAllKinds(): boolean {
    return this.settings.enabled.pii_redaction && PII_KINDS.every((k) => this.settings.piiKinds.includes(k));
  }

  /** False when the learned injection classifier could not be trained: the rules work alone. */
  private modelReady = true;

  /** The learned injection classifier trains here (~0.2 s), not on the first customer's request. */
  onModuleInit(): void {
    if (!this.settings.enabled.prompt_injection) return;
    const started = performance.now();
    try {
      injectionModel();
      this.logger.log(`Trained the prompt-injection classifier in ${Math.round(performance.now() - started)} ms`);
    } catch (err) {
      this.modelReady = false;
      this.logger.error(
        `The prompt-injection classifier could not be trained (${err instanceof Error ? err.message : String(err)}): prompt injection is checked by the rules alone. Restore data/guardrails/injection-train.jsonl to get it back.`,
      );
    }
  }

  describe(): GuardrailDescription[] {
    return describeGuardrails(this.settings, this.config.backend);
  }

  /** Personal data and secrets replaced by typed placeholders; idempotent. */
  redact(text: string): { text: string; findings: Finding[] } {
    if (!this.settings.enabled.pii_redaction) return { text, findings: [] };
    const known = this.recent.get(text);
    if (known) return { text: known.text, findings: known.redacted };
    const { text: redacted, findings } = redactPii(text, { kinds: this.settings.piiKinds });
    return { text: redacted, findings };
  }

  /** A triage request with its free text (inquiry, customer history) redacted; the same object when nothing changed. */
  redactRequest<T extends { inquiry_text: string; metadata: { customer_history?: string } }>(request: T): T {
    const inquiry = this.redact(request.inquiry_text).text;
    const history = request.metadata.customer_history === undefined ? undefined : this.redact(request.metadata.customer_history).text;
    if (inquiry === request.inquiry_text && history === request.metadata.customer_history) return request;
    return { ...request, inquiry_text: inquiry, metadata: { ...request.metadata, ...(history === undefined ? {} : { customer_history: history }) } };
  }

  /**
   * Customer text through every input guardrail: redaction first (the later checks and any
   * classifier model only see the redacted text), then limits, then prompt injection.
   */
  async inspect(text: string, field: string): Promise<InspectedText> {
    const checked = this.rules(text);
    if (checked.limits?.tripped) return this.counted({ text: checked.text, redacted: checked.redacted, trip: tripOf('text_limits', checked.limits, field, 'rules') });
    const trip = checked.injection ? await this.decideInjection(checked.injection, checked.text, field) : undefined;
    return this.counted({ text: checked.text, redacted: checked.redacted, trip });
  }

  /**
   * A trip at the edge (HTTP pipe, workflow) counts in guardrail_trips_total here; inside an agent
   * run the SDK guardrail's span counts it (TracingService), so one trip is never counted twice.
   */
  private counted(result: InspectedText): InspectedText {
    if (result.trip && !getCurrentTrace()) this.metrics.guardrailTrips.inc({ guardrail: result.trip.guardrail });
    return result;
  }

  /** Reference text an agent will read (a knowledge-base article): prompt injection only, nothing redacted. */
  async inspectInstructions(text: string, field: string): Promise<InspectedText> {
    if (!this.settings.enabled.prompt_injection) return { text, redacted: [] };
    const verdict = detectInjection(text, { threshold: this.settings.injectionThreshold, model: this.modelReady });
    return { text, redacted: [], trip: await this.decideInjection(verdict, text, field) };
  }

  /**
   * What the rules say about a text, remembered for recent texts: within one request the HTTP
   * pipe, the agents' SDK guardrails (triage, resolution, the knowledge-base tool) and the
   * workflow inspect the same text — the original and, after redaction, the redacted one.
   * Pure in the text (the settings are fixed), so a cached answer is the answer.
   */
  private readonly recent = new LRUCache<string, RuleResult>({ max: 2_000, maxSize: 20_000_000, sizeCalculation: (_, key) => key.length + 1 });

  private rules(text: string): RuleResult {
    const known = this.recent.get(text);
    if (known) return known;
    const max = this.settings.maxChars;
    // Far beyond the limit (only /run_agent/ objects can carry such text; ticket and agent texts
    // are validated to 20,000 characters first): refused without scanning megabytes.
    if (text.length > 2 * Math.max(max, 20_000)) {
      const kept = this.redact(text.slice(0, max)).text;
      return { text: `${kept} […]`, redacted: [], limits: { detector: 'text_limits', tripped: true, reason: 'too_long', findings: [{ detector: 'text_limits', reason: 'too_long', start: max, end: text.length }] } };
    }
    const { text: redacted, findings } = this.redact(text);
    const limits = this.settings.enabled.text_limits ? limitsOf(text, redacted, max) : undefined;
    const result: RuleResult = {
      text: redacted,
      redacted: findings,
      limits,
      // Not scored when the limits refuse the text anyway.
      injection: this.settings.enabled.prompt_injection && !limits?.tripped ? detectInjection(redacted, { threshold: this.settings.injectionThreshold, model: this.modelReady }) : undefined,
    };
    this.recent.set(text, result);
    // Redaction is idempotent, so the redacted text (what the agents' own guardrails see next)
    // has the same verdicts — when it passed: placeholders never make a text too long.
    if (redacted !== text && !limits?.tripped) this.recent.set(redacted, { ...result, redacted: [] });
    return result;
  }

  private async decideInjection(verdict: Verdict, text: string, field: string): Promise<GuardrailTrip | undefined> {
    // Decided by the learned classifier when the rules alone would not have refused the text.
    const byModel = verdict.tripped && (verdict.parts?.rules ?? verdict.score ?? 0) < this.settings.injectionThreshold;
    const openai = this.config.backend === 'openai';
    // Tripped by the rules, or by the learned classifier offline: refused. With OpenAI, a trip only
    // the learned classifier saw is checked by the classifier agent first (the model is a bag of
    // n-grams; the agent reads the text), and stands if the agent cannot answer.
    if (verdict.tripped && !(byModel && openai)) return tripOf('prompt_injection', verdict, field, byModel ? 'learned_classifier' : 'rules');
    const score = verdict.score ?? 0;
    if (!openai || score === 0 || score < this.settings.injectionBorderline) return undefined;
    // Borderline: the rules saw something but not enough. A small model decides; if it cannot
    // answer, the text passes (below the threshold the rules alone would have let it through).
    try {
      const decision = await this.classifier.classify(text);
      if (!decision.injection) return undefined;
      return tripOf('prompt_injection', verdict, field, 'classifier');
    } catch (err) {
      this.logger.warn(`The injection classifier could not answer (${err instanceof Error ? err.message : String(err)}); ${verdict.tripped ? 'the learned classifier\'s verdict stands' : 'the borderline text passes on the rules'}.`);
      return verdict.tripped ? tripOf('prompt_injection', verdict, field, 'learned_classifier') : undefined;
    }
  }

  /** The reply policy over a resolution answer; undefined when the guardrail is off. */
  checkReply(input: ReplyCheck): Verdict | undefined {
    if (!this.settings.enabled.reply_policy) return undefined;
    return checkReply(input);
  }
}

/**
 * Length is counted without placeholders (they can be longer than what they replace, and the
 * same text must get the same verdict before and after redaction); the other limits are checked
 * on the redacted text, so evidence offsets point into the text that is stored.
 */
function limitsOf(original: string, redacted: string, maxChars: number): Verdict {
  const length = original.length - [...original.matchAll(PLACEHOLDER_PATTERN)].reduce((n, m) => n + m[0].length, 0);
  if (length > maxChars) return checkTextLimits(original, { maxChars });
  return checkTextLimits(redacted, { maxChars: Math.max(maxChars, redacted.length) });
}

function tripOf(guardrail: GuardrailTrip['guardrail'], verdict: Verdict, field: string, decidedBy: GuardrailTrip['decided_by']): GuardrailTrip {
  return {
    guardrail,
    reason: verdict.reason ?? verdict.findings[0]?.reason ?? 'tripped',
    field,
    ...(verdict.score === undefined ? {} : { score: verdict.score }),
    evidence: verdict.findings.map((f) => ({ start: f.start, end: f.end, reason: f.reason })),
    decided_by: decidedBy,
  };
}

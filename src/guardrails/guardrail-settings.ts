import type { Env } from '../config/configuration.js';
import { PII_KINDS, type PiiKind } from './detectors/types.js';

/** The guardrails the service runs; names are stable (configuration, problem details, events). */
export const GUARDRAIL_NAMES = ['pii_redaction', 'text_limits', 'prompt_injection', 'reply_policy'] as const;
export type GuardrailName = (typeof GUARDRAIL_NAMES)[number];

export interface GuardrailSettings {
  enabled: Record<GuardrailName, boolean>;
  piiKinds: readonly PiiKind[];
  maxChars: number;
  injectionThreshold: number;
  /** Scores from here up to the threshold are "borderline": the OpenAI backend asks a classifier agent. */
  injectionBorderline: number;
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Settings from the environment; throws one readable error for an unknown guardrail or PII kind
 * (a typo must not silently leave a guardrail on or off).
 */
export function guardrailSettings(env: Pick<Env, 'GUARDRAILS_DISABLED' | 'GUARDRAIL_PII_KINDS' | 'GUARDRAIL_MAX_TEXT_CHARS' | 'GUARDRAIL_INJECTION_THRESHOLD' | 'GUARDRAIL_INJECTION_BORDERLINE'>): GuardrailSettings {
  const disabled = list(env.GUARDRAILS_DISABLED);
  const unknown = disabled.filter((n) => !(GUARDRAIL_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`GUARDRAILS_DISABLED: unknown guardrail ${unknown.join(', ')} (known: ${GUARDRAIL_NAMES.join(', ')})`);
  const kinds = env.GUARDRAIL_PII_KINDS === undefined ? [...PII_KINDS] : list(env.GUARDRAIL_PII_KINDS);
  const badKinds = kinds.filter((k) => !(PII_KINDS as readonly string[]).includes(k));
  if (badKinds.length) throw new Error(`GUARDRAIL_PII_KINDS: unknown kind ${badKinds.join(', ')} (known: ${PII_KINDS.join(', ')})`);
  if (env.GUARDRAIL_INJECTION_BORDERLINE > env.GUARDRAIL_INJECTION_THRESHOLD) {
    throw new Error('GUARDRAIL_INJECTION_BORDERLINE must not be above GUARDRAIL_INJECTION_THRESHOLD');
  }
  return {
    enabled: Object.fromEntries(GUARDRAIL_NAMES.map((n) => [n, !disabled.includes(n)])) as Record<GuardrailName, boolean>,
    piiKinds: kinds as PiiKind[],
    maxChars: env.GUARDRAIL_MAX_TEXT_CHARS,
    injectionThreshold: env.GUARDRAIL_INJECTION_THRESHOLD,
    injectionBorderline: env.GUARDRAIL_INJECTION_BORDERLINE,
  };
}

export interface GuardrailDescription {
  name: GuardrailName;
  stage: 'input' | 'output';
  action: 'redact' | 'block' | 'withhold';
  enabled: boolean;
  description: string;
  reasons: string[];
  settings: Record<string, unknown>;
  configure: string;
}

/** What GET /guardrails shows: every guardrail, on or off, with its settings and how to change them. */
export function describeGuardrails(s: GuardrailSettings, backend: 'openai' | 'offline'): GuardrailDescription[] {
  return [
    {
      name: 'pii_redaction',
      stage: 'input',
      action: 'redact',
      enabled: s.enabled.pii_redaction,
      description:
        'Replaces personal data and secrets in customer text with typed placeholders ([EMAIL_1], [PAYMENT_CARD_1]...) before the text reaches a model, the database or a log.',
      reasons: [...PII_KINDS],
      settings: { kinds: s.piiKinds },
      configure: 'GUARDRAIL_PII_KINDS (comma-separated kinds), GUARDRAILS_DISABLED=pii_redaction',
    },
    {
      name: 'text_limits',
      stage: 'input',
      action: 'block',
      enabled: s.enabled.text_limits,
      description: 'Refuses empty, oversized, garbled or control-character-laden text (422).',
      reasons: ['empty_text', 'too_long', 'control_characters', 'bidi_override', 'invisible_characters', 'garbled_text', 'repetition'],
      settings: { max_chars: s.maxChars },
      configure: 'GUARDRAIL_MAX_TEXT_CHARS, GUARDRAILS_DISABLED=text_limits',
    },
    {
      name: 'prompt_injection',
      stage: 'input',
      action: 'block',
      enabled: s.enabled.prompt_injection,
      description:
        'Scores instructions aimed at the agents (ignore previous instructions, fake system messages, prompt extraction, smuggled tool calls, encoded payloads, jailbreaks) and refuses text scoring at or above the threshold (422).' +
        (backend === 'openai' ? ' Borderline scores are classified by a small guardrail agent on the OpenAI backend.' : ''),
      reasons: ['ignore_instructions', 'system_impersonation', 'prompt_extraction', 'tool_smuggling', 'encoded_payload', 'jailbreak', 'learned_classifier'],
      settings: {
        threshold: s.injectionThreshold,
        borderline: s.injectionBorderline,
        borderline_classifier: backend === 'openai' ? 'guardrail agent (GUARDRAIL_MODEL)' : 'off (offline backend: rules only)',
      },
      configure: 'GUARDRAIL_INJECTION_THRESHOLD, GUARDRAIL_INJECTION_BORDERLINE, GUARDRAILS_DISABLED=prompt_injection',
    },
    {
      name: 'reply_policy',
      stage: 'output',
      action: 'withhold',
      enabled: s.enabled.reply_policy,
      description:
        "Checks the resolution agent's reply before anyone sees it: no personal data other than the customer's own placeholders or the cited articles' contact details, no secrets, no internal notes, no refund or credit amounts that no cited article states, and a resolved reply cites an article the run retrieved. A tripped reply is withheld and the ticket escalated.",
      reasons: ['pii_leak', 'secret_leak', 'internal_note', 'unsupported_commitment', 'uncited_resolution'],
      settings: {},
      configure: 'GUARDRAILS_DISABLED=reply_policy',
    },
  ];
}

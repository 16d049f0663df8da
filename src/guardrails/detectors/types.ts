/**
 * Shared shapes of the guardrail detectors. Detectors are plain functions (no Nest, no SDK):
 * the HTTP pipes and the SDK input/output guardrails wrap the same functions.
 */

/** A character range of the inspected text, [start, end) in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
}

/** One thing a detector found: a reason code (snake_case, stable: clients match on it) and where. */
export interface Finding extends Span {
  /** Detector that found it, e.g. "pii", "prompt_injection", "text_limits", "reply_policy". */
  detector: string;
  /** Stable reason code, e.g. "payment_card", "ignore_instructions", "empty_text", "pii_leak". */
  reason: string;
  /** Contribution to the detector's score, when it scores (0..1). */
  weight?: number;
}

/** The answer of one detector over one text. */
export interface Verdict {
  detector: string;
  /** true when the text must be stopped (input) or withheld (output). */
  tripped: boolean;
  /** The deciding reason code when tripped (the strongest finding). */
  reason?: string;
  /** 0..1 where the detector scores (prompt injection); absent otherwise. */
  score?: number;
  /** Where a score combines several scorers (the rules, the learned classifier): each one's part. */
  parts?: Record<string, number>;
  findings: Finding[];
}

export type PiiKind = 'payment_card' | 'iban' | 'national_id' | 'email' | 'phone' | 'password' | 'secret';
export const PII_KINDS: readonly PiiKind[] = ['payment_card', 'iban', 'national_id', 'email', 'phone', 'password', 'secret'];

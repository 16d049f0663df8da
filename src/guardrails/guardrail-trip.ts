import { ProblemException, problem } from '../common/problem-details.js';
import type { Span } from './detectors/types.js';
import type { GuardrailName } from './guardrail-settings.js';

/** Why a guardrail stopped a text: enough for a client to act on, never the text itself. */
export interface GuardrailTrip {
  guardrail: GuardrailName;
  reason: string;
  /** The request field that carried the text (`inquiry_text`, `query`, `message`...). */
  field: string;
  score?: number;
  /** Where in the (redacted) text, so a person reviewing it can find the passage. */
  evidence: (Span & { reason: string })[];
  /** Who decided: the rules, the learned classifier (its score was the deciding one), or the OpenAI classifier agent. */
  decided_by: 'rules' | 'learned_classifier' | 'classifier';
}

const EXPLAIN: Record<string, string> = {
  text_limits: 'the text cannot be processed as a customer message',
  prompt_injection: 'the text contains instructions aimed at the support agents',
};

/** A tripped input guardrail as an error: 422 problem details, and the trip for whoever records it. */
export class GuardrailException extends ProblemException {
  constructor(
    readonly trip: GuardrailTrip,
    problemDetails: ProblemException['problem'],
  ) {
    super(problemDetails);
  }
}

/** 422 problem details for a tripped input guardrail (DESIGN §3: 422 guardrail tripped). */
export function guardrailProblem(trip: GuardrailTrip, extra: Record<string, unknown> = {}): GuardrailException {
  const score = trip.score === undefined ? '' : `, score ${trip.score.toFixed(2)}`;
  return new GuardrailException(
    trip,
    problem(422, 'guardrail-tripped', `${trip.field}: ${EXPLAIN[trip.guardrail] ?? 'a guardrail refused the text'} (${trip.guardrail}: ${trip.reason}${score}).`, {
      guardrail: trip.guardrail,
      reason: trip.reason,
      ...(trip.score === undefined ? {} : { score: Number(trip.score.toFixed(3)) }),
      decided_by: trip.decided_by,
      errors: [{ path: trip.field, message: `${trip.guardrail}: ${trip.reason}` }],
      evidence: trip.evidence.slice(0, 10),
      ...extra,
    }),
  );
}

/**
 * What a run may take over from an attempt that died (at-least-once delivery: a worker killed
 * mid-run, a lease that ran out). Pure, so the rules are tested without a database.
 */

/** Events that do not change what the agents read or decided: a triage before them still holds. */
const NEUTRAL_AFTER_TRIAGE = new Set(['retry', 'note']);

/**
 * Whether the ticket's stored triage can be used instead of triaging again: the last event that
 * matters is a `triaged` one, i.e. an earlier attempt triaged this very conversation and then died
 * (or failed in the resolution stage) before the resolution was written. Triaging again would
 * write a second `triaged` event for the same input (and spend the tokens again). Anything the
 * customer wrote since, or any outcome (resolution, clarification, pause, escalation), means a
 * new round: triage runs again.
 */
export function canReuseTriage(events: readonly { type: string; data: Record<string, unknown> }[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    const { type, data } = events[i]!;
    if (type === 'triaged') return true;
    // A resolution-stage failure came after a good triage; a triage-stage one means no triage holds.
    if (type === 'run_failed' && (data.error as { stage?: unknown } | undefined)?.stage === 'resolution') continue;
    if (!NEUTRAL_AFTER_TRIAGE.has(type)) return false;
  }
  return false;
}

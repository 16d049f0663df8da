/** Injection token of the trained offline triage model (an async provider: see triage.module.ts). */
export const TRIAGE_TRAINING = Symbol('TRIAGE_TRAINING');

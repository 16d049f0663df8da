/** The guardrail detectors: plain functions shared by the HTTP layer and the SDK guardrails. */
export * from './types.js';
export { detectPii, redactPii, redactDeep, isPlaceholder, PLACEHOLDER_PATTERN, placeholderLabel, luhnValid, ibanValid, ssnValid } from './pii.js';
export type { PiiOptions, Redaction } from './pii.js';
export { detectInjection, normalizeForMatching, INJECTION_FAMILIES, DEFAULT_INJECTION_THRESHOLD } from './injection.js';
export type { InjectionOptions, InjectionFamily, NormalizedText } from './injection.js';
export { checkTextLimits, TEXT_LIMIT_REASONS } from './limits.js';
export type { TextLimitsOptions, TextLimitReason } from './limits.js';
export { checkReply, REPLY_REASONS } from './reply.js';
export type { ReplyCheckInput, ReplyReason } from './reply.js';

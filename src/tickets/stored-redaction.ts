/**
 * Redaction of text already stored. Tickets stored before PII redaction existed (or under an
 * older version of it) hold customer text as sent; a start-up job rewrites them with the
 * current detectors and records the version on the row. Pure: the job supplies `redact`.
 */

/** Bump when the detectors change enough that stored text should be scanned again. */
export const REDACTION_VERSION = 1;

/** Keys whose string values are free text written by a customer or a person (anywhere in stored JSON). */
export const FREE_TEXT_KEYS: ReadonlySet<string> = new Set(['inquiry_text', 'message', 'note', 'reason', 'comment', 'customer_history', 'resolution_reply']);

/**
 * A copy of `value` with the strings under FREE_TEXT_KEYS redacted, and whether anything
 * changed. Iterative: stored JSON comes from requests, so it is at most 32 levels deep anyway.
 */
export function redactFreeText<T>(value: T, redact: (text: string) => string): { value: T; changed: boolean } {
  let changed = false;
  const root = structuredClone(value);
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const [key, v] of Object.entries(record)) {
      if (typeof v === 'string') {
        if (!FREE_TEXT_KEYS.has(key)) continue;
        const redacted = redact(v);
        if (redacted !== v) {
          record[key] = redacted;
          changed = true;
        }
      } else stack.push(v);
    }
  }
  return { value: root, changed };
}

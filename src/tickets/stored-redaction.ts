/**
 * Redaction of text already stored. Tickets stored before PII redaction existed (or under an
 * older version of it) hold customer text as sent; a start-up job rewrites them with the
 * current detectors and records the version on the row. Pure: the job supplies `redact`.
 */

/**
 * Bump when the detectors change enough that stored text should be scanned again (2: password
 * shorthand like "creds: user / pass", cards with other separators, PEM blocks without an END).
 */
export const REDACTION_VERSION = 2;

/**
 * Keys whose string values are free text written by a customer, a person or a model that read
 * the customer's text (anywhere in stored JSON); their strings are redacted, also inside lists.
 */
export const FREE_TEXT_KEYS: ReadonlySet<string> = new Set([
  'inquiry_text',
  'message',
  'note',
  'reason',
  'comment',
  'customer_history',
  'resolution_reply',
  'resolution_notes',
  'dashboard_report',
]);

/**
 * A copy of `value` with the strings under FREE_TEXT_KEYS redacted, and whether anything
 * changed. Iterative: stored JSON comes from requests, so it is at most 32 levels deep anyway.
 */
export function redactFreeText<T>(value: T, redact: (text: string) => string): { value: T; changed: boolean } {
  let changed = false;
  const root = structuredClone(value);
  // [node, whether it sits under a free-text key (a list of messages, say)]
  const stack: [unknown, boolean][] = [[root, false]];
  const visit = (holder: Record<string | number, unknown>, key: string | number, free: boolean) => {
    const v = holder[key];
    if (typeof v !== 'string') return stack.push([v, free]);
    if (!free) return;
    const redacted = redact(v);
    if (redacted !== v) {
      holder[key] = redacted;
      changed = true;
    }
  };
  while (stack.length) {
    const [node, free] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) node.forEach((_, i) => visit(node as unknown as Record<number, unknown>, i, free));
    else for (const key of Object.keys(node)) visit(node as Record<string, unknown>, key, free || FREE_TEXT_KEYS.has(key));
  }
  return { value: root, changed };
}

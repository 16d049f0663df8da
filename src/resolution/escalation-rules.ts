import { LEGAL_MATTER, MANY_USERS_AFFECTED, PAYMENT_DISPUTE, SECURITY_INCIDENT } from '../common/support-cues.js';

/**
 * Cases a person must handle whatever the knowledge base says (DESIGN §2): security
 * incidents, legal matters, refunds above the automatic limit, disputed payments. Pure.
 */

export interface EscalationRule {
  reason: string;
  team: string;
}

/** Sending the article's steps again would not help: the customer has been through them. */
const ALREADY_TRIED =
  /\b(already (tried|did|done|updated|reset|cleared|reinstalled|re-?installed|followed|checked|restarted)|(i|we)(['’]ve| have) (tried|followed|checked|done) (everything|all|the steps|that|this|your)|tried everything|still (not|doesn['’]?t|does not|won['’]?t|can['’]?t|cannot|broken|failing|the same|happening|getting)|same (error|problem|issue) (again|still))/i;
const REFUND_CONTEXT = /\b(refund\w*|money back|reimburs\w*|credit (back|note))\b/i;
/**
 * Money amounts: with a currency sign or name, or right after "refund (of)". Bounded
 * repetition keeps the scan linear in the text length (no backtracking blow-up).
 */
export const MONEY =
  /(?:[$€£]\s?(\d(?:[\d.,\s]{0,14}\d)?)|(\d(?:[\d.,\s]{0,14}\d)?)\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b|\brefund(?:\s+of)?\s+(\d(?:[\d.,]{0,14}\d)?)\b)/gi;

/** "1,200.50", "1.200,50", "1 200", "80,50", "600" → number; anything else → NaN. */
export function parseAmount(raw: string): number {
  const s = raw.replace(/\s/g, '');
  if (/^\d{1,3}(\.\d{3})+(,\d{1,2})?$/.test(s)) return Number(s.replace(/\./g, '').replace(',', '.'));
  if (/^\d{1,3}(,\d{3})+(\.\d{1,2})?$/.test(s)) return Number(s.replace(/,/g, ''));
  if (/^\d+,\d{1,2}$/.test(s)) return Number(s.replace(',', '.'));
  if (/^\d+(\.\d{1,2})?$/.test(s)) return Number(s);
  return Number.NaN;
}

/** The largest money amount stated in the text, or undefined. */
export function largestAmount(text: string): number | undefined {
  let max: number | undefined;
  for (const m of text.matchAll(MONEY)) {
    const n = parseAmount(m[1] ?? m[2] ?? m[3] ?? '');
    if (Number.isFinite(n)) max = Math.max(max ?? 0, n);
  }
  return max;
}

export function escalationRule(text: string, refundLimit: number): EscalationRule | undefined {
  if (SECURITY_INCIDENT.test(text)) return { reason: 'possible security incident', team: 'security' };
  if (LEGAL_MATTER.test(text)) return { reason: 'legal matter', team: 'legal' };
  if (PAYMENT_DISPUTE.test(text)) return { reason: 'disputed or fraudulent payment', team: 'billing' };
  if (REFUND_CONTEXT.test(text)) {
    const amount = largestAmount(text);
    if (amount !== undefined && amount > refundLimit) {
      return { reason: `refund request of ${amount} above the automatic limit of ${refundLimit}`, team: 'billing' };
    }
  }
  if (MANY_USERS_AFFECTED.test(text)) return { reason: 'possible service outage affecting many users', team: 'on-call engineering' };
  if (ALREADY_TRIED.test(text)) return { reason: 'the customer already tried the usual steps', team: 'support' };
  return undefined;
}

import { describeAction, money, type ActionName, type ActionResult } from '../actions/account-actions.js';
import { LEGAL_MATTER, PAYMENT_DISPUTE, SECURITY_INCIDENT } from '../common/support-cues.js';
import { MONEY, parseAmount } from './escalation-rules.js';
import type { ResolutionDecision } from './resolution.schemas.js';

/**
 * The offline policy's account actions: which one a clear request asks for (with its
 * arguments), and the reply once the action ran or was declined. Pure and deterministic; an
 * unclear request gets no proposal (the agents answer or escalate as before).
 */
export interface ActionProposal {
  action: ActionName;
  arguments: Record<string, unknown>;
}

export interface ProposalOptions {
  /** Actions the agent has as tools (enabled, on a stored ticket). */
  available: ReadonlySet<string>;
  /** The account's currency: "$" means it when it is a dollar currency. */
  currency: string;
  /** Refunds above it are never proposed (a person handles them). */
  refundMax: number;
}

const DUPLICATE_CHARGE =
  /\b(?:(?:charged|billed|debited)\b[^.!?\n]{0,40}?\b(?:twice|two times|double|2x|again for the same)|double[- ]?(?:charged|billed|charge|payment)|duplicated? (?:charges?|payments?|transactions?|invoices?)|same (?:charge|payment|invoice) (?:twice|two times))\b/i;
/** An explicit ask to reset the second factor (a lost phone alone may be solved with recovery codes: an article answers that). */
const MFA = /\b(?:reset|remove|disable|turn off|switch off|deactivate)\b[^.!?\n]{0,20}?\b(?:2fa|mfa|two[- ]factor|authenticator|multi[- ]factor)/i;
const MFA_SUBJECT = /\b(?:2fa|mfa|two[- ]factor|authenticator|multi[- ]factor|verification codes?|security key)\b/i;
/** "Please close my account", "I want you to delete our account" — the verb right after the ask ("when I delete the account, …?" is a question). */
const CLOSE_ACCOUNT =
  /\b(?:please|i want(?: you)? to|i(?:['’]d| would) like(?: you)? to|go ahead and|i need you to|kindly)\s+(?:just\s+|now\s+)?(?:close|delete|terminate|deactivate|cancel)\s+(?:my|our)\s+(?:\w+\s+)?account\b/i;
/** The refund was already agreed or made: a person follows it up, the agent does not refund again. */
const REFUND_ALREADY = /\b(?:confirmed|promised|approved|issued|processed|agreed|already (?:got|received|had))\b[^.!?\n]{0,40}?\brefund|\brefund\w*\b[^.!?\n]{0,40}?\b(?:was|has been|had been|were) (?:confirmed|promised|approved|issued|processed)/i;
const CHARGE_REFERENCE = /\b(?:invoice|inv|order|charge|transaction)\s*(?:no\.?|number|#|id)?\s*[:#-]?\s*([A-Z0-9][A-Z0-9-]{2,24}\d)\b/i;

const SIGN_AFTER = /(?<![\d.,])(\d(?:[\d.,]{0,14}\d)?)\s?[€£$]/g;

/** The currency a money match names ("$30", "30 EUR", "€30"). */
function currencyOf(match: string, accountCurrency: string): string {
  if (/€|\beuros?\b|\beur\b/i.test(match)) return 'EUR';
  if (/£|\bpounds?\b|\bgbp\b/i.test(match)) return 'GBP';
  if (/\$|\bdollars?\b|\busd\b/i.test(match)) return /D$/.test(accountCurrency) && !/\busd\b/i.test(match) ? accountCurrency : 'USD';
  return accountCurrency;
}

/** The amount a duplicate charge is about: the one amount stated, or x when "x … 2x in total". */
function duplicateAmount(text: string, accountCurrency: string): { amount: number; currency: string } | undefined {
  const found = new Map<number, string>();
  const add = (raw: string, match: string) => {
    const value = parseAmount(raw);
    if (Number.isFinite(value) && value > 0 && !found.has(value)) found.set(value, currencyOf(match, accountCurrency));
  };
  for (const m of text.matchAll(MONEY)) add(m[1] ?? m[2] ?? m[3] ?? '', m[0]);
  // "49,99 €": the sign after the amount, as written in much of Europe.
  for (const m of text.matchAll(SIGN_AFTER)) add(m[1]!, m[0]);
  const values = [...found.keys()].sort((a, b) => a - b);
  if (values.length === 1 || (values.length === 2 && Math.abs(values[1]! - 2 * values[0]!) < 0.005)) {
    return { amount: values[0]!, currency: found.get(values[0]!)! };
  }
  return undefined;
}

export function proposeAction(text: string, options: ProposalOptions): ActionProposal | undefined {
  // Security incidents, legal matters and disputes go to a person whatever is asked.
  if (SECURITY_INCIDENT.test(text) || LEGAL_MATTER.test(text) || PAYMENT_DISPUTE.test(text)) return undefined;
  const has = (a: ActionName) => options.available.has(a);
  if (has('issue_refund') && DUPLICATE_CHARGE.test(text) && !REFUND_ALREADY.test(text)) {
    const charge = duplicateAmount(text, options.currency);
    if (charge && charge.amount <= options.refundMax) {
      return {
        action: 'issue_refund',
        arguments: {
          amount: charge.amount,
          currency: charge.currency,
          charge_reference: CHARGE_REFERENCE.exec(text)?.[1] ?? null,
          reason: 'duplicate charge reported by the customer',
        },
      };
    }
    return undefined;
  }
  if (has('reset_mfa') && MFA.test(text) && MFA_SUBJECT.test(text)) {
    return { action: 'reset_mfa', arguments: { reason: 'the customer lost access to their second factor' } };
  }
  if (has('close_account') && CLOSE_ACCOUNT.test(text)) {
    return { action: 'close_account', arguments: { reason: 'the customer asked to close their account' } };
  }
  return undefined;
}

const DONE: Record<ActionName, (r: ActionResult) => string> = {
  issue_refund: (r) =>
    `I have refunded ${money(Number(r.details?.refunded), String(r.details?.currency ?? ''))}${r.details?.charge_reference ? ` for ${String(r.details.charge_reference)}` : ''} for the duplicate charge. It will appear on your statement once your bank processes it.`,
  apply_account_credit: (r) => `I have added ${money(Number(r.details?.credited), String(r.details?.currency ?? ''))} of credit to your account; it is used on your next invoices.`,
  reset_mfa: () =>
    'I have reset the two-factor authentication on your account. The next time you sign in with your password you will be asked to set up a new second factor.',
  close_account: () => 'Your account has been closed as you asked. Thank you for having been with us.',
};

const TEAM: Record<ActionName, string> = { issue_refund: 'billing', apply_account_credit: 'billing', reset_mfa: 'account security', close_account: 'accounts' };

/** The reply once the proposed action ran (resolved) or did not (escalated, politely). */
export function replyAfterAction(action: ActionName, result: ActionResult, currency: string): ResolutionDecision {
  if (result.executed && result.action_id) {
    return {
      ticket_status: 'resolved',
      resolution_reply: ['Thanks for reaching out.', DONE[action](result), "If anything still looks wrong, just reply to this message and we'll take it from there."].join('\n\n'),
      resolution_notes: `Action ${action} executed (${result.action_id}): ${result.summary}.`,
    };
  }
  const summary = describeAction(action, {}, currency).replace(/^./, (c) => c.toLowerCase());
  return {
    ticket_status: 'escalated',
    resolution_reply:
      `Thank you for your patience. We looked at your request and could not complete it automatically, so a member of our ${TEAM[action]} team ` +
      'will follow up with you directly. Please do not send passwords or full card numbers in this conversation.',
    resolution_notes: `Escalated to ${TEAM[action]}: ${action} was not executed (${result.refused_reason ?? 'declined'}); proposed: ${result.summary || summary}.`,
  };
}

/** The tool's answer as the model read it (a JSON ActionResult, or a rejection text). */
export function actionResultOf(action: string, output: string): ActionResult {
  try {
    const parsed = JSON.parse(output) as Partial<ActionResult>;
    if (parsed && typeof parsed === 'object' && typeof parsed.executed === 'boolean') {
      return { executed: parsed.executed, action, summary: String(parsed.summary ?? action), action_id: parsed.action_id, refused_reason: parsed.refused_reason, details: parsed.details };
    }
  } catch {
    // a plain-text tool answer: not executed
  }
  return { executed: false, action, summary: action, refused_reason: output.slice(0, 300) };
}

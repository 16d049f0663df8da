import { z } from 'zod';

/**
 * Account actions the resolution agent may propose, and the policy that decides whether a
 * person must approve one and whether it may run at all. Pure: the tools, the offline policy
 * and the tests share it.
 */
export const ACTION_NAMES = ['issue_refund', 'apply_account_credit', 'reset_mfa', 'close_account'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export function isActionName(value: string): value is ActionName {
  return (ACTION_NAMES as readonly string[]).includes(value);
}

const amount = z
  .number()
  .min(0.01)
  .max(1_000_000)
  // Whole cents: the ledger keeps cents, and 0.004 must not be "refunded" as nothing.
  .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'must be in whole cents (at most 2 decimals)')
  .describe('Amount in the currency, e.g. 49.99');
const reason = z.string().min(1).max(500).describe('Why, in one sentence (shown to the approver)');

/**
 * Tool parameters. Every field is required (nullable where optional) so OpenAI's strict JSON
 * schema mode accepts them.
 */
export const ACTION_PARAMETERS = {
  issue_refund: z.object({
    amount,
    currency: z.string().regex(/^[A-Za-z]{3}$/).describe('ISO 4217 code, e.g. USD'),
    charge_reference: z.string().max(200).nullable().describe('Invoice or charge the refund is for, if the customer named it'),
    reason,
  }),
  apply_account_credit: z.object({ amount, reason }),
  reset_mfa: z.object({ reason }),
  close_account: z.object({ reason }),
} satisfies Record<ActionName, z.ZodType>;

export type ActionArguments = {
  [K in ActionName]: z.infer<(typeof ACTION_PARAMETERS)[K]>;
};

export const ACTION_DESCRIPTIONS: Record<ActionName, string> = {
  issue_refund:
    'Refund a charge to the customer (e.g. a duplicate charge the customer reported, with its amount). A person approves it unless it is under the automatic limit.',
  apply_account_credit: 'Add account credit for the customer (e.g. compensation for an outage). A person approves it unless it is under the automatic limit.',
  reset_mfa: 'Reset the two-factor authentication of the customer who lost their second factor. A person always approves it.',
  close_account: 'Close the customer account at their request. A person always approves it.',
};

export interface ActionLimits {
  enabled: ReadonlySet<ActionName>;
  refundMax: number;
  refundAutoApproveUpTo: number;
  creditMax: number;
  creditAutoApproveUpTo: number;
  currency: string;
}

/** Whether a person must approve this call (the SDK's `needsApproval`). */
export function needsApproval(action: ActionName, args: Record<string, unknown>, limits: ActionLimits): boolean {
  // Only a real number can be under a limit: anything else goes to a person.
  const under = (limit: number) => typeof args.amount === 'number' && Number.isFinite(args.amount) && args.amount <= limit;
  switch (action) {
    case 'issue_refund':
      return !under(limits.refundAutoApproveUpTo);
    case 'apply_account_credit':
      return !under(limits.creditAutoApproveUpTo);
    // Security- and account-ending actions always need a person.
    case 'reset_mfa':
    case 'close_account':
      return true;
  }
}

/**
 * Why the call may not run at all, approved or not (undefined: it may). Checked before approval
 * is asked (nobody is asked to approve what could never run) and again when it runs.
 */
export function refusal(action: ActionName, args: Record<string, unknown>, limits: ActionLimits): string | undefined {
  if (!limits.enabled.has(action)) return `the ${action} action is not enabled on this desk (ACTIONS_ENABLED)`;
  const parsed = ACTION_PARAMETERS[action].safeParse(args);
  if (!parsed.success) return `invalid arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'} ${i.message}`).join('; ')}`;
  const value = Number(args.amount);
  // Limits are in the account's currency; a refund in any other goes to a person (no conversion here).
  if (action === 'issue_refund' && String(args.currency).toUpperCase() !== limits.currency) {
    return `the refund is in ${String(args.currency).toUpperCase()}, not the account currency ${limits.currency} (ACCOUNT_CURRENCY); the billing team handles it`;
  }
  if (action === 'issue_refund' && value > limits.refundMax) {
    return `a refund of ${money(value)} is above the maximum of ${money(limits.refundMax)} an agent may propose (ACTION_REFUND_MAX); the billing team handles it`;
  }
  if (action === 'apply_account_credit' && value > limits.creditMax) {
    return `a credit of ${money(value)} is above the maximum of ${money(limits.creditMax)} an agent may propose (ACTION_CREDIT_MAX)`;
  }
  return undefined;
}

export function money(value: number, currency?: string): string {
  return `${value.toFixed(2)}${currency ? ` ${currency.toUpperCase()}` : ''}`;
}

/** One line an approver reads: what will happen to whom. */
export function describeAction(action: string, args: Record<string, unknown>, currency: string): string {
  const why = typeof args.reason === 'string' ? ` (${args.reason})` : '';
  switch (action) {
    case 'issue_refund':
      return `Refund ${money(Number(args.amount), String(args.currency ?? currency))}${args.charge_reference ? ` for ${String(args.charge_reference)}` : ''}${why}`;
    case 'apply_account_credit':
      return `Add ${money(Number(args.amount), currency)} account credit${why}`;
    case 'reset_mfa':
      return `Reset two-factor authentication${why}`;
    case 'close_account':
      return `Close the account${why}`;
    default:
      return `${action}${why}`;
  }
}

/** ACTIONS_ENABLED: a comma-separated list of action names (unset: all). Errors name the bad entry. */
export function parseEnabledActions(value: string | undefined): { enabled: Set<ActionName>; errors: string[] } {
  if (value === undefined) return { enabled: new Set(ACTION_NAMES), errors: [] };
  const enabled = new Set<ActionName>();
  const errors: string[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (raw === 'none') continue;
    if (isActionName(raw)) enabled.add(raw);
    else errors.push(`unknown action "${raw.slice(0, 40)}"; known: ${ACTION_NAMES.join(', ')} (or none)`);
  }
  return { enabled, errors };
}

/** What the tool returns to the model: whether it ran, and what happened (or why not). */
export interface ActionResult {
  executed: boolean;
  action: string;
  action_id?: string;
  summary: string;
  refused_reason?: string;
  details?: Record<string, unknown>;
}

/** Why a ticket is not run again: its runs spent the tokens TICKET_TOKEN_BUDGET allows. */
export interface BudgetExceeded {
  spent_tokens: number;
  budget_tokens: number;
  reason: string;
}

/**
 * Whether a ticket may start another agent stage. The budget is checked before a stage, not
 * during one: a run that crosses it finishes its step (its answer is stored), and the next
 * stage goes to a person instead. 0 means no budget.
 */
export function budgetExceeded(spentTokens: number, budgetTokens: number): BudgetExceeded | undefined {
  if (budgetTokens <= 0 || spentTokens < budgetTokens) return undefined;
  return {
    spent_tokens: spentTokens,
    budget_tokens: budgetTokens,
    reason: `The agents spent ${spentTokens} tokens on this ticket, reaching its budget of ${budgetTokens} (TICKET_TOKEN_BUDGET); a person takes it over.`,
  };
}

import { budgetExceeded } from './token-budget.js';

describe('token budget per ticket', () => {
  it('no budget (0): a ticket always runs', () => {
    expect(budgetExceeded(10_000_000, 0)).toBeUndefined();
  });

  it('under the budget the next stage runs', () => {
    expect(budgetExceeded(0, 1000)).toBeUndefined();
    expect(budgetExceeded(999, 1000)).toBeUndefined();
  });

  it('reaching or crossing the budget stops the next stage, with the numbers and a reason a person can read', () => {
    expect(budgetExceeded(1000, 1000)).toEqual({ spent_tokens: 1000, budget_tokens: 1000, reason: expect.stringMatching(/spent 1000 tokens.*budget of 1000.*person/) });
    expect(budgetExceeded(1500, 1000)).toMatchObject({ spent_tokens: 1500, budget_tokens: 1000 });
  });
});

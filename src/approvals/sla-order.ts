/**
 * The approval queue ordered by SLA deadline. The deadline comes from the ticket's policy
 * clocks, which count business hours and pauses: PostgreSQL cannot compute it, so the service
 * computes it for every approval the filter selects (bounded) and orders and pages here. Pure.
 */

/** At most this many approvals are ordered by deadline per request; more is a 400 asking to narrow the filter. */
export const SLA_SORT_MAX = 5_000;

export interface DeadlineKey {
  /** The approval id (the tie-breaker). */
  id: string;
  /** ms since the epoch; null: no deadline (paused clock, stopped clock, no policy). */
  deadline: number | null;
}

/** Earliest deadline first (breached ones, whose deadline passed, lead); no deadline last; then id. */
export function compareDeadlines(a: DeadlineKey, b: DeadlineKey): number {
  if (a.deadline !== b.deadline) {
    if (a.deadline === null) return 1;
    if (b.deadline === null) return -1;
    return a.deadline - b.deadline;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * One page of `items` in deadline order, strictly after the cursor's (deadline, id): a page
 * boundary holds even when other approvals share the deadline, and an approval whose deadline
 * did not move is never listed twice nor skipped.
 */
export function deadlinePage<T extends DeadlineKey>(items: readonly T[], after: DeadlineKey | undefined, limit: number): { page: T[]; more: boolean } {
  const rest = [...items].sort(compareDeadlines).filter((k) => !after || compareDeadlines(k, after) > 0);
  return { page: rest.slice(0, limit), more: rest.length > limit };
}

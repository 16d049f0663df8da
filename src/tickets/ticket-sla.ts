/**
 * A ticket's resolution deadline from its priority (DESIGN §3 defaults: 4, 24, 72 hours), for
 * the approval queue and the hand-off package. Pure; issue 7's SLA policies will refine it.
 */
export const RESOLUTION_TARGET_HOURS: Record<string, number> = { High: 4, Medium: 24, Low: 72 };

export interface SlaState {
  priority: string | null;
  target_hours: number;
  deadline: string;
  remaining_hours: number;
  breached: boolean;
}

export function ticketSla(priority: string | null | undefined, createdAt: Date, now: Date = new Date()): SlaState {
  // Untriaged tickets are held to the Medium target until triage sets a priority.
  const target = RESOLUTION_TARGET_HOURS[priority ?? ''] ?? RESOLUTION_TARGET_HOURS.Medium!;
  const deadline = new Date(createdAt.getTime() + target * 3_600_000);
  const remaining = (deadline.getTime() - now.getTime()) / 3_600_000;
  return {
    priority: priority ?? null,
    target_hours: target,
    deadline: deadline.toISOString(),
    remaining_hours: Math.round(remaining * 100) / 100,
    breached: remaining < 0,
  };
}

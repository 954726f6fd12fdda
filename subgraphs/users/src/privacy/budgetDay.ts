const DAY = 86_400_000;

/** The UTC day `now` falls in: its start and when the next begins (the budget's reset), epoch ms. Pure. */
export function budgetDay(now: number): { day: number; resetsAt: number } {
  const day = Math.floor(now / DAY) * DAY;
  return { day, resetsAt: day + DAY };
}

/**
 * Whether `cost` more fits in a day's budget. A tolerance of 1e-9 keeps float sums (0.1 + 0.2) from
 * refusing the last query a budget was sized for. Pure.
 */
export function fitsBudget(spent: number, cost: number, budget: number): boolean {
  return spent + cost <= budget + 1e-9;
}

/** What is left, never negative, rounded to hide float noise. Pure. */
export function remainingOf(spent: number, budget: number): number {
  return Math.max(0, Math.round((budget - spent) * 1e9) / 1e9);
}

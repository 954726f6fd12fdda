import type { HourPlan } from './types.js';

/**
 * Whether a paced campaign's spend in this hour is already more than its plan so far minus half its next
 * charge: taking part could then end the hour more than half a charge above its plan (see `HourPlan`).
 */
export function aheadOfPlan(
  plan: HourPlan,
  spentTodayMicros: number,
  nextCharge: number,
  at: number,
): boolean {
  const span = plan.toMs - plan.fromMs;
  const share = span > 0 ? Math.min(1, Math.max(0, (at - plan.fromMs) / span)) : 1;
  return spentTodayMicros - plan.startSpentMicros + nextCharge / 2 > plan.micros * share;
}

/**
 * Per-user contribution bounds. A user's contribution to a measure within one privacy unit (a user-day)
 * is capped at `bound`: `consumed` is what the unit has already contributed, `value` what a new event
 * adds; the answer is what of it may still be counted (0 once the bound is reached). Pure.
 */
export function clipContribution(consumed: number, value: number, bound: number): number {
  if (!(value > 0) || !(bound > 0)) return 0;
  const room = bound - Math.max(0, consumed);
  return room <= 0 ? 0 : Math.min(value, room);
}

/** A value clamped to [min, max] (NaN becomes min). */
export function clamp(value: number, min: number, max: number): number {
  if (Number.isNaN(value)) return min;
  return Math.min(max, Math.max(min, value));
}

import { HOURS_PER_WEEK, utcHourOfWeek } from '@attention-mesh/platform';

/** Bounds of the attention multiplier; defaults 0.7..1.3. */
export interface AttentionBounds {
  min?: number;
  max?: number;
}

/**
 * How much more (or less) attentive the user is predicted to be at `at` than on average: the user's
 * engagement for that UTC hour of the week over the mean of its values, clamped to the bounds.
 * 1 when there is no prediction (absent, wrong length or all zero).
 */
export function attentionMultiplier(
  engagementByHour: readonly number[] | undefined,
  at: number,
  bounds: AttentionBounds = {},
): number {
  if (engagementByHour?.length !== HOURS_PER_WEEK) return 1;
  let sum = 0;
  for (const v of engagementByHour) sum += Number.isFinite(v) && v > 0 ? v : 0;
  if (sum <= 0) return 1;
  const v = engagementByHour[utcHourOfWeek(at)]!;
  const ratio = (Number.isFinite(v) && v > 0 ? v : 0) / (sum / HOURS_PER_WEEK);
  return Math.min(bounds.max ?? 1.3, Math.max(bounds.min ?? 0.7, ratio));
}

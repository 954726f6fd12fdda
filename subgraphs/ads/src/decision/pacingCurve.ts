import type { PacingMode } from './types.js';

/**
 * The hourly target curve of a day's budget: 24 weights summing to 1, in proportion to forecast traffic
 * (EVEN: spend follows traffic) or to traffic tilted towards the morning (FRONTLOADED: weight × 1.5 at
 * hour 0 falling linearly to × 0.5 at hour 23). ASAP has no curve: it is not paced.
 */
export function pacingCurve(trafficForecast: readonly number[], mode: PacingMode): number[] {
  if (trafficForecast.length !== 24) throw new Error('the traffic forecast must have 24 hourly values');
  const w = trafficForecast.map((v, h) => {
    const base = Number.isFinite(v) && v > 0 ? v : 0;
    return mode === 'FRONTLOADED' ? base * (1.5 - h / 23) : base;
  });
  const sum = w.reduce((a, b) => a + b, 0);
  return sum > 0 ? w.map((v) => v / sum) : w.map(() => 1 / 24);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The share of the day's curve in `[from, to)`, both in ms since the day's start (clamped to 0..24 h). */
export function curveShare(curve: readonly number[], from: number, to: number): number {
  const a = Math.max(0, Math.min(24 * HOUR, from));
  const b = Math.max(0, Math.min(24 * HOUR, to));
  if (b <= a) return 0;
  let share = 0;
  for (let h = Math.floor(a / HOUR); h < 24 && h * HOUR < b; h++) {
    const lo = Math.max(a, h * HOUR);
    const hi = Math.min(b, (h + 1) * HOUR);
    share += (curve[h]! * (hi - lo)) / HOUR;
  }
  return share;
}

/** The budget the curve says should be spent by `msSinceDayStart`. */
export function targetSpendBy(
  curve: readonly number[],
  dailyBudgetMicros: number,
  msSinceDayStart: number,
): number {
  return dailyBudgetMicros * curveShare(curve, 0, msSinceDayStart);
}

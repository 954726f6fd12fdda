import { curveShare } from './pacingCurve.js';
import type { PacingMode, PacingState } from './types.js';

/**
 * The pacing controller, stepped once a minute by the caller with the campaign's spend so far today.
 *
 * It learns how fast the campaign would spend at full participation per unit of forecast traffic (the
 * exponential average of the last minutes' spend over the average of the pass rate / bid multiplier in
 * force times the curve's weight of those minutes), and sets the next minute's control so that the expected spend
 * equals the remaining budget spread over the rest of the day's curve. Behind the curve, the target rises
 * (catch-up); ahead, it falls. THROTTLE sets the probability of taking part in an auction; SHADE
 * scales the bid (multiplicatively, by the ratio of target to expected spend, damped). ASAP is never
 * paced. The decision never picks a campaign whose remaining budget is below its charge, so the daily
 * budget is never exceeded by more than what is reserved for one decision.
 */
export interface PacingControllerState extends PacingState {
  /** Start of the day the state belongs to (epoch ms); a new day resets the spend baseline. */
  dayStart: number;
  /** Spend today seen at the last step. */
  lastSpentTodayMicros: number;
  /** When the last step ran (epoch ms). */
  lastAt: number;
  /** Average spend per step and average (control × curve weight) per step: their ratio is the
   * spend per unit of curve weight at full participation (a ratio of averages, so one lumpy click
   * charge in a heavily throttled minute does not blow the estimate up). */
  spendAvg: number;
  exposureAvg: number;
}

export interface PacingOptions {
  /** THROTTLE (default) or SHADE. */
  strategy?: 'THROTTLE' | 'SHADE';
  /** Weight of the newest minute in the spend-rate average. Default 0.1 (about ten minutes). */
  smoothing?: number;
  /** Lowest pass rate (keeps the controller observing). Default 0.002. */
  minPassRate?: number;
  /** Lowest bid multiplier for SHADE. Default 0.3. */
  minBidMultiplier?: number;
  /** Damping exponent of the SHADE update. Default 0.5. */
  shadeGain?: number;
}

export interface PacingObservation {
  /** Now (epoch ms), normally a minute after the last step. */
  at: number;
  /** Start of the campaign's budget day (epoch ms). */
  dayStart: number;
  spentTodayMicros: number;
  dailyBudgetMicros: number;
  mode: PacingMode;
  /** The day's target curve (`pacingCurve`). */
  curve: readonly number[];
}

const DAY = 24 * 3600_000;

export function initialPacingState(at: number, dayStart: number): PacingControllerState {
  return {
    passRate: 1,
    bidMultiplier: 1,
    dayStart,
    lastSpentTodayMicros: 0,
    lastAt: at,
    spendAvg: 0,
    exposureAvg: 0,
  };
}

export function stepPacing(
  state: PacingControllerState,
  obs: PacingObservation,
  opts: PacingOptions = {},
): PacingControllerState {
  if (obs.mode === 'ASAP') return { ...initialPacingState(obs.at, obs.dayStart) };
  const s = opts.smoothing ?? 0.1;
  const minPass = opts.minPassRate ?? 0.002;
  const shade = opts.strategy === 'SHADE';
  const newDay = state.dayStart !== obs.dayStart;
  const last = newDay ? obs.dayStart : state.lastAt;
  const lastSpent = newDay ? 0 : state.lastSpentTodayMicros;
  const spent = Math.max(0, obs.spentTodayMicros - lastSpent);
  const control = shade ? state.bidMultiplier : state.passRate;
  const weight = curveShare(obs.curve, last - obs.dayStart, obs.at - obs.dayStart);
  let { spendAvg, exposureAvg } = state;
  if (weight > 0 && obs.at > last) {
    const first = exposureAvg === 0;
    spendAvg = first ? spent : (1 - s) * spendAvg + s * spent;
    exposureAvg = first ? control * weight : (1 - s) * exposureAvg + s * control * weight;
  }
  const fullRate = exposureAvg > 0 ? spendAvg / exposureAvg : null;
  const remaining = Math.max(0, obs.dailyBudgetMicros - obs.spentTodayMicros);
  const sinceStart = obs.at - obs.dayStart;
  const step = Math.max(60_000, obs.at - last);
  const restWeight = curveShare(obs.curve, sinceStart, DAY);
  const nextWeight = curveShare(obs.curve, sinceStart, sinceStart + step);
  const target = restWeight > 0 ? (remaining * nextWeight) / restWeight : remaining;
  const expectedFull = fullRate === null ? 0 : fullRate * nextWeight;
  let passRate = state.passRate;
  let bidMultiplier = state.bidMultiplier;
  if (shade) {
    passRate = 1;
    if (expectedFull > 0 && fullRate !== null) {
      const expected = expectedFull * bidMultiplier;
      const ratio = expected > 0 ? target / expected : 2;
      bidMultiplier *= Math.min(2, Math.max(0.5, ratio)) ** (opts.shadeGain ?? 0.5);
    } else {
      bidMultiplier *= 1.1;
    }
    bidMultiplier = Math.min(1, Math.max(opts.minBidMultiplier ?? 0.3, bidMultiplier));
  } else {
    bidMultiplier = 1;
    passRate = expectedFull > 0 ? Math.min(1, Math.max(minPass, target / expectedFull)) : 1;
  }
  return {
    passRate,
    bidMultiplier,
    dayStart: obs.dayStart,
    lastSpentTodayMicros: obs.spentTodayMicros,
    lastAt: obs.at,
    spendAvg,
    exposureAvg,
  };
}

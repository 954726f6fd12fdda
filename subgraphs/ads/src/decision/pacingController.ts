import { curveShare } from './pacingCurve.js';
import type { PacingMode, PacingState } from './types.js';

/**
 * The pacing controller, stepped once a minute by the caller with the campaign's spend so far today.
 *
 * It learns how fast the campaign would spend at full participation per unit of forecast traffic (the
 * exponential average of the last minutes' spend over the average of the pass rate / bid multiplier in
 * force times the curve's weight of those minutes). At the first step of each clock hour it plans the
 * hour: the remaining budget spread over the rest of the day's curve gives the hour its share. Each
 * minute then aims to spend its share of the hour's plan plus a part of the gap between the plan so far
 * and the spend (closed in about `catchUpMinutes`), so lumpy spend is corrected within the hour it
 * happened in; what is left at the hour's end moves the next hour's plan. THROTTLE sets the probability
 * of taking part in an auction; SHADE scales the bid (multiplicatively, by the damped ratio of target to
 * expected spend) and throttles only once the bid is at its floor. ASAP is never
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
  /** The clock hour of the day (0-23) the hour's plan below belongs to; absent before the first step. */
  planHour?: number;
  /** Spend today when that hour's plan was made, and what the plan gives the rest of that hour. */
  planStartSpentMicros?: number;
  planMicros?: number;
  /** Ms since the day's start when the hour's plan was made. */
  planFrom?: number;
}

export interface PacingOptions {
  /** THROTTLE (default) or SHADE. */
  strategy?: 'THROTTLE' | 'SHADE';
  /** Weight of the newest minute of average traffic in the spend-rate average. Default 0.1 (about 10 minutes). */
  smoothing?: number;
  /** Lowest pass rate (keeps the controller observing). Default 0.002. */
  minPassRate?: number;
  /** Most the control may grow in one step (falls are not limited). Default 2. */
  maxIncrease?: number;
  /** Lowest bid multiplier for SHADE. Default 0.3. */
  minBidMultiplier?: number;
  /** Damping exponent of the SHADE update. Default 0.5. */
  shadeGain?: number;
  /**
   * Within an hour, how fast a gap between spend and the hour's plan is closed (minutes): each step aims
   * to spend its share of the plan plus step/catchUp of the gap. Default 5. A gap left at the hour's end
   * is spread over the rest of the day by the next hour's plan.
   */
  catchUpMinutes?: number;
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

/**
 * A new campaign's state. It starts cautiously (`passRate` 0.05 by default) and, while it has not yet seen
 * what it spends, doubles its control each minute (slow start): a campaign that could spend its whole day
 * in minutes would otherwise overspend its first hours before the controller learns.
 */
export function initialPacingState(at: number, dayStart: number, passRate = 0.05): PacingControllerState {
  return {
    passRate,
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
  if (obs.mode === 'ASAP') return initialPacingState(obs.at, obs.dayStart, 1);
  const up = opts.maxIncrease ?? 2;
  const s = opts.smoothing ?? 0.1;
  const minPass = opts.minPassRate ?? 0.002;
  const shade = opts.strategy === 'SHADE';
  const newDay = state.dayStart !== obs.dayStart;
  const last = newDay ? obs.dayStart : state.lastAt;
  const lastSpent = newDay ? 0 : state.lastSpentTodayMicros;
  const spent = Math.max(0, obs.spentTodayMicros - lastSpent);
  // Spend scales with the pass rate (in expectation); its response to the bid is not linear, so the
  // estimate is per unit of pass rate under the recent bids, and shading is steered by feedback alone.
  const control = state.passRate;
  const weight = curveShare(obs.curve, last - obs.dayStart, obs.at - obs.dayStart);
  let { spendAvg, exposureAvg } = state;
  if (weight > 0 && obs.at > last) {
    // The newest step weighs in proportion to the traffic it saw (an average minute is 1/1440 of the
    // day): quiet night minutes, with few auctions, move the estimate less than busy ones.
    const k = 1 - (1 - s) ** (weight * 1440);
    const first = exposureAvg === 0;
    spendAvg = first ? spent : (1 - k) * spendAvg + k * spent;
    exposureAvg = first ? control * weight : (1 - k) * exposureAvg + k * control * weight;
  }
  const fullRate = exposureAvg > 0 ? spendAvg / exposureAvg : null;
  const remaining = Math.max(0, obs.dailyBudgetMicros - obs.spentTodayMicros);
  const sinceStart = obs.at - obs.dayStart;
  const step = Math.max(60_000, obs.at - last);
  const restWeight = curveShare(obs.curve, sinceStart, DAY);
  const nextWeight = curveShare(obs.curve, sinceStart, sinceStart + step);
  // The hour's plan: at the first step of each clock hour, the remaining budget spread over the rest of
  // the day's curve gives this hour its share. Within the hour, spend tracks that plan (a straight line,
  // as the curve is flat within an hour) and a gap is closed in about `catchUpMinutes`: the hourly spend
  // then misses the plan by the noise of the last minutes, not of the whole hour.
  const hour = Math.min(23, Math.floor(sinceStart / 3600_000));
  const samePlan = !newDay && state.planHour === hour && state.planMicros !== undefined;
  const planFrom = samePlan ? state.planFrom! : sinceStart;
  const hourEnd = (hour + 1) * 3600_000;
  const planStartSpent = samePlan ? state.planStartSpentMicros! : obs.spentTodayMicros;
  const planMicros = samePlan
    ? state.planMicros!
    : restWeight > 0
      ? (remaining * curveShare(obs.curve, sinceStart, hourEnd)) / restWeight
      : remaining;
  const planSpan = Math.max(1, hourEnd - planFrom);
  const due = planMicros * Math.min(1, (sinceStart - planFrom) / planSpan);
  const gap = due - (obs.spentTodayMicros - planStartSpent);
  const planNext = (planMicros * Math.min(step, Math.max(0, hourEnd - sinceStart))) / planSpan;
  // In the day's last minutes the horizon shrinks to what is left, so the gap is closed by midnight.
  const horizon = Math.max(step, Math.min(60_000 * (opts.catchUpMinutes ?? 5), DAY - sinceStart));
  const catchUp = Math.min(1, step / horizon);
  const target = restWeight > 0 ? Math.min(remaining, Math.max(0, planNext + catchUp * gap)) : remaining;
  const expectedFull = fullRate === null ? 0 : fullRate * nextWeight;
  let passRate = state.passRate;
  let bidMultiplier = state.bidMultiplier;
  if (shade) {
    // Shade the bid first; throttle only once the bid is at its floor and spend is still ahead of the
    // curve (and lift the throttle before raising the bid again).
    const minBid = opts.minBidMultiplier ?? 0.3;
    const gain = opts.shadeGain ?? 0.5;
    const expected = expectedFull * passRate;
    if (expected <= 0) {
      passRate = Math.min(1, passRate * up);
    } else {
      const ratio = Math.min(up, Math.max(0.5, target / expected));
      if (ratio < 1) {
        if (bidMultiplier > minBid) bidMultiplier = Math.max(minBid, bidMultiplier * ratio ** gain);
        else passRate = Math.max(minPass, passRate * ratio);
      } else if (passRate < 1) {
        passRate = Math.min(1, passRate * ratio);
      } else {
        bidMultiplier = Math.min(1, bidMultiplier * ratio ** gain);
      }
    }
  } else {
    bidMultiplier = 1;
    const wanted = expectedFull > 0 ? target / expectedFull : 1;
    // Growth is limited to `up` a step from the current control or, once the spend rate is known, from
    // the plan's own pass rate: after a dip to the floor (ahead of plan) the control returns to the plan
    // at once instead of doubling its way back.
    const planPass = expectedFull > 0 ? planNext / expectedFull : 0;
    passRate = Math.min(1, up * Math.max(passRate, minPass, planPass), Math.max(minPass, wanted));
  }
  return {
    passRate,
    bidMultiplier,
    dayStart: obs.dayStart,
    lastSpentTodayMicros: obs.spentTodayMicros,
    lastAt: obs.at,
    spendAvg,
    exposureAvg,
    planHour: hour,
    planStartSpentMicros: planStartSpent,
    planMicros,
    planFrom,
    hourPlan: {
      fromMs: obs.dayStart + planFrom,
      toMs: obs.dayStart + hourEnd,
      startSpentMicros: planStartSpent,
      micros: planMicros,
    },
  };
}

import { DAY_MS, HOUR_MS, type UserHistory } from './types.js';

export interface BetaPrior {
  alpha: number;
  beta: number;
}

/** Number of distinct hours in [start, end) in which the history has an event. */
export function activeHours(history: UserHistory, start: number, end: number): number {
  let count = 0;
  let last = Number.NaN;
  for (const e of history.events) {
    if (e.at < start || e.at >= end) continue;
    const hour = Math.floor(e.at / HOUR_MS);
    if (hour !== last) count++;
    last = hour;
  }
  return count;
}

function lgamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9); x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/**
 * Maximum-likelihood Beta(alpha, beta) prior of per-user rates from counts k_u out of n trials each
 * (beta-binomial). With `zeroTruncated`, users are known to have k >= 1 (e.g. they were selected for
 * having an event), and the likelihood is conditioned on that.
 */
export function fitBetaBinomial(counts: ArrayLike<number>, n: number, zeroTruncated = false): BetaPrior {
  const histogram = new Float64Array(n + 1);
  for (let i = 0; i < counts.length; i++) histogram[Math.min(n, Math.max(0, Math.round(counts[i]!)))]!++;
  const logLik = (la: number, lb: number) => {
    const a = Math.exp(la);
    const b = Math.exp(lb);
    const p0 = Math.exp(lbeta(a, n + b) - lbeta(a, b));
    const norm = zeroTruncated ? Math.log(Math.max(1e-300, 1 - p0)) : 0;
    let sum = 0;
    for (let k = 0; k <= n; k++) {
      const m = histogram[k]!;
      if (m === 0) continue;
      sum += m * (lbeta(k + a, n - k + b) - lbeta(a, b) - norm);
    }
    return sum;
  };
  // Coarse grid, then coordinate refinement in log space.
  let best = { la: 0, lb: 0, ll: Number.NEGATIVE_INFINITY };
  for (let la = -6; la <= 4; la += 0.5) {
    for (let lb = -4; lb <= 8; lb += 0.5) {
      const ll = logLik(la, lb);
      if (ll > best.ll) best = { la, lb, ll };
    }
  }
  for (let step = 0.25; step > 1e-4; step /= 2) {
    let improved = true;
    while (improved) {
      improved = false;
      for (const [da, db] of [
        [step, 0],
        [-step, 0],
        [0, step],
        [0, -step],
        [step, step],
        [-step, -step],
      ] as const) {
        const ll = logLik(best.la + da, best.lb + db);
        if (ll > best.ll + 1e-12) {
          best = { la: best.la + da, lb: best.lb + db, ll };
          improved = true;
        }
      }
    }
  }
  return { alpha: Math.exp(best.la), beta: Math.exp(best.lb) };
}

/**
 * Per-user historical frequency: P(active in an hour) = (k_u + alpha) / (n + alpha + beta), k_u the
 * user's active hours among the n hours of [start, end), with a Beta(alpha, beta) prior fitted by
 * maximum likelihood to all given users (zero-truncated: they are selected for having an event).
 */
export class FrequencyBaseline {
  private constructor(
    readonly prior: BetaPrior,
    readonly start: number,
    readonly end: number,
  ) {}

  get hours(): number {
    return (this.end - this.start) / HOUR_MS;
  }

  static fit(histories: readonly UserHistory[], start: number, end: number): FrequencyBaseline {
    const n = (end - start) / HOUR_MS;
    const counts = histories.map((h) => activeHours(h, start, end));
    return new FrequencyBaseline(fitBetaBinomial(counts, n, true), start, end);
  }

  /** The user's smoothed rate of active hours. */
  rate(history: UserHistory): number {
    const { alpha, beta } = this.prior;
    return (activeHours(history, this.start, this.end) + alpha) / (this.hours + alpha + beta);
  }

  /** One probability per (history, slot) pair: the user's rate, whatever the slot. */
  predict(histories: readonly UserHistory[], _slots: ArrayLike<number>): Float32Array {
    const out = new Float32Array(histories.length);
    const cache = new Map<UserHistory, number>();
    for (let i = 0; i < histories.length; i++) {
      const h = histories[i]!;
      let r = cache.get(h);
      if (r === undefined) {
        r = this.rate(h);
        cache.set(h, r);
      }
      out[i] = r;
    }
    return out;
  }
}

function hourOfDay(ms: number, offsetMinutes: number): number {
  const local = ms + offsetMinutes * 60_000;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/**
 * Per-user x hour-of-day frequency: P(active in the slot) = (k_{u,h} + m p_u) / (n_h + m), where k_{u,h}
 * counts the user's active hours at the slot's hour of day h within [start, end), n_h the hours of the
 * window at that hour of day, p_u the user's `FrequencyBaseline` rate and m the shrinkage strength.
 */
export class HourOfDayBaseline {
  constructor(
    readonly frequency: FrequencyBaseline,
    readonly strength: number,
  ) {}

  predict(histories: readonly UserHistory[], slots: ArrayLike<number>): Float32Array {
    const { start, end } = this.frequency;
    const windowHours = new Float64Array(24);
    for (let t = start; t < end; t += HOUR_MS) windowHours[hourOfDay(t, 0)]!++;
    const out = new Float32Array(histories.length);
    const cache = new Map<UserHistory, { rate: number; byHour: Float64Array }>();
    for (let i = 0; i < histories.length; i++) {
      const h = histories[i]!;
      const offset = h.utcOffsetMinutes ?? 0;
      let entry = cache.get(h);
      if (!entry) {
        const byHour = new Float64Array(24);
        let last = Number.NaN;
        for (const e of h.events) {
          if (e.at < start || e.at >= end) continue;
          const hour = Math.floor(e.at / HOUR_MS);
          if (hour !== last) byHour[hourOfDay(e.at, offset)]!++;
          last = hour;
        }
        entry = { rate: this.frequency.rate(h), byHour };
        cache.set(h, entry);
      }
      // Whole-hour offsets keep hour boundaries aligned; the window's hour counts are taken in UTC.
      const hod = hourOfDay(slots[i]!, offset);
      const nh = windowHours[hourOfDay(slots[i]!, 0)]!;
      out[i] = (entry.byHour[hod]! + this.strength * entry.rate) / (nh + this.strength);
    }
    return out;
  }
}

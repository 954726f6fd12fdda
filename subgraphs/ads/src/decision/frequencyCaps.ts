import type { ExposureHistory, FrequencyCap } from './types.js';

/**
 * Frequency caps over a per-user exposure history. A cap `{ max, windowMs }` allows an exposure at
 * `at` while fewer than `max` exposures lie in the window `(at − windowMs, at]`: an exposure exactly
 * `windowMs` old no longer counts.
 */

export function emptyExposureHistory(): ExposureHistory {
  return { ads: {}, campaigns: {} };
}

/** Exposures in `(at − windowMs, at]` of an ascending list. */
export function countWithin(times: readonly number[] | undefined, at: number, windowMs: number): number {
  if (!times || times.length === 0) return 0;
  const from = at - windowMs;
  let n = 0;
  for (let i = times.length - 1; i >= 0; i--) {
    const t = times[i]!;
    if (t <= from) break;
    if (t <= at) n++;
  }
  return n;
}

/** Whether every cap of `scope` allows one more exposure of `id`. */
export function capsAllow(
  caps: readonly FrequencyCap[],
  scope: FrequencyCap['scope'],
  history: ExposureHistory | undefined,
  id: string,
  at: number,
): boolean {
  if (caps.length === 0 || !history) return true;
  const times = scope === 'AD' ? history.ads[id] : history.campaigns[id];
  if (!times) return true;
  for (const cap of caps) {
    if (cap.scope === scope && countWithin(times, at, cap.windowMs) >= cap.max) return false;
  }
  return true;
}

/**
 * The history with one more exposure of the ad and its campaign at `at`, dropping exposures at least
 * `keepMs` old (pass the longest cap window in use). Returns a new object; the input is not changed.
 */
export function recordExposure(
  history: ExposureHistory | undefined,
  adId: string,
  campaignId: string,
  at: number,
  keepMs: number,
): ExposureHistory {
  const from = at - keepMs;
  const prune = (rec: Record<string, number[]>, key: string): Record<string, number[]> => {
    const out: Record<string, number[]> = {};
    for (const [k, times] of Object.entries(rec)) {
      const kept = times.filter((t) => t > from);
      if (k === key) {
        kept.push(at);
        kept.sort((a, b) => a - b);
      }
      if (kept.length > 0) out[k] = kept;
    }
    if (!(key in out)) out[key] = [at];
    return out;
  };
  return {
    ads: prune(history?.ads ?? {}, adId),
    campaigns: prune(history?.campaigns ?? {}, campaignId),
  };
}

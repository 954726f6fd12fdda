import type { AttentionModels } from './server.js';

/** Predicted engagement of users in future hours. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How much history the baseline looks at. */
export const BASELINE_WINDOW_DAYS = 28;

export interface EngagementRequest {
  userId: string;
  /** Start of the hour, epoch ms. */
  at: number;
}

export interface EngagementPrediction {
  at: number;
  probability: number;
  source: 'MODEL' | 'BASELINE';
  modelVersion: string | null;
}

/**
 * The historical-frequency baseline, from the user's hourly rollups over the last 28 days before `at`:
 * the share of observed days on which the user was active at that hour of day, smoothed (Beta prior of
 * weight 2) toward the user's overall share of active hours. Pure.
 */
export function baselineProbability(
  activeHours: readonly number[],
  at: number,
  windowDays = BASELINE_WINDOW_DAYS,
): number {
  const from = at - windowDays * DAY;
  const seen = activeHours.filter((h) => h >= from && h < at);
  if (seen.length === 0) return 0;
  const first = Math.min(...seen);
  const days = Math.max(1, Math.ceil((at - Math.floor(first / DAY) * DAY) / DAY));
  const overall = new Set(seen).size / (days * 24);
  const hourOfDay = new Date(at).getUTCHours();
  const sameHour = new Set(
    seen.filter((h) => new Date(h).getUTCHours() === hourOfDay).map((h) => Math.floor(h / DAY)),
  ).size;
  const prior = 2;
  return Math.min(1, (sameHour + prior * overall) / (days + prior));
}

/** Baseline predictions for a batch of requests: one rollup query for all users. */
export async function baselinePredictions(
  models: AttentionModels,
  requests: readonly EngagementRequest[],
): Promise<EngagementPrediction[]> {
  if (requests.length === 0) return [];
  const users = [...new Set(requests.map((r) => r.userId))];
  const minAt = Math.min(...requests.map((r) => r.at));
  const maxAt = Math.max(...requests.map((r) => r.at));
  const rows = await models.AttentionRollup.find(
    { dim: 'USER', value: { $in: users }, hour: { $gte: minAt - BASELINE_WINDOW_DAYS * DAY, $lt: maxAt } },
    { value: 1, hour: 1 },
  ).lean<{ value: string; hour: number }[]>();
  const hours = new Map<string, number[]>();
  for (const r of rows) {
    const list = hours.get(r.value);
    if (list) list.push(r.hour);
    else hours.set(r.value, [r.hour]);
  }
  return requests.map((r) => ({
    at: r.at,
    probability: baselineProbability(hours.get(r.userId) ?? [], r.at),
    source: 'BASELINE',
    modelVersion: null,
  }));
}

import type { AttentionProfileDoc } from '../models/index.js';

/** Predicted engagement of users in future hours. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How much history the predictions look at. */
export const HISTORY_DAYS = 28;

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

/** A user's activity by hour over the history window before `asOf`, oldest first. Pure. */
export function recentHours(
  profile: AttentionProfileDoc | null,
  asOf: number,
): { at: number; weight: number }[] {
  const from = asOf - HISTORY_DAYS * DAY;
  return Object.entries(profile?.hours ?? {})
    .map(([hour, n]) => ({ at: Number(hour), weight: n }))
    .filter((e) => e.at >= from && e.at < asOf && e.weight > 0)
    .sort((a, b) => a.at - b.at);
}

/**
 * The historical-frequency baseline: the share of observed days on which the user was active at the
 * predicted hour of day, smoothed (Beta prior of weight 2) toward the user's overall share of active
 * hours. Pure.
 */
export function baselineProbability(activeHours: readonly number[], at: number): number {
  if (activeHours.length === 0) return 0;
  const first = Math.min(...activeHours);
  const days = Math.max(1, Math.ceil((at - Math.floor(first / DAY) * DAY) / DAY));
  const overall = new Set(activeHours).size / (days * 24);
  const hourOfDay = new Date(at).getUTCHours();
  const sameHour = new Set(
    activeHours.filter((h) => new Date(h).getUTCHours() === hourOfDay).map((h) => Math.floor(h / DAY)),
  ).size;
  const prior = 2;
  return Math.min(1, (sameHour + prior * overall) / (days + prior));
}

/** A learned predictor, when one is loaded (see engagementModel.ts). */
export interface EngagementPredictor {
  predict(
    requests: readonly { history: { at: number; weight: number }[]; at: number; asOf: number }[],
  ): Promise<EngagementPrediction[]>;
}

/** Predictions for a batch: the model when one is loaded, the baseline otherwise. */
export async function predictEngagement(
  requests: readonly EngagementRequest[],
  profiles: readonly (AttentionProfileDoc | null)[],
  predictor: EngagementPredictor | null,
  now = Date.now(),
): Promise<EngagementPrediction[]> {
  const asOf = Math.min(now, ...requests.map((r) => r.at));
  const histories = profiles.map((p) => recentHours(p, asOf));
  if (predictor)
    return predictor.predict(requests.map((r, i) => ({ history: histories[i]!, at: r.at, asOf })));
  return requests.map((r, i) => ({
    at: r.at,
    probability: baselineProbability(
      histories[i]!.map((e) => e.at),
      r.at,
    ),
    source: 'BASELINE',
    modelVersion: null,
  }));
}

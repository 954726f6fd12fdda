import { type Caller, checkFirst, requireSelf } from '@attention-mesh/platform';
import { feedbackView } from '../feedback/feedbackSignals.js';
import type { AttentionLoaders } from '../loaders.js';
import { sums } from '../metrics/metricsOf.js';
import { categoryShares, medianSpanSeconds, weekCurve } from '../metrics/profileMath.js';

/**
 * `User.attention`: what the mesh has learned of a person's attention, for that person (or an admin)
 * only — another caller gets FORBIDDEN, also through `_entities`, before anything is read.
 */
export async function attentionProfile(loaders: AttentionLoaders, caller: Caller, userId: string) {
  requireSelf(caller, userId, 'User.attention');
  const [total, profile, feedback] = await Promise.all([
    loaders.total.load(`USER|${userId}`),
    loaders.profile.load(userId),
    loaders.feedback.load(userId),
  ]);
  const s = sums(total);
  return {
    userId,
    events: s.events,
    impressions: s.impressions,
    clicks: s.clicks,
    engagedSeconds: s.engagedMs / 1000,
    timeInViewSeconds: s.timeInViewMs / 1000,
    sessions: profile?.sessions ?? 0,
    lastActiveAt: total?.lastEventAt ?? null,
    categoryShares: categoryShares(profile?.categories),
    weeklyCurve: weekCurve(profile?.weekHours),
    attentionSpanSeconds: medianSpanSeconds(profile?.span),
    feedback: feedbackView(feedback),
  };
}

/** The most category shares `AttentionProfile.categoryShares` lists. */
export const MAX_CATEGORY_SHARES = 100;

/** The `first` (1-100) largest shares (they come sorted, largest first). */
export function largestShares<T>(shares: readonly T[], first: number): T[] {
  return shares.slice(0, checkFirst(first, MAX_CATEGORY_SHARES));
}

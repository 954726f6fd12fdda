import { newId } from '@attention-mesh/platform';
import { relevanceOf } from '../ranking/fairnessOfExposure.js';
import type { RecommendationRuntime } from '../runtime.js';
import type { RankedItem, Ranking } from '../serving/ranker.js';
import { byScoreAt, explorePage } from './explorePage.js';

const rng = { next: Math.random };

/**
 * The page actually served: the ranking's page with `REC_EXPLORATION_EPSILON` per-position exploration
 * (see `explorePage`), queued to the decision log (no database wait) with the propensities, the
 * ranking's own items and the score order. Returns the items to serve.
 */
export function logDecision(
  runtime: RecommendationRuntime,
  userId: string,
  category: string | null,
  ranking: Ranking,
  page: readonly RankedItem[],
  offset: number,
  first: number,
  now = Date.now(),
): RankedItem[] {
  if (page.length === 0) return [...page];
  const epsilon = runtime.settings.explorationEpsilon;
  const slots = explorePage(ranking.items, offset, page.length, epsilon, rng);
  runtime.decisions.log({
    _id: newId('rdec', now),
    at: now,
    userId,
    category,
    source: ranking.source,
    modelVersion: ranking.modelVersion,
    epsilon,
    slots,
    byScore: byScoreAt(ranking.items, offset, Math.min(first, page.length)),
  });
  // The page was counted in the exposure window as ranked (with the cap, see `rankFor`); explored slots
  // showed another item, which the fairness audit must see instead.
  if (slots.some((s) => s.explored)) {
    let top = 0;
    if (ranking.source !== 'MODEL') for (const r of ranking.items) top = Math.max(top, r.score);
    for (const s of slots)
      if (s.explored)
        runtime.exposure.replaceRecent(s.greedyItemId, s.position, {
          itemId: s.itemId,
          rank: s.position,
          relevance: relevanceOf(ranking.source, s.score, top),
        });
  }
  return slots.map((s) => ({ itemId: s.itemId, score: s.score }));
}

import type { LruCache } from '@attention-mesh/platform';
import type { Catalogue } from '../catalogue/Catalogue.js';
import type { UserSequenceDoc } from '../models/UserSequence.js';
import { capExposure, type ExposureTracker } from '../ranking/exposure.js';
import { relevanceOf } from '../ranking/fairnessOfExposure.js';
import { mmrUnitRows } from '../ranking/mmr.js';
import type { PopularityRanking } from '../ranking/popularity.js';
import { topK, topKEligible } from '../ranking/topK.js';
import type { ModelHolder } from './modelHolder.js';

/** Most recommendations one ranking holds (`first` is at most 100, and pages end there). */
export const RANKING_SIZE = 100;
/** Candidates taken from the model's scores before re-ranking. */
export const SHORTLIST = 100;
/** Positions chosen by MMR; the rest of the ranking follows in score order. */
export const MMR_DEPTH = 30;
/** History items named in an explanation. */
export const EXPLANATION_SIZE = 3;
/** How long a ranking is reused for the next pages of the same user, model and sequence. */
export const RANKING_TTL_MS = 60_000;

export interface RankedItem {
  itemId: string;
  score: number;
}

export interface Ranking {
  key: string;
  source: 'MODEL' | 'POPULARITY' | 'NON_PERSONALISED';
  modelVersion: string | null;
  items: RankedItem[];
  /** The history items the model attended to most (empty for popularity). */
  explanation: { itemId: string; weight: number }[];
  createdAt: number;
}

export interface RankerDeps {
  catalogue: Catalogue;
  popularity: PopularityRanking;
  exposure: ExposureTracker;
  holder: ModelHolder;
  cache: LruCache<string, Ranking>;
  mmrLambda: number;
}

/**
 * A user's ranking: the model's scores over the whole catalogue (one micro-batched forward pass), items
 * seen or hidden and items outside the catalogue (or the context's category) skipped, the top SHORTLIST
 * by partial selection, MMR over the item embeddings for the first MMR_DEPTH positions, then items at
 * their exposure cap moved behind the others. Without a model or without a known history item:
 * attention-weighted popularity (of the context's category when given). Cached briefly by user, model
 * version, sequence version and category so the pages of one ranking stay stable.
 */
export async function rankFor(
  deps: RankerDeps,
  user: UserSequenceDoc,
  category: string | null,
  page: { offset: number; first: number },
  now = Date.now(),
): Promise<{ ranking: Ranking; page: RankedItem[] }> {
  const served = deps.holder.current;
  const key = `${user._id}|${served?.version ?? '-'}|${user.version}|${category ?? ''}`;
  const cached = deps.cache.get(key);
  if (cached && now - cached.createdAt < RANKING_TTL_MS)
    return { ranking: cached, page: serve(deps, cached, page) };

  let ranking: Ranking;
  if (served && user.items.length > 0 && served.knowsAny(user.items)) {
    const result = await served.recommend(user.items);
    const ids = served.model.itemIds;
    const eligible = served.eligibleFor(deps.catalogue, category, user.items, user.hidden);
    const shortlist = topKEligible(result.scores, SHORTLIST, eligible);
    const diversified = mmrUnitRows(
      shortlist,
      served.embeddings.rows,
      served.embeddings.dim,
      deps.mmrLambda,
      MMR_DEPTH,
    );
    const chosen = new Set(diversified.map((c) => c.index));
    const ordered = diversified.concat(shortlist.filter((c) => !chosen.has(c.index))).slice(0, RANKING_SIZE);
    ranking = {
      key,
      source: 'MODEL',
      modelVersion: served.version,
      items: ordered.map((c) => ({ itemId: ids[c.index]!, score: c.score })),
      explanation: topAttention(result.used, result.attention),
      createdAt: now,
    };
  } else {
    const excluded = new Set<string>(user.items);
    for (const h of user.hidden) excluded.add(h);
    ranking = {
      key,
      source: 'POPULARITY',
      modelVersion: served?.version ?? null,
      items: popularItems(deps, category, excluded, now),
      explanation: [],
      createdAt: now,
    };
  }
  ranking.items = capExposure(ranking.items, (r) => deps.exposure.allows(r.itemId));
  keep(deps, ranking);
  return { ranking, page: serve(deps, ranking, page) };
}

/**
 * The ranking of a user who has withdrawn personalisation consent: attention-weighted popularity (of the
 * context's category), the same for everyone but for the items the user asked to hide (an explicit
 * request, honoured like an ad frequency cap), nothing drawn from their history. Cached apart from their
 * personalised rankings, so granting consent back restores those at the next request.
 */
export function rankNonPersonalised(
  deps: RankerDeps,
  user: Pick<UserSequenceDoc, '_id' | 'hidden' | 'version'>,
  category: string | null,
  page: { offset: number; first: number },
  now = Date.now(),
): { ranking: Ranking; page: RankedItem[] } {
  const key = `${user._id}|np|${user.version}|${category ?? ''}`;
  const cached = deps.cache.get(key);
  if (cached && now - cached.createdAt < RANKING_TTL_MS)
    return { ranking: cached, page: serve(deps, cached, page) };
  const ranking: Ranking = {
    key,
    source: 'NON_PERSONALISED',
    modelVersion: null,
    items: popularItems(deps, category, new Set(user.hidden), now),
    explanation: [],
    createdAt: now,
  };
  ranking.items = capExposure(ranking.items, (r) => deps.exposure.allows(r.itemId));
  keep(deps, ranking);
  return { ranking, page: serve(deps, ranking, page) };
}

/** The most popular catalogue items (of `category` when given) outside `excluded`, at most RANKING_SIZE. */
function popularItems(
  deps: RankerDeps,
  category: string | null,
  excluded: ReadonlySet<string>,
  now: number,
): RankedItem[] {
  const items: RankedItem[] = [];
  for (const id of deps.popularity.ranked(category, now)) {
    if (items.length >= RANKING_SIZE) break;
    if (excluded.has(id)) continue;
    const item = deps.catalogue.get(id);
    if (item !== undefined && (category === null || item.category === category))
      items.push({ itemId: id, score: deps.popularity.score(id) });
  }
  return items;
}

/**
 * Caches a ranking for the next pages; an empty one is not kept (it costs nothing to make again, and
 * kept it would hide for RANKING_TTL_MS the items a popularity rebuild is about to list).
 */
function keep(deps: RankerDeps, ranking: Ranking): void {
  if (ranking.items.length > 0) deps.cache.set(ranking.key, ranking);
}

/**
 * The page, its edges counted as exposures in the same synchronous step as the cap was applied (requests
 * of one micro-batch resume together: counting later would let all of them pass the same cap), each with
 * its rank and its relevance (see `relevanceOf`) for the fairness-of-exposure audit.
 */
function serve(deps: RankerDeps, ranking: Ranking, page: { offset: number; first: number }): RankedItem[] {
  const items = ranking.items.slice(page.offset, page.offset + page.first);
  let top = 0;
  if (ranking.source !== 'MODEL') for (const r of ranking.items) top = Math.max(top, r.score);
  for (const [i, r] of items.entries())
    deps.exposure.record(r.itemId, page.offset + i + 1, relevanceOf(ranking.source, r.score, top));
  return items;
}

function topAttention(used: readonly string[], attention: ArrayLike<number>) {
  return used
    .map((itemId, i) => ({ itemId, weight: attention[i] ?? 0 }))
    .sort((a, b) => b.weight - a.weight)
    .slice(0, EXPLANATION_SIZE);
}

/** Items similar to `itemId` by cosine over the served model's embeddings, in the catalogue, best first. */
export function similarItems(deps: RankerDeps, itemId: string, first: number): RankedItem[] | null {
  const served = deps.holder.current;
  const index = served?.model.indexOf(itemId);
  if (!served || index === undefined) return null;
  const ids = served.model.itemIds;
  const cos = served.embeddings.cosineToAll(index);
  return topK(cos, first, (i) => i === 0 || i === index || !deps.catalogue.has(ids[i]!)).map((c) => ({
    itemId: ids[c.index]!,
    score: c.score,
  }));
}

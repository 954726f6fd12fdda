/**
 * Fairness of exposure after Singh & Joachims ("Fairness of Exposure in Rankings", KDD 2018): a served
 * item at rank r gets exposure 1/log2(1+r) (the attention a reader pays falls with the position); each
 * group of items (a category, a provider) should get exposure in proportion to the relevance it was
 * served with. Pure: no GraphQL, no database.
 */

/** The exposure weight of 1-based rank `rank`: 1/log2(1+rank) (1 at the top, 0.63 at 2, 0.5 at 3). */
export function positionWeight(rank: number): number {
  if (!Number.isFinite(rank) || rank < 1) throw new RangeError(`rank must be at least 1, got ${rank}`);
  return 1 / Math.log2(1 + rank);
}

/** One served recommendation: its item, its 1-based rank and its relevance in [0, 1]. */
export interface ServedExposure {
  itemId: string;
  rank: number;
  relevance: number;
}

export interface GroupExposure {
  group: string;
  /** Served edges of the group's items. */
  exposures: number;
  /** Sum of the position weights of those edges. */
  exposure: number;
  /** Sum of their relevance. */
  relevance: number;
  /** The group's share of all exposure (0..1). */
  exposureShare: number;
  /** The group's share of all relevance (0..1). */
  relevanceShare: number;
  /** exposureShare / relevanceShare: 1 is fair, above 1 over-exposed; null without relevance. */
  ratio: number | null;
}

/**
 * Exposure and relevance per group, largest exposure first. `groupOf` names an item's group; an item it
 * returns undefined for (e.g. no longer in the catalogue, or no provider) counts under `fallback`.
 */
export function exposureByGroup(
  served: Iterable<ServedExposure>,
  groupOf: (itemId: string) => string | undefined,
  fallback = 'none',
): GroupExposure[] {
  const sums = new Map<string, { exposures: number; exposure: number; relevance: number }>();
  let totalExposure = 0;
  let totalRelevance = 0;
  for (const s of served) {
    const group = groupOf(s.itemId) ?? fallback;
    const w = positionWeight(s.rank);
    const rel = clamp01(s.relevance);
    let g = sums.get(group);
    if (!g) {
      g = { exposures: 0, exposure: 0, relevance: 0 };
      sums.set(group, g);
    }
    g.exposures += 1;
    g.exposure += w;
    g.relevance += rel;
    totalExposure += w;
    totalRelevance += rel;
  }
  return [...sums]
    .map(([group, g]) => {
      const exposureShare = totalExposure > 0 ? g.exposure / totalExposure : 0;
      const relevanceShare = totalRelevance > 0 ? g.relevance / totalRelevance : 0;
      return {
        group,
        ...g,
        exposureShare,
        relevanceShare,
        ratio: relevanceShare > 0 ? exposureShare / relevanceShare : null,
      };
    })
    .sort((a, b) => b.exposure - a.exposure || a.group.localeCompare(b.group));
}

/**
 * Disparate exposure between groups: the largest exposure-per-relevance ratio over the smallest (1 when
 * every group gets exposure in proportion to its relevance; 2 when one gets twice the exposure per unit
 * of relevance another does). Null with fewer than two groups that have relevance, or when the smallest
 * ratio is 0 (a group with relevance got no exposure: unbounded disparity).
 */
export function disparateExposure(groups: readonly Pick<GroupExposure, 'ratio'>[]): number | null {
  const ratios = groups.map((g) => g.ratio).filter((r): r is number => r !== null);
  if (ratios.length < 2) return null;
  const min = Math.min(...ratios);
  return min > 0 ? Math.max(...ratios) / min : null;
}

/**
 * A served item's relevance in [0, 1] from its ranking score: the sequential model's scores are logits
 * of a model trained with a sigmoid cross-entropy, so sigmoid(score) is its estimate that the user
 * interacts with the item; popularity scores are unbounded counts, so the score over the ranking's
 * highest score (the most popular eligible item is 1); non-personalised rankings are popularity too.
 */
export function relevanceOf(
  source: 'MODEL' | 'POPULARITY' | 'NON_PERSONALISED',
  score: number,
  topScore: number,
): number {
  if (!Number.isFinite(score)) return 0;
  if (source === 'MODEL') return 1 / (1 + Math.exp(-score));
  return topScore > 0 ? clamp01(score / topScore) : 0;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/**
 * The Lorenz curve of exposure over `catalogueSize` items (items never exposed count as 0): for
 * i = 1..points, the share of all exposure held by the least-exposed i/points of the items, read off the
 * piecewise-linear curve through the sorted cumulative shares.
 */
export function lorenzCurve(counts: readonly number[], catalogueSize: number, points: number): number[] {
  const n = Math.max(catalogueSize, counts.length);
  const total = counts.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return new Array(points).fill(0);
  const sorted = [...counts].sort((a, b) => a - b);
  const zeros = n - sorted.length;
  // cum[k]: exposure of the k least-exposed items.
  const cum = new Array<number>(n + 1).fill(0);
  for (let k = 1; k <= n; k++) cum[k] = cum[k - 1]! + (k <= zeros ? 0 : sorted[k - zeros - 1]!);
  const out: number[] = [];
  for (let i = 1; i <= points; i++) {
    const x = (i / points) * n;
    const lo = Math.floor(x);
    const frac = x - lo;
    const y = lo >= n ? cum[n]! : cum[lo]! + frac * (cum[lo + 1]! - cum[lo]!);
    out.push(y / total);
  }
  return out;
}

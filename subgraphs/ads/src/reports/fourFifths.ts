/**
 * The four-fifths rule of adverse impact (US EEOC Uniform Guidelines, 29 CFR 1607.4(D)) applied to ad
 * delivery: a group's selection rate (impressions served per ad request) under four fifths of the
 * highest group's rate is flagged. Pure.
 */
export const FOUR_FIFTHS = 0.8;

export interface GroupCounts {
  group: string;
  requests: number;
  impressions: number;
  clicks: number;
}

export interface GroupSelection extends GroupCounts {
  /** impressions / requests; null without requests. */
  selectionRate: number | null;
  /** selectionRate / the highest group's; null without a rate or when the highest is 0. */
  fourFifthsRatio: number | null;
  /** fourFifthsRatio < 0.8. */
  adverseImpact: boolean;
}

/** Selection rates and four-fifths ratios of groups, most requests first (then by name). */
export function fourFifths(groups: readonly GroupCounts[]): {
  highestSelectionRate: number | null;
  groups: GroupSelection[];
} {
  const rated = groups.map((g) => ({
    ...g,
    selectionRate: g.requests > 0 ? g.impressions / g.requests : null,
  }));
  const rates = rated.map((g) => g.selectionRate).filter((r): r is number => r !== null);
  const highest = rates.length > 0 ? Math.max(...rates) : null;
  return {
    highestSelectionRate: highest,
    groups: rated
      .map((g) => {
        const ratio =
          g.selectionRate !== null && highest !== null && highest > 0 ? g.selectionRate / highest : null;
        return { ...g, fourFifthsRatio: ratio, adverseImpact: ratio !== null && ratio < FOUR_FIFTHS };
      })
      .sort((a, b) => b.requests - a.requests || a.group.localeCompare(b.group)),
  };
}

import { badUserInput, checkFirst } from '@attention-mesh/platform';
import { gini } from '../ranking/exposure.js';
import { disparateExposure, exposureByGroup, lorenzCurve } from '../ranking/fairnessOfExposure.js';
import type { RecommendationRuntime } from '../runtime.js';

export type ItemGroupDimension = 'CATEGORY' | 'PROVIDER';

/** `recommendationExposure`: how evenly recommendations spread over the catalogue in the window. */
export async function exposureReport(runtime: RecommendationRuntime) {
  await runtime.warmUp();
  const e = runtime.exposure;
  return {
    gini: gini(e.countsList(), runtime.catalogue.size),
    itemsExposed: e.itemsExposed,
    totalExposures: e.exposures,
    maxShare: e.maxShare(),
    cap: e.cap,
    window: e.window,
    catalogueSize: runtime.catalogue.size,
  };
}
export type ExposureReport = Awaited<ReturnType<typeof exposureReport>>;

/** `RecommendationExposure.lorenzCurve`: `points` 2-100. */
export function exposureLorenz(runtime: RecommendationRuntime, points: number): number[] {
  if (!Number.isInteger(points) || points < 2 || points > 100)
    throw badUserInput(`"points" must be between 2 and 100, got ${points}`, 'points');
  return lorenzCurve(runtime.exposure.countsList(), runtime.catalogue.size, points);
}

/**
 * `RecommendationExposure.byGroup`: the window's served edges by the category or provider of their item,
 * the disparate exposure over all groups, the `first` (1-100) largest groups listed.
 */
export function exposureGroups(runtime: RecommendationRuntime, dimension: ItemGroupDimension, first: number) {
  const n = checkFirst(first);
  const groupOf =
    dimension === 'CATEGORY'
      ? (id: string) => runtime.catalogue.get(id)?.category
      : (id: string) => runtime.catalogue.get(id)?.provider ?? undefined;
  const groups = exposureByGroup(runtime.exposure.served(), groupOf);
  return {
    dimension,
    groupCount: groups.length,
    disparateExposure: disparateExposure(groups),
    groups: groups.slice(0, n),
  };
}

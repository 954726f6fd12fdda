import { gini } from '../ranking/exposure.js';
import type { RecommendationRuntime } from '../runtime.js';

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

import type { RecommendationRuntime } from '../runtime.js';
import type { RankerDeps } from '../serving/ranker.js';

/** The part of the runtime the ranker reads. */
export function rankerDeps(runtime: RecommendationRuntime): RankerDeps {
  return {
    catalogue: runtime.catalogue,
    popularity: runtime.popularity,
    exposure: runtime.exposure,
    holder: runtime.holder,
    cache: runtime.rankings,
    mmrLambda: runtime.settings.mmrLambda,
  };
}

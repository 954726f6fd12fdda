import type { RequestContext } from '@attention-mesh/platform';
import type { RecommendationLoaders } from '../loaders.js';
import type { RecommendationRuntime } from '../runtime.js';

export interface RecommendationContext {
  runtime: RecommendationRuntime;
  loaders: RecommendationLoaders;
}

export type Context = RequestContext & RecommendationContext;

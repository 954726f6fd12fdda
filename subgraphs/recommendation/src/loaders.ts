import { byIdLoader } from '@attention-mesh/platform';
import type { ItemDoc } from './models/Item.js';
import type { RecommendationRuntime } from './runtime.js';

export function createLoaders(runtime: RecommendationRuntime) {
  return { item: byIdLoader<ItemDoc>(runtime.Item) };
}
export type RecommendationLoaders = ReturnType<typeof createLoaders>;

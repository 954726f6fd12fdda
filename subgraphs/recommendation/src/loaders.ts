import { byIdLoader } from '@attention-mesh/platform';
import type { ItemDoc } from './models/Item.js';
import type { RecommendationModels } from './server.js';

export function createLoaders(models: RecommendationModels) {
  return { item: byIdLoader<ItemDoc>(models.Item) };
}
export type RecommendationLoaders = ReturnType<typeof createLoaders>;

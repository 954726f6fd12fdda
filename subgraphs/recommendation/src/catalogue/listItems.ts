import { checkSlug, paginateById } from '@attention-mesh/platform';
import type { ItemDoc } from '../models/Item.js';
import type { RecommendationRuntime } from '../runtime.js';

export interface ItemsArgs {
  category?: string | null;
  first: number;
  after?: string | null;
}

/** `items`: the catalogue by id, optionally one category, as a connection. */
export function listItems(runtime: RecommendationRuntime, args: ItemsArgs) {
  return paginateById<ItemDoc>(
    runtime.Item,
    args.category ? { category: checkSlug(args.category, 'category', 'category') } : {},
    args,
  );
}

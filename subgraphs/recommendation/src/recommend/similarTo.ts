import { checkFirst } from '@attention-mesh/platform';
import type { ItemDoc } from '../models/Item.js';
import type { RecommendationRuntime } from '../runtime.js';
import { similarItems } from '../serving/ranker.js';
import { rankerDeps } from './rankerDeps.js';

/** `Item.similar`: by embedding when the model knows the item, else popularity in its category. */
export async function similarTo(runtime: RecommendationRuntime, item: ItemDoc, firstArg: number) {
  const first = checkFirst(firstArg);
  await runtime.warmUp();
  const byEmbedding = similarItems(rankerDeps(runtime), item._id, first);
  if (byEmbedding) {
    return byEmbedding.map((s) => ({ item: runtime.catalogue.get(s.itemId)!, similarity: s.score }));
  }
  const out: { item: ItemDoc; similarity: null }[] = [];
  for (const id of runtime.popularity.ranked(item.category)) {
    if (out.length >= first) break;
    const doc = runtime.catalogue.get(id);
    if (id !== item._id && doc) out.push({ item: doc, similarity: null });
  }
  return out;
}

import {
  badUserInput,
  checkClientId,
  checkHttpUrl,
  checkSlug,
  checkSlugs,
  checkText,
  insertOnce,
  newId,
} from '@attention-mesh/platform';
import type { ItemDoc, ItemKind } from '../models/Item.js';
import { bumpCatalogueVersion } from '../models/RecState.js';
import type { RecommendationRuntime } from '../runtime.js';

export interface NewItem {
  id?: string | null;
  title: string;
  kind: ItemKind;
  category: string;
  /** The schema defaults it to none; an explicit null means none too. */
  tags?: string[] | null;
  url?: string | null;
  provider?: string | null;
  publishedAt?: number | null;
}

/** The longest item URL. */
export const MAX_URL_LENGTH = 2048;

function checkItemUrl(url: string): string {
  if (url.length > MAX_URL_LENGTH)
    throw badUserInput(`input.url must be at most ${MAX_URL_LENGTH} characters`, 'input.url');
  return checkHttpUrl(url, 'input.url');
}

/**
 * Adds an item to the catalogue (a client id makes the call idempotent), into this replica's memory at
 * once and for the others through the catalogue version they poll.
 */
export async function createItem(runtime: RecommendationRuntime, input: NewItem): Promise<ItemDoc> {
  const now = Date.now();
  const doc: ItemDoc = {
    _id: input.id ? checkClientId(input.id, 'input.id') : newId('itm', now),
    title: checkText(input.title, 'input.title', 300),
    kind: input.kind,
    category: checkSlug(input.category, 'input.category', 'category'),
    tags: checkSlugs(input.tags ?? [], 'input.tags', 30, 'tag'),
    url: input.url == null ? null : checkItemUrl(input.url),
    provider: input.provider == null ? null : checkText(input.provider, 'input.provider', 64),
    publishedAt: input.publishedAt ?? now,
    createdAt: now,
  };
  const stored = await insertOnce<ItemDoc>(runtime.Item, doc);
  runtime.catalogue.put(stored);
  await bumpCatalogueVersion(runtime.RecState);
  return stored;
}

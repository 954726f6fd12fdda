import DataLoader from 'dataloader';
import { loaderBatchSize } from './metrics/meshMetrics.js';

/**
 * A DataLoader over one batched query: `fetch` gets the unique keys of a tick and returns documents in
 * any order; `keyOf` reads a document's key. Missing keys resolve to null. One query per batch.
 */
export function keyedLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    loaderBatchSize.observe(keys.length);
    const found = new Map<K, V>();
    for (const value of await fetch(keys)) found.set(keyOf(value), value);
    return keys.map((k) => found.get(k) ?? null);
  });
}

/**
 * Like `keyedLoader`, but many documents per key (e.g. the ads of each campaign): each key gets its
 * documents in the order the query returned them, or an empty list.
 */
export function groupedLoader<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    loaderBatchSize.observe(keys.length);
    const groups = new Map<K, V[]>();
    for (const value of await fetch(keys)) {
      const k = keyOf(value);
      const list = groups.get(k);
      if (list) list.push(value);
      else groups.set(k, [value]);
    }
    return keys.map((k) => groups.get(k) ?? []);
  });
}

/** Loads lean documents by `_id` with one `find({ _id: { $in } })` per batch. */
export function byIdLoader<V extends { _id: string }>(model: {
  find(filter: object): { lean(): PromiseLike<unknown> };
}): DataLoader<string, V | null> {
  return keyedLoader<string, V>(
    async (ids) => (await model.find({ _id: { $in: ids } }).lean()) as V[],
    (doc) => doc._id,
  );
}

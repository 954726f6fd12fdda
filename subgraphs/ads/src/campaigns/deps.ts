import { type Caller, checkClientId, newId, notFound } from '@attention-mesh/platform';
import type { AdsLoaders } from '../loaders.js';
import type { AdsRuntime } from '../runtime.js';

/** What the campaign use cases work with: the process's state, the request's loaders and who is calling. */
export interface CampaignDeps {
  runtime: AdsRuntime;
  loaders: AdsLoaders;
  caller: Caller;
}

export type Nullable<T> = { [K in keyof T]?: T[K] | null };

export const idOr = (id: string | null | undefined, prefix: string, now: number) =>
  id ? checkClientId(id, 'input.id') : newId(prefix, now);

/** The document by id, or NOT_FOUND. */
export async function must<T>(
  loader: { load(id: string): Promise<T | null> },
  typename: string,
  id: string,
): Promise<T> {
  const doc = await loader.load(id);
  if (!doc) throw notFound(typename, id);
  return doc;
}

import type { EventBus, RequestContext } from '@attention-mesh/platform';
import type { AdsLoaders } from '../loaders.js';
import type { AdsRuntime } from '../runtime.js';

export interface AdsContext {
  runtime: AdsRuntime;
  loaders: AdsLoaders;
  events: EventBus;
}
export type Context = RequestContext & AdsContext;

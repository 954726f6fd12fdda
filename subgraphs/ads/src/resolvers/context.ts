import type { EventBus, RequestContext } from '@attention-mesh/platform';
import type { AdsLoaders } from '../loaders.js';
import type { AdsModels } from '../models/index.js';

export interface AdsContext {
  models: AdsModels;
  loaders: AdsLoaders;
  events: EventBus;
}
export type Ctx = RequestContext & AdsContext;

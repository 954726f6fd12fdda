import type { EventBus, RequestContext } from '@attention-mesh/platform';
import type { FeedbackLoaders } from '../loaders.js';
import type { FeedbackRuntime } from '../runtime.js';

export interface FeedbackContext {
  runtime: FeedbackRuntime;
  events: EventBus;
  loaders: FeedbackLoaders;
}
export type Context = RequestContext & FeedbackContext;

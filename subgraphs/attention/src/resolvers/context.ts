import type { EventBus, RequestContext } from '@attention-mesh/platform';
import type { AttentionLoaders } from '../loaders.js';
import type { AttentionRuntime } from '../runtime.js';

/** What the attention subgraph adds to every request's context. */
export interface AttentionContext {
  runtime: AttentionRuntime;
  events: EventBus;
  loaders: AttentionLoaders;
}
export type Context = RequestContext & AttentionContext;

import type { EventBus, RequestContext } from '@attention-mesh/platform';
import type { UsersLoaders } from '../loaders.js';
import type { UsersRuntime } from '../runtime.js';

export interface UsersContext {
  runtime: UsersRuntime;
  loaders: UsersLoaders;
  events: EventBus;
}
export type Context = RequestContext & UsersContext;

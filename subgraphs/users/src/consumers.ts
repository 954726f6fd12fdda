import { type EventBus, type Subscription, subscribeEvents } from '@attention-mesh/platform';
import { recordCompletion } from './erasure/recordCompletion.js';
import type { UsersRuntime } from './runtime.js';

/** The users subgraph's one consumer: each service's `user.erasure.completed`, recorded on the erasure. */
export function startConsumers(runtime: UsersRuntime, events: EventBus): Subscription[] {
  return [
    subscribeEvents(events, 'users.erasure', ['user.erasure.completed'], (event) =>
      recordCompletion(runtime, events, event),
    ),
  ];
}

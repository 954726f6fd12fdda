import { type CatalogEvent, type EventType, parseCatalogEvent } from './catalog.js';
import type { EventBus, SubscribeOptions, Subscription } from './types.js';

/**
 * Handles one event of the types `T` with its payload parsed. The delivery rules of the bus hold
 * (see `EnvelopeHandler`): at least once, so idempotent by event id; a throw retries the same event.
 */
export type EventHandler<T extends EventType = EventType> = (event: CatalogEvent<T>) => Promise<void>;

/**
 * Subscribes `consumer` to `types` with the catalog's check: the handler receives each event with its
 * payload parsed and typed by `event.type`; an event whose payload does not match the catalog never
 * reaches it and is kept as a dead letter (`bus.deadLetters()`), and the consumer moves on.
 */
export function subscribeEvents<const T extends EventType>(
  bus: EventBus,
  consumer: string,
  types: readonly T[],
  handler: EventHandler<T>,
  opts: Omit<SubscribeOptions, 'check'> = {},
): Subscription {
  // The bus delivers only `types`, so a checked event is a CatalogEvent<T>.
  return bus.subscribe(consumer, types, (event) => handler(event as CatalogEvent<T>), {
    ...opts,
    check: parseCatalogEvent,
  });
}

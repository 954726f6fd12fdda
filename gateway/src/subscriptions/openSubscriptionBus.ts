import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type EventBus, type Logger, MongoEventBus } from '@attention-mesh/platform';
import type { SubscriptionsConfig } from './subscriptionsConfig.js';

/**
 * The one place the gateway opens its event bus for subscriptions. Today the mongo outbox on the
 * services' MongoDB server; once the bus has `createEventBus(config)` (EVENT_BUS=mongo|nats) this is
 * the line to switch.
 */
export function openSubscriptionBus(bus: SubscriptionsConfig['bus'], logger: Logger): Promise<EventBus> {
  return MongoEventBus.connect({ uri: bus.uri, dbName: bus.dbName, logger });
}

/**
 * A consumer name of this gateway instance alone: each replica gets every event (live fan-out, no
 * stored position needed). 1-100 characters of A-Z a-z 0-9 _ . : -.
 */
export function subscriptionConsumerName(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9_.:-]/g, '-')
    .slice(0, 40);
  return `gateway-subscriptions.${host}.${process.pid}.${randomBytes(4).toString('hex')}`;
}

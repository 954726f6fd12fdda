import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createEventBus, type EventBus, type Logger } from '@attention-mesh/platform';
import type { SubscriptionsConfig } from './subscriptionsConfig.js';

/**
 * The one place the gateway opens its event bus for subscriptions: the services' bus (EVENT_BUS: the
 * mongo log on MONGODB_URI's server, EVENT_BUS_DB, or NATS JetStream at NATS_URL). The gateway only
 * reads it; the services sweep old events.
 */
export function openSubscriptionBus(bus: SubscriptionsConfig['bus'], logger: Logger): Promise<EventBus> {
  return createEventBus(bus, logger, { sweep: false });
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

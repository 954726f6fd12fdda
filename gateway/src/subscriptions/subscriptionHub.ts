import {
  type CatalogEvent,
  type ConsumerLag,
  type EventBus,
  type Logger,
  type Subscription,
  subscribeEvents,
} from '@attention-mesh/platform';
import type { LiveSubscription } from './liveSubscription.js';
import {
  SUBSCRIBED_EVENT_TYPES,
  SUBSCRIPTION_FIELDS,
  type SubscriptionFieldName,
} from './subscriptionFields.js';

export interface HubOptions {
  /** Opens the bus on the first subscription (it is not opened while nobody subscribes). */
  openBus(): Promise<EventBus>;
  /** Close the bus on stop (false for a bus the gateway was given). */
  ownsBus: boolean;
  consumer: string;
  logger: Logger;
}

const indexKey = (field: SubscriptionFieldName, argument: string) => `${field}\u0000${argument}`;

/**
 * The gateway's one bus subscription for every Subscription field, fanned out in memory: subscribers
 * are indexed by (field, argument value), so an event reaches only the subscriptions it matches, in
 * O(matching). The bus subscription starts with the first subscriber (`startAt: 'latest'`: a live
 * stream has no past, and `ephemeral`: no stored position) and lasts until the gateway stops.
 */
export class SubscriptionHub {
  private readonly index = new Map<string, Set<LiveSubscription>>();
  private started: Promise<void> | undefined;
  private bus: EventBus | undefined;
  private subscription: Subscription | undefined;
  private stopped = false;
  /** Events received and payload deliveries queued (metrics, benchmarks). */
  readonly counters = { events: 0, matched: 0 };

  constructor(private readonly opts: HubOptions) {}

  /** Opens the bus subscription if it is not yet (the first subscriber waits for it). */
  start(): Promise<void> {
    this.started ??= (async () => {
      const bus = await this.opts.openBus();
      this.bus = bus;
      if (this.stopped) {
        if (this.opts.ownsBus) await bus.close();
        return;
      }
      this.subscription = subscribeEvents(
        bus,
        this.opts.consumer,
        SUBSCRIBED_EVENT_TYPES,
        async (event) => this.dispatch(event),
        // A live stream has no past and keeps no position: every gateway replica gets every event.
        { ephemeral: true, startAt: 'latest' },
      );
      await this.subscription.ready;
      this.opts.logger.info({ consumer: this.opts.consumer }, 'subscriptions: listening to the event bus');
    })().catch((err) => {
      this.started = undefined;
      throw err;
    });
    return this.started;
  }

  /** The bus's durable consumers and their lag (opens the bus subscription if it is not yet). */
  async lag(): Promise<ConsumerLag[]> {
    await this.start();
    if (!this.bus) throw new Error('the gateway has stopped reading the event bus');
    return this.bus.lag();
  }

  add(sub: LiveSubscription): void {
    const key = indexKey(sub.prepared.field.name, sub.prepared.argument);
    let set = this.index.get(key);
    if (!set) {
      set = new Set();
      this.index.set(key, set);
    }
    set.add(sub);
  }

  remove(sub: LiveSubscription): void {
    const key = indexKey(sub.prepared.field.name, sub.prepared.argument);
    const set = this.index.get(key);
    if (!set) return;
    set.delete(sub);
    if (set.size === 0) this.index.delete(key);
  }

  /** Open subscriptions (all fields). */
  get size(): number {
    let n = 0;
    for (const set of this.index.values()) n += set.size;
    return n;
  }

  /** One event to every subscription it matches; never throws (the bus would deliver it again). */
  dispatch(event: CatalogEvent): void {
    this.counters.events++;
    for (const field of Object.values(SUBSCRIPTION_FIELDS)) {
      if (!field.eventTypes.includes(event.type)) continue;
      const value = field.matchOf(event);
      if (value === undefined) continue;
      const set = this.index.get(indexKey(field.name, value));
      if (!set) continue;
      for (const sub of [...set]) {
        this.counters.matched++;
        sub.push(event);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const set of [...this.index.values()]) for (const sub of [...set]) sub.end();
    await this.started?.catch(() => {});
    await this.subscription?.stop();
    if (this.opts.ownsBus) await this.bus?.close();
  }
}

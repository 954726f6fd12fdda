/**
 * The event bus (DESIGN §3, point 3): how a subgraph tells the others that something they care about
 * changed. One interface, several adapters: `MongoEventBus` (the embedded default, an outbox collection
 * polled by consumers) today; a NATS JetStream adapter can implement the same interface later
 * (a stream per bus, a durable consumer per consumer name, `publish` awaiting the JetStream ack).
 */

/** The event types in use. Any other dotted string is allowed: new producers need no change here. */
export type KnownEventType =
  | 'user.created'
  | 'user.consent.changed'
  | 'user.erased'
  | 'attention.recorded'
  | 'feedback.received'
  | 'ad.impression'
  | 'ad.click'
  | 'model.updated'
  | 'recommendations.updated';
// `string & {}` keeps editor completion for the known types while accepting any string.
export type EventType = KnownEventType | (string & {});

/** The entity an event is about, as a federation entity reference. */
export interface EntityKey {
  __typename: string;
  id: string;
}

/** The envelope every event travels in, whatever the bus. */
export interface MeshEvent<T = unknown> {
  /** Unique and time-sortable (`evt_` + base36 ms + hex, see `newEventId`); consumers deduplicate by it. */
  id: string;
  type: EventType;
  /** When the change happened, epoch ms. */
  occurredAt: number;
  key: EntityKey;
  /** The user the event concerns, when there is one (erasure finds a user's events by it). */
  userId?: string;
  data: T;
}

/** `user.created`: the profile fields other subgraphs may need; no name or email (they stay in users). */
export interface UserCreatedData {
  country: string | null;
  locale: string;
  timezone: string;
  segments: string[];
  /** Epoch ms. */
  createdAt: number;
}

/**
 * `user.consent.changed`: the user's whole consent after the change. Events from different replicas
 * are not ordered among themselves: keep the one with the latest `updatedAt`.
 */
export interface UserConsentChangedData {
  personalization: boolean;
  adsPersonalization: boolean;
  analytics: boolean;
  /** Epoch ms. */
  updatedAt: number;
}

/**
 * `feedback.received`: one stored feedback signal (never sent again for a repeated client id).
 * Consumers that count must deduplicate by `feedbackId`: after a crash between the write and the
 * publish the signal is stored but not announced, never announced twice.
 */
export interface FeedbackReceivedData {
  feedbackId: string;
  kind: 'CLICK' | 'DWELL' | 'LIKE' | 'DISLIKE' | 'HIDE' | 'RATING' | 'COMPLAINT' | 'CONVERSION';
  targetType: 'ITEM' | 'AD';
  targetId: string;
  rating: number | null;
  dwellMs: number | null;
  reason: string | null;
  /** Epoch ms. */
  occurredAt: number;
}

/**
 * Handles one event. Delivery is at-least-once: after a crash, a failed offset write or a handler
 * error the same event comes again, so a handler MUST be idempotent by `event.id` (or by effect, e.g.
 * an upsert keyed by the event id, or last-writer-wins on a timestamp in the data). A handler that
 * throws gets the same event again, with backoff, and nothing after it is delivered to that consumer
 * until it succeeds.
 */
export type EventHandler = (event: MeshEvent) => Promise<void>;

export interface SubscribeOptions {
  /**
   * Where a consumer name seen for the first time starts: every event still retained (default) or
   * only events published from now on. A known consumer always resumes after its stored offset.
   */
  startAt?: 'earliest' | 'latest';
  /** Pause between polls that found less than a full batch (default 200 ms). */
  pollIntervalMs?: number;
  /** Events read per poll (default 500). */
  batchSize?: number;
  /** First retry delay after a handler error (default 200 ms), doubling up to `retryMaxMs`. */
  retryMinMs?: number;
  /** Longest retry delay (default 30 s). */
  retryMaxMs?: number;
}

export interface Subscription {
  readonly consumer: string;
  /** Lets the event in hand finish, stores the offset, and stops. */
  stop(): Promise<void>;
}

export interface EventBus {
  /**
   * Stores the events durably, then resolves. Publishing an event id that is already stored is a
   * no-op, so a publish may be retried with the same events. Build events with `meshEvent()`
   * right before publishing (see `MongoEventBus.publish` for why the id must be fresh).
   */
  publish(events: MeshEvent[]): Promise<void>;
  /**
   * Delivers every event of `types` to `handler`, one at a time, in id order, at least once. The
   * consumer name identifies the stored position: a restarted consumer resumes where it stopped. Run
   * one subscription per consumer name at a time (two would each get every event).
   */
  subscribe(
    consumer: string,
    types: readonly EventType[],
    handler: EventHandler,
    opts?: SubscribeOptions,
  ): Subscription;
  /** Stops every subscription of this bus and releases what the bus opened. */
  close(): Promise<void>;
}

/**
 * The event bus (DESIGN §3, point 3): how a subgraph tells the others that something they care about
 * changed. One interface, several adapters: `MongoEventBus` (the embedded default, an outbox collection
 * polled by consumers) today; a NATS JetStream adapter can implement the same interface later
 * (a stream per bus, a durable consumer per consumer name, `publish` awaiting the JetStream ack).
 */

/** The entity an event is about, as a federation entity reference. */
export interface EntityKey {
  __typename: string;
  id: string;
}

/**
 * The envelope every event travels in, whatever the bus. The bus carries any payload; the catalog
 * (`catalog.ts`) says which types exist and what their payloads are.
 */
export interface MeshEvent<D = unknown, T extends string = string> {
  /** Unique and time-sortable (`evt_` + base36 ms + hex, see `newEventId`); consumers deduplicate by it. */
  id: string;
  type: T;
  /** When the change happened, epoch ms. */
  occurredAt: number;
  key: EntityKey;
  /** The user the event concerns, when there is one (erasure finds a user's events by it). */
  userId?: string;
  data: D;
}

/**
 * Handles one event as the bus stored it (`subscribeEvents` gives handlers typed, checked payloads).
 * Delivery is at-least-once: after a crash, a failed offset write or a handler error the same event
 * comes again, so a handler MUST be idempotent by `event.id` (or by effect, e.g. an upsert keyed by
 * the event id, or last-writer-wins on a timestamp in the data). A handler that throws gets the same
 * event again, with backoff, and nothing after it is delivered to that consumer until it succeeds.
 */
export type EnvelopeHandler = (event: MeshEvent) => Promise<void>;

/**
 * Decides whether a delivered event reaches the handler: the event to hand over (its payload parsed),
 * or the reason it cannot be handled at all. Must not throw for a bad payload: retrying would not
 * change the answer.
 */
export type EventCheck = (event: MeshEvent) => { ok: true; event: MeshEvent } | { ok: false; reason: string };

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
  /**
   * Checks each event before the handler sees it (`subscribeEvents` passes the catalog's check). An
   * event it refuses is stored as a dead letter with the reason, logged, and passed over: it is neither
   * retried forever nor dropped silently. Without it the handler gets every event as stored.
   */
  check?: EventCheck;
}

/** An event a consumer could not handle because its payload failed the check, kept aside. */
export interface DeadLetter {
  eventId: string;
  type: string;
  consumer: string;
  /** Why the check refused it (the zod issues, one `path: message` each). */
  reason: string;
  /** The event as the bus stored it. */
  event: MeshEvent;
  /** When the consumer set it aside, epoch ms. */
  at: number;
}

export interface DeadLetterQuery {
  /** Only this consumer's dead letters (default: every consumer's). */
  consumer?: string;
  /** At most this many, newest first (default 100). */
  limit?: number;
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
   * one subscription per consumer name at a time (two would each get every event). Services subscribe
   * through `subscribeEvents`, which checks each payload against the catalog and types the handler.
   */
  subscribe(
    consumer: string,
    types: readonly string[],
    handler: EnvelopeHandler,
    opts?: SubscribeOptions,
  ): Subscription;
  /** The events consumers set aside (see `SubscribeOptions.check`), newest first. */
  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]>;
  /** Stops every subscription of this bus and releases what the bus opened. */
  close(): Promise<void>;
}

/**
 * The event bus (DESIGN §3, point 3): how a subgraph tells the others that something they care about
 * changed. One interface, two adapters chosen by `createEventBus` (`EVENT_BUS=mongo|nats`):
 * `MongoEventBus` (the embedded default: an outbox collection and a gap-free log of publish slots read
 * by exact `_id`) and `NatsEventBus` (NATS JetStream: a stream per bus, a durable consumer per consumer
 * name, `publish` awaiting the JetStream acks).
 *
 * The contract, the same for both:
 * - at least once: after a crash, a failed position write, a handler error or a replay, the same event
 *   comes again, so handlers are idempotent by `event.id` (or by effect);
 * - in order per consumer (per partition when partitioned), except that a redelivered event may come
 *   again after later ones were handled;
 * - a handler that throws is retried with backoff; after `maxAttempts` tries its event goes to the
 *   dead letters (with the error as the reason) and the consumer moves on; `replayDeadLetters` delivers
 *   it to that consumer once more and removes it from the dead letters once handled;
 * - publishing an event id that is already stored is a no-op (Mongo: always; NATS: within the
 *   stream's duplicate window).
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
  /**
   * The W3C `traceparent` of the span that published it, when tracing is on: consumers continue that
   * trace (`withConsumerSpan`).
   */
  trace?: string;
}

/**
 * Handles one event as the bus stored it (`subscribeEvents` gives handlers typed, checked payloads).
 * Delivery is at-least-once: after a crash, a failed offset write, a handler error or a replay the same
 * event comes again, so a handler MUST be idempotent by `event.id` (or by effect, e.g. an upsert keyed
 * by the event id, or last-writer-wins on a timestamp in the data). A handler that throws gets the same
 * event again, with backoff, and nothing after it is delivered to that consumer until it succeeds or
 * `maxAttempts` is reached (then the event is set aside as a dead letter).
 */
export type EnvelopeHandler = (event: MeshEvent) => Promise<void>;

/**
 * Decides whether a delivered event reaches the handler: the event to hand over (its payload parsed),
 * or the reason it cannot be handled at all. Must not throw for a bad payload: retrying would not
 * change the answer.
 */
export type EventCheck = (event: MeshEvent) => { ok: true; event: MeshEvent } | { ok: false; reason: string };

/**
 * One of `count` replicas of a consumer that keeps per-key state: replica `index` (0-based) gets only
 * the events whose key hashes to it (`partitionOf(event.key, count)`), so every key's events reach one
 * replica, in order. Every replica uses the same consumer name and the same `count`; each keeps its own
 * position. A deployment sets it per replica, e.g. from a StatefulSet ordinal (see the README).
 */
export interface PartitionSpec {
  /** How many replicas share the consumer (1-1024). */
  count: number;
  /** This replica, 0 to count - 1. */
  index: number;
}

export interface SubscribeOptions {
  /**
   * Where a consumer name seen for the first time starts: every event still retained (default) or
   * only events published from now on. A known consumer always resumes after its stored position.
   * Ephemeral consumers always start at the newest event.
   */
  startAt?: 'earliest' | 'latest';
  /**
   * No stored position: the subscription starts at the newest event, keeps nothing per subscriber
   * (no position, no dead letters: an event its handler keeps refusing is logged and dropped), and any
   * number of processes (or subscriptions in one process) may use the same name. For live fan-out such
   * as the gateway's subscriptions. Default false.
   */
  ephemeral?: boolean;
  /** Consume only this replica's share of the keys (durable consumers only). Default: every key. */
  partition?: PartitionSpec;
  /**
   * Tries of a handler per event before the event goes to the dead letters and the consumer moves on
   * (default 10, about 80 s with the default backoff; `Infinity` retries for ever, which holds everything behind the event).
   */
  maxAttempts?: number;
  /**
   * Ignored: the Mongo bus polls once per process for all its consumers (`MongoEventBusOptions`
   * `pollIntervalMs`, `idlePollIntervalMs`); NATS pushes.
   */
  pollIntervalMs?: number;
  /** Events handed over per read (NATS: messages per pull; default 256). */
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

/** An event a consumer could not handle (its payload failed the check, or its handler kept throwing). */
export interface DeadLetter {
  eventId: string;
  type: string;
  consumer: string;
  /** Why: the check's zod issues (`path: message` each) or `handler failed N times: <error>`. */
  reason: string;
  /** The event as the bus stored it. */
  event: MeshEvent;
  /** When the consumer set it aside, epoch ms. */
  at: number;
  /** How many times it was replayed and set aside again (0 the first time). */
  replays?: number;
}

export interface DeadLetterQuery {
  /** Only this consumer's dead letters (default: every consumer's). */
  consumer?: string;
  /** Only these events (with `consumer`, read by id). */
  eventIds?: readonly string[];
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/** What `replayDeadLetters` did. */
export interface ReplayResult {
  /** The dead letters sent back to their consumers: each leaves the dead letters once handled. */
  replayed: { consumer: string; eventId: string }[];
}

/** How far behind one durable consumer (or one partition of it) is. */
export interface ConsumerLag {
  consumer: string;
  /** The replica, for a partitioned consumer. */
  partition?: PartitionSpec;
  /**
   * Events of its types published after its position (and, NATS, delivered but not yet acknowledged).
   * A partitioned consumer counts every partition's events; on NATS < 2.10 a consumer of several
   * types counts every type's (see NatsEventBus).
   */
  pending: number;
  /** When the oldest of them was published, epoch ms (absent when none is pending). */
  oldestPendingAt?: number;
  /** Its dead letters. */
  deadLetters: number;
}

export interface Subscription {
  readonly consumer: string;
  /**
   * Resolves once the subscription has its starting position (a new `latest` or ephemeral consumer
   * gets every event published after it). Never rejects: a start that fails is retried and logged.
   */
  readonly ready: Promise<void>;
  /** Lets the event in hand finish, stores the position, and stops. */
  stop(): Promise<void>;
}

export interface EventBus {
  /**
   * Stores the events durably, then resolves. Publishing an event id that is already stored is a
   * no-op, so a publish may be retried with the same events. Build events with `meshEvent()`.
   */
  publish(events: MeshEvent[]): Promise<void>;
  /**
   * Delivers every event of `types` to `handler`, one at a time, in order, at least once. The
   * consumer name identifies the stored position: a restarted consumer resumes where it stopped. Run
   * one subscription per consumer name (and partition) at a time, unless it is `ephemeral`. Services
   * subscribe through `subscribeEvents`, which checks each payload against the catalog and types the
   * handler.
   */
  subscribe(
    consumer: string,
    types: readonly string[],
    handler: EnvelopeHandler,
    opts?: SubscribeOptions,
  ): Subscription;
  /** The events consumers set aside, newest first. */
  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]>;
  /**
   * Sends dead letters back to their consumer (`consumer`, `eventIds`, at most `limit`, default 100):
   * the running consumer of that name gets each once more, through its check and handler, and the
   * dead letter is removed once handled (a new failure sets it aside again, `replays` counted).
   */
  replayDeadLetters(query?: DeadLetterQuery): Promise<ReplayResult>;
  /** Every durable consumer of the bus with how far behind it is. */
  lag(): Promise<ConsumerLag[]>;
  /**
   * Erasure: replaces `userId` by `replacement` in every event the bus still retains (and its dead
   * letters); resolves to the documents rewritten. Mongo rewrites them in place; a JetStream stream
   * cannot rewrite messages, so NATS keeps them until they age out (`EVENT_RETENTION_MS`) and answers 0.
   * Call it once every consumer has handled the erasure: a lagging consumer then reads the replacement.
   */
  redactUser(userId: string, replacement: string): Promise<number>;
  /** Stops every subscription of this bus and releases what the bus opened. */
  close(): Promise<void>;
}

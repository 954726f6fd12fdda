import type { Connection, mongo } from 'mongoose';
import type { Logger } from '../logger.js';
import { connectMongo, writeErrorsOf } from '../mongo.js';
import { isTraceparent } from '../tracing/eventTrace.js';
import { Consumer, type ConsumerSettings, type OffsetDoc } from './consumer.js';
import { type DeadLetterDoc, DeadLetterStore } from './deadLetters.js';
import { checkSubscription, DEFAULT_MAX_ATTEMPTS } from './delivery.js';
import { eventIdFloor, eventIdTime } from './event.js';
import { redactRetained } from './redactRetained.js';
import { countOf, MAX_SLOT_EVENTS, type SlotDoc, type SlotEntry, SlotLog, type TailDoc } from './slotLog.js';
import type {
  ConsumerLag,
  DeadLetter,
  DeadLetterQuery,
  EnvelopeHandler,
  EventBus,
  MeshEvent,
  ReplayResult,
  SubscribeOptions,
  Subscription,
} from './types.js';

/** The database every service's bus shares on the MongoDB server (the services' own databases differ). */
export const DEFAULT_BUS_DB = 'attention_mesh_bus';
/**
 * How long events are kept (both adapters; the NATS stream's `max_age`). Sweeping the Mongo bus never
 * deletes a slot a registered consumer has not handled, so retention only bounds what a brand-new
 * consumer can replay and how long a republished id is recognised.
 */
export const DEFAULT_EVENT_RETENTION_MS = 60 * 60 * 1000;

export interface MongoEventBusOptions {
  logger: Logger;
  /**
   * How often this bus instance reads "the slot after the newest" while events flow (default 100 ms),
   * one read shared by all its consumers; a publish in the same process wakes them at once.
   */
  pollIntervalMs?: number;
  /** The same once nothing new arrived for 10 s (default 500 ms, at least `pollIntervalMs`). */
  idlePollIntervalMs?: number;
  /** Defaults for `subscribe` options. */
  retryMinMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
  /** How often an idle consumer stores the position it has reached (default 5 s). */
  idleCommitMs?: number;
  /** When set, this bus runs `sweep(olderThanMs)` every `everyMs` until closed. */
  sweep?: { olderThanMs: number; everyMs: number };
}

export interface MongoEventBusConnectOptions extends MongoEventBusOptions {
  uri: string;
  /** Default `attention_mesh_bus`. */
  dbName?: string;
  /** Emit driver command events on the bus connection (tests count its reads). */
  monitorCommands?: boolean;
}

/** The archive of published events, by id: what makes a republished id a no-op. */
export interface EventDoc {
  _id: string;
  type: string;
  occurredAt: number;
  key: { __typename: string; id: string };
  userId?: string;
  data: unknown;
  trace?: string;
}

function checkEvent(event: MeshEvent): SlotEntry {
  if (typeof event.id !== 'string' || eventIdTime(event.id) === null)
    throw new Error(
      `event id ${JSON.stringify(event.id)} is not an event id: create events with meshEvent()`,
    );
  if (typeof event.type !== 'string' || event.type.length === 0)
    throw new Error(`event ${event.id} has no type`);
  if (typeof event.key?.__typename !== 'string' || typeof event.key?.id !== 'string')
    throw new Error(`event ${event.id} has no key { __typename, id }`);
  if (!Number.isFinite(event.occurredAt)) throw new Error(`event ${event.id} has no occurredAt`);
  const entry: SlotEntry = {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    key: { __typename: event.key.__typename, id: event.key.id },
    data: event.data ?? null,
  };
  if (event.userId !== undefined) entry.userId = event.userId;
  if (isTraceparent(event.trace)) entry.trace = event.trace;
  return entry;
}

const toDoc = ({ id, for: _for, ...rest }: SlotEntry): EventDoc => ({ _id: id, ...rest });

/**
 * The embedded event bus, on MongoDB or the embedded database (FerretDB v1: no change streams,
 * transactions or TTL indexes are used), in a database shared by all services (`attention_mesh_bus`):
 *
 * - `log`: a gap-free log of slots `{ _id: 's000000000001', n: 1, events: [...] }`, 2, 3, …, one per publish (see
 *   `SlotLog`). Consumers read it by exact `_id` only, the one filter the embedded database indexes:
 *   an idle consumer reads "slot n + 1" once per poll interval (one read per process, shared by its
 *   consumers), and a publish in the same process wakes its consumers at once.
 * - `events`: every published event by id, written first: a republished id is a no-op.
 * - `offsets`: one document per durable consumer (and partition): `{ slot, next, counts }`.
 * - `bus_meta`: `tail`, a lower bound of the newest slot, where new consumers and idle publishers start.
 * - `dead_letters`: events a consumer set aside, one per consumer and event id; never swept.
 *
 * Ordering: the log's order, which is the order of the publishes that stored them (per publisher,
 * the call order). Events of different publishers have no other meaningful order, so state-carrying
 * events also carry a timestamp for last-writer-wins. No clock or settle window is involved.
 *
 * Retention: `sweep(olderThanMs)` deletes slots older than `olderThanMs` that every registered consumer
 * has passed (a consumer that stopped for good holds them back until `removeConsumer` retires it),
 * and archived events older than that. There is no TTL index (FerretDB has none): whoever runs the bus
 * calls `sweep` on an interval (the `sweep` option does it); on the embedded database a sweep reads
 * the collections, which retention keeps small.
 *
 * Limits: one running subscription per durable consumer name (and partition) across all processes;
 * a crash between the archive write and the log append loses those events for consumers (a retry of
 * the same publish in the same process appends them). Ephemeral subscriptions may share names freely.
 */
export class MongoEventBus implements EventBus {
  readonly connection: Connection;
  private readonly events: mongo.Collection<EventDoc>;
  private readonly offsets: mongo.Collection<OffsetDoc>;
  private readonly deadLetterStore: DeadLetterStore;
  private readonly log: SlotLog;
  private readonly logger: Logger;
  private readonly idleCommitMs: number;
  private readonly defaults: Required<Pick<SubscribeOptions, 'retryMinMs' | 'retryMaxMs' | 'maxAttempts'>>;
  private readonly consumers = new Map<string, Consumer>();
  private ephemeralCount = 0;
  /** Archived events whose log append failed: a retried publish of them appends them after all. */
  private readonly unlogged = new Map<string, SlotEntry>();
  private sweeper: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    connection: Connection,
    opts: MongoEventBusOptions,
    private readonly ownsConnection: boolean,
  ) {
    this.connection = connection;
    const db = connection.db;
    if (!db) throw new Error('the event bus needs an open connection');
    this.events = db.collection<EventDoc>('events');
    this.offsets = db.collection<OffsetDoc>('offsets');
    this.deadLetterStore = new DeadLetterStore(db.collection<DeadLetterDoc>('dead_letters'));
    this.logger = opts.logger.child({ component: 'event-bus' });
    this.log = new SlotLog(
      db.collection<SlotDoc>('log'),
      db.collection<TailDoc>('bus_meta'),
      this.logger,
      opts.pollIntervalMs ?? 100,
      Math.max(opts.idlePollIntervalMs ?? 500, opts.pollIntervalMs ?? 100),
    );
    this.idleCommitMs = opts.idleCommitMs ?? 5_000;
    this.defaults = {
      retryMinMs: opts.retryMinMs ?? 200,
      retryMaxMs: opts.retryMaxMs ?? 30_000,
      maxAttempts: opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    };
  }

  /** Opens a connection of its own to the bus database (closed by `close()`). */
  static async connect(opts: MongoEventBusConnectOptions): Promise<MongoEventBus> {
    const conn = await connectMongo({
      uri: opts.uri,
      dbName: opts.dbName ?? DEFAULT_BUS_DB,
      logger: opts.logger,
      monitorCommands: opts.monitorCommands,
    });
    try {
      return await MongoEventBus.open(conn, opts, true);
    } catch (err) {
      await conn.close().catch(() => {});
      throw err;
    }
  }

  /** Uses a connection (to the bus database) that the caller opened and closes. */
  static fromConnection(conn: Connection, opts: MongoEventBusOptions): Promise<MongoEventBus> {
    return MongoEventBus.open(conn, opts, false);
  }

  private static async open(conn: Connection, opts: MongoEventBusOptions, owns: boolean) {
    const bus = new MongoEventBus(conn, opts, owns);
    await bus.ensureIndexes();
    if (opts.sweep) bus.startSweeper(opts.sweep.olderThanMs, opts.sweep.everyMs);
    return bus;
  }

  /** Reads of the `log` collection by this bus instance (tests and benchmarks). */
  get logReads(): number {
    return this.log.reads;
  }

  /** Creates the collections and indexes (autoIndex is off in the mesh); safe to repeat and to race. */
  private async ensureIndexes(): Promise<void> {
    const db = this.connection.db!;
    for (const name of ['events', 'log', 'offsets', 'bus_meta', 'dead_letters']) {
      await db.createCollection(name).catch((err: { codeName?: string; code?: number }) => {
        if (err.codeName !== 'NamespaceExists' && err.code !== 48) throw err;
      });
    }
    await this.deadLetterStore.ensureIndexes();
  }

  async publish(events: MeshEvent[]): Promise<void> {
    if (this.closing) throw new Error('the event bus is closed');
    if (events.length === 0) return;
    const entries = events.map(checkEvent);
    const fresh = await this.archive(entries);
    for (let i = 0; i < fresh.length; i += MAX_SLOT_EVENTS) {
      const chunk = fresh.slice(i, i + MAX_SLOT_EVENTS);
      try {
        await this.log.append(chunk);
        for (const e of chunk) this.unlogged.delete(e.id);
      } catch (err) {
        for (const e of fresh.slice(i)) this.unlogged.set(e.id, e);
        throw err;
      }
    }
  }

  /** Writes the events to the archive; returns those to append (not published before). */
  private async archive(entries: SlotEntry[]): Promise<SlotEntry[]> {
    const unique = [...new Map(entries.map((e) => [e.id, e])).values()];
    let known = new Set<number>();
    try {
      await this.events.insertMany(unique.map(toDoc), { ordered: false });
    } catch (err) {
      // An id already stored is this same event published before (a retried publish): nothing to do,
      // unless its log append failed here (then it is appended now).
      const failed = writeErrorsOf(err);
      if (!failed || failed.some((we) => we.code !== 11000)) throw err;
      known = new Set(failed.map((we) => we.index));
    }
    return unique.filter((e, i) => !known.has(i) || this.unlogged.has(e.id));
  }

  subscribe(
    consumer: string,
    types: readonly string[],
    handler: EnvelopeHandler,
    opts: SubscribeOptions = {},
  ): Subscription {
    if (this.closing) throw new Error('the event bus is closed');
    checkSubscription(consumer, types, opts);
    const ephemeral = opts.ephemeral === true;
    const key = ephemeral
      ? `~${consumer}~${++this.ephemeralCount}`
      : `${consumer}${opts.partition ? `#${opts.partition.index}/${opts.partition.count}` : ''}`;
    if (this.consumers.has(key)) throw new Error(`consumer ${consumer} is already subscribed on this bus`);
    const settings: ConsumerSettings = {
      retryMinMs: opts.retryMinMs ?? this.defaults.retryMinMs,
      retryMaxMs: opts.retryMaxMs ?? this.defaults.retryMaxMs,
      maxAttempts: opts.maxAttempts ?? this.defaults.maxAttempts,
      check: opts.check,
      partition: opts.partition,
      ephemeral,
      startAt: opts.startAt,
    };
    const c = new Consumer(
      {
        log: this.log,
        offsets: this.offsets,
        deadLetters: this.deadLetterStore,
        idleCommitMs: this.idleCommitMs,
        logger: this.logger.child({ consumer, ...(opts.partition ? { partition: opts.partition } : {}) }),
      },
      consumer,
      [...new Set(types)],
      handler,
      settings,
    );
    this.consumers.set(key, c);
    c.start();
    return {
      consumer,
      ready: c.ready,
      stop: async () => {
        await c.stop();
        if (this.consumers.get(key) === c) this.consumers.delete(key);
      },
    };
  }

  /**
   * Deletes the slots older than `olderThanMs` that every registered consumer has passed, and archived
   * events older than that; returns how many slots. Safe to run from several processes at once.
   */
  async sweep(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    const consumers = await this.offsets.find({}).toArray();
    // Slots at and after the tail document stay: a publisher that starts from it never re-fills a gap.
    let bound = await this.log.tailHint();
    const behind: OffsetDoc[] = [];
    for (const c of consumers) {
      if (typeof c.slot !== 'number') continue;
      if (c.slot + 1 < bound) {
        bound = c.slot + 1;
        if (c.updatedAt < cutoff) behind.push(c);
      }
    }
    if (behind.length > 0)
      this.logger.warn(
        { consumers: behind.map((c) => ({ consumer: c._id, slot: c.slot, updatedAt: c.updatedAt })) },
        'events past retention are kept for consumers that have not handled them (removeConsumer retires one)',
      );
    const slots = await this.log.deleteBefore(bound, cutoff);
    await this.events.deleteMany({ _id: { $lt: eventIdFloor(cutoff) } });
    if (slots > 0) this.logger.info({ slots }, 'old events swept');
    return slots;
  }

  /** Forgets a retired consumer's position (every partition), so it no longer holds back retention. */
  async removeConsumer(consumer: string): Promise<void> {
    for (const key of this.consumers.keys())
      if (key === consumer || key.startsWith(`${consumer}#`))
        throw new Error(`consumer ${consumer} is subscribed on this bus`);
    await this.offsets.deleteMany({ consumer });
    await this.offsets.deleteOne({ _id: consumer });
  }

  /** Stored positions (slot numbers) by consumer name, with `#index/count` for partitions. */
  async consumerOffsets(): Promise<Record<string, number>> {
    const docs = await this.offsets.find({}).toArray();
    return Object.fromEntries(docs.map((d) => [d._id, d.slot]));
  }

  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]> {
    return this.deadLetterStore.list(query);
  }

  /**
   * Appends the dead letters to the log as replays addressed to their consumer: the running consumer
   * of that name (or the next to start) handles them in log order, then removes the dead letter.
   */
  async replayDeadLetters(query: DeadLetterQuery = {}): Promise<ReplayResult> {
    if (this.closing) throw new Error('the event bus is closed');
    const letters = await this.deadLetterStore.list(query);
    if (letters.length === 0) return { replayed: [] };
    const entries = letters.map((l) => ({ ...checkEvent(l.event), for: l.consumer }));
    for (let i = 0; i < entries.length; i += MAX_SLOT_EVENTS)
      await this.log.append(entries.slice(i, i + MAX_SLOT_EVENTS));
    return { replayed: letters.map((l) => ({ consumer: l.consumer, eventId: l.eventId })) };
  }

  async redactUser(userId: string, replacement: string): Promise<number> {
    const db = this.connection.db!;
    // The slots' `events` arrays are what consumers read; `events` is the archive; dead letters are kept.
    return redactRetained(
      ['log', 'events', 'dead_letters'].map((name) => db.collection<{ _id: string }>(name)),
      userId,
      replacement,
    );
  }

  async lag(): Promise<ConsumerLag[]> {
    const newest = await this.log.newest();
    const tail = await this.log.get(newest);
    const [offsets, dead] = await Promise.all([
      this.offsets.find({}).toArray(),
      this.deadLetterStore.countByConsumer(),
    ]);
    const lags: ConsumerLag[] = [];
    for (const o of offsets) {
      if (typeof o.slot !== 'number') continue;
      const consumer = o.consumer ?? o._id;
      const pending = Math.max(0, countOf(tail?.counts, o.types) - countOf(o.counts, o.types));
      const lag: ConsumerLag = { consumer, pending, deadLetters: dead.get(consumer) ?? 0 };
      if (o.partition) lag.partition = o.partition;
      if (pending > 0) {
        const first = await this.log.get(o.slot + 1);
        if (first) lag.oldestPendingAt = first.at;
      }
      lags.push(lag);
    }
    return lags.sort(
      (a, b) => a.consumer.localeCompare(b.consumer) || (a.partition?.index ?? 0) - (b.partition?.index ?? 0),
    );
  }

  private startSweeper(olderThanMs: number, everyMs: number): void {
    this.sweeper = setInterval(() => {
      this.sweep(olderThanMs).catch((err: unknown) => this.logger.error({ err }, 'event sweep failed'));
    }, everyMs);
    this.sweeper.unref();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.sweeper);
      await Promise.all([...this.consumers.values()].map((c) => c.stop()));
      this.consumers.clear();
      await this.log.close();
      if (this.ownsConnection) await this.connection.close();
    })();
    return this.closing;
  }
}

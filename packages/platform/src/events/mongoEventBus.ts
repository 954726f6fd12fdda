import { randomBytes } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { KeyedLock } from '../keyedLock.js';
import type { Logger } from '../logger.js';
import { connectMongo, writeErrorsOf } from '../mongo.js';
import { Consumer, type ConsumerSettings, type EventDoc, type HeadDoc, type OffsetDoc } from './consumer.js';
import { type DeadLetterDoc, DeadLetterStore } from './deadLetters.js';
import { eventIdFloor, eventIdTime } from './event.js';
import type {
  DeadLetter,
  DeadLetterQuery,
  EnvelopeHandler,
  EventBus,
  MeshEvent,
  SubscribeOptions,
  Subscription,
} from './types.js';

/** The database every service's bus shares on the MongoDB server (the services' own databases differ). */
export const DEFAULT_BUS_DB = 'attention_mesh_bus';
/**
 * Retention the services' sweepers use. Short on purpose: sweeping never deletes an event a registered
 * consumer has not handled, so retention only bounds what a brand-new consumer can replay. And the
 * embedded database (FerretDB v1 on SQLite) pushes down no range filter: every poll reads the whole
 * `events` collection (about 45 µs per event measured here, so 50,000 retained events make a 2 s poll),
 * which a small collection keeps cheap.
 */
export const DEFAULT_EVENT_RETENTION_MS = 60 * 60 * 1000;

export interface MongoEventBusOptions {
  logger: Logger;
  /**
   * How old an event id must be before consumers read it (default 1000 ms). Must be the same for
   * every process on the bus and longer than clock skew between hosts plus the time an insert takes
   * to become visible. See `Consumer.poll`.
   */
  settleMs?: number;
  /** Defaults for `subscribe` options. */
  pollIntervalMs?: number;
  batchSize?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How often an idle consumer stores the position it has reached (default 5 s). */
  idleCommitMs?: number;
  /**
   * How often a consumer reads the `events` collection even when the heads say nothing new arrived
   * (default 10 s): it moves idle positions up (so retention proceeds) and bounds the delay should a
   * head ever be missing. See `Consumer.poll`.
   */
  fullPollMs?: number;
  /** When set, this bus runs `sweep(olderThanMs)` every `everyMs` until closed. */
  sweep?: { olderThanMs: number; everyMs: number };
}

export interface MongoEventBusConnectOptions extends MongoEventBusOptions {
  uri: string;
  /** Default `attention_mesh_bus`. */
  dbName?: string;
}

/** Heads untouched this long are swept (publishers that have long stopped). */
const HEAD_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

const CONSUMER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

function checkEvent(event: MeshEvent, now: number, settleMs: number): EventDoc {
  const time = eventIdTime(event.id);
  if (time === null)
    throw new Error(
      `event id ${JSON.stringify(event.id)} is not an event id: create events with meshEvent()`,
    );
  // Consumers skip an event that becomes visible more than the settle window after its id time.
  // Refuse ids that already used half of it, rather than store an event some consumers may never see.
  if (now - time > settleMs / 2)
    throw new Error(
      `event ${event.id} was created ${now - time} ms before it was published (at most ${settleMs / 2} ms ` +
        'allowed): create events with meshEvent() right before publishing',
    );
  if (typeof event.type !== 'string' || event.type.length === 0)
    throw new Error(`event ${event.id} has no type`);
  if (typeof event.key?.__typename !== 'string' || typeof event.key?.id !== 'string')
    throw new Error(`event ${event.id} has no key { __typename, id }`);
  if (!Number.isFinite(event.occurredAt)) throw new Error(`event ${event.id} has no occurredAt`);
  const doc: EventDoc = {
    _id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    key: { __typename: event.key.__typename, id: event.key.id },
    data: event.data ?? null,
  };
  if (event.userId !== undefined) doc.userId = event.userId;
  return doc;
}

/**
 * The embedded event bus: a durable outbox collection `events` in a database shared by all services
 * (`attention_mesh_bus`), polled by consumers that keep their own position in `offsets`. Works on
 * MongoDB and on FerretDB v1 (no change streams, transactions or TTL indexes are used).
 *
 * - `events`: `_id` is the event id, time-sortable, so `_id` order is publication order (per
 *   publisher; across publishers, order within the settle window is arbitrary). Indexed on
 *   `{ type: 1, _id: 1 }` for the per-type poll, and `_id` for sweeping.
 * - `offsets`: one document per consumer name: `{ _id: consumer, offset, types, updatedAt }`.
 * - `heads`: per type and publisher, the newest event id announced, written before the events
 *   themselves. A consumer reads the heads of its types (a handful of tiny documents) and queries
 *   `events` only when one is past its offset, so idle consumers cost almost nothing.
 * - `dead_letters`: events a consumer's check refused (a payload that fails the catalog), one per
 *   consumer and event id, with the reason and the event itself; never swept (`deadLetters()` lists).
 *
 * Retention: `sweep(olderThanMs)` deletes events that are older than `olderThanMs` AND that every
 * registered consumer has passed; a consumer that stopped for good keeps holding them back (a warning
 * says so) until `removeConsumer(name)` retires it. There is no TTL index (FerretDB has none):
 * whoever runs the bus calls `sweep` on an interval (the `sweep` option does it).
 *
 * Limits: one running subscription per consumer name across all processes (no competing consumers:
 * two would each get every event, and their offset writes would interleave; a NATS adapter would
 * give queue groups). Delivery order is `_id` order; events of different publishers made within the
 * settle window of each other have no meaningful order, so state-carrying events also carry a
 * timestamp for last-writer-wins. On FerretDB v1 every read of `events` (a poll that found a head
 * past its offset, a full poll, a sweep) reads the whole collection (no range pushdown), so keep
 * retention short there (see DEFAULT_EVENT_RETENTION_MS); MongoDB serves them from the indexes.
 */
export class MongoEventBus implements EventBus {
  readonly connection: Connection;
  private readonly events: mongo.Collection<EventDoc>;
  private readonly offsets: mongo.Collection<OffsetDoc>;
  private readonly heads: mongo.Collection<HeadDoc>;
  private readonly deadLetterStore: DeadLetterStore;
  /** Names this bus instance's heads: each publisher owns its head documents, so no two write one. */
  private readonly publisher = randomBytes(6).toString('hex');
  /** Head writes of this instance, one at a time per head (`$max` is read-modify-write on FerretDB). */
  private readonly headLock = new KeyedLock();
  private readonly logger: Logger;
  private readonly settleMs: number;
  private readonly idleCommitMs: number;
  private readonly fullPollMs: number;
  private readonly defaults: ConsumerSettings;
  private readonly consumers = new Map<string, Consumer>();
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
    this.heads = db.collection<HeadDoc>('heads');
    this.deadLetterStore = new DeadLetterStore(db.collection<DeadLetterDoc>('dead_letters'));
    this.logger = opts.logger.child({ component: 'event-bus' });
    this.settleMs = opts.settleMs ?? 1_000;
    this.idleCommitMs = opts.idleCommitMs ?? 5_000;
    this.fullPollMs = opts.fullPollMs ?? 10_000;
    this.defaults = {
      pollIntervalMs: opts.pollIntervalMs ?? 200,
      batchSize: opts.batchSize ?? 500,
      retryMinMs: opts.retryMinMs ?? 200,
      retryMaxMs: opts.retryMaxMs ?? 30_000,
    };
  }

  /** Opens a connection of its own to the bus database (closed by `close()`). */
  static async connect(opts: MongoEventBusConnectOptions): Promise<MongoEventBus> {
    const conn = await connectMongo({
      uri: opts.uri,
      dbName: opts.dbName ?? DEFAULT_BUS_DB,
      logger: opts.logger,
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

  /** Creates the collections and indexes (autoIndex is off in the mesh); safe to repeat and to race. */
  private async ensureIndexes(): Promise<void> {
    const db = this.connection.db!;
    for (const name of ['events', 'offsets', 'heads', 'dead_letters']) {
      await db.createCollection(name).catch((err: { codeName?: string; code?: number }) => {
        if (err.codeName !== 'NamespaceExists' && err.code !== 48) throw err;
      });
    }
    // Polls filter by type and range over `_id` in `_id` order; sweeps range over `_id` (built in).
    await this.events.createIndex({ type: 1, _id: 1 }, { name: 'type_1__id_1' });
    await this.deadLetterStore.ensureIndexes();
  }

  async publish(events: MeshEvent[]): Promise<void> {
    if (this.closing) throw new Error('the event bus is closed');
    if (events.length === 0) return;
    const now = Date.now();
    const docs = events.map((e) => checkEvent(e, now, this.settleMs));
    // Heads first: a consumer that sees a head before the events are visible merely polls early; an
    // event stored before its head could be passed over (until the next full poll).
    await this.announce(docs);
    try {
      await this.events.insertMany(docs, { ordered: false });
    } catch (err) {
      // An id already stored is this same event published before (a retried publish): nothing to do.
      const failed = writeErrorsOf(err);
      if (!failed || failed.some((we) => we.code !== 11000)) throw err;
    }
    const oldest = Math.min(...docs.map((d) => eventIdTime(d._id)!));
    const lag = Date.now() - oldest;
    if (lag > this.settleMs)
      this.logger.warn(
        { lagMs: lag, settleMs: this.settleMs, ids: docs.map((d) => d._id) },
        'events were stored after the settle window: consumers may have passed them',
      );
  }

  private async announce(docs: EventDoc[]): Promise<void> {
    const newest = new Map<string, string>();
    for (const d of docs) if ((newest.get(d.type) ?? '') < d._id) newest.set(d.type, d._id);
    await Promise.all(
      [...newest].map(([type, last]) => {
        const _id = `${type}|${this.publisher}`;
        return this.headLock.run([_id], () =>
          this.heads.updateOne(
            { _id },
            { $max: { last }, $set: { updatedAt: Date.now() }, $setOnInsert: { type } },
            { upsert: true },
          ),
        );
      }),
    );
  }

  subscribe(
    consumer: string,
    types: readonly string[],
    handler: EnvelopeHandler,
    opts: SubscribeOptions = {},
  ): Subscription {
    if (this.closing) throw new Error('the event bus is closed');
    if (!CONSUMER_NAME.test(consumer))
      throw new Error(
        `consumer name ${JSON.stringify(consumer)} must be 1-100 characters of A-Z a-z 0-9 _ . : -`,
      );
    if (types.length === 0 || types.some((t) => typeof t !== 'string' || t.length === 0))
      throw new Error(`consumer ${consumer} must subscribe to at least one event type`);
    if (this.consumers.has(consumer))
      throw new Error(`consumer ${consumer} is already subscribed on this bus`);
    const settings: ConsumerSettings = {
      pollIntervalMs: opts.pollIntervalMs ?? this.defaults.pollIntervalMs,
      batchSize: opts.batchSize ?? this.defaults.batchSize,
      retryMinMs: opts.retryMinMs ?? this.defaults.retryMinMs,
      retryMaxMs: opts.retryMaxMs ?? this.defaults.retryMaxMs,
      startAt: opts.startAt,
      check: opts.check,
    };
    const c = new Consumer(
      {
        events: this.events,
        offsets: this.offsets,
        heads: this.heads,
        deadLetters: this.deadLetterStore,
        settleMs: this.settleMs,
        idleCommitMs: this.idleCommitMs,
        fullPollMs: this.fullPollMs,
        logger: this.logger.child({ consumer }),
      },
      consumer,
      [...new Set(types)],
      handler,
      settings,
    );
    this.consumers.set(consumer, c);
    c.start();
    return {
      consumer,
      stop: async () => {
        await c.stop();
        if (this.consumers.get(consumer) === c) this.consumers.delete(consumer);
      },
    };
  }

  /**
   * Deletes the events older than `olderThanMs` that every registered consumer has passed; returns how
   * many. Safe to run from several processes at once.
   */
  async sweep(olderThanMs: number): Promise<number> {
    const bound = eventIdFloor(Date.now() - olderThanMs);
    const consumers = await this.offsets.find({}).toArray();
    const behind = consumers.filter((c) => c.offset < bound);
    if (behind.length > 0)
      this.logger.warn(
        { consumers: behind.map((c) => ({ consumer: c._id, offset: c.offset, updatedAt: c.updatedAt })) },
        'events past retention are kept for consumers that have not handled them (removeConsumer retires one)',
      );
    let lowest = bound;
    for (const c of behind) if (c.offset < lowest) lowest = c.offset;
    if (lowest === '') return 0;
    const filter = lowest === bound ? { _id: { $lt: bound } } : { _id: { $lte: lowest } };
    await this.heads.deleteMany({ updatedAt: { $lt: Date.now() - HEAD_RETENTION_MS } });
    const res = await this.events.deleteMany(filter);
    if (res.deletedCount > 0) this.logger.info({ deleted: res.deletedCount }, 'old events swept');
    return res.deletedCount;
  }

  /** Forgets a retired consumer's position, so it no longer holds back retention. */
  async removeConsumer(consumer: string): Promise<void> {
    if (this.consumers.has(consumer)) throw new Error(`consumer ${consumer} is subscribed on this bus`);
    await this.offsets.deleteOne({ _id: consumer });
  }

  /** Stored positions by consumer name (operations, tests). */
  async consumerOffsets(): Promise<Record<string, string>> {
    const docs = await this.offsets.find({}).toArray();
    return Object.fromEntries(docs.map((d) => [d._id, d.offset]));
  }

  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]> {
    return this.deadLetterStore.list(query);
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
      if (this.ownsConnection) await this.connection.close();
    })();
    return this.closing;
  }
}

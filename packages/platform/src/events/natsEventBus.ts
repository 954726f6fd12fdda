import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { connect, headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import { checkSubscription, DEFAULT_MAX_ATTEMPTS } from './delivery.js';
import { eventIdTime } from './event.js';
import { DEFAULT_EVENT_RETENTION_MS } from './mongoEventBus.js';
import { NatsConsumer } from './natsConsumer.js';
import {
  type DurableDescription,
  durableName,
  encodeName,
  parseDescription,
  REPLAY_HEADER,
  supportsMultipleFilters,
} from './natsNames.js';
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

export interface NatsEventBusOptions {
  logger: Logger;
  /** The NATS server(s), e.g. `nats://127.0.0.1:4222`. */
  url: string;
  /** The bus name: the stream, the subjects' first token, and `<stream>_dead` for dead letters. */
  stream?: string;
  /** How long the stream keeps events (default DEFAULT_EVENT_RETENTION_MS, 1 h). */
  retentionMs?: number;
  /** How long a republished event id is recognised and dropped (default 2 min, at most the retention). */
  duplicateWindowMs?: number;
  /** Defaults for `subscribe` options. */
  retryMinMs?: number;
  retryMaxMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  /** The connection's name in the server's monitoring (default `attention-mesh`). */
  name?: string;
}

const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Redelivery delays of an event whose consumer died holding it (the server's ack deadline per try). */
const REDELIVERY_BACKOFF_MS = [2_000, 10_000, 30_000, 60_000];

/**
 * The NATS JetStream event bus (DESIGN §3, point 3), for deployments that outgrow one database:
 *
 * - one stream per bus (file storage, `max_age` retention), subjects `<stream>.<event type>`; an event
 *   is published with its id as `msgID`, so a republished id within the duplicate window is a no-op;
 *   `publish` resolves once JetStream acknowledged every event;
 * - a durable pull consumer per consumer name (and partition), explicit acks, redelivery with backoff
 *   (REDELIVERY_BACKOFF_MS) of what a dead process held; handler retries happen in the process, with
 *   the message kept in hand (`working()`), so a consumer's events stay in order;
 * - filter subjects: one per type on servers >= 2.10 (`filter_subjects`); on 2.9 (Debian's 2.9.10)
 *   a consumer of one type filters `<stream>.<type>`, one of several filters `<stream>.>` and skips
 *   the other types itself (acknowledging them), since 2.9 has one filter subject per consumer;
 * - ephemeral subscriptions are ordered consumers starting at the newest event (no acks, nothing
 *   stored);
 * - dead letters in the stream `<stream>_dead`, one message per consumer and event (subject
 *   `<stream>_dead.<consumer>.<event id>`, one kept per subject); a replay republishes the event on its
 *   subject with a `Mesh-Replay-For` header, which only that consumer handles, and the dead letter is
 *   purged once handled.
 */
export class NatsEventBus implements EventBus {
  private readonly logger: Logger;
  private readonly stream: string;
  private readonly dead: string;
  private readonly consumers = new Map<string, NatsConsumer>();
  private ephemeralCount = 0;
  private closing: Promise<void> | undefined;
  private readonly multipleFilters: boolean;

  private constructor(
    readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly o: NatsEventBusOptions & { stream: string },
  ) {
    this.logger = o.logger.child({ component: 'event-bus', stream: o.stream });
    this.stream = o.stream;
    this.dead = `${o.stream}_dead`;
    this.multipleFilters = supportsMultipleFilters(connection.info?.version);
  }

  /** Connects and creates (or updates) the bus's streams. */
  static async connect(opts: NatsEventBusOptions): Promise<NatsEventBus> {
    const stream = opts.stream ?? 'mesh';
    if (!STREAM_NAME.test(stream))
      throw new Error(
        `NATS stream name ${JSON.stringify(stream)} must be 1-64 characters of A-Z a-z 0-9 _ -`,
      );
    const nc = await connect({
      servers: opts.url,
      name: opts.name ?? 'attention-mesh',
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc);
      const bus = new NatsEventBus(nc, jetstream(nc), jsm, { ...opts, stream });
      await bus.ensureStreams();
      return bus;
    } catch (err) {
      await nc.close().catch(() => {});
      throw err;
    }
  }

  private async ensureStreams(): Promise<void> {
    const retentionMs = this.o.retentionMs ?? DEFAULT_EVENT_RETENTION_MS;
    const duplicateMs = Math.min(this.o.duplicateWindowMs ?? 120_000, retentionMs);
    const main = {
      name: this.stream,
      subjects: [`${this.stream}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(retentionMs),
      duplicate_window: nanos(duplicateMs),
      num_replicas: 1,
    };
    const dead = {
      name: this.dead,
      subjects: [`${this.dead}.>`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_msgs_per_subject: 1,
      num_replicas: 1,
    };
    for (const cfg of [main, dead]) {
      try {
        await this.jsm.streams.add(cfg);
      } catch (err) {
        // Already there (several services start together): bring its limits in line.
        const info = await this.jsm.streams.info(cfg.name).catch(() => null);
        if (!info) throw err;
        await this.jsm.streams.update(cfg.name, { ...info.config, ...cfg }).catch((e: unknown) => {
          this.logger.warn({ err: e, stream: cfg.name }, 'cannot update the stream settings');
        });
      }
    }
  }

  private subject(type: string): string {
    return `${this.stream}.${type}`;
  }

  async publish(events: MeshEvent[]): Promise<void> {
    if (this.closing) throw new Error('the event bus is closed');
    for (const e of events) {
      if (typeof e.id !== 'string' || eventIdTime(e.id) === null)
        throw new Error(
          `event id ${JSON.stringify(e.id)} is not an event id: create events with meshEvent()`,
        );
      if (typeof e.type !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(e.type))
        throw new Error(`event ${e.id} has no valid type`);
      if (typeof e.key?.__typename !== 'string' || typeof e.key?.id !== 'string')
        throw new Error(`event ${e.id} has no key { __typename, id }`);
    }
    // Sent in order on one connection, so stored in order; resolves after every ack.
    await Promise.all(
      events.map((e) => this.js.publish(this.subject(e.type), JSON.stringify(e), { msgID: e.id })),
    );
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
    const unique = [...new Set(types)].sort();
    const durable = durableName(consumer, opts.partition);
    const key = ephemeral ? `~${consumer}~${++this.ephemeralCount}` : durable;
    if (this.consumers.has(key)) throw new Error(`consumer ${consumer} is already subscribed on this bus`);
    const filter = this.filterOf(unique);
    const description: DurableDescription = { mesh: 1, consumer, types: unique };
    if (opts.partition) description.partition = opts.partition;
    const logger = this.logger.child({ consumer, ...(opts.partition ? { partition: opts.partition } : {}) });
    const c = new NatsConsumer(
      {
        logger,
        batchSize: opts.batchSize ?? this.o.batchSize ?? 256,
        open: async () => {
          if (ephemeral)
            return this.js.consumers.get(this.stream, {
              filter_subjects: filter,
              deliver_policy: DeliverPolicy.New,
            });
          await this.ensureDurable(durable, filter, opts.startAt, description);
          return this.js.consumers.get(this.stream, durable);
        },
        setAside: (name, event, reason, replay) => this.setAside(name, event, reason, replay),
        replayHandled: (name, eventId) => this.removeDeadLetter(name, eventId),
      },
      consumer,
      unique,
      handler,
      {
        retryMinMs: opts.retryMinMs ?? this.o.retryMinMs ?? 200,
        retryMaxMs: opts.retryMaxMs ?? this.o.retryMaxMs ?? 30_000,
        maxAttempts: opts.maxAttempts ?? this.o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
        check: opts.check,
        partition: opts.partition,
        ephemeral,
      },
    );
    this.consumers.set(key, c);
    const started = c.start();
    return {
      consumer,
      ready: started,
      stop: async () => {
        await started;
        await c.stop();
        if (this.consumers.get(key) === c) this.consumers.delete(key);
      },
    };
  }

  private filterOf(types: string[]): string | string[] {
    if (types.length === 1) return this.subject(types[0]!);
    return this.multipleFilters ? types.map((t) => this.subject(t)) : `${this.stream}.>`;
  }

  private async ensureDurable(
    name: string,
    filter: string | string[],
    startAt: SubscribeOptions['startAt'],
    description: DurableDescription,
  ): Promise<void> {
    const filters = Array.isArray(filter) ? { filter_subjects: filter } : { filter_subject: filter };
    const existing = await this.jsm.consumers.info(this.stream, name).catch(() => null);
    if (existing) {
      const same =
        JSON.stringify(existing.config.filter_subjects ?? existing.config.filter_subject) ===
        JSON.stringify(filter);
      if (!same)
        await this.jsm.consumers
          .update(this.stream, name, { ...filters, description: JSON.stringify(description) })
          .catch((err: unknown) =>
            this.logger.warn({ err, consumer: name }, 'cannot change the consumer filter'),
          );
      return;
    }
    await this.jsm.consumers.add(this.stream, {
      durable_name: name,
      description: JSON.stringify(description),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: startAt === 'latest' ? DeliverPolicy.New : DeliverPolicy.All,
      // 2.9 wants a bound with a backoff list; deliveries count only restarts and crashes (retries are in-process).
      max_deliver: 100_000,
      backoff: REDELIVERY_BACKOFF_MS.map((ms) => nanos(ms)),
      max_ack_pending: 1_000,
      ...filters,
    });
  }

  private deadSubject(consumer: string, eventId: string): string {
    return `${this.dead}.${encodeName(consumer)}.${eventId}`;
  }

  private async setAside(consumer: string, event: MeshEvent, reason: string, replay: boolean): Promise<void> {
    const subject = this.deadSubject(consumer, event.id);
    const before = await this.jsm.streams.getMessage(this.dead, { last_by_subj: subject }).catch(() => null);
    // A redelivery of the same event keeps the first record; a failed replay replaces it, counted.
    if (before && !replay) return;
    const previous = before ? before.json<DeadLetter>() : null;
    const letter: DeadLetter = {
      eventId: event.id,
      type: event.type,
      consumer,
      reason,
      event,
      at: Date.now(),
      replays: previous ? (previous.replays ?? 0) + 1 : 0,
    };
    await this.js.publish(subject, JSON.stringify(letter));
  }

  private async removeDeadLetter(consumer: string, eventId: string): Promise<void> {
    await this.jsm.streams.purge(this.dead, { filter: this.deadSubject(consumer, eventId) });
  }

  /** Dead-letter subjects by consumer (from the dead stream's per-subject state). */
  private async deadSubjects(consumer?: string): Promise<string[]> {
    const filter = consumer === undefined ? `${this.dead}.>` : `${this.dead}.${encodeName(consumer)}.>`;
    const info = await this.jsm.streams.info(this.dead, { subjects_filter: filter });
    return Object.keys(info.state.subjects ?? {});
  }

  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    let subjects: string[];
    if (query.consumer !== undefined && query.eventIds)
      subjects = query.eventIds.map((id) => this.deadSubject(query.consumer!, id));
    else {
      subjects = await this.deadSubjects(query.consumer);
      if (query.eventIds) {
        const ids = new Set(query.eventIds);
        subjects = subjects.filter((s) => ids.has(s.slice(s.lastIndexOf('.') + 1)));
      }
    }
    const letters = await Promise.all(
      subjects.map(async (s) => {
        const m = await this.jsm.streams.getMessage(this.dead, { last_by_subj: s }).catch(() => null);
        return m ? m.json<DeadLetter>() : null;
      }),
    );
    return letters
      .filter((l): l is DeadLetter => l !== null)
      .sort((a, b) => b.at - a.at || (a.eventId < b.eventId ? 1 : -1))
      .slice(0, limit)
      .map((l) => ({ ...l, replays: l.replays ?? 0 }));
  }

  async replayDeadLetters(query: DeadLetterQuery = {}): Promise<ReplayResult> {
    if (this.closing) throw new Error('the event bus is closed');
    const letters = await this.deadLetters(query);
    const at = Date.now();
    await Promise.all(
      letters.map((l) => {
        const h = headers();
        h.set(REPLAY_HEADER, l.consumer);
        return this.js.publish(this.subject(l.type), JSON.stringify(l.event), {
          headers: h,
          msgID: `replay-${l.eventId}-${encodeName(l.consumer)}-${at}`,
        });
      }),
    );
    return { replayed: letters.map((l) => ({ consumer: l.consumer, eventId: l.eventId })) };
  }

  /** JetStream messages cannot be rewritten: they stay until the stream's max age (EVENT_RETENTION_MS). */
  async redactUser(_userId: string, _replacement: string): Promise<number> {
    return 0;
  }

  async lag(): Promise<ConsumerLag[]> {
    const infos = await this.jsm.consumers.list(this.stream).next();
    const deadSubjects = await this.deadSubjects();
    const deadBy = new Map<string, number>();
    for (const s of deadSubjects) {
      const token = s.slice(this.dead.length + 1, s.lastIndexOf('.'));
      deadBy.set(token, (deadBy.get(token) ?? 0) + 1);
    }
    const lags: ConsumerLag[] = [];
    for (const info of infos) {
      const d = parseDescription(info.config.description);
      if (!d) continue;
      const pending = info.num_pending + info.num_ack_pending;
      const lag: ConsumerLag = {
        consumer: d.consumer,
        pending,
        deadLetters: deadBy.get(encodeName(d.consumer)) ?? 0,
      };
      if (d.partition) lag.partition = d.partition;
      if (pending > 0) {
        const m = await this.jsm.streams
          .getMessage(this.stream, { seq: info.ack_floor.stream_seq + 1 })
          .catch(() => null);
        if (m) lag.oldestPendingAt = m.time.getTime();
      }
      lags.push(lag);
    }
    return lags.sort(
      (a, b) => a.consumer.localeCompare(b.consumer) || (a.partition?.index ?? 0) - (b.partition?.index ?? 0),
    );
  }

  /** Deletes a retired durable consumer (every partition), so it no longer holds messages in hand. */
  async removeConsumer(consumer: string): Promise<void> {
    const infos = await this.jsm.consumers.list(this.stream).next();
    for (const info of infos)
      if (parseDescription(info.config.description)?.consumer === consumer)
        await this.jsm.consumers.delete(this.stream, info.name);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.consumers.values()].map((c) => c.stop()));
      this.consumers.clear();
      await this.connection.drain().catch(() => this.connection.close());
    })();
    return this.closing;
  }
}

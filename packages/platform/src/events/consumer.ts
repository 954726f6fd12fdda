import type { mongo } from 'mongoose';
import type { Logger } from '../logger.js';
import type { DeadLetterStore } from './deadLetters.js';
import { eventIdFloor } from './event.js';
import type { EntityKey, EnvelopeHandler, MeshEvent, SubscribeOptions } from './types.js';

/** A stored event. */
export interface EventDoc {
  _id: string;
  type: string;
  occurredAt: number;
  key: EntityKey;
  userId?: string;
  data: unknown;
}

/** The newest event id one publisher (one bus instance) has announced for one type. */
export interface HeadDoc {
  /** `<type>|<publisher>`. */
  _id: string;
  type: string;
  last: string;
  updatedAt: number;
}

export interface OffsetDoc {
  /** The consumer name. */
  _id: string;
  /** Every event with `_id <= offset` is handled (or not of the consumer's types). */
  offset: string;
  types: string[];
  updatedAt: number;
}

export type ConsumerSettings = Required<Omit<SubscribeOptions, 'startAt' | 'check'>> &
  Pick<SubscribeOptions, 'startAt' | 'check'>;

/** Within a long batch, the offset is stored at least this often. */
const COMMIT_EVERY_MS = 1_000;

function toEvent(doc: EventDoc): MeshEvent {
  const event: MeshEvent = {
    id: doc._id,
    type: doc.type,
    occurredAt: doc.occurredAt,
    key: { __typename: doc.key.__typename, id: doc.key.id },
    data: doc.data ?? null,
  };
  if (typeof doc.userId === 'string') event.userId = doc.userId;
  return event;
}

export interface ConsumerContext {
  events: mongo.Collection<EventDoc>;
  offsets: mongo.Collection<OffsetDoc>;
  heads: mongo.Collection<HeadDoc>;
  deadLetters: DeadLetterStore;
  settleMs: number;
  idleCommitMs: number;
  fullPollMs: number;
  logger: Logger;
}

/** One subscription: a loop that polls, delivers in order and stores its position. */
export class Consumer {
  /** Everything up to here (inclusive) is handled. '' is before every event. */
  private offset = '';
  private committed: string | null = null;
  /** Whether the uncommitted part of the offset covers handled events (rather than an idle advance). */
  private handledSinceCommit = false;
  private lastCommitAt = 0;
  private lastFullPollAt = 0;
  private stopped = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ConsumerContext,
    private readonly name: string,
    private readonly types: string[],
    private readonly handler: EnvelopeHandler,
    private readonly o: ConsumerSettings,
  ) {}

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.load();
        break;
      } catch (err) {
        failures++;
        this.ctx.logger.error({ err, attempt: failures }, 'cannot read the consumer offset, retrying');
        await this.sleep(this.backoff(failures));
      }
    }
    failures = 0;
    while (!this.stopped) {
      let full = false;
      try {
        full = await this.poll();
        failures = 0;
      } catch (err) {
        failures++;
        this.ctx.logger.error({ err, attempt: failures }, 'event poll failed, retrying');
        await this.sleep(this.backoff(failures));
        continue;
      }
      // A full batch means more may be waiting: poll again at once.
      if (!full) await this.sleep(this.o.pollIntervalMs);
    }
    await this.commit(true);
  }

  private backoff(attempt: number): number {
    return Math.min(this.o.retryMaxMs, this.o.retryMinMs * 2 ** Math.min(attempt - 1, 20));
  }

  /** Reads the stored position, registering the consumer (so retention waits for it) when new. */
  private async load(): Promise<void> {
    const found = await this.ctx.offsets.findOne({ _id: this.name });
    if (found) {
      this.offset = this.committed = found.offset;
      return;
    }
    const initial = this.o.startAt === 'latest' ? eventIdFloor(Date.now() - this.ctx.settleMs) : '';
    try {
      await this.ctx.offsets.insertOne({
        _id: this.name,
        offset: initial,
        types: this.types,
        updatedAt: Date.now(),
      });
      this.offset = this.committed = initial;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const again = await this.ctx.offsets.findOne({ _id: this.name });
      this.offset = this.committed = again?.offset ?? initial;
    }
  }

  /** One poll; true when it read a full batch. */
  private async poll(): Promise<boolean> {
    // Ordering hazard: ids are made by many processes before their insert, and inserts become visible
    // out of id order (a slow insert, clock skew between hosts). Reading up to "now" and advancing the
    // offset past the newest id seen would skip an older id that is still on its way. So only ids made
    // more than `settleMs` ago are read: by then every insert of that time is visible, as long as clock
    // skew plus insert latency stays under the window (`publish` refuses ids already half that old).
    // The price is latency: an event reaches consumers settleMs + up to one poll interval after it
    // was made.
    const cutoff = eventIdFloor(Date.now() - this.ctx.settleMs);
    if (cutoff <= this.offset) return false;
    // The heads tell whether anything of our types arrived past the offset; the embedded database
    // answers a range query on `events` by reading the whole collection, the heads are a few documents.
    // The offset moves only on a real read, so a missing head delays delivery (to the next full
    // poll) and never skips an event.
    if (Date.now() - this.lastFullPollAt < this.ctx.fullPollMs && !(await this.headsPast(this.offset)))
      return false;
    this.lastFullPollAt = Date.now();
    const docs = await this.ctx.events
      .find({ _id: { $gt: this.offset, $lt: cutoff }, type: { $in: this.types } })
      .sort({ _id: 1 })
      .limit(this.o.batchSize)
      .toArray();
    for (const doc of docs) {
      if (this.stopped || !(await this.deliver(doc))) return false;
      this.offset = doc._id;
      this.handledSinceCommit = true;
      if (Date.now() - this.lastCommitAt >= COMMIT_EVERY_MS) await this.commit(true);
    }
    const full = docs.length === this.o.batchSize;
    // Every event of our types below the cutoff is handled: move up to the cutoff, so the stored
    // position keeps up (and retention can proceed) even when none of our types are published.
    if (!full && cutoff > this.offset) this.offset = cutoff;
    await this.commit(this.handledSinceCommit);
    return full;
  }

  private async headsPast(offset: string): Promise<boolean> {
    const heads = await this.ctx.heads.find({ type: { $in: this.types } }).toArray();
    return heads.some((h) => h.last > offset);
  }

  /**
   * Calls the handler until it succeeds, or sets the event aside as a dead letter when the check
   * refuses it; false if the consumer was stopped first.
   */
  private async deliver(doc: EventDoc): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        const event = toEvent(doc);
        const checked = this.o.check ? this.o.check(event) : { ok: true as const, event };
        if (checked.ok) await this.handler(checked.event);
        else await this.setAside(event, checked.reason);
        return true;
      } catch (err) {
        const retryInMs = this.backoff(attempt);
        this.ctx.logger.error(
          { err, eventId: doc._id, type: doc.type, attempt, retryInMs },
          'event handler failed, retrying the same event',
        );
        // Keep what was handled before it, whatever happens next.
        await this.commit(true);
        if (this.stopped) return false;
        await this.sleep(retryInMs);
        if (this.stopped) return false;
      }
    }
  }

  /** Stores the dead letter before the offset passes the event: a failed write is retried like a handler. */
  private async setAside(event: MeshEvent, reason: string): Promise<void> {
    await this.ctx.deadLetters.add(this.name, event, reason);
    this.ctx.logger.error(
      { eventId: event.id, type: event.type, reason },
      "event refused by the consumer's check (see reason): kept as a dead letter and passed over",
    );
  }

  /** Stores the offset: at once when `force`, otherwise (idle advances only) every idleCommitMs. */
  private async commit(force: boolean): Promise<void> {
    const offset = this.offset;
    if (offset === this.committed) return;
    const now = Date.now();
    if (!force && now - this.lastCommitAt < this.ctx.idleCommitMs) return;
    try {
      await this.ctx.offsets.updateOne(
        { _id: this.name },
        { $set: { offset, types: this.types, updatedAt: now } },
        { upsert: true },
      );
      this.committed = offset;
      this.lastCommitAt = now;
      if (this.offset === offset) this.handledSinceCommit = false;
    } catch (err) {
      // Not fatal: the next commit stores a later offset; a crash before it re-delivers, never skips.
      this.ctx.logger.warn({ err, offset }, 'cannot store the consumer offset');
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

import type { mongo } from 'mongoose';
import type { Logger } from '../logger.js';
import { isTraceparent } from '../tracing/eventTrace.js';
import type { DeadLetterStore } from './deadLetters.js';
import { backoff, type DeliverySettings, deliverEvent, ownsEvent, Sleeper } from './delivery.js';
import type { SlotDoc, SlotEntry, SlotLog, TypeCounts } from './slotLog.js';
import type { EnvelopeHandler, MeshEvent, PartitionSpec } from './types.js';

/** A durable consumer's stored position (`offsets`), one per consumer name and partition. */
export interface OffsetDoc {
  /** The consumer name, with `#<index>/<count>` for a partition. */
  _id: string;
  consumer: string;
  partition?: PartitionSpec;
  /** Every slot up to this one is handled. */
  slot: number;
  /** Entries of slot + 1 already handled (a stop in the middle of a slot). */
  next: number;
  /** The log's per-type counts at `slot`: lag is the tail's counts minus these. */
  counts: TypeCounts;
  types: string[];
  updatedAt: number;
}

export interface ConsumerSettings extends DeliverySettings {
  startAt?: 'earliest' | 'latest';
}

export interface ConsumerContext {
  log: SlotLog;
  offsets: mongo.Collection<OffsetDoc>;
  deadLetters: DeadLetterStore;
  idleCommitMs: number;
  logger: Logger;
}

/** How often (at most) a caught-up consumer checks that its next slot was not swept. */
const SWEPT_CHECK_MS = 5_000;
/** Within a burst, the position is stored at least this often. */
const COMMIT_EVERY_MS = 1_000;

export function offsetId(consumer: string, partition?: PartitionSpec): string {
  return partition ? `${consumer}#${partition.index}/${partition.count}` : consumer;
}

function toEvent(e: SlotEntry): MeshEvent {
  const event: MeshEvent = {
    id: e.id,
    type: e.type,
    occurredAt: e.occurredAt,
    key: { __typename: e.key.__typename, id: e.key.id },
    data: e.data ?? null,
  };
  if (typeof e.userId === 'string') event.userId = e.userId;
  if (isTraceparent(e.trace)) event.trace = e.trace;
  return event;
}

/**
 * One subscription of the Mongo bus: reads the log slot by slot (exact `_id` reads, shared with the
 * other consumers of the process through the log's cache), delivers its events in order, stores its
 * position (durable consumers) and waits at the end of the log for the next slot.
 */
export class Consumer {
  private slot = 0;
  private next = 0;
  private counts: TypeCounts = [];
  private committed: { slot: number; next: number } | null = null;
  private handledSinceCommit = false;
  private lastSweptCheckAt = 0;
  private lastCommitAt = 0;
  private stopped = false;
  private readonly sleeper = new Sleeper();
  private cancelWait: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();
  private loaded!: () => void;
  /** Resolves once the starting position is known. */
  readonly ready = new Promise<void>((resolve) => {
    this.loaded = resolve;
  });
  private readonly types: Set<string>;
  private readonly id: string;

  constructor(
    private readonly ctx: ConsumerContext,
    private readonly name: string,
    types: string[],
    private readonly handler: EnvelopeHandler,
    private readonly o: ConsumerSettings,
  ) {
    this.types = new Set(types);
    this.id = offsetId(name, o.partition);
  }

  start(): void {
    this.running = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeper.wake();
    this.cancelWait?.();
    await this.running;
  }

  private async run(): Promise<void> {
    for (let failures = 1; !this.stopped; failures++) {
      try {
        await this.load();
        this.loaded();
        break;
      } catch (err) {
        this.ctx.logger.error({ err, attempt: failures }, 'cannot read the consumer position, retrying');
        await this.sleeper.sleep(backoff(failures, this.o.retryMinMs, this.o.retryMaxMs));
      }
    }
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.step();
        failures = 0;
      } catch (err) {
        failures++;
        this.ctx.logger.error({ err, attempt: failures }, 'event log read failed, retrying');
        await this.sleeper.sleep(backoff(failures, this.o.retryMinMs, this.o.retryMaxMs));
      }
    }
    this.loaded();
    if (!this.o.ephemeral) await this.commit(true);
  }

  /** Reads the stored position, registering the consumer (so retention waits for it) when new. */
  private async load(): Promise<void> {
    const { log, offsets } = this.ctx;
    if (!this.o.ephemeral) {
      const found = await offsets.findOne({ _id: this.id });
      if (found && typeof found.slot === 'number') {
        this.slot = found.slot;
        this.next = found.next ?? 0;
        this.counts = found.counts ?? [];
        this.committed = { slot: this.slot, next: this.next };
        return;
      }
    }
    if (this.o.ephemeral || this.o.startAt === 'latest') {
      this.slot = await log.newest();
    } else {
      const oldest = await log.oldest();
      // An empty log: nothing was ever published (sweeping keeps the newest slot), so from the start.
      this.slot = oldest === null ? 0 : oldest - 1;
    }
    this.counts = (await log.get(this.slot))?.counts ?? [];
    if (!this.o.ephemeral) await this.commit(true);
  }

  /** Handles the next slot, or waits for it. */
  private async step(): Promise<void> {
    const { log } = this.ctx;
    const doc = await log.get(this.slot + 1);
    if (!doc) {
      // Caught up: keep what was handled, then wait for a local publish or the shared poll.
      await this.commit(this.handledSinceCommit);
      if (this.stopped) return;
      // Slots past this one exist (the tail document names a later one): then this one was published
      // meanwhile (read it again) or swept from under a consumer that was behind retention (a new
      // `earliest` consumer racing a sweep): move to the oldest slot still stored.
      if (Date.now() - this.lastSweptCheckAt > SWEPT_CHECK_MS && (await this.tailPast())) {
        if (await log.get(this.slot + 1)) return;
        const oldest = await log.oldest();
        if (oldest !== null && oldest > this.slot + 1) {
          this.ctx.logger.warn(
            { from: this.slot + 1, to: oldest },
            'slots past retention were swept before this consumer read them',
          );
          this.slot = oldest - 1;
          this.next = 0;
        }
        return;
      }
      const wait = log.waitFor(this.slot + 1);
      this.cancelWait = wait.cancel;
      // A stop that came while the tail was being read found nothing to cancel.
      if (this.stopped) wait.cancel();
      await wait.ready;
      this.cancelWait = null;
      return;
    }
    if (!(await this.handleSlot(doc))) return;
    this.slot = doc.n;
    this.next = 0;
    this.counts = doc.counts;
    if (Date.now() - this.lastCommitAt >= (this.handledSinceCommit ? COMMIT_EVERY_MS : this.ctx.idleCommitMs))
      await this.commit(true);
  }

  private async tailPast(): Promise<boolean> {
    this.lastSweptCheckAt = Date.now();
    return (await this.ctx.log.tailHint()) > this.slot + 1;
  }

  /** Delivers the slot's entries this consumer takes; false when stopped in the middle. */
  private async handleSlot(doc: SlotDoc): Promise<boolean> {
    for (let i = this.next; i < doc.events.length; i++) {
      const entry = doc.events[i]!;
      if (this.takes(entry)) {
        const event = toEvent(entry);
        const replay = entry.for !== undefined;
        const outcome = await deliverEvent(
          {
            consumer: this.name,
            handler: this.handler,
            settings: this.o,
            logger: this.ctx.logger,
            sleeper: this.sleeper,
            stopped: () => this.stopped,
            setAside: (e, reason) => this.ctx.deadLetters.add(this.name, e, reason, replay),
            beforeRetry: () => this.commit(true),
          },
          event,
        );
        if (outcome === 'stopped') return false;
        if (replay && outcome === 'handled') await this.ctx.deadLetters.remove(this.name, event.id);
        this.handledSinceCommit = true;
      }
      this.next = i + 1;
    }
    return true;
  }

  private takes(entry: SlotEntry): boolean {
    if (entry.for !== undefined) {
      if (entry.for !== this.name || this.o.ephemeral) return false;
    } else if (!this.types.has(entry.type)) return false;
    return ownsEvent(this.o.partition, entry.key);
  }

  /** Stores the position: at once when `force`, otherwise (idle advances) every idleCommitMs. */
  private async commit(force: boolean): Promise<void> {
    if (this.o.ephemeral) return;
    const { slot, next } = this;
    if (this.committed && this.committed.slot === slot && this.committed.next === next) return;
    const now = Date.now();
    if (!force && now - this.lastCommitAt < this.ctx.idleCommitMs) return;
    try {
      const doc: Omit<OffsetDoc, '_id'> = {
        consumer: this.name,
        slot,
        next,
        counts: this.counts,
        types: [...this.types],
        updatedAt: now,
      };
      if (this.o.partition) doc.partition = this.o.partition;
      await this.ctx.offsets.updateOne({ _id: this.id }, { $set: doc }, { upsert: true });
      this.committed = { slot, next };
      this.lastCommitAt = now;
      if (this.slot === slot && this.next === next) this.handledSinceCommit = false;
    } catch (err) {
      // Not fatal: the next commit stores a later position; a crash before it re-delivers, never skips.
      this.ctx.logger.warn({ err, slot, next }, 'cannot store the consumer position');
    }
  }
}

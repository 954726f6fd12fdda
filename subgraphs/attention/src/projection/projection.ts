import { type CounterUpdate, createLogger, type EventBus, type Logger } from '@attention-mesh/platform';
import { attentionRecordedEvents } from '../ingest/recorded.js';
import type { ViewState } from '../metrics/attentionMetrics.js';
import type { attentionModels } from '../models/index.js';
import { BatchQueue, type ProjectionBatch } from './batchQueue.js';
import type { WriteStats } from './derivedWriter.js';
import { type Collection, HeldWrites } from './heldWrites.js';
import { ReadWriteGate } from './readWriteGate.js';
import { type DerivedCollection, StoredIdSets } from './storedIdSets.js';

export interface ProjectionOptions {
  /** Batches accepted but not yet stored before `admit` makes callers wait (default 32). */
  maxPending?: number;
  /** View ids the Bloom filter is sized for (default 2,000,000; rollups the same, totals and profiles a quarter). */
  expectedViews?: number;
  /**
   * Whether every derived document is written by this process (one ingesting process per database;
   * default true). When false, each view not in memory is looked up, every document is upserted and
   * everything is written as soon as it can be.
   */
  knowsEveryView?: boolean;
  /**
   * Least time between the starts of two flushes (default 1,000 ms when `knowsEveryView`, else 0): what
   * a flush writes (sessions, publications; everything with several replicas) is then written once for
   * all the batches of that time.
   */
  flushMs?: number;
  /**
   * How often what reads are served from memory is stored (default 30,000 ms; always at `idle` and
   * at stop): view states and rollups (with `knowsEveryView`), and totals and profiles while
   * `servedFromMemory` says so. Until then the stored copies are behind; a crash is repaired by the
   * rebuild.
   */
  memoryFlushMs?: number;
  /** Whether the service answers reads of totals / profiles from memory (see MemoryView). */
  servedFromMemory?: { totals(): boolean; profiles(): boolean };
  /** Told the per-user session counts once the sessions they count are stored. */
  onNewSessions?: (counts: Map<string, CounterUpdate>) => void;
}

type Models = ReturnType<typeof attentionModels>;

/** Views held before their states are stored whatever the time (bounds the memory). */
const MAX_HELD_VIEWS = 100_000;

/**
 * Write-behind of everything derived from stored events: view states, hourly rollups, totals,
 * profiles and sessions. recordAttention stores the events (the durable record) and answers; the
 * projection merges what every batch adds and writes it in flushes, one collection after another, at
 * most one flush every `flushMs`. Under load each flush carries more batches, so the cost per event
 * falls as the rate rises. On the embedded database an upsert is a statement (and a commit) of its own
 * while an insert of many new documents is one, so documents this process knows were never stored
 * (Bloom filters of the stored ids, `StoredIds`) are inserted whole, and only the others are upserted.
 *
 * When this process writes every derived document (`knowsEveryView`), what it holds in memory is read
 * from memory, exactly, and stored only every `memoryFlushMs` (and at `idle`/stop): view states
 * (`viewState` answers from those not yet stored, `mightBeStored` tells views never stored apart, so
 * new views need no database read), the rollups (analyst queries add the held updates to the stored
 * ones, `readRollups`), and totals and profiles while their MemoryViews are active. A document is then
 * written once for all the batches of that time, mostly as a new one. Otherwise (several replicas) every
 * flush writes everything, by upsert. `attention.recorded` is published once a batch's flush is done.
 *
 * A process that stops drains first (`idle`); one that crashes leaves the derived data behind its
 * events, which `markDrained`/`recoverProjection` detect at the next start and repair by rebuilding
 * from the events. Failed writes are retried with backoff until they succeed (each retry logs; see
 * `storeDocs` for what a partial write can do).
 *
 * The Projection decides when to write what; its parts hold the rest: `BatchQueue` the accepted batches
 * and the backpressure, `HeldWrites` what they change until it is written (and the writes),
 * `StoredIdSets` what this process knows was stored.
 */
export class Projection {
  private readonly ids: StoredIdSets;
  private readonly queue: BatchQueue;
  private readonly held: HeldWrites;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastFlushAt = 0;
  private forcing = 0;
  private memoryDue = false;
  private memoryTimer: ReturnType<typeof setTimeout> | null = null;
  private flushes = 0;
  /** Set while a maintenance job (the retention sweep) writes derived documents: flushes wait for it. */
  private hold: Promise<void> | null = null;
  private flushing: Promise<void> | null = null;
  private readonly rollupGate = new ReadWriteGate();
  private readonly knowsEveryView: boolean;
  private readonly flushMs: number;
  private readonly memoryFlushMs: number;
  private readonly servedFromMemory: NonNullable<ProjectionOptions['servedFromMemory']>;
  /** Set by the service at start (`useLogger`); silent until then. */
  private logger: Logger = createLogger({ service: 'attention', level: 'silent', pretty: false });

  constructor(
    private readonly models: Models,
    opts: ProjectionOptions = {},
  ) {
    this.ids = new StoredIdSets(opts.expectedViews ?? 2_000_000);
    this.queue = new BatchQueue(opts.maxPending ?? 32);
    this.held = new HeldWrites(
      models,
      this.ids,
      (what, write) => this.retry(what, write),
      opts.onNewSessions,
    );
    this.knowsEveryView = opts.knowsEveryView ?? true;
    this.flushMs = opts.flushMs ?? (this.knowsEveryView ? 1_000 : 0);
    this.memoryFlushMs = opts.memoryFlushMs ?? 30_000;
    this.servedFromMemory = opts.servedFromMemory ?? { totals: () => false, profiles: () => false };
  }

  useLogger(logger: Logger): void {
    this.logger = logger.child({ component: 'projection' });
  }

  /**
   * Reads the ids of the stored derived documents into the Bloom filters (only when this process
   * writes every one). Until it is done every view not in memory is looked up and every document is
   * upserted; after, only those the filters may hold.
   */
  async loadStoredIds(): Promise<void> {
    if (!this.knowsEveryView) return;
    const counts = await this.ids.load(this.models);
    this.logger.info(
      counts,
      'stored ids loaded: new derived documents are inserted, new views need no lookup',
    );
  }

  /** Records ids written by someone else in this process (the rebuild). */
  noteStored(collection: DerivedCollection, ids: Iterable<string>): void {
    this.ids.note(collection, ids);
  }

  /** The state of a view written behind and not yet stored. */
  viewState(id: string): ViewState | undefined {
    return this.held.viewState(id);
  }

  /** False when the view was certainly never stored (so there is nothing to look up). */
  mightBeStored(id: string): boolean {
    return this.ids.views.mightContain(id);
  }

  /** Waits while too many batches are still being written (backpressure on ingestion). */
  admit(): Promise<void> {
    return this.queue.admit();
  }

  /** Takes a batch; its view states are visible to `viewState` at once. */
  submit(batch: ProjectionBatch): void {
    this.held.add(batch);
    this.queue.push(batch);
    if (this.urgent()) this.wake?.();
    this.schedule();
  }

  /** Stores everything submitted so far, including what waits for the memory flush, and announces it. */
  async idle(): Promise<void> {
    this.forcing++;
    try {
      this.wake?.();
      this.schedule();
      while (this.running) await this.running;
    } finally {
      this.forcing--;
    }
  }

  /**
   * Runs `job` with everything submitted so far stored and no flush writing meanwhile (batches accepted
   * during it are held and written after): a job that rewrites derived documents (`$unset` of old
   * profile hours) then never races an `$inc` on the same document, which the embedded database would
   * lose. Jobs take turns.
   */
  async exclusive<T>(job: () => Promise<T>): Promise<T> {
    while (this.hold) await this.hold;
    await this.idle();
    let release!: () => void;
    const hold = new Promise<void>((r) => {
      release = r;
    });
    this.hold = hold;
    try {
      // A flush that began between the idle and the hold finishes first.
      if (this.flushing) await this.flushing.catch(() => {});
      return await job();
    } finally {
      if (this.hold === hold) this.hold = null;
      release();
      this.schedule();
    }
  }

  /** What the writes did since the start (or the last reset), by collection, and how many flushes. */
  writeStats(reset = false): { flushes: number } & Record<Collection, WriteStats> {
    const out = { flushes: this.flushes, ...this.held.stats(reset) };
    if (reset) this.flushes = 0;
    return out;
  }

  /**
   * Runs `read` over the stored rollups plus `pending`, the rollup updates not yet stored, so that the
   * sum of both is exact: no rollup write runs meanwhile (a read waits for the one under way).
   */
  readRollups<T>(read: (pending: ReadonlyMap<string, CounterUpdate>) => Promise<T>): Promise<T> {
    return this.rollupGate.read(() => read(this.held.rollups.pendingUpdates));
  }

  private urgent(): boolean {
    return this.forcing > 0 || this.queue.pressing || this.held.heldViews >= MAX_HELD_VIEWS;
  }

  private hasWork(): boolean {
    if (this.queue.queued) return true;
    if ((this.forcing > 0 || this.memoryDue) && this.held.any()) return true;
    // Held for the memory flush, but reads no longer come from memory (a MemoryView turned off).
    return (
      (this.held.totals.size > 0 && !this.servedFromMemory.totals()) ||
      (this.held.profiles.size > 0 && !this.servedFromMemory.profiles())
    );
  }

  /** Starts the flush loop unless it runs (it runs while there is work). */
  private schedule(): void {
    if (this.running || !this.hasWork()) return;
    this.running = (async () => {
      try {
        while (this.hasWork()) {
          await this.cadence();
          while (this.hold) await this.hold;
          this.flushing = this.flush();
          try {
            await this.flushing;
          } finally {
            this.flushing = null;
          }
        }
      } finally {
        this.running = null;
      }
    })();
  }

  /** Waits until `flushMs` after the last flush began, unless something is urgent. */
  private async cadence(): Promise<void> {
    const wait = this.lastFlushAt + this.flushMs - Date.now();
    if (wait <= 0 || this.urgent() || this.memoryDue) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }

  private async flush(): Promise<void> {
    const started = performance.now();
    this.lastFlushAt = Date.now();
    this.flushes++;
    const batches = this.queue.take();
    const memory = this.forcing > 0 || this.memoryDue || this.held.heldViews >= MAX_HELD_VIEWS;
    if (memory) {
      this.memoryDue = false;
      if (this.memoryTimer) clearTimeout(this.memoryTimer);
      this.memoryTimer = null;
    }
    // One collection at a time: the database has one writer anyway, and FerretDB v1 has been seen to
    // stall on concurrent bulk writes.
    await this.held.storeSessions();
    const held = this.knowsEveryView && !memory;
    if (!held) await this.rollupGate.write(() => this.held.write('rollups', this.held.rollups.take()));
    if (!held) await this.held.storeViews();
    if (memory || !this.servedFromMemory.totals()) await this.held.write('totals', this.held.totals.take());
    if (memory || !this.servedFromMemory.profiles())
      await this.held.write('profiles', this.held.profiles.take());
    if (this.held.any() && !this.memoryTimer) {
      this.memoryTimer = setTimeout(() => {
        this.memoryTimer = null;
        this.memoryDue = true;
        this.schedule();
      }, this.memoryFlushMs);
      this.memoryTimer.unref?.();
    }
    // One publish per bus (in practice the service's one) for the flush's batches, each summarised alone.
    const byBus = new Map<EventBus, ReturnType<typeof attentionRecordedEvents>>();
    for (const b of batches) {
      if (b.events)
        byBus.set(b.events, [...(byBus.get(b.events) ?? []), ...attentionRecordedEvents(b.measured)]);
    }
    for (const [bus, events] of byBus) await this.retry('attention.recorded', () => bus.publish(events));
    this.queue.written(batches.length);
    this.logger.debug(
      { batches: batches.length, memory, ms: Math.round(performance.now() - started) },
      'derived data flushed',
    );
  }

  private async retry(what: string, write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (err) {
        const retryInMs = Math.min(30_000, 100 * 2 ** Math.min(attempt, 10));
        this.logger.error({ err, what, attempt, retryInMs }, 'projection write failed, retrying');
        await new Promise((r) => setTimeout(r, retryInMs));
      }
    }
  }
}

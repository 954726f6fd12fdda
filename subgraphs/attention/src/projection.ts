import {
  BloomFilter,
  bulkUpsert,
  type CounterUpdate,
  CounterWriter,
  createLogger,
  type EventBus,
  insertNew,
  type Logger,
} from '@attention-mesh/platform';
import type { ViewState } from './attentionMetrics.js';
import type { AttentionViewDoc, attentionModels } from './models/index.js';
import { rebuildAggregates } from './rebuild.js';
import { attentionRecordedEvents } from './recorded.js';
import type { MeasuredEvent } from './rollups.js';
import type { AttentionModels } from './server.js';

/** What one stored batch of events changes in the derived data. */
export interface ProjectionBatch {
  views: AttentionViewDoc[];
  /** `<userId>|<sessionId>` of the batch's signed-in events. */
  sessions: string[];
  rollups: Map<string, CounterUpdate>;
  totals: Map<string, CounterUpdate>;
  profiles: Map<string, CounterUpdate>;
  /** For the `attention.recorded` summaries, published once the counters are stored. */
  measured: MeasuredEvent[];
  events?: EventBus;
  /** Told the per-user session counts once the batch's sessions are known new (before they are written). */
  onNewSessions?: (counts: Map<string, CounterUpdate>) => void;
}

export interface ProjectionOptions {
  /** Batches accepted but not yet stored before `admit` makes callers wait (default 32). */
  maxPending?: number;
  /** View ids the Bloom filter is sized for (default 2,000,000). */
  expectedViews?: number;
  /**
   * Whether every view is stored by this process (one ingesting process per database; default true).
   * When false, each view not in memory is looked up.
   */
  knowsEveryView?: boolean;
}

type Models = ReturnType<typeof attentionModels>;

/**
 * Write-behind of everything derived from stored events: view states, hourly rollups, totals,
 * profiles and sessions. recordAttention stores the events (the durable record) and answers; the
 * projection then writes the derived documents, merging the updates of every batch that arrived
 * meanwhile into one bulk upsert per collection. Under load each write carries more batches, so the
 * cost per event falls as the rate rises instead of every request paying for its own upserts.
 *
 * In-process state is authoritative until stored: `viewState` answers from the states not yet written,
 * and `knownView` tells views never stored apart (a Bloom filter of stored view ids), so new views need
 * no database read. A process that stops drains first; one that crashes leaves the derived data behind
 * its events, which `wasDrained`/`markRunning` detect at the next start (see `recoverProjection`).
 * Failed writes are retried with backoff until they succeed (each retry logs); a bulk write that failed
 * part-way may then count part of a batch twice, which the rebuild (`npm run import:attention` tooling,
 * or a start after an undrained stop) repairs.
 */
export class Projection {
  private readonly rollups: CounterWriter;
  private readonly totals: CounterWriter;
  private readonly profiles: CounterWriter;
  private pendingViews = new Map<string, AttentionViewDoc>();
  private writingViews = new Map<string, AttentionViewDoc>();
  private viewsRunning: Promise<void> | null = null;
  private viewWaiters: (() => void)[] = [];
  private readonly storedViews: BloomFilter;
  private viewIdsLoaded = false;
  private pending = 0;
  private readonly tasks = new Set<Promise<void>>();
  private roomWaiters: (() => void)[] = [];
  private readonly maxPending: number;
  private readonly knowsEveryView: boolean;
  /** Set by the service at start (`useLogger`); silent until then. */
  private logger: Logger = createLogger({ service: 'attention', level: 'silent', pretty: false });

  constructor(
    private readonly models: Models,
    opts: ProjectionOptions = {},
  ) {
    this.rollups = new CounterWriter(models.AttentionRollup);
    this.totals = new CounterWriter(models.AttentionTotal);
    this.profiles = new CounterWriter(models.AttentionProfile);
    this.maxPending = opts.maxPending ?? 32;
    this.knowsEveryView = opts.knowsEveryView ?? true;
    this.storedViews = new BloomFilter(opts.expectedViews ?? 2_000_000);
  }

  useLogger(logger: Logger): void {
    this.logger = logger.child({ component: 'projection' });
  }

  /**
   * Reads the ids of the stored views into the Bloom filter. Until it is done every view not in memory
   * is looked up; after, only those the filter may hold.
   */
  async loadViewIds(): Promise<void> {
    if (!this.knowsEveryView) return;
    let n = 0;
    for await (const v of this.models.AttentionView.find({}, { _id: 1 })
      .lean<{ _id: string }>()
      .cursor({ batchSize: 5000 })) {
      this.storedViews.add(v._id);
      n++;
    }
    this.viewIdsLoaded = true;
    this.logger.info({ views: n }, 'view ids loaded: new views need no lookup');
  }

  /** The state of a view written behind and not yet stored. */
  viewState(id: string): ViewState | undefined {
    return (this.pendingViews.get(id) ?? this.writingViews.get(id))?.state;
  }

  /** False when the view was certainly never stored (so there is nothing to look up). */
  mightBeStored(id: string): boolean {
    return !this.viewIdsLoaded || this.storedViews.mightContain(id);
  }

  /** Waits while too many batches are still being written (backpressure on ingestion). */
  async admit(): Promise<void> {
    while (this.pending >= this.maxPending) await new Promise<void>((r) => this.roomWaiters.push(r));
  }

  /** Takes a batch; its view states are visible to `viewState` at once. */
  submit(batch: ProjectionBatch): void {
    for (const v of batch.views) {
      this.pendingViews.set(v._id, v);
      this.storedViews.add(v._id);
    }
    this.pending++;
    const task = this.project(batch).finally(() => {
      this.pending--;
      this.tasks.delete(task);
      for (const wake of this.roomWaiters.splice(0)) wake();
    });
    this.tasks.add(task);
  }

  /** Resolves once everything submitted so far is stored (and announced). */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  private async project(batch: ProjectionBatch): Promise<void> {
    const viewsStored = this.whenViewsStored();
    const sessionsCounted = this.retry('sessions', async () => {
      const fresh = await insertNew(
        this.models.AttentionSession,
        batch.sessions.map((_id) => ({ _id })),
      );
      const counts = new Map<string, CounterUpdate>();
      for (const s of fresh) {
        const userId = s._id.slice(0, s._id.lastIndexOf('|'));
        counts.set(userId, { $inc: { sessions: (counts.get(userId)?.$inc?.sessions ?? 0) + 1 } });
        const p = batch.profiles.get(userId) ?? { $inc: {} };
        p.$inc = { ...p.$inc, sessions: (p.$inc?.sessions ?? 0) + 1 };
        batch.profiles.set(userId, p);
      }
      batch.onNewSessions?.(counts);
    });
    await Promise.all([
      viewsStored,
      this.retry('rollups', () => this.rollups.add(batch.rollups)),
      this.retry('totals', () => this.totals.add(batch.totals)),
      sessionsCounted.then(() => this.retry('profiles', () => this.profiles.add(batch.profiles))),
    ]);
    const events = batch.events;
    if (events) {
      await this.retry('attention.recorded', () => events.publish(attentionRecordedEvents(batch.measured)));
    }
  }

  /** Resolves once the view states pending now are stored. */
  private whenViewsStored(): Promise<void> {
    const done = new Promise<void>((resolve) => this.viewWaiters.push(resolve));
    this.viewsRunning ??= this.drainViews();
    return done;
  }

  private async drainViews(): Promise<void> {
    while (this.pendingViews.size > 0) {
      this.writingViews = this.pendingViews;
      this.pendingViews = new Map();
      const waiters = this.viewWaiters.splice(0);
      const docs = [...this.writingViews.values()];
      await this.retry('views', () =>
        bulkUpsert(
          this.models.AttentionView,
          docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
        ),
      );
      this.writingViews = new Map();
      for (const w of waiters) w();
    }
    this.viewsRunning = null;
    for (const w of this.viewWaiters.splice(0)) w();
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

/**
 * At start: if the last process did not drain its projection (it crashed), rebuilds every derived
 * document from the stored events before the service takes requests; then records that a process is
 * running. Returns whether it rebuilt.
 */
export async function recoverProjection(
  models: AttentionModels,
  opts: { halfLifeDays: number; logger: Logger },
): Promise<boolean> {
  const state = await models.ProjectionState.findById('projection').lean();
  const rebuild = state !== null && !state.drained;
  if (rebuild) {
    opts.logger.warn(
      'the last process stopped without storing all derived data: rebuilding it from the events',
    );
    const { events, ms } = await rebuildAggregates(models, {
      halfLifeDays: opts.halfLifeDays,
      onProgress: (p) => opts.logger.info(p, 'rebuilding derived data'),
    });
    opts.logger.info({ events, ms }, 'derived data rebuilt');
  }
  await markDrained(models, false);
  return rebuild;
}

/** Stores whether everything derived is written (true only after a drain at stop). */
export async function markDrained(models: Models, drained: boolean) {
  await models.ProjectionState.updateOne(
    { _id: 'projection' },
    { $set: { drained, updatedAt: Date.now() } },
    { upsert: true },
  );
}

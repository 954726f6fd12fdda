import { type CounterUpdate, insertNew } from '@attention-mesh/platform';
import type { ViewState } from '../metrics/attentionMetrics.js';
import type { AttentionViewDoc, attentionModels } from '../models/index.js';
import type { ProjectionBatch } from './batchQueue.js';
import { CounterBuffer, noStats, splitByStored, storeDocs, type WriteStats } from './derivedWriter.js';
import type { StoredIdSets } from './storedIdSets.js';

type Models = ReturnType<typeof attentionModels>;
export type Collection = 'views' | 'rollups' | 'totals' | 'profiles' | 'sessions';
/** Runs a write until it succeeds. */
type Retry = (what: string, write: () => Promise<unknown>) => Promise<void>;

/**
 * What the accepted batches change in the derived collections, merged and held until written, and the
 * writes themselves: view states, sessions and the counter updates of rollups, totals and profiles.
 * When to write what is the Projection's decision.
 */
export class HeldWrites {
  readonly rollups: CounterBuffer;
  readonly totals: CounterBuffer;
  readonly profiles: CounterBuffer;
  private pendingViews = new Map<string, AttentionViewDoc>();
  private writingViews = new Map<string, AttentionViewDoc>();
  private pendingSessions = new Set<string>();
  private readonly viewStats = noStats();
  private readonly sessionStats = noStats();

  constructor(
    private readonly models: Models,
    private readonly ids: StoredIdSets,
    private readonly retry: Retry,
    private readonly onNewSessions?: (counts: Map<string, CounterUpdate>) => void,
  ) {
    this.rollups = new CounterBuffer(models.AttentionRollup, ids.rollups);
    this.totals = new CounterBuffer(models.AttentionTotal, ids.totals);
    this.profiles = new CounterBuffer(models.AttentionProfile, ids.profiles);
  }

  add(batch: ProjectionBatch): void {
    for (const v of batch.views) this.pendingViews.set(v._id, v);
    for (const s of batch.sessions) this.pendingSessions.add(s);
    this.rollups.add(batch.rollups);
    this.totals.add(batch.totals);
    this.profiles.add(batch.profiles);
  }

  /** The state of a view held or being written, not yet stored. */
  viewState(id: string): ViewState | undefined {
    return (this.pendingViews.get(id) ?? this.writingViews.get(id))?.state;
  }

  get heldViews(): number {
    return this.pendingViews.size;
  }

  /** Whether anything waits to be written. */
  any(): boolean {
    return (
      this.pendingViews.size +
        this.rollups.size +
        this.totals.size +
        this.profiles.size +
        this.pendingSessions.size >
      0
    );
  }

  /** What the writes did since the start (or the last reset), by collection. */
  stats(reset: boolean): Record<Collection, WriteStats> {
    const out = {
      views: { ...this.viewStats },
      rollups: { ...this.rollups.stats },
      totals: { ...this.totals.stats },
      profiles: { ...this.profiles.stats },
      sessions: { ...this.sessionStats },
    };
    if (reset) {
      for (const s of [
        this.viewStats,
        this.rollups.stats,
        this.totals.stats,
        this.profiles.stats,
        this.sessionStats,
      ])
        Object.assign(s, noStats());
    }
    return out;
  }

  async write(what: Collection, write: (() => Promise<void>) | null): Promise<void> {
    if (write) await this.retry(what, write);
  }

  /** Inserts the sessions seen since the last flush; those new add to their users' session counts. */
  async storeSessions(): Promise<void> {
    if (this.pendingSessions.size === 0) return;
    const at = Date.now();
    const docs = [...this.pendingSessions].map((_id) => ({ _id, at }));
    this.pendingSessions.clear();
    const started = performance.now();
    let fresh: { _id: string }[] = [];
    await this.retry('sessions', async () => {
      fresh = await insertNew(this.models.AttentionSession, docs);
    });
    this.sessionStats.writes++;
    this.sessionStats.inserted += fresh.length;
    this.sessionStats.ms += performance.now() - started;
    const counts = new Map<string, CounterUpdate>();
    for (const s of fresh) {
      const userId = s._id.slice(0, s._id.lastIndexOf('|'));
      counts.set(userId, { $inc: { sessions: (counts.get(userId)?.$inc?.sessions ?? 0) + 1 } });
    }
    if (counts.size === 0) return;
    this.profiles.add(counts);
    this.onNewSessions?.(counts);
  }

  /** Stores the views pending now: those never stored by insert, the others by replacement. */
  async storeViews(): Promise<void> {
    if (this.pendingViews.size === 0) return;
    this.writingViews = this.pendingViews;
    this.pendingViews = new Map();
    const work = splitByStored(
      [...this.writingViews.values()].map((doc) => ({
        id: doc._id,
        doc: () => doc,
        upsert: { replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } },
      })),
      this.ids.views,
    );
    this.viewStats.writes++;
    await this.retry('views', () =>
      storeDocs(this.models.AttentionView, this.ids.views, work, this.viewStats),
    );
    this.writingViews = new Map();
  }
}

import { type Logger, LruCache } from '@attention-mesh/platform';
import type { Connection } from 'mongoose';
import type { RecommendationConfig } from '../config.js';
import { type RecDecisionDoc, recDecisionModels } from '../models/RecDecision.js';
import type { ShownDecision } from './rewardJoin.js';

/** Most decisions waiting for a write; beyond it the oldest are dropped (and counted). */
const MAX_PENDING = 10_000;
/** Decisions remembered per user for the reward join (the newest). */
const PER_USER = 8;

/**
 * The recommendation decision log: `log` only queues (the request path never waits on the database);
 * the queue is written every `flushMs` or once `batchSize` are waiting, as one unordered multi-row
 * insert by `_id` (a re-sent batch inserts nothing twice). The newest decisions of recent users stay in
 * memory for the reward join; `sweep` deletes decisions and rewards older than the retention (a batch
 * job: a range filter scans on the embedded database). Decision logs are telemetry, not accepted user
 * data: when the database stays down past `MAX_PENDING` queued decisions, the oldest are dropped and
 * counted in `dropped`.
 */
export class RecDecisionLog {
  readonly models;
  private pending: RecDecisionDoc[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly recent = new LruCache<string, ShownDecision[]>(50_000);
  dropped = 0;
  written = 0;

  constructor(
    conn: Connection,
    readonly settings: Pick<
      RecommendationConfig['recommendation'],
      'explorationEpsilon' | 'rewardWindowMs' | 'decisionRetentionDays'
    >,
    private readonly batchSize = 200,
  ) {
    this.models = recDecisionModels(conn);
  }

  /** Queues a decision (no await) and remembers it for the user's reward join. */
  log(doc: RecDecisionDoc): void {
    this.pending.push(doc);
    if (this.pending.length > MAX_PENDING) {
      this.pending.shift();
      this.dropped++;
    }
    const mine = this.recent.get(doc.userId) ?? [];
    mine.push({ id: doc._id, userId: doc.userId, at: doc.at, slots: doc.slots });
    if (mine.length > PER_USER) mine.shift();
    this.recent.set(doc.userId, mine);
    if (this.pending.length >= this.batchSize) void this.flush().catch(() => {});
  }

  /** This process's newest decisions for `userId` (the reward join looks here first). */
  recentFor(userId: string): readonly ShownDecision[] {
    return this.recent.get(userId) ?? [];
  }

  /** Writes what is queued; concurrent calls share one write. Failed batches go back to the queue. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length > 0 ? this.flush() : undefined));
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      try {
        await this.models.RecDecision.insertMany(batch, { ordered: false });
        this.written += batch.length;
      } catch (err) {
        // Duplicates (a batch re-sent after a lost reply) are already stored; anything else is retried.
        const e = err as { code?: number; writeErrors?: { code?: number; err?: { code?: number } }[] };
        const dupOnly =
          e.code === 11000 ||
          ((e.writeErrors?.length ?? 0) > 0 &&
            e.writeErrors!.every((w) => (w.code ?? w.err?.code) === 11000));
        if (!dupOnly) {
          this.pending = batch.concat(this.pending).slice(-MAX_PENDING);
          throw err;
        }
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /** Deletes decisions and rewards older than the retention. */
  async sweep(now = Date.now()): Promise<void> {
    const before = now - this.settings.decisionRetentionDays * 24 * 3600_000;
    await this.models.RecDecision.deleteMany({ at: { $lt: before } });
    await this.models.RecReward.deleteMany({ at: { $lt: before } });
  }

  /**
   * Forgets a user (erasure): queued, remembered and stored decisions and rewards (after a write in
   * flight, which may hold some of theirs); resolves to the stored documents deleted.
   */
  async forget(userId: string): Promise<number> {
    this.pending = this.pending.filter((d) => d.userId !== userId);
    this.recent.delete(userId);
    await this.flushing?.catch(() => {});
    const decisions = await this.models.RecDecision.deleteMany({ userId });
    const rewards = await this.models.RecReward.deleteMany({ userId });
    return decisions.deletedCount + rewards.deletedCount;
  }

  /** Starts the flush timer and the hourly retention sweep; `stop` writes what is left. */
  start(logger: Logger, flushMs = 1000): { stop(): Promise<void> } {
    this.timer = setInterval(() => {
      this.flush().catch((err: unknown) => logger.warn({ err }, 'recommendation decisions not written yet'));
    }, flushMs);
    this.timer.unref();
    const sweeper = setInterval(() => {
      this.sweep().catch((err: unknown) => logger.warn({ err }, 'decision retention sweep failed'));
    }, 3600_000);
    sweeper.unref();
    return {
      stop: async () => {
        if (this.timer) clearInterval(this.timer);
        clearInterval(sweeper);
        await this.flush().catch((err: unknown) =>
          logger.warn({ err }, 'recommendation decisions lost at stop'),
        );
      },
    };
  }
}

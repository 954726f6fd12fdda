import { KeyedLock, LruCache, MAX_BULK_OPS } from '@attention-mesh/platform';
import type { Model } from 'mongoose';
import { dimensionsOf, type MeasuredEvent, measuresOf } from '../projection/rollups.js';
import { clipContributions, dpDayId } from './clipContributions.js';
import type { DpBounds, DpDayState } from './dpMeasures.js';

/**
 * The privacy units' consumption (what each user-day has contributed to the clipped sums), durable:
 * each batch's user-days are stored, by `_id`, before its rollups are handed to the projection, so a
 * restart (or a crash, after which the rebuild recomputes both from the events) can never let a
 * user-day count more than its bound; at worst a crash between the two counts less.
 */
export class DpDays {
  private readonly lock = new KeyedLock();
  private readonly cache: LruCache<string, DpDayState>;

  constructor(
    private readonly model: Model<DpDayState>,
    private readonly bounds: DpBounds,
    /** Whether this process is the only writer (then recent user-days are read from memory). */
    private readonly singleWriter: boolean,
  ) {
    this.cache = new LruCache(singleWriter ? 50_000 : 1);
  }

  /** Sets `dp` on each measured event (in time order), moving and storing their user-days. */
  async contribute(measured: MeasuredEvent[]): Promise<void> {
    const ids = [
      ...new Set(
        measured.flatMap((m) => (m.event.userId ? [dpDayId(m.event.userId, m.event.occurredAt)] : [])),
      ),
    ];
    if (ids.length === 0) return;
    await this.lock.run(ids, async () => {
      const states = new Map<string, DpDayState>();
      await Promise.all(
        ids.map(async (id) => {
          const known =
            (this.singleWriter ? this.cache.get(id) : undefined) ??
            (await this.model.findById(id).lean<DpDayState>());
          if (known) states.set(id, structuredClone(known));
        }),
      );
      const dps = clipContributions(
        measured.map((m) => ({ event: m.event, measures: measuresOf(m.delta), dims: dimensionsOf(m.event) })),
        states,
        this.bounds,
      );
      const docs = [...states.values()];
      for (let i = 0; i < docs.length; i += MAX_BULK_OPS) {
        await retried(() =>
          this.model.bulkWrite(
            docs.slice(i, i + MAX_BULK_OPS).map((d) => ({
              replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true },
            })),
            { ordered: false },
          ),
        );
      }
      if (this.singleWriter) for (const d of docs) this.cache.set(d._id, d);
      measured.forEach((m, i) => {
        m.dp = dps[i] ?? null;
      });
    });
  }

  /**
   * Deletes a user's user-days (erasure; a scan on the embedded database: an erasure job's read). The
   * cache is dropped whole: erasures are rare, and its keys cannot be listed by user.
   */
  async erase(userId: string): Promise<number> {
    const res = await this.model.deleteMany({ userId });
    this.cache.clear();
    return res.deletedCount;
  }

  /** Deletes the user-days before `day` (epoch ms): no event that old is accepted any more (retention). */
  async sweep(before: number): Promise<number> {
    const res = await this.model.deleteMany({ day: { $lt: before } });
    return res.deletedCount;
  }

  /** Forgets what is held in memory (after the rebuild replaced the stored user-days). */
  clear(): void {
    this.cache.clear();
  }
}

/**
 * A few attempts with backoff: the batch's events are already stored, and a write given up on leaves
 * them out of the derived data until the next rebuild. Replacing whole states makes a retry harmless.
 */
async function retried<T>(write: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

import { KeyedLock, LruCache } from '@attention-mesh/platform';
import type { ExposureDoc, LedgerModels } from '../models/ledger.js';

export type Exposure = ExposureDoc['entries'][number];

/** Longest frequency-cap window; older exposures are dropped. */
export const MAX_CAP_WINDOW_S = 30 * 24 * 3600;
/** Most exposures kept per user (the newest). */
const MAX_ENTRIES = 1000;

/**
 * Each user's recent impressions, for frequency caps: read by exact `_id` (one indexed read on a cache
 * miss), kept in an LRU and written through on every impression, one writer per user at a time.
 */
export class ExposureStore {
  private readonly cache = new LruCache<string, Exposure[]>(100_000);
  private readonly lock = new KeyedLock();

  constructor(private readonly model: LedgerModels['Exposure']) {}

  async get(userId: string): Promise<Exposure[]> {
    const hit = this.cache.get(userId);
    if (hit) return hit;
    const doc = await this.model.findById(userId).lean<ExposureDoc>();
    const entries = doc?.entries ?? [];
    // A write that finished while this read was in flight already cached the newer list.
    const raced = this.cache.get(userId);
    if (raced) return raced;
    this.cache.set(userId, entries);
    return entries;
  }

  /** Cached exposures only (null on a miss), for the synchronous part of a decision. */
  peek(userId: string): Exposure[] | null {
    return this.cache.get(userId) ?? null;
  }

  async add(userId: string, exposure: Exposure): Promise<void> {
    await this.lock.run([userId], async () => {
      const current = await this.get(userId);
      const horizon = exposure.at - MAX_CAP_WINDOW_S * 1000;
      const next = [...current.filter((e) => e.at > horizon), exposure]
        .sort((a, b) => a.at - b.at)
        .slice(-MAX_ENTRIES);
      await this.model.updateOne({ _id: userId }, { $set: { entries: next } }, { upsert: true });
      this.cache.set(userId, next);
    });
  }

  /** Forgets a user (erasure); resolves to the documents deleted (0 or 1). */
  async erase(userId: string): Promise<number> {
    return this.lock.run([userId], async () => {
      const res = await this.model.deleteOne({ _id: userId });
      this.cache.delete(userId);
      return res.deletedCount;
    });
  }
}

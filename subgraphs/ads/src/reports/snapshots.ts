import { CounterWriter, HOURS_PER_WEEK, KeyedLock, LruCache, utcHourOfWeek } from '@attention-mesh/platform';
import type { AdStatsDoc, LedgerModels, UserAttentionDoc } from '../models/ledger.js';

/** Half-life of a user's hour-of-week attention curve. */
const CURVE_HALF_LIFE_MS = 14 * 24 * 3600 * 1000;

export type AdStats = Omit<AdStatsDoc, '_id'>;
const EMPTY_STATS: AdStats = { impressions: 0, clicks: 0, complaints: 0, engagedMs: 0 };

/**
 * What the ads subgraph has observed of each ad, in memory for decisions (loaded at start, updated by
 * the ledger and the event consumers) and persisted through one counter writer.
 */
export class AdStatsBook {
  private readonly stats = new Map<string, AdStats>();
  private readonly writer: CounterWriter;

  constructor(private readonly model: LedgerModels['AdStats']) {
    this.writer = new CounterWriter(model);
  }

  async load(): Promise<void> {
    for (const { _id, ...s } of await this.model.find().lean<AdStatsDoc[]>()) this.stats.set(_id, s);
  }

  get(adId: string): AdStats {
    return this.stats.get(adId) ?? EMPTY_STATS;
  }

  /** Adds to the ad's counters in memory at once and resolves when they are stored. */
  add(adId: string, delta: Partial<AdStats>): Promise<void> {
    const cur = { ...this.get(adId) };
    const inc = { ...EMPTY_STATS, ...delta };
    for (const k of Object.keys(inc) as (keyof AdStats)[]) cur[k] += inc[k];
    this.stats.set(adId, cur);
    return this.writer.add([[adId, { $inc: inc }]]);
  }
}

/** Decays a curve from `from` to `to` (pure). */
export function decayCurve(hours: readonly number[], from: number, to: number): number[] {
  const f = to > from ? 0.5 ** ((to - from) / CURVE_HALF_LIFE_MS) : 1;
  return hours.map((h) => h * f);
}

/**
 * Each user's engaged time by hour of the week, from `attention.recorded`: read by exact `_id`, cached,
 * written through. Replays are skipped by event id (a consumer gets events in id order).
 */
export class UserAttentionStore {
  private readonly cache = new LruCache<string, UserAttentionDoc | null>(100_000);
  private readonly lock = new KeyedLock();

  constructor(private readonly model: LedgerModels['UserAttention']) {}

  async get(userId: string): Promise<UserAttentionDoc | null> {
    const hit = this.cache.get(userId);
    if (hit !== undefined) return hit;
    const doc = await this.model.findById(userId).lean<UserAttentionDoc>();
    if (this.cache.get(userId) === undefined) this.cache.set(userId, doc ?? null);
    return doc ?? null;
  }

  async apply(userId: string, eventId: string, engagedMs: number, at: number): Promise<boolean> {
    return this.lock.run([userId], async () => {
      const cur = await this.get(userId);
      if (cur && eventId <= cur.lastEventId) return false;
      const hours = cur
        ? decayCurve(cur.hours, cur.decayedAt, at)
        : new Array<number>(HOURS_PER_WEEK).fill(0);
      hours[utcHourOfWeek(at)]! += engagedMs;
      const next: UserAttentionDoc = {
        _id: userId,
        hours,
        decayedAt: Math.max(at, cur?.decayedAt ?? 0),
        lastEventId: eventId,
      };
      const { _id, ...set } = next;
      await this.model.updateOne({ _id }, { $set: set }, { upsert: true });
      this.cache.set(userId, next);
      return true;
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

import { LruCache } from '../lruCache.js';

/** One user's stored consent: the flags a subgraph keeps and the `updatedAt` of the announcement. */
export type ConsentRecord<F extends string> = { _id: string; updatedAt: number } & Record<F, boolean>;

/** What the store needs of a mongoose model (kept structural so platform names no subgraph's model). */
export interface ConsentCollection {
  findById(id: string): { lean(): PromiseLike<unknown> };
  updateOne(filter: object, update: object, options: { upsert: true }): PromiseLike<unknown>;
  deleteOne(filter: { _id: string }): PromiseLike<{ deletedCount: number }>;
}

export interface ConsentStoreOptions<F extends string> {
  /** The flags of `user.consent.changed` this subgraph keeps. */
  flags: readonly F[];
  /**
   * What a user with no stored announcement gets, per flag: each subgraph decides (and documents) it,
   * since users created through the users subgraph always announce their consent at creation.
   */
  whenUnknown: Readonly<Record<F, boolean>>;
  /** Users cached in memory. Default 100,000. */
  cacheSize?: number;
  /**
   * How long a cached consent is trusted, in ms. This process's consumer drops the entry when it applies
   * a change; the TTL bounds how long another replica (whose consumer did not see the event) may act on
   * the old one. Default 1,000.
   */
  cacheTtlMs?: number;
}

/**
 * Each user's consent as announced by `user.consent.changed`, one document per user read by exact
 * `_id` (the one indexed read of the embedded database) and cached briefly. The newest `updatedAt` wins:
 * an older or repeated announcement never overwrites a newer one, so redelivery and reordering are safe.
 */
export class ConsentStore<F extends string> {
  private readonly cache: LruCache<string, { flags: Record<F, boolean>; at: number }>;
  private readonly ttlMs: number;
  /** Writes applied by this process: a read that overlapped one does not cache what it read. */
  private writes = 0;

  constructor(
    private readonly model: ConsentCollection,
    private readonly options: ConsentStoreOptions<F>,
  ) {
    this.cache = new LruCache(options.cacheSize ?? 100_000);
    this.ttlMs = options.cacheTtlMs ?? 1_000;
  }

  /** The user's flags: the stored announcement's, or `whenUnknown` when none is stored. */
  async get(userId: string, now = Date.now()): Promise<Readonly<Record<F, boolean>>> {
    const hit = this.cache.get(userId);
    if (hit && now - hit.at < this.ttlMs) return hit.flags;
    const writesBefore = this.writes;
    const doc = (await this.model.findById(userId).lean()) as Partial<ConsentRecord<F>> | null;
    const flags = {} as Record<F, boolean>;
    for (const f of this.options.flags)
      flags[f] = typeof doc?.[f] === 'boolean' ? (doc[f] as boolean) : this.options.whenUnknown[f];
    // A read that raced a write may hold the consent before it: answered once, never cached.
    if (this.writes === writesBefore) this.cache.set(userId, { flags, at: now });
    return flags;
  }

  async allows(userId: string, flag: F, now = Date.now()): Promise<boolean> {
    return (await this.get(userId, now))[flag];
  }

  /** Users among `userIds` whose `flag` is off (each read by `_id`: an `$in` scans on the embedded database). */
  async refusing(userIds: readonly string[], flag: F, now = Date.now()): Promise<Set<string>> {
    const unique = [...new Set(userIds)];
    const allowed = await Promise.all(unique.map((id) => this.allows(id, flag, now)));
    return new Set(unique.filter((_, i) => !allowed[i]));
  }

  /** Stores an announcement unless a newer one is stored; the cached entry goes either way. */
  async apply(userId: string, announced: Readonly<Record<F, boolean>>, updatedAt: number): Promise<void> {
    const set: Record<string, unknown> = { updatedAt };
    for (const f of this.options.flags) set[f] = announced[f];
    try {
      await this.model.updateOne(
        { _id: userId, updatedAt: { $lt: updatedAt } },
        { $set: set },
        { upsert: true },
      );
    } catch (err) {
      // The filter missed because a newer (or the same) consent is stored: the upsert's insert hit the id.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
    this.writes++;
    this.cache.delete(userId);
  }

  /** Forgets the user (erasure): they fall back to `whenUnknown`. */
  async erase(userId: string): Promise<number> {
    const res = await this.model.deleteOne({ _id: userId });
    this.writes++;
    this.cache.delete(userId);
    return res.deletedCount;
  }
}

import { bulkUpsert, KeyedLock, LruCache } from '@attention-mesh/platform';
import type { FeedbackDoc, FeedbackUserIndexDoc } from '../models/index.js';
import type { FeedbackKind } from '../rules/feedbackRules.js';

interface IndexModel {
  findById(id: string): { lean<T>(): PromiseLike<T | null> };
  bulkWrite(ops: IndexWrite[], options: { ordered: false }): Promise<unknown>;
}
interface IndexWrite {
  updateOne: { filter: { _id: string }; update: object; upsert: true };
}

/** The index documents of a user: every kind, or one kind. */
export const userIndexKey = (userId: string, kind?: FeedbackKind | null) =>
  kind ? `${userId}|${kind}` : userId;

/**
 * Keeps, per user and per (user, kind), the ids of the most recent `size` signals newest first, in one
 * document read by `_id`: `User.feedback` never filters the feedback collection (the embedded
 * database would read all of it). An append is a read-modify-write (the embedded database honours
 * neither `$push`'s `$position` nor `$slice`): the lists this process wrote last are kept in memory, so
 * only a key it has not seen yet is read, and a batch's keys are written in one unordered bulk write
 * (slices of 50). Appends to one key take turns within the process, and one process writes a
 * database's feedback (as the summaries' CounterWriter needs on the embedded database).
 */
export class UserFeedbackIndex {
  private readonly lock = new KeyedLock();
  private readonly cache: LruCache<string, string[]>;

  constructor(
    private readonly model: IndexModel,
    readonly size: number,
    cachedKeys = 50_000,
  ) {
    this.cache = new LruCache(cachedKeys);
  }

  /** Adds newly stored signals (in the order received: the last is the newest). */
  async append(docs: readonly FeedbackDoc[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const d of docs)
      for (const key of [userIndexKey(d.userId), userIndexKey(d.userId, d.kind)]) {
        const ids = byKey.get(key);
        if (ids) ids.push(d._id);
        else byKey.set(key, [d._id]);
      }
    if (byKey.size === 0) return;
    await this.lock.run(byKey.keys(), async () => {
      const now = Date.now();
      const lists = await Promise.all(
        [...byKey].map(async ([key, ids]) => {
          const current = this.cache.get(key) ?? (await this.readStored(key));
          const fresh = new Set(ids);
          const next = [...[...ids].reverse(), ...current.filter((id) => !fresh.has(id))].slice(0, this.size);
          return [key, next] as const;
        }),
      );
      try {
        await bulkUpsert(
          this.model,
          lists.map(([key, ids]) => ({
            updateOne: {
              filter: { _id: key },
              update: { $set: { ids, updatedAt: now } },
              upsert: true as const,
            },
          })),
        );
      } catch (err) {
        // What was written is unknown: read the stored lists again next time.
        for (const [key] of lists) this.cache.delete(key);
        throw err;
      }
      for (const [key, ids] of lists) this.cache.set(key, ids);
    });
  }

  /** The ids of a key, newest first, as stored (the read path: one find by `_id`). */
  read(key: string): Promise<string[]> {
    return this.readStored(key);
  }

  /** Forgets the lists held in memory (after the index documents were changed from outside, e.g. deleted). */
  forget(): void {
    this.cache.clear();
  }

  private async readStored(key: string): Promise<string[]> {
    return (await this.model.findById(key).lean<FeedbackUserIndexDoc>())?.ids ?? [];
  }
}

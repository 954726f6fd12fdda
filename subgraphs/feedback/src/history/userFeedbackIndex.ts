import { KeyedLock } from '@attention-mesh/platform';
import type { FeedbackDoc, FeedbackUserIndexDoc } from '../models/index.js';
import type { FeedbackKind } from '../rules/feedbackRules.js';

interface IndexModel {
  findById(id: string): { lean<T>(): PromiseLike<T | null> };
  updateOne(filter: { _id: string }, update: object, opts: { upsert: true }): PromiseLike<unknown>;
}

/** The index documents of a user: every kind, or one kind. */
export const userIndexKey = (userId: string, kind?: FeedbackKind | null) =>
  kind ? `${userId}|${kind}` : userId;

/**
 * Keeps, per user and per (user, kind), the ids of the most recent `size` signals newest first, in one
 * document read by `_id`: `User.feedback` never filters the feedback collection (the embedded
 * database would read all of it). Appends to one document take turns within the process (a
 * read-modify-write: the embedded database honours neither `$push`'s `$position` nor `$slice`), so
 * one process writes a user's index (as with the summaries' CounterWriter).
 */
export class UserFeedbackIndex {
  private readonly lock = new KeyedLock();

  constructor(
    private readonly model: IndexModel,
    readonly size: number,
  ) {}

  /** Adds newly stored signals (in the order received: the last is the newest). */
  async append(docs: readonly FeedbackDoc[]): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const d of docs)
      for (const key of [userIndexKey(d.userId), userIndexKey(d.userId, d.kind)]) {
        const ids = byKey.get(key);
        if (ids) ids.push(d._id);
        else byKey.set(key, [d._id]);
      }
    await Promise.all(
      [...byKey].map(([key, ids]) =>
        this.lock.run([key], async () => {
          const current = await this.read(key);
          const fresh = new Set(ids);
          const next = [...ids.reverse(), ...current.filter((id) => !fresh.has(id))].slice(0, this.size);
          await this.model.updateOne(
            { _id: key },
            { $set: { ids: next, updatedAt: Date.now() } },
            { upsert: true },
          );
        }),
      ),
    );
  }

  /** The ids of a key, newest first. */
  async read(key: string): Promise<string[]> {
    return (await this.model.findById(key).lean<FeedbackUserIndexDoc>())?.ids ?? [];
  }
}

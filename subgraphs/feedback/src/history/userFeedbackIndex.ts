import { KeyedLock, LruCache, writeErrorsOf } from '@attention-mesh/platform';
import type { FeedbackDoc, FeedbackUserIndexDoc } from '../models/index.js';
import type { FeedbackKind } from '../rules/feedbackRules.js';

interface IndexModel {
  findById(id: string, projection?: object): { lean<T>(): PromiseLike<T | null> };
  insertMany(docs: FeedbackUserIndexDoc[], options: { ordered: false; lean: true }): Promise<unknown>;
  deleteMany(filter: { _id: { $in: string[] } }): PromiseLike<{ deletedCount: number }>;
}

/** The list keys of a user: every kind, or one kind. */
export const userIndexKey = (userId: string, kind?: FeedbackKind | null) =>
  kind ? `${userId}|${kind}` : userId;
/** The `_id` of a list's entry number `seq` (from 1). */
export const entryId = (key: string, seq: number) => `${key}#${seq}`;

/**
 * The last `seq` present, given that `from` is present (0: none known) and entries have no gaps:
 * galloping then bisecting over exact `_id` lookups (about 2 log2(n) of them). Pure but for `exists`.
 */
export async function lastSeq(exists: (seq: number) => Promise<boolean>, from = 0): Promise<number> {
  let lo = from;
  let step = 1;
  while (await exists(lo + step)) {
    lo += step;
    step *= 2;
  }
  let hi = lo + step; // absent
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await exists(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Each user's signals as numbered lists, one per user and one per (user, kind): entry `seq` of a list
 * is a document of its own (`${key}#${seq}` -> feedback id), so an append is one multi-row insert and a
 * page is a few reads by exact `_id` (the one filter the embedded database indexes): the last number,
 * then the entries newest first, then the signals. No scan, no bound on the history, nothing rewritten.
 *
 * The last number of each list is held in memory (found once by `lastSeq` and kept as this process
 * appends); reads check the next number too, so they see what another process appended. Appends to one
 * list take turns within the process; one that meets an entry already stored (another writer) finds
 * the list's end again and retries.
 */
export class UserFeedbackIndex {
  private readonly lock = new KeyedLock();
  private readonly heads: LruCache<string, number>;

  constructor(
    private readonly model: IndexModel,
    cachedLists = 200_000,
  ) {
    this.heads = new LruCache(cachedLists);
  }

  private async exists(key: string, seq: number): Promise<boolean> {
    return (await this.model.findById(entryId(key, seq), { _id: 1 }).lean()) !== null;
  }

  private async findEnd(key: string, from = 0): Promise<number> {
    const end = await lastSeq((seq) => this.exists(key, seq), from);
    this.heads.set(key, end);
    return end;
  }

  /** The number of the newest entry of a list (0 when empty), current with other writers. */
  async head(key: string): Promise<number> {
    const known = this.heads.get(key);
    if (known === undefined) return this.findEnd(key);
    return (await this.exists(key, known + 1)) ? this.findEnd(key, known + 1) : known;
  }

  /** Adds newly stored signals (in the order received: the last is the newest). */
  async append(docs: readonly FeedbackDoc[]): Promise<void> {
    const byKey = new Map<string, FeedbackDoc[]>();
    for (const d of docs)
      for (const key of [userIndexKey(d.userId), userIndexKey(d.userId, d.kind)]) {
        const list = byKey.get(key);
        if (list) list.push(d);
        else byKey.set(key, [d]);
      }
    if (byKey.size === 0) return;
    await this.lock.run(byKey.keys(), async () => {
      for (let attempt = 1; ; attempt++) {
        const keys = [...byKey.keys()];
        const ends = await Promise.all(keys.map(async (key) => this.heads.get(key) ?? this.findEnd(key)));
        const entries: { key: string; doc: FeedbackDoc; entry: FeedbackUserIndexDoc }[] = [];
        keys.forEach((key, k) => {
          byKey.get(key)!.forEach((doc, i) => {
            const entry = {
              _id: entryId(key, ends[k]! + i + 1),
              feedbackId: doc._id,
              receivedAt: doc.receivedAt,
            };
            entries.push({ key, doc, entry });
          });
        });
        try {
          await this.model.insertMany(
            entries.map((e) => e.entry),
            { ordered: false, lean: true },
          );
          keys.forEach((key, k) => {
            this.heads.set(key, ends[k]! + byKey.get(key)!.length);
          });
          return;
        } catch (err) {
          // Whatever happened, the ends held are no longer known to be right.
          for (const key of keys) this.heads.delete(key);
          const failed = writeErrorsOf(err);
          if (!failed || failed.some((we) => we.code !== 11000) || attempt >= 3) throw err;
          // Another writer took these numbers: append what did not go in after the lists' new ends.
          byKey.clear();
          for (const we of failed) {
            const { key, doc } = entries[we.index]!;
            const list = byKey.get(key);
            if (list) list.push(doc);
            else byKey.set(key, [doc]);
          }
        }
      }
    });
  }

  /** The stored entries of a list among `seqs` (in their order). */
  async entries(key: string, seqs: readonly number[]): Promise<{ seq: number; feedbackId: string }[]> {
    const found = await Promise.all(
      seqs.map((s) => this.model.findById(entryId(key, s)).lean<FeedbackUserIndexDoc>()),
    );
    return found.flatMap((e, i) => (e ? [{ seq: seqs[i]!, feedbackId: e.feedbackId }] : []));
  }

  /** The feedback ids of a list, newest first (at most `limit`). */
  async newest(key: string, limit: number): Promise<string[]> {
    const end = await this.head(key);
    const seqs = Array.from({ length: Math.min(limit, end) }, (_, i) => end - i);
    return (await this.entries(key, seqs)).map((e) => e.feedbackId);
  }

  /**
   * Erasure: deletes every entry of the user's lists (all kinds and each kind), found from the lists'
   * ends by exact `_id` (lists have no gaps); returns how many were deleted. Appends to those lists
   * wait meanwhile.
   */
  async erase(userId: string, kinds: readonly FeedbackKind[]): Promise<number> {
    const keys = [userIndexKey(userId), ...kinds.map((k) => userIndexKey(userId, k))];
    return this.lock.run(keys, async () => {
      let deleted = 0;
      for (const key of keys) {
        const end = await this.findEnd(key);
        for (let from = 1; from <= end; from += 500) {
          const ids = Array.from({ length: Math.min(500, end - from + 1) }, (_, i) => entryId(key, from + i));
          deleted += (await this.model.deleteMany({ _id: { $in: ids } })).deletedCount;
        }
        this.heads.delete(key);
      }
      return deleted;
    });
  }

  /** Forgets the list ends held in memory (after entries were changed from outside, e.g. deleted). */
  forget(): void {
    this.heads.clear();
  }
}

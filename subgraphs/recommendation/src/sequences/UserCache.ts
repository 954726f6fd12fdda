import { LruCache } from '@attention-mesh/platform';
import type { UserSequenceDoc, UserSequenceModel } from '../models/UserSequence.js';
import { normalizeUser } from './normalizeUser.js';

/**
 * Users' sequences in memory, most recently used first: a recommendation reads its user here instead of
 * the database (the embedded database answers a few hundred `_id` reads a second, less than the model
 * serves). This service's event consumer writes every change it stores through to the cache; entries
 * older than `ttlMs` are read again, which bounds how stale a change made elsewhere (another replica's
 * consumer, an import) can be.
 */
export class UserCache {
  private readonly entries: LruCache<string, { doc: UserSequenceDoc; at: number }>;
  /** Last activity (sequence written or read) by user, oldest first, at most `capacity` users. */
  private readonly activity = new Map<string, number>();

  constructor(
    private readonly model: UserSequenceModel,
    readonly capacity = 200_000,
    private readonly ttlMs = 5 * 60_000,
  ) {
    this.entries = new LruCache(capacity);
  }

  /** The stored user, or null when this subgraph has never heard of them. */
  async get(userId: string, now = Date.now()): Promise<UserSequenceDoc | null> {
    const hit = this.entries.get(userId);
    if (hit && now - hit.at < this.ttlMs) {
      this.touch(userId, now);
      return hit.doc;
    }
    const found = (await this.model.findById(userId).lean()) as UserSequenceDoc | null;
    if (!found) {
      this.entries.delete(userId);
      return null;
    }
    const doc = normalizeUser(found);
    this.entries.set(userId, { doc, at: now });
    // Only known users count as active (an unknown id must not push real users out of the window).
    this.touch(userId, now);
    return doc;
  }

  /** Records a user as just written. */
  put(doc: UserSequenceDoc, now = Date.now()): void {
    this.entries.set(doc._id, { doc, at: now });
    this.touch(doc._id, now);
  }

  forget(userId: string): void {
    this.entries.delete(userId);
  }

  /** Erasure: the user leaves the cache and the activity list (no model update announces them again). */
  erase(userId: string): void {
    this.entries.delete(userId);
    this.activity.delete(userId);
  }

  /**
   * Users active since `since` (their sequence written or their recommendations read by this process,
   * or, at load, their stored sequence updated), most recent first, at most `limit`: who is told when a
   * new model changes everyone's recommendations.
   */
  activeSince(since: number, limit: number): string[] {
    const out: string[] = [];
    const ids = [...this.activity];
    for (let i = ids.length - 1; i >= 0 && out.length < limit; i--) {
      const [id, at] = ids[i]!;
      if (at < since) break;
      out.push(id);
    }
    return out;
  }

  /** A user's cached sequence, if held (no database read). */
  peek(userId: string): UserSequenceDoc | undefined {
    return this.entries.get(userId)?.doc;
  }

  private touch(userId: string, at: number): void {
    const prev = this.activity.get(userId);
    if (prev !== undefined && prev > at) return;
    this.activity.delete(userId);
    this.activity.set(userId, at);
    if (this.activity.size > this.capacity) this.activity.delete(this.activity.keys().next().value as string);
  }

  /** Fills the cache from the collection (at start and after an import), up to its capacity. */
  async load(now = Date.now()): Promise<number> {
    this.entries.clear();
    let n = 0;
    const loaded: UserSequenceDoc[] = [];
    for await (const raw of this.model.find({}).limit(this.capacity).lean().cursor()) {
      const doc = normalizeUser(raw as UserSequenceDoc);
      this.entries.set(doc._id, { doc, at: now });
      loaded.push(doc);
      n++;
    }
    // Activity in time order, so `activeSince` walks it newest first.
    loaded.sort((a, b) => a.updatedAt - b.updatedAt);
    for (const doc of loaded) if (doc.updatedAt > 0) this.touch(doc._id, doc.updatedAt);
    return n;
  }
}

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
    if (hit && now - hit.at < this.ttlMs) return hit.doc;
    const found = (await this.model.findById(userId).lean()) as UserSequenceDoc | null;
    if (!found) {
      this.entries.delete(userId);
      return null;
    }
    const doc = normalizeUser(found);
    this.entries.set(userId, { doc, at: now });
    return doc;
  }

  /** Records a user as just written. */
  put(doc: UserSequenceDoc, now = Date.now()): void {
    this.entries.set(doc._id, { doc, at: now });
  }

  forget(userId: string): void {
    this.entries.delete(userId);
  }

  /** Fills the cache from the collection (at start and after an import), up to its capacity. */
  async load(now = Date.now()): Promise<number> {
    this.entries.clear();
    let n = 0;
    for await (const raw of this.model.find({}).limit(this.capacity).lean().cursor()) {
      this.entries.set((raw as UserSequenceDoc)._id, { doc: normalizeUser(raw as UserSequenceDoc), at: now });
      n++;
    }
    return n;
  }
}

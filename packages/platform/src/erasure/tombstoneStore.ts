import { type Connection, type Model, Schema } from 'mongoose';
import { ErrorCode, meshError } from '../errors.js';
import { LruCache } from '../lruCache.js';
import { isErasedId, tombstoneOf } from './tombstoneHash.js';

/** A stored tombstone: the keyed hash of an erased user id and when it was erased; no personal data. */
export interface TombstoneDoc {
  _id: string;
  erasedAt: number;
}

const schema = new Schema<TombstoneDoc>(
  { _id: { type: String, required: true }, erasedAt: { type: Number, required: true } },
  { versionKey: false },
);

export interface TombstoneStoreOptions {
  /**
   * How long "not erased" is believed without a read (default 10 s): what another replica's tombstone
   * may take to be seen here. Tombstones written by this process are seen at once.
   */
  negativeTtlMs?: number;
  /** Ids remembered as not erased (default 100,000). */
  negativeCapacity?: number;
}

/**
 * A service's tombstones (`tombstones`, `_id` the hash: an exact-`_id` read is the one indexed read on
 * the embedded database). Every tombstone is held in memory once loaded (they are few and small), and
 * ids found not erased are remembered for a short while, so a hot ingestion path pays no database read
 * per event. One implementation for every subgraph.
 */
export class TombstoneStore {
  readonly model: Model<TombstoneDoc>;
  private readonly erased = new Set<string>();
  private readonly notErased: LruCache<string, number>;
  private readonly negativeTtlMs: number;
  private loaded: Promise<void> | null = null;

  constructor(
    conn: Connection,
    private readonly secret: string,
    opts: TombstoneStoreOptions = {},
  ) {
    this.model = conn.models.Tombstone ?? conn.model<TombstoneDoc>('Tombstone', schema, 'tombstones');
    this.negativeTtlMs = opts.negativeTtlMs ?? 10_000;
    this.notErased = new LruCache(opts.negativeCapacity ?? 100_000);
  }

  /** The tombstone of `userId` under the mesh's key. */
  hashOf(userId: string): string {
    return tombstoneOf(this.secret, userId);
  }

  /** Reads every stored tombstone into memory (a scan: at start-up only). Safe to call again. */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      for await (const t of this.model.find({}, { _id: 1 }).lean().cursor()) this.erased.add(t._id);
    })();
    this.loaded.catch(() => {
      this.loaded = null;
    });
    return this.loaded;
  }

  /** Records the erasure of `userId` (idempotent); seen by this process at once. */
  async add(userId: string, erasedAt = Date.now()): Promise<string> {
    const hash = this.hashOf(userId);
    this.erased.add(hash);
    this.notErased.delete(userId);
    await this.model.updateOne({ _id: hash }, { $setOnInsert: { erasedAt } }, { upsert: true });
    return hash;
  }

  /** Whether `userId` was erased (a redacted stand-in counts as erased). */
  async isErased(userId: string, now = Date.now()): Promise<boolean> {
    if (isErasedId(userId)) return true;
    const hash = this.hashOf(userId);
    if (this.erased.has(hash)) return true;
    const checkedAt = this.notErased.get(userId);
    if (checkedAt !== undefined && now - checkedAt < this.negativeTtlMs) return false;
    const found = await this.model.findById(hash).lean();
    if (found) {
      this.erased.add(hash);
      return true;
    }
    this.notErased.set(userId, now);
    return false;
  }

  /** The erased ids among `userIds` (each distinct id looked up once). */
  async erasedAmong(userIds: Iterable<string>): Promise<Set<string>> {
    const distinct = [...new Set(userIds)];
    const flags = await Promise.all(distinct.map((id) => this.isErased(id)));
    return new Set(distinct.filter((_, i) => flags[i]));
  }

  /** Throws USER_ERASED when `userId` was erased (`field` names the input). */
  async refuseErased(userId: string | null | undefined, field: string): Promise<void> {
    if (userId != null && (await this.isErased(userId))) throw userErased(field);
  }
}

/** The public error of a request about an erased user id. */
export function userErased(field: string, extra: Record<string, unknown> = {}) {
  return meshError(ErrorCode.USER_ERASED, `${field}: this user id was erased and accepts no new data`, {
    field,
    ...extra,
  });
}

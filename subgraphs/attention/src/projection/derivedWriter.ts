import {
  BloomFilter,
  bulkUpsert,
  type CounterUpdate,
  insertNew,
  MAX_BULK_OPS,
  mergeCounterUpdate,
} from '@attention-mesh/platform';
import { newDocOf } from './materialize.js';

/**
 * The ids of the documents stored in one derived collection, as far as this process knows: a Bloom
 * filter of the ids read at start plus every id it wrote since. Until the ids are read (or when the
 * process is not the collection's only writer) every id may be stored.
 */
export class StoredIds {
  private readonly filter: BloomFilter;
  private loaded = false;

  constructor(expected: number) {
    this.filter = new BloomFilter(expected);
  }

  /** Adds the ids of a scan of the stored documents; from then on, an id never added was never stored. */
  async load(stored: AsyncIterable<{ _id: string }> | Iterable<{ _id: string }>): Promise<number> {
    let n = 0;
    for await (const doc of stored) {
      this.filter.add(doc._id);
      n++;
    }
    this.loaded = true;
    return n;
  }

  add(id: string): void {
    this.filter.add(id);
  }

  /** False only when the document was certainly never stored. */
  mightContain(id: string): boolean {
    return !this.loaded || this.filter.mightContain(id);
  }
}

/** What the writes of one collection did (cumulative). */
export interface WriteStats {
  /** Writes of this collection (one per flush that had documents for it). */
  writes: number;
  /** Documents created by a plain insert (one statement for all of them). */
  inserted: number;
  /** Documents written by an upsert (one statement each on the embedded database). */
  upserted: number;
  /** Time spent writing, summed over the writes. */
  ms: number;
}

export const noStats = (): WriteStats => ({ writes: 0, inserted: 0, upserted: 0, ms: 0 });

interface Target<Doc> {
  insertMany(docs: Doc[], options: { ordered: false; lean: true }): Promise<unknown>;
  bulkWrite(ops: object[], options: { ordered: false }): Promise<unknown>;
}

/** One document to store: as a whole when new, else by its upsert. */
interface Entry<Doc> {
  id: string;
  doc: () => Doc;
  upsert: object;
}

/**
 * Stores a set of documents the cheap way where it can: on the embedded database an upsert costs a
 * statement (and a commit) of its own, about ten times an insert of the same document in a multi-row
 * insert. Documents certainly never stored (`ids`) are inserted whole, all in one insert; the others,
 * and any whose insert finds the id taken, are upserted (in slices, see `bulkUpsert`).
 *
 * Resumable: `entries` is consumed as the writes succeed, so the caller retries a failed write by
 * calling again with what is left. A retried insert takes an id found taken for its own earlier
 * attempt (an insert stores a document whole or not at all); a slice of upserts that failed part-way
 * may count what it applied twice (the rebuild from the events repairs that).
 */
export async function storeDocs<Doc>(
  target: Target<Doc>,
  ids: StoredIds,
  work: { fresh: Entry<Doc>[]; rest: Entry<Doc>[]; retried: boolean },
  stats: WriteStats,
): Promise<void> {
  const started = performance.now();
  try {
    if (work.fresh.length > 0) {
      const docs = work.fresh.map((e) => ({ entry: e, doc: e.doc() }));
      const stored = new Set(
        await insertNew(
          target,
          docs.map((d) => d.doc),
        ),
      );
      const taken = docs.filter((d) => !stored.has(d.doc)).map((d) => d.entry);
      stats.inserted += stored.size;
      for (const e of work.fresh) ids.add(e.id);
      if (!work.retried) work.rest.push(...taken);
      work.fresh = [];
    }
    while (work.rest.length > 0) {
      const slice = work.rest.slice(0, MAX_BULK_OPS);
      await bulkUpsert(
        target,
        slice.map((e) => e.upsert),
      );
      for (const e of slice) ids.add(e.id);
      stats.upserted += slice.length;
      work.rest = work.rest.slice(slice.length);
    }
  } catch (err) {
    work.retried = true;
    throw err;
  } finally {
    stats.ms += performance.now() - started;
  }
}

/** Splits documents into those certainly new and the others. */
export function splitByStored<Doc>(entries: Entry<Doc>[], ids: StoredIds) {
  const work = { fresh: [] as Entry<Doc>[], rest: [] as Entry<Doc>[], retried: false };
  for (const e of entries) (ids.mightContain(e.id) ? work.rest : work.fresh).push(e);
  return work;
}

/**
 * The pending `$inc`/`$max` updates of one counter collection (rollups, totals or profiles), merged by
 * document as batches arrive and written when the projection flushes.
 */
export class CounterBuffer {
  private pending = new Map<string, CounterUpdate>();
  readonly stats = noStats();

  constructor(
    private readonly target: Target<object>,
    readonly ids: StoredIds,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  /** The updates not yet taken for a write. */
  get pendingUpdates(): ReadonlyMap<string, CounterUpdate> {
    return this.pending;
  }

  add(updates: Iterable<readonly [string, CounterUpdate]>): void {
    for (const [id, update] of updates) {
      let current = this.pending.get(id);
      if (!current) {
        current = {};
        this.pending.set(id, current);
      }
      mergeCounterUpdate(current, update);
    }
  }

  /** Takes everything pending: the write to run (and retry until it succeeds). */
  take(): (() => Promise<void>) | null {
    if (this.pending.size === 0) return null;
    const updates = this.pending;
    this.pending = new Map();
    const work = splitByStored(
      [...updates].map(([id, update]) => ({
        id,
        doc: () => newDocOf(id, update),
        upsert: { updateOne: { filter: { _id: id }, update, upsert: true } },
      })),
      this.ids,
    );
    this.stats.writes++;
    return () => storeDocs(this.target, this.ids, work, this.stats);
  }
}

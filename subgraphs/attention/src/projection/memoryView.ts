import type { CounterUpdate } from '@attention-mesh/platform';
import { applyUpdate } from './materialize.js';

type Doc = Record<string, unknown> & { _id: string };

/**
 * A whole counter collection (totals or profiles) held in memory by the process that writes it: loaded
 * once at start, then kept current with the same `$inc`/`$max` updates the projection writes, applied
 * when a batch is accepted. Reads of entities are then answered without a database round trip, and
 * with the batches accepted a moment ago already counted. On the embedded database this matters: a
 * batched `$in` there reads the whole collection.
 *
 * Complete or nothing: a miss means "no document" only while every stored document is held. Past
 * `capacity` documents (or when the service is not the collection's only writer) the view turns itself
 * off for good and reads go to the database.
 */
export class MemoryView<T extends { _id: string }> {
  private readonly docs = new Map<string, Doc>();
  private complete = false;

  constructor(
    readonly name: string,
    private readonly capacity: number,
  ) {}

  /** Loads every stored document; false (and off) if there are more than `capacity`. */
  async load(all: AsyncIterable<T> | Iterable<T>): Promise<boolean> {
    this.turnOff();
    if (this.capacity === 0) return false;
    for await (const doc of all) {
      if (this.docs.size >= this.capacity) {
        this.turnOff();
        return false;
      }
      this.docs.set(doc._id, doc as unknown as Doc);
    }
    this.complete = true;
    return true;
  }

  get active(): boolean {
    return this.complete;
  }

  get size(): number {
    return this.docs.size;
  }

  /** The documents (null where none is stored) when the view is active; undefined otherwise. */
  getMany(ids: readonly string[]): (T | null)[] | undefined {
    if (!this.complete) return undefined;
    return ids.map((id) => (this.docs.get(id) as unknown as T | undefined) ?? null);
  }

  /** Applies updates exactly as the database will. */
  apply(updates: Iterable<readonly [string, CounterUpdate]>): void {
    if (!this.complete) return;
    for (const [id, update] of updates) applyUpdate(this.docs, id, update);
    if (this.docs.size > this.capacity) this.turnOff();
  }

  /** Removes fields (dotted paths) of a held document, as `$unset` does in the database. */
  unset(id: string, paths: readonly string[]): void {
    const doc = this.docs.get(id);
    if (!doc) return;
    for (const path of paths) {
      const parts = path.split('.');
      let node: Record<string, unknown> | undefined = doc;
      for (const part of parts.slice(0, -1)) node = node?.[part] as Record<string, unknown> | undefined;
      if (node) delete node[parts.at(-1)!];
    }
  }

  /** The held documents (all of them when active), for batch jobs that walk the collection. */
  values(): IterableIterator<T> | undefined {
    return this.complete ? (this.docs.values() as unknown as IterableIterator<T>) : undefined;
  }

  /** Drops one document (its stored copy is deleted by the caller: erasure). */
  forget(id: string): void {
    this.docs.delete(id);
  }

  turnOff(): void {
    this.complete = false;
    this.docs.clear();
  }
}

import type { ItemDoc } from '../models/Item.js';

interface ItemFinder {
  find(filter: object): { lean(): PromiseLike<unknown> };
}

/**
 * The item catalogue in memory: recommendations and similar items resolve their nodes and categories
 * here instead of one `$in` per request (which the embedded database answers by reading the whole
 * collection). Loaded at start, refreshed periodically (items created by other replicas) and updated
 * at once by this replica's writes.
 */
export class Catalogue {
  private items = new Map<string, ItemDoc>();
  private loadedAt = 0;
  /** Bumped on every change, so masks derived from the catalogue know when to rebuild. */
  generation = 0;

  constructor(private readonly model: ItemFinder) {}

  get size(): number {
    return this.items.size;
  }

  get(id: string): ItemDoc | undefined {
    return this.items.get(id);
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  put(doc: ItemDoc): void {
    this.items.set(doc._id, doc);
    this.generation++;
  }

  /** Reads the whole catalogue (one scan) and replaces the cached copy. */
  async reload(): Promise<void> {
    const docs = (await this.model.find({}).lean()) as ItemDoc[];
    const next = new Map<string, ItemDoc>();
    for (const d of docs) next.set(d._id, d);
    this.items = next;
    this.loadedAt = Date.now();
    this.generation++;
  }

  get age(): number {
    return Date.now() - this.loadedAt;
  }
}

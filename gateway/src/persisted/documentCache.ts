import type { PersistedQueryOptions } from '@apollo/server';

type KeyValueCache = NonNullable<PersistedQueryOptions['cache']>;

/**
 * The automatic persisted queries' store: documents by hash in memory, least recently used first out,
 * bounded by the total length of the documents (`maxBytes`, counting a character as a byte) so that
 * registrations cannot grow the gateway's heap. Expiry is by eviction only.
 */
export class DocumentCache implements KeyValueCache {
  private readonly map = new Map<string, string>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  async get(key: string): Promise<string | undefined> {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.delete(key);
    const size = key.length + value.length;
    if (size > this.maxBytes) return;
    this.map.set(key, value);
    this.bytes += size;
    for (const [oldest, document] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(oldest);
      this.bytes -= oldest.length + document.length;
    }
  }

  async delete(key: string): Promise<boolean> {
    const value = this.map.get(key);
    if (value === undefined) return false;
    this.map.delete(key);
    this.bytes -= key.length + value.length;
    return true;
  }

  /** The documents held, most recently used last. */
  documents(): IterableIterator<string> {
    return this.map.values();
  }

  /** The documents held and their total size (for tests). */
  get usage(): { entries: number; bytes: number } {
    return { entries: this.map.size, bytes: this.bytes };
  }
}

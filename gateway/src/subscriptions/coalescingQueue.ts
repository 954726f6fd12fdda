/**
 * A bounded queue whose entries collapse by key: pushing a key already pending replaces its value in
 * place (its turn is kept), so a burst about one entity costs one slot. `push` answers false, storing
 * nothing, when a new key would pass `capacity`.
 */
export class CoalescingQueue<T> {
  private readonly pending = new Map<string, T>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
  }

  get size(): number {
    return this.pending.size;
  }

  push(key: string, value: T): boolean {
    if (this.pending.has(key)) {
      this.pending.set(key, value);
      return true;
    }
    if (this.pending.size >= this.capacity) return false;
    this.pending.set(key, value);
    return true;
  }

  /** The oldest pending entry's value, removed. */
  shift(): T | undefined {
    const first = this.pending.entries().next();
    if (first.done) return undefined;
    this.pending.delete(first.value[0]);
    return first.value[1];
  }

  clear(): void {
    this.pending.clear();
  }
}

import type { ServedExposure } from './fairnessOfExposure.js';

/**
 * Exposure accounting for fairness: the last `window` exposures (one per served recommendation edge,
 * with its rank and relevance for the fairness-of-exposure audit) in a ring, with a count per item. An
 * item may hold at most `cap` of that window (`cap * window` exposures); items at their limit are held
 * back behind the others until older exposures leave the window.
 */
export class ExposureTracker {
  private readonly ring: (ServedExposure | undefined)[];
  private next = 0;
  private readonly counts = new Map<string, number>();
  private total = 0;
  readonly limit: number;

  constructor(
    readonly window: number,
    readonly cap: number,
  ) {
    this.ring = new Array(window);
    this.limit = Math.max(1, Math.floor(cap * window));
  }

  count(itemId: string): number {
    return this.counts.get(itemId) ?? 0;
  }

  /** Whether one more exposure keeps the item within its cap. */
  allows(itemId: string): boolean {
    return this.count(itemId) < this.limit;
  }

  /** Counts one served edge: the item at 1-based `rank`, served with `relevance` in [0, 1]. */
  record(itemId: string, rank = 1, relevance = 0): void {
    const old = this.ring[this.next]?.itemId;
    if (old !== undefined) {
      const c = (this.counts.get(old) ?? 1) - 1;
      if (c === 0) this.counts.delete(old);
      else this.counts.set(old, c);
      this.total--;
    }
    this.ring[this.next] = { itemId, rank, relevance };
    this.next = (this.next + 1) % this.window;
    this.counts.set(itemId, this.count(itemId) + 1);
    this.total++;
  }

  /**
   * Swaps the newest entry of `itemId` at `rank` among the last `lookBack` for `served` (an exploration
   * slot showed another item there after the page was counted): the window then holds what was shown.
   * False when no such entry is that recent (nothing changes).
   */
  replaceRecent(itemId: string, rank: number, served: ServedExposure, lookBack = 1_000): boolean {
    for (let k = 1; k <= Math.min(lookBack, this.total); k++) {
      const i = (this.next - k + this.window) % this.window;
      const e = this.ring[i];
      if (e?.itemId !== itemId || e.rank !== rank) continue;
      const c = (this.counts.get(itemId) ?? 1) - 1;
      if (c === 0) this.counts.delete(itemId);
      else this.counts.set(itemId, c);
      this.ring[i] = { ...served };
      this.counts.set(served.itemId, this.count(served.itemId) + 1);
      return true;
    }
    return false;
  }

  /** Exposures in the window. */
  get exposures(): number {
    return this.total;
  }

  /** Distinct items in the window. */
  get itemsExposed(): number {
    return this.counts.size;
  }

  /** The largest share one item holds of the window's exposures (0 when empty). */
  maxShare(): number {
    if (this.total === 0) return 0;
    let max = 0;
    for (const c of this.counts.values()) max = Math.max(max, c);
    return max / this.total;
  }

  /** Exposure counts of the items in the window. */
  countsList(): number[] {
    return [...this.counts.values()];
  }

  /** The served edges in the window (any order). */
  *served(): IterableIterator<ServedExposure> {
    for (const s of this.ring) if (s !== undefined) yield s;
  }
}

/**
 * Orders `ranked` so items within their exposure cap come first (in their order), then those at the
 * cap (in their order): nothing is dropped, so pages still fill when the catalogue is small.
 */
export function capExposure<T>(ranked: readonly T[], allows: (item: T) => boolean): T[] {
  const within: T[] = [];
  const held: T[] = [];
  for (const r of ranked) (allows(r) ? within : held).push(r);
  return within.concat(held);
}

/**
 * Gini coefficient of exposure over a catalogue of `catalogueSize` items (items never exposed count as 0):
 * 0 when every item gets the same exposure, close to 1 when a few items get it all.
 */
export function gini(counts: readonly number[], catalogueSize: number): number {
  const n = Math.max(catalogueSize, counts.length);
  const total = counts.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return 0;
  const sorted = [...counts].sort((a, b) => a - b);
  // Zeros come first in ascending order: the i-th of the exposed items has rank (n - exposed + i + 1).
  const zeros = n - sorted.length;
  let weighted = 0;
  for (let i = 0; i < sorted.length; i++) weighted += (zeros + i + 1) * sorted[i]!;
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

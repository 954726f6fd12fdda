/** Attention-weighted popularity of one item: engaged time from attention plus counted interactions. */
export interface PopularityCounts {
  engagedMs: number;
  interactions: number;
  /** Interactions of imported sequences (set by the importer, so a re-import does not add them twice). */
  imported: number;
}

/** How many ms of engaged attention weigh as much as one interaction (default 30 s). */
export const ENGAGED_MS_PER_INTERACTION = 30_000;

export function popularityScore(c: PopularityCounts): number {
  return c.interactions + c.imported + c.engagedMs / ENGAGED_MS_PER_INTERACTION;
}

/**
 * The cold-start ranking: items by popularity score, overall and per category, recomputed at most once
 * per `maxAgeMs` after a change (the counts change with every event; the order rarely does).
 */
export class PopularityRanking {
  private readonly counts = new Map<string, PopularityCounts>();
  private overall: string[] = [];
  private readonly byCategory = new Map<string, string[]>();
  private dirty = true;
  private builtAt = 0;

  constructor(
    private readonly categoryOf: (itemId: string) => string | undefined,
    private readonly maxAgeMs = 5_000,
  ) {}

  set(itemId: string, counts: PopularityCounts): void {
    this.counts.set(itemId, { ...counts });
    this.dirty = true;
  }

  add(itemId: string, delta: Partial<PopularityCounts>): void {
    const c = this.counts.get(itemId) ?? { engagedMs: 0, interactions: 0, imported: 0 };
    c.engagedMs += delta.engagedMs ?? 0;
    c.interactions += delta.interactions ?? 0;
    c.imported += delta.imported ?? 0;
    this.counts.set(itemId, c);
    this.dirty = true;
  }

  score(itemId: string): number {
    const c = this.counts.get(itemId);
    return c ? popularityScore(c) : 0;
  }

  /** Items by score (best first), of one category when given; items with no signal are not listed. */
  ranked(category?: string | null, now = Date.now()): readonly string[] {
    if (this.dirty && now - this.builtAt >= this.maxAgeMs) this.rebuild(now);
    if (!category) return this.overall;
    return this.byCategory.get(category) ?? [];
  }

  /** Forces the next `ranked` to rebuild (after a bulk load). */
  invalidate(): void {
    this.dirty = true;
    this.builtAt = 0;
  }

  private rebuild(now: number): void {
    const scored = [...this.counts].map(([id, c]) => ({ id, s: popularityScore(c) })).filter((x) => x.s > 0);
    scored.sort((a, b) => b.s - a.s || (a.id < b.id ? -1 : 1));
    this.overall = scored.map((x) => x.id);
    this.byCategory.clear();
    for (const id of this.overall) {
      const cat = this.categoryOf(id);
      if (cat === undefined) continue;
      let list = this.byCategory.get(cat);
      if (!list) {
        list = [];
        this.byCategory.set(cat, list);
      }
      list.push(id);
    }
    this.dirty = false;
    this.builtAt = now;
  }
}

import { bulkUpsert } from './mongo.js';

/** What one event adds to a counter document. */
export interface CounterUpdate {
  $inc?: Record<string, number>;
  $max?: Record<string, number>;
  $min?: Record<string, number>;
  /** Fields written only when the upsert creates the document (e.g. the keys of a rollup bucket). */
  $setOnInsert?: Record<string, unknown>;
}

interface UpsertTarget {
  bulkWrite(ops: UpsertOp[], options: { ordered: false }): Promise<unknown>;
}
interface UpsertOp {
  updateOne: { filter: { _id: string }; update: CounterUpdate; upsert: true };
}

/** Adds `add` to the pending update `into`: sums of `$inc`, the larger `$max`, the smaller `$min`, the first `$setOnInsert`. */
export function mergeCounterUpdate(into: CounterUpdate, add: CounterUpdate): void {
  if (add.$setOnInsert) into.$setOnInsert = { ...add.$setOnInsert, ...into.$setOnInsert };
  for (const [k, v] of Object.entries(add.$inc ?? {})) {
    into.$inc ??= {};
    into.$inc[k] = (into.$inc[k] ?? 0) + v;
  }
  for (const [k, v] of Object.entries(add.$max ?? {})) {
    into.$max ??= {};
    into.$max[k] = Math.max(into.$max[k] ?? Number.NEGATIVE_INFINITY, v);
  }
  for (const [k, v] of Object.entries(add.$min ?? {})) {
    into.$min ??= {};
    into.$min[k] = Math.min(into.$min[k] ?? Number.POSITIVE_INFINITY, v);
  }
}

/**
 * Keeps pre-aggregated counter documents (rollups, summaries) current, one writer per collection:
 * updates from concurrent requests are merged by document and written as one unordered bulk upsert
 * at a time. Each caller's promise settles when the write holding its update has been acknowledged,
 * so a request still answers only after its counters are stored.
 *
 * Why one at a time: the embedded database (FerretDB v1 on SQLite) applies `$inc` as read-modify-write
 * and loses updates when two of them hit one document at once; MongoDB would not, and is merely
 * spared the extra round trips. Several replicas of a service need MongoDB.
 */
export class CounterWriter {
  private pending = new Map<string, CounterUpdate>();
  private waiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly target: UpsertTarget) {}

  /** Adds updates by document id; resolves once they are stored. */
  add(updates: Iterable<readonly [string, CounterUpdate]>): Promise<void> {
    let any = false;
    for (const [id, update] of updates) {
      any = true;
      let current = this.pending.get(id);
      if (!current) {
        current = {};
        this.pending.set(id, current);
      }
      mergeCounterUpdate(current, update);
    }
    if (!any) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.running ??= this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = new Map();
      this.waiters = [];
      const ops: UpsertOp[] = [...batch].map(([_id, update]) => ({
        updateOne: { filter: { _id }, update, upsert: true },
      }));
      try {
        await bulkUpsert(this.target, ops);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.running = null;
  }
}

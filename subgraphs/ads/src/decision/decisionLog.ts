import { insertNew } from '@attention-mesh/platform';
import type { DecisionDoc } from '../models/index.js';

interface InsertTarget {
  insertMany(docs: DecisionDoc[], options: { ordered: false; lean: true }): Promise<unknown>;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * The decision log's writer, by group commit: decisions that arrive while an insert is in flight wait
 * and go together in the next one (at most `maxBatch`), so concurrent decisions share one multi-row
 * insert instead of paying a statement and a commit each (on the embedded database a commit per
 * decision was most of `requestAds`' latency). `append` settles when the insert holding the decision is
 * acknowledged: a request answers, and its tokens exist, only once its decision is stored, so token
 * redemption never meets a decision the log could still lose, and a restart recovers every reservation
 * from the log. Ids are unique per decision: a decision found already stored (a retried insert that had
 * reached the database) counts as written. `maxBatch` 0 inserts every decision on its own, at once.
 */
export class DecisionLog {
  private pending: { doc: DecisionDoc; waiter: Waiter }[] = [];
  private running: Promise<void> | null = null;
  private alone = new Set<Promise<unknown>>();

  constructor(
    private readonly target: InsertTarget,
    private readonly maxBatch: number,
  ) {}

  /** Whether decisions are group-committed (`maxBatch` > 0). */
  get batching(): boolean {
    return this.maxBatch > 0;
  }

  /** Stores a decision; resolves once it is acknowledged by the database. */
  append(doc: DecisionDoc): Promise<void> {
    if (!this.batching) {
      const write = insertNew(this.target, [doc]).then(() => {});
      this.alone.add(write);
      void write.catch(() => {}).finally(() => this.alone.delete(write));
      return write;
    }
    const done = new Promise<void>((resolve, reject) =>
      this.pending.push({ doc, waiter: { resolve, reject } }),
    );
    this.running ??= this.drain();
    return done;
  }

  /** Waits until every decision appended so far is written (or failed): at shutdown. */
  async flush(): Promise<void> {
    await this.running;
    await Promise.allSettled([...this.alone]);
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        await insertNew(
          this.target,
          batch.map((p) => p.doc),
        );
        for (const p of batch) p.waiter.resolve();
      } catch (err) {
        for (const p of batch) p.waiter.reject(err);
      }
    }
    this.running = null;
  }
}

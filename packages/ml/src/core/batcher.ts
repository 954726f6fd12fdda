export interface MicroBatcherOptions {
  /** Most items per call of the batch function (default 1024). */
  maxBatch?: number;
  /** How long the first item of a batch waits for others (default 2 ms). */
  maxWaitMs?: number;
}

/**
 * Groups requests that arrive within a few milliseconds into one call of `run(items)`, which must
 * return one result per item in order (e.g. one forward pass of a model). Batches run one at a time, so
 * a slow forward pass lets the next batch fill up instead of queueing many small ones; when a batch
 * ends, requests that have already waited `maxWaitMs` (they arrived while it ran) go at once instead
 * of waiting another window.
 */
export class MicroBatcher<I, O> {
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private queue: { item: I; at: number; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<ArrayLike<O>>,
    options: MicroBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1024;
    this.maxWaitMs = options.maxWaitMs ?? 2;
  }

  /** Resolves with this item's result once its batch has run. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, at: performance.now(), resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.maxBatch);
    this.running = true;
    this.run(batch.map((b) => b.item))
      .then((results) => {
        if (results.length !== batch.length) {
          throw new Error(`batch function returned ${results.length} results for ${batch.length} items`);
        }
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
      })
      .catch((err: unknown) => {
        for (const b of batch) b.reject(err);
      })
      .finally(() => {
        this.running = false;
        if (this.queue.length === 0) return;
        const waited = performance.now() - this.queue[0]!.at;
        if (this.queue.length >= this.maxBatch || waited >= this.maxWaitMs) this.flush();
        else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs - waited);
      });
  }
}

import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../src/core/batcher.js';

describe('MicroBatcher', () => {
  it('answers concurrent requests from shared batches, in order, at most maxBatch at a time', async () => {
    const calls: number[][] = [];
    const batcher = new MicroBatcher(
      async (items: number[]) => {
        calls.push(items);
        await new Promise((r) => setTimeout(r, 5));
        return items.map((x) => x * 10);
      },
      { maxBatch: 4, maxWaitMs: 5 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(i)));
    expect(results).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(calls.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(calls.every((c) => c.length <= 4)).toBe(true);
    expect(calls.length).toBe(3);
  });

  it('sends requests that waited a whole window during a batch as soon as it ends', async () => {
    const started: number[] = [];
    const t0 = performance.now();
    const batcher = new MicroBatcher(
      async (items: number[]) => {
        started.push(performance.now() - t0);
        // A batch longer than the window.
        await new Promise((r) => setTimeout(r, 60));
        return items;
      },
      { maxBatch: 100, maxWaitMs: 40 },
    );
    const first = batcher.submit(1);
    await new Promise((r) => setTimeout(r, 50));
    const second = batcher.submit(2);
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    // The second request arrived while the first batch ran and had waited over 40 ms when it ended:
    // it starts right after (60 ms after the first), not another 40 ms window later (100 ms after).
    expect(started[1]! - started[0]!).toBeLessThan(90);
  });

  it('rejects every request of a failed batch and keeps serving later ones', async () => {
    let fail = true;
    const batcher = new MicroBatcher(async (items: string[]) => {
      if (fail) throw new Error('model unavailable');
      return items.map((s) => s.toUpperCase());
    });
    const failed = await Promise.allSettled([batcher.submit('a'), batcher.submit('b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.submit('c')).toBe('C');
    const short = new MicroBatcher(async (items: number[]) => items.slice(1));
    await expect(short.submit(1)).rejects.toThrow(/returned 0 results for 1 items/);
  });
});

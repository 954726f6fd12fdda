import { describe, expect, it } from 'vitest';
import { CounterWriter } from '../src/counterWriter.js';

/** A stand-in collection that records writes; it checks the writer's merging and sequencing only. */
function recordingTarget(failFirstWith?: unknown) {
  const writes: unknown[][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failures = failFirstWith ? 1 : 0;
  return {
    writes,
    maxInFlight: () => maxInFlight,
    async bulkWrite(ops: unknown[]) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (failures-- > 0) throw failFirstWith;
      writes.push(ops);
    },
  };
}

describe('CounterWriter', () => {
  it('merges concurrent updates per document and writes one batch at a time', async () => {
    const target = recordingTarget();
    const writer = new CounterWriter(target);
    await Promise.all([
      writer.add([['a', { $inc: { n: 1 }, $max: { last: 5 } }]]),
      writer.add([
        ['a', { $inc: { n: 2 }, $max: { last: 3 } }],
        ['b', { $inc: { n: 1 } }],
      ]),
      writer.add([['a', { $inc: { n: 4 }, $min: { first: 2 } }]]),
    ]);
    expect(target.maxInFlight()).toBe(1);
    const all = target.writes.flat() as {
      updateOne: { filter: { _id: string }; update: Record<string, Record<string, number>> };
    }[];
    const total = (id: string) =>
      all
        .filter((o) => o.updateOne.filter._id === id)
        .reduce((n, o) => n + (o.updateOne.update.$inc?.n ?? 0), 0);
    expect(total('a')).toBe(7);
    expect(total('b')).toBe(1);
    // The first call is written alone; the two that arrived while it was in flight are merged.
    expect(target.writes).toHaveLength(2);
    expect(target.writes[1]).toContainEqual({
      updateOne: {
        filter: { _id: 'a' },
        update: { $inc: { n: 6 }, $max: { last: 3 }, $min: { first: 2 } },
        upsert: true,
      },
    });
  });

  it('retries only the upserts that lost a duplicate-key race', async () => {
    const err = Object.assign(new Error('E11000'), { writeErrors: [{ index: 1, code: 11000 }] });
    const target = recordingTarget(err);
    const writer = new CounterWriter(target);
    await writer.add([
      ['x', { $inc: { n: 1 } }],
      ['y', { $inc: { n: 1 } }],
    ]);
    expect(target.writes).toEqual([
      [{ updateOne: { filter: { _id: 'y' }, update: { $inc: { n: 1 } }, upsert: true } }],
    ]);
  });

  it('rejects the callers of a failed write', async () => {
    const writer = new CounterWriter(recordingTarget(new Error('down')));
    await expect(writer.add([['x', { $inc: { n: 1 } }]])).rejects.toThrow('down');
  });
});

describe('KeyedLock', () => {
  it('serialises work on shared keys and lets disjoint keys run together', async () => {
    const { KeyedLock } = await import('../src/keyedLock.js');
    const lock = new KeyedLock();
    const log: string[] = [];
    const job = (name: string, keys: string[], ms: number) =>
      lock.run(keys, async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
      });
    await Promise.all([job('a', ['x'], 20), job('b', ['y'], 5), job('c', ['x', 'y'], 1)]);
    expect(log.indexOf('start b')).toBeLessThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end a'));
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end b'));
  });
});

describe('bulkUpsert', () => {
  it('sends at most MAX_BULK_OPS operations per command', async () => {
    const { bulkUpsert, MAX_BULK_OPS } = await import('../src/mongo.js');
    const sizes: number[] = [];
    await bulkUpsert(
      { bulkWrite: async (ops: unknown[]) => void sizes.push(ops.length) },
      Array.from({ length: 2 * MAX_BULK_OPS + 3 }, (_, i) => i),
    );
    expect(sizes).toEqual([MAX_BULK_OPS, MAX_BULK_OPS, 3]);
  });
});

import { describe, expect, it } from 'vitest';
import type { AttentionRollupDoc } from '../src/models/index.js';
import { RollupIndex } from '../src/projection/rollupIndex.js';

const H = 3_600_000;
const doc = (dim: string, value: string, hour: number, events = 1): AttentionRollupDoc => ({
  _id: `${dim}|${value}|${hour}`,
  dim,
  value,
  hour,
  events,
});
const inc = (dim: string, value: string, hour: number, events: number) =>
  [`${dim}|${value}|${hour}`, { $inc: { events }, $setOnInsert: { dim, value, hour } }] as const;
const ids = (docs: AttentionRollupDoc[] | undefined) => docs?.map((d) => `${d.value}@${d.hour / H}`);

describe('RollupIndex', () => {
  it('answers a range hour by hour and by value within an hour, of one dimension only', async () => {
    const index = new RollupIndex(100);
    expect(index.inRange('ITEM', null, 0, 10 * H)).toBeUndefined(); // not loaded: ask the database
    await index.load([
      doc('ITEM', 'b', 2 * H),
      doc('ITEM', 'a', 2 * H),
      doc('ITEM', 'c', H),
      doc('USER', 'u', H),
    ]);
    expect(ids(index.inRange('ITEM', null, 0, 10 * H))).toEqual(['c@1', 'a@2', 'b@2']);
    expect(ids(index.inRange('ITEM', null, 2 * H, 3 * H))).toEqual(['a@2', 'b@2']);
    // [start, end): an hour starting at `end` is out; a start inside an hour skips that hour.
    expect(ids(index.inRange('ITEM', null, 0, 2 * H))).toEqual(['c@1']);
    expect(ids(index.inRange('ITEM', null, H + 1, 3 * H))).toEqual(['a@2', 'b@2']);
    expect(index.inRange('ITEM', null, 20 * H, 30 * H)).toEqual([]);
    expect(ids(index.inRange('ITEM', ['b', 'c', 'zz'], 0, 10 * H))).toEqual(['c@1', 'b@2']);
  });

  it('applies updates as the database will, new documents in their place', async () => {
    const index = new RollupIndex(100);
    await index.load([doc('ITEM', 'b', H, 2)]);
    index.apply([inc('ITEM', 'b', H, 3), inc('ITEM', 'a', H, 1), inc('ITEM', 'a', 0, 4)]);
    expect(index.inRange('ITEM', null, 0, 2 * H)).toEqual([
      { _id: 'ITEM|a|0', dim: 'ITEM', value: 'a', hour: 0, events: 4 },
      { _id: 'ITEM|a|3600000', dim: 'ITEM', value: 'a', hour: H, events: 1 },
      { _id: 'ITEM|b|3600000', dim: 'ITEM', value: 'b', hour: H, events: 5 },
    ]);
  });

  it('sums whole days by value where the range covers all of a day, hours elsewhere', async () => {
    const D = 24 * H;
    const index = new RollupIndex(100);
    await index.load([doc('ITEM', 'a', 2 * H, 1), doc('ITEM', 'a', 5 * H, 2), doc('ITEM', 'b', 5 * H, 4)]);
    index.apply([inc('ITEM', 'a', D + 3 * H, 8), inc('ITEM', 'a', 5 * H, 16)]);
    const day = (docs: AttentionRollupDoc[] | undefined) =>
      docs?.map((d) => `${d.value}@${d.hour / H}:${d.events}${d._id.endsWith('|day') ? ' (day)' : ''}`);
    // Day 0's data lies in hours 2-5: [1 h, 2 d) covers it whole, [3 h, ...) does not.
    expect(day(index.byDayInRange('ITEM', H, 2 * D))).toEqual([
      'a@0:19 (day)',
      'b@0:4 (day)',
      'a@24:8 (day)',
    ]);
    expect(day(index.byDayInRange('ITEM', 3 * H, D + 3 * H))).toEqual(['a@5:18', 'b@5:4']);
    expect(index.byDayInRange('ITEM', 3 * D, 4 * D)).toEqual([]);
    expect(index.byDayInRange('USER', 0, 4 * D)).toEqual([]);
  });

  it('forgets every document of one value (erasure), not of values it prefixes', async () => {
    const index = new RollupIndex(100);
    await index.load([
      doc('USER', 'u', H),
      doc('USER', 'u|x', H),
      doc('USER', 'u', 2 * H),
      doc('ITEM', 'u', H),
    ]);
    index.forgetValue('USER', 'u');
    expect(ids(index.inRange('USER', null, 0, 10 * H))).toEqual(['u|x@1']);
    expect(ids(index.inRange('ITEM', null, 0, 10 * H))).toEqual(['u@1']);
    expect(index.size).toBe(2);
    expect(ids(index.byDayInRange('USER', 0, 10 * H))).toEqual(['u|x@0']);
  });

  it('turns itself off past its capacity, at load or as documents are added; capacity 0 never loads', async () => {
    const small = new RollupIndex(2);
    expect(await small.load([doc('ITEM', 'a', 0), doc('ITEM', 'b', 0), doc('ITEM', 'c', 0)])).toBe(false);
    expect(small.inRange('ITEM', null, 0, H)).toBeUndefined();
    const growing = new RollupIndex(2);
    expect(await growing.load([doc('ITEM', 'a', 0), doc('ITEM', 'b', 0)])).toBe(true);
    growing.apply([inc('ITEM', 'c', 0, 1)]);
    expect(growing.active).toBe(false);
    expect(growing.inRange('ITEM', null, 0, H)).toBeUndefined();
    expect(await new RollupIndex(0).load([doc('ITEM', 'a', 0)])).toBe(false);
  });
});

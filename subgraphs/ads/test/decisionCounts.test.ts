import { CounterWriter } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { DecisionCounts } from '../src/reports/decisionCounts.js';

type Op = { updateOne: { filter: { _id: string }; update: { $inc?: Record<string, number> } } };

/** A counter collection in memory that can be made to fail. */
function collection() {
  const docs = new Map<string, Record<string, number>>();
  const c = {
    docs,
    failing: false,
    async bulkWrite(ops: Op[]) {
      if (c.failing) throw new Error('unavailable');
      for (const { updateOne: u } of ops) {
        const d = docs.get(u.filter._id) ?? {};
        for (const [k, v] of Object.entries(u.update.$inc ?? {})) d[k] = (d[k] ?? 0) + v;
        docs.set(u.filter._id, d);
      }
    },
  };
  return c;
}

describe('DecisionCounts', () => {
  it('keeps requests, wins and group requests pending until a flush writes them, once', async () => {
    const rollups = collection();
    const groups = collection();
    const counts = new DecisionCounts(new CounterWriter(rollups), new CounterWriter(groups));
    counts.count(['c1', 'c2'], 0);
    counts.count(['c1'], 0);
    counts.win('c1', 0);
    counts.countGroups(['COUNTRY|DE', 'SEGMENT|(none)'], 0);
    counts.countGroups(['COUNTRY|DE'], 3_600_000);
    expect(counts.pending('c1', 0)).toEqual({ requests: 2, wins: 1 });
    expect(counts.pendingGroups('COUNTRY', 0, 3_600_000)).toEqual(new Map([['DE', 1]]));
    expect(counts.pendingGroups('COUNTRY', 0, 7_200_000)).toEqual(new Map([['DE', 2]]));
    await counts.flush();
    expect(counts.pending('c1', 0)).toEqual({ requests: 0, wins: 0 });
    expect(rollups.docs.get('c1|0')).toMatchObject({ requests: 2, wins: 1, impressions: 0 });
    expect(rollups.docs.get('c2|0')).toMatchObject({ requests: 1, wins: 0 });
    expect(groups.docs.get('COUNTRY|DE|0')).toMatchObject({ requests: 1 });
    await counts.flush();
    expect(rollups.docs.get('c1|0')).toMatchObject({ requests: 2, wins: 1 });
  });

  it('puts back what a failed flush did not write, for the next one', async () => {
    const rollups = collection();
    const groups = collection();
    const counts = new DecisionCounts(new CounterWriter(rollups), new CounterWriter(groups));
    counts.count(['c1'], 0);
    counts.win('c1', 0);
    counts.countGroups(['DEVICE|mobile'], 0);
    rollups.failing = true;
    await expect(counts.flush()).rejects.toThrow('unavailable');
    // The groups were written; the campaign counts wait, with what came since.
    expect(groups.docs.get('DEVICE|mobile|0')).toMatchObject({ requests: 1 });
    expect(counts.pendingGroups('DEVICE', 0, 3_600_000).size).toBe(0);
    counts.win('c1', 0);
    expect(counts.pending('c1', 0)).toEqual({ requests: 1, wins: 2 });
    rollups.failing = false;
    await counts.flush();
    expect(rollups.docs.get('c1|0')).toMatchObject({ requests: 1, wins: 2 });
    expect(groups.docs.get('DEVICE|mobile|0')).toMatchObject({ requests: 1 });
  });
});

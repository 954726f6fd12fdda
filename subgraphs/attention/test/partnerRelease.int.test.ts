import type { Caller, RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attentionBreakdown, attentionSeries } from '../src/analytics/analytics.js';
import type { AttentionEventInput } from '../src/ingest/eventRules.js';
import { recordAttention } from '../src/ingest/recordAttention.js';
import { rebuildAggregates } from '../src/projection/rebuild.js';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/**
 * The clipped counters partners are answered from, against the real embedded database: a user-day
 * counts up to its bound, also across a restart of the in-memory state and through the rebuild;
 * contributing users are counted once; partners get noised, suppressed figures and analysts exact ones.
 */
let sg: RunningSubgraph<AttentionRuntime>;
const HOUR = 3_600_000;
const hour = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
const tag = Date.now().toString(36);
const BIG = `dp-big-${tag}`;
const SMALL = `dp-small-${tag}`;
const partner: Caller = { partnerId: 'p-dp', apiKeyId: 'key-dp', scopes: ['analytics:read'], dpEpsilon: 1 };
const settings = { caller: TEST_CALLERS.admin, maxBatch: 1000, halfLifeDays: 7 };

function impressions(userId: string, item: string, n: number, from = 0): AttentionEventInput[] {
  return Array.from({ length: n }, (_, i) => ({
    clientId: `c-${tag}-${userId}-${item}-${from + i}`,
    impressionId: `v-${tag}-${userId}-${item}-${from + i}`,
    sessionId: `s-${userId}`,
    userId,
    target: { type: 'ITEM', id: item },
    type: 'IMPRESSION',
    occurredAt: hour + 1000 + from + i,
  })) as AttentionEventInput[];
}

const rollup = async (item: string) => {
  await sg.runtime.projection.idle();
  return (await sg.runtime.AttentionRollup.findById(`ITEM|${item}|${hour}`).lean()) as Record<
    string,
    number
  > | null;
};

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'), {
    env: { DP_MAX_IMPRESSIONS_PER_DAY: '2', DP_MAX_EVENTS_PER_DAY: '2', DP_MIN_USERS: '5' },
  });
  const events = [
    ...Array.from({ length: 6 }, (_, i) => impressions(`u${i}-${tag}`, BIG, 1)).flat(),
    ...impressions(`heavy-${tag}`, BIG, 5),
    ...Array.from({ length: 2 }, (_, i) => impressions(`s${i}-${tag}`, SMALL, 1)).flat(),
  ];
  expect((await recordAttention(sg.runtime, events, settings)).accepted).toBe(events.length);
}, 60_000);
afterAll(async () => {
  await sg?.stop();
});

describe('clipped counters', () => {
  it('count a user-day up to its bound and each user once', async () => {
    const doc = await rollup(BIG);
    expect(doc).toMatchObject({ impressions: 11, dpImpressions: 8, dpEvents: 8, dpUsers: 7 });
  });

  it('keep the bound across a restart of what the process holds in memory', async () => {
    sg.runtime.dpDays.clear();
    await recordAttention(sg.runtime, impressions(`heavy-${tag}`, BIG, 3, 100), settings);
    await recordAttention(sg.runtime, impressions(`u0-${tag}`, BIG, 1, 100), settings);
    const doc = await rollup(BIG);
    expect(doc).toMatchObject({ impressions: 15, dpImpressions: 9, dpUsers: 7 });
    const day = Math.floor(hour / 86_400_000) * 86_400_000;
    expect(await sg.runtime.DpDay.findById(`heavy-${tag}|${day}`).lean()).toMatchObject({
      used: { impressions: 2 },
    });
  });

  it('are recomputed the same by the rebuild', async () => {
    const before = await rollup(BIG);
    await rebuildAggregates(sg.runtime, { halfLifeDays: 7 });
    expect(await rollup(BIG)).toMatchObject({
      dpImpressions: before!.dpImpressions,
      dpUsers: before!.dpUsers,
    });
  });
});

describe('figures for partners', () => {
  const args = (item: string) => ({
    metric: 'IMPRESSIONS' as const,
    granularity: 'HOUR' as const,
    from: hour,
    to: hour + HOUR,
    filter: { dimension: 'ITEM', value: item },
    top: 10,
  });

  it('give analysts the exact series', async () => {
    const [s] = await attentionSeries(sg.runtime, TEST_CALLERS.analyst, args(BIG));
    expect(s).toMatchObject({ noised: false, suppressed: false, points: [{ value: 15 }] });
  });

  it('noise a partner’s series (the same answer for the same request id) and suppress small groups', async () => {
    const draws = await Promise.all(
      Array.from({ length: 20 }, (_, i) => attentionSeries(sg.runtime, partner, args(BIG), `req-${i}`)),
    );
    const values = draws.map((d) => d[0]!.points[0]!.value!);
    expect(draws.every((d) => d[0]!.noised && !d[0]!.suppressed)).toBe(true);
    expect(values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(await attentionSeries(sg.runtime, partner, args(BIG), 'req-3')).toEqual(draws[3]);
    const [small] = await attentionSeries(sg.runtime, partner, args(SMALL), 'req-s');
    expect(small).toMatchObject({ noised: true, suppressed: true, points: [{ value: null }] });
  });

  it('rank a partner’s groupBy from the noised figures, suppressed series last', async () => {
    const { filter: _, ...rest } = args(BIG);
    const series = await attentionSeries(sg.runtime, partner, { ...rest, groupBy: 'ITEM' }, 'req-g');
    expect(series.map((s) => [s.key, s.suppressed])).toEqual([
      [BIG, false],
      [SMALL, true],
    ]);
  });

  it('noise a partner’s breakdown, suppressed rows last', async () => {
    const rows = await attentionBreakdown(
      sg.runtime,
      partner,
      { by: 'ITEM', metric: 'IMPRESSIONS', from: hour, to: hour + HOUR, first: 100 },
      'req-b',
    );
    const big = rows.find((r) => r.key === BIG);
    const small = rows.find((r) => r.key === SMALL);
    expect(big).toMatchObject({ noised: true, suppressed: false });
    expect(small).toMatchObject({ noised: true, suppressed: true, value: null, impressions: null });
    expect(rows.indexOf(big!)).toBeLessThan(rows.indexOf(small!));
  });

  it('refuse a partner read no budget was charged for', async () => {
    const { dpEpsilon: _, ...uncharged } = partner;
    await expect(attentionSeries(sg.runtime, uncharged, args(BIG), 'r')).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

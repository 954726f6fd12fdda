import { createLogger, type EventBus, type RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attentionBreakdown, attentionSeries } from '../src/analytics/analytics.js';
import type { AttentionEventInput } from '../src/ingest/eventRules.js';
import { recordAttention } from '../src/ingest/recordAttention.js';
import { CounterBuffer, StoredIds } from '../src/projection/derivedWriter.js';
import { Projection } from '../src/projection/projection.js';
import { markDrained, recoverProjection } from '../src/projection/recovery.js';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

let sg: RunningSubgraph<AttentionRuntime>;
let multi: RunningSubgraph<AttentionRuntime>;
const settings = { caller: TEST_CALLERS.admin, maxBatch: 1000, halfLifeDays: 7 };
const logger = createLogger({ service: 'attention', level: 'silent', pretty: false });
const HOUR = 3_600_000;
const t0 = Date.now() - 2 * HOUR;
const hourOf = (at: number) => Math.floor(at / HOUR) * HOUR;

beforeAll(async () => {
  [sg, multi] = await Promise.all([
    startTestSubgraph(attentionSubgraph, inject('mongoUri')),
    startTestSubgraph(attentionSubgraph, inject('mongoUri'), { env: { ATTENTION_SINGLE_WRITER: 'false' } }),
  ]);
});
afterAll(async () => {
  await sg?.stop();
  await multi?.stop();
});

/** A view of `item` by `user`: impression, view segment, activity, exit. */
function view(user: string, item: string, n: number, at: number): AttentionEventInput[] {
  const base = {
    userId: user,
    sessionId: `${user}-s`,
    impressionId: `${user}-${item}-v${n}`,
    target: { type: 'ITEM', id: item },
    category: 'news',
    device: 'mobile',
    country: 'FR',
  };
  return [
    { ...base, clientId: `${base.impressionId}-1`, type: 'IMPRESSION', occurredAt: at },
    {
      ...base,
      clientId: `${base.impressionId}-2`,
      type: 'VIEW_SEGMENT',
      visibleFraction: 0.9,
      durationMs: 2000,
      occurredAt: at + 100,
    },
    { ...base, clientId: `${base.impressionId}-3`, type: 'ACTIVITY', occurredAt: at + 500 },
    { ...base, clientId: `${base.impressionId}-4`, type: 'PAGE_EXIT', occurredAt: at + 4000 },
  ];
}

/** The service's models with a projection of its own (the service's own stays idle). */
function withProjection(models: AttentionRuntime, opts: ConstructorParameters<typeof Projection>[1]) {
  const projection = new Projection(models, {
    servedFromMemory: {
      totals: () => models.memory.totals.active,
      profiles: () => models.memory.profiles.active,
    },
    onNewSessions: (counts) => models.memory.profiles.apply(counts),
    ...opts,
  });
  return { ...models, projection };
}

const strip = <T extends object>(doc: T | null | undefined) => JSON.parse(JSON.stringify(doc ?? null));

describe('the projection', () => {
  it('serves what it holds from memory, exactly, and stores exactly that at the memory flush', async () => {
    const models = withProjection(sg.runtime, { flushMs: 20, memoryFlushMs: 600_000 });
    await models.projection.loadStoredIds();
    const heard: unknown[] = [];
    const events = { publish: async (e: unknown[]) => void heard.push(...e) } as unknown as EventBus;
    await recordAttention(models, [...view('mu1', 'mi1', 1, t0), ...view('mu2', 'mi1', 1, t0 + 1000)], {
      ...settings,
      events,
    });
    const rollupId = `ITEM|mi1|${hourOf(t0)}`;
    // The flush (sessions, then the publication) follows on its own; the rest waits for the memory flush.
    await expect.poll(() => heard.length, { timeout: 5_000 }).toBe(2);
    expect(await sg.runtime.AttentionSession.findById('mu1|mu1-s').lean()).not.toBeNull();
    expect(await sg.runtime.AttentionRollup.findById(rollupId).lean()).toBeNull();
    expect(await sg.runtime.AttentionTotal.findById('ITEM|mi1').lean()).toBeNull();
    expect(await sg.runtime.AttentionView.findById('mu1-mi1-v1').lean()).toBeNull();
    // Served from memory meanwhile: totals, view states, and the rollups added to the stored ones.
    expect(sg.runtime.memory.totals.getMany(['ITEM|mi1'])![0]).toMatchObject({ events: 8, impressions: 2 });
    expect(sg.runtime.memory.profiles.getMany(['mu1'])![0]).toMatchObject({ sessions: 1 });
    expect(models.projection.viewState('mu1-mi1-v1')).toMatchObject({ exited: true });
    const series = () =>
      attentionSeries(models, TEST_CALLERS.analyst, {
        metric: 'EVENTS',
        granularity: 'HOUR',
        from: hourOf(t0),
        to: hourOf(t0) + HOUR,
        filter: { dimension: 'ITEM', value: 'mi1' },
        top: 10,
      });
    const breakdown = () =>
      attentionBreakdown(models, TEST_CALLERS.analyst, {
        by: 'ITEM',
        metric: 'IMPRESSIONS',
        from: hourOf(t0),
        to: hourOf(t0) + HOUR,
        first: 100,
      });
    expect((await series())[0]!.points[0]!.value).toBe(8);
    expect((await breakdown()).find((r) => r.key === 'mi1')).toMatchObject({ value: 2, events: 8 });

    await models.projection.idle();
    expect((await series())[0]!.points[0]!.value).toBe(8);
    expect((await breakdown()).find((r) => r.key === 'mi1')).toMatchObject({ value: 2, events: 8 });
    const ids = ['ITEM|mi1', 'USER|mu1', 'USER|mu2'];
    const stored = await sg.runtime.AttentionTotal.find({ _id: { $in: ids } }).lean();
    expect(strip(ids.map((id) => stored.find((d) => d._id === id)))).toEqual(
      strip(sg.runtime.memory.totals.getMany(ids)),
    );
    expect(strip(await sg.runtime.AttentionProfile.findById('mu1').lean())).toEqual(
      strip(sg.runtime.memory.profiles.getMany(['mu1'])![0]),
    );
    expect(await sg.runtime.AttentionView.findById('mu1-mi1-v1').lean()).toMatchObject({
      state: { exited: true },
    });
    // Every document was new: all inserted, none upserted.
    const first = models.projection.writeStats(true);
    for (const c of ['views', 'rollups', 'totals', 'profiles', 'sessions'] as const) {
      expect(first[c].upserted, c).toBe(0);
      expect(first[c].inserted, c).toBeGreaterThan(0);
    }

    // More of the same item, user and hour: the stored documents are updated, not replaced.
    await recordAttention(models, view('mu1', 'mi1', 2, t0 + 60_000), settings);
    await models.projection.idle();
    const again = models.projection.writeStats();
    expect(again.totals.upserted).toBeGreaterThan(0);
    expect(again.rollups.upserted).toBeGreaterThan(0);
    expect(await sg.runtime.AttentionTotal.findById('ITEM|mi1').lean()).toMatchObject({
      events: 12,
      impressions: 3,
    });
    expect(strip(await sg.runtime.AttentionTotal.findById('USER|mu1').lean())).toEqual(
      strip(sg.runtime.memory.totals.getMany(['USER|mu1'])![0]),
    );
    expect((await sg.runtime.AttentionRollup.findById(rollupId).lean())?.events).toBe(12);
  });

  it('upserts a document it took for new when another writer stored it meanwhile', async () => {
    const ids = new StoredIds(1000);
    await ids.load([]); // "nothing is stored"
    await sg.runtime.AttentionTotal.create({ _id: 'ITEM|elsewhere', events: 5 });
    const buffer = new CounterBuffer(sg.runtime.AttentionTotal, ids);
    buffer.add([
      ['ITEM|elsewhere', { $inc: { events: 2 } }],
      ['ITEM|fresh', { $inc: { events: 1 }, $max: { lastEventAt: 42 } }],
    ]);
    await buffer.take()!();
    expect(await sg.runtime.AttentionTotal.findById('ITEM|elsewhere').lean()).toMatchObject({ events: 7 });
    expect(await sg.runtime.AttentionTotal.findById('ITEM|fresh').lean()).toMatchObject({
      events: 1,
      lastEventAt: 42,
    });
    expect(buffer.stats).toMatchObject({ writes: 1, inserted: 1, upserted: 1 });
    expect(ids.mightContain('ITEM|fresh')).toBe(true);
  });

  it('rebuilds what a crash left only in memory', async () => {
    const models = withProjection(sg.runtime, { flushMs: 20, memoryFlushMs: 600_000 });
    await models.projection.loadStoredIds();
    await recordAttention(models, view('mu3', 'mi3', 1, t0), settings);
    expect(await sg.runtime.AttentionRollup.findById(`ITEM|mi3|${hourOf(t0)}`).lean()).toBeNull();
    expect(await sg.runtime.AttentionTotal.findById('ITEM|mi3').lean()).toBeNull();
    const served = strip(sg.runtime.memory.totals.getMany(['ITEM|mi3', 'USER|mu3']));
    // The process dies here: its projection never flushes again, and no drain is recorded.
    await markDrained(sg.runtime, false);
    expect(await recoverProjection(sg.runtime, { halfLifeDays: 7, logger })).toBe(true);
    const rebuilt = await sg.runtime.AttentionTotal.find({ _id: { $in: ['ITEM|mi3', 'USER|mu3'] } }).lean();
    expect(strip(['ITEM|mi3', 'USER|mu3'].map((id) => rebuilt.find((d) => d._id === id)))).toEqual(served);
    expect(await sg.runtime.AttentionView.findById('mu3-mi3-v1').lean()).toMatchObject({
      state: { exited: true },
    });
    expect(await sg.runtime.AttentionRollup.findById(`ITEM|mi3|${hourOf(t0)}`).lean()).toMatchObject({
      events: 4,
    });
  });
});

describe('the projection with several ingesting replicas (ATTENTION_SINGLE_WRITER=false)', () => {
  it('writes everything as soon as it can, by upsert, and loses nothing when batches race', async () => {
    expect(multi.runtime.memory.totals.active).toBe(false);
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 5 }, (_, i) => view(`rep${i}`, 'hot', b, t0 + b * 10_000 + i)).flat(),
    );
    const results = await Promise.all(
      batches.map((events) => recordAttention(multi.runtime, events, settings)),
    );
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(120);
    // No idle(): the writes follow the answers on their own.
    await expect
      .poll(async () => (await multi.runtime.AttentionTotal.findById('ITEM|hot').lean())?.events, {
        timeout: 10_000,
      })
      .toBe(120);
    await multi.runtime.projection.idle();
    expect(await multi.runtime.AttentionTotal.findById('ITEM|hot').lean()).toMatchObject({
      events: 120,
      impressions: 30,
    });
    const stats = multi.runtime.projection.writeStats();
    expect(stats.totals.inserted + stats.rollups.inserted + stats.views.inserted).toBe(0);
    expect(stats.totals.upserted).toBeGreaterThan(0);
  });
});

import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  commandCounter,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

let sg: RunningSubgraph<AttentionRuntime>;
const RECORD = `mutation($events: [AttentionEventInput!]!) {
  recordAttention(events: $events) { accepted duplicates dropped rejected { index clientId code message } }
}`;
type Recorded = {
  recordAttention: {
    accepted: number;
    duplicates: number;
    dropped: number;
    rejected: { index: number; code: string }[];
  };
};
const iso = (ms: number) => new Date(ms).toISOString();
const base = Date.now() - 60_000;
const event = (clientId: string, patch: Record<string, unknown> = {}) => ({
  clientId,
  impressionId: 'view-1',
  userId: 'u1',
  sessionId: 's1',
  target: { type: 'ITEM', id: 'i1' },
  category: 'sports',
  device: 'mobile',
  country: 'FR',
  type: 'IMPRESSION',
  occurredAt: iso(base),
  ...patch,
});
const at = (ms: number) => iso(base + ms);

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

/** Analysts read the aggregates; the events and profiles of these tests are recorded and read as admin. */
const analyst = () => callerHeaders(TEST_CALLERS.analyst);

/** recordAttention, then waits until the projection has written what it derived (read-your-writes). */
async function record(variables: { events: unknown[] }, headers = adminHeaders()) {
  const res = await gql<Recorded>(sg.url, RECORD, variables, headers);
  await sg.runtime.projection.idle();
  return res;
}

describe('recordAttention', () => {
  it('stores good events, reports bad ones by index and counts duplicates once', async () => {
    const events = [
      event('a1'),
      event('a2', { type: 'VIEW_SEGMENT', visibleFraction: 0.8, durationMs: 1500, occurredAt: at(100) }),
      event('bad1', { target: { type: 'BANNER', id: 'x' } }),
      event('a3', { type: 'ACTIVITY', occurredAt: at(1000) }),
      event('bad2', { occurredAt: iso(Date.now() - 8 * 24 * 3600 * 1000) }),
      event('a1'),
      event('a4', { type: 'SCROLL_DEPTH', scrollDepth: 0.6, occurredAt: at(2000) }),
      event('a5', { type: 'CLICK', occurredAt: at(3000) }),
      event('a6', { type: 'PAGE_EXIT', occurredAt: at(4000) }),
    ];
    const res = await record({ events });
    expect(res.errors).toBeUndefined();
    expect(res.data?.recordAttention).toMatchObject({ accepted: 6, duplicates: 1, dropped: 0 });
    expect(res.data?.recordAttention.rejected.map((r) => [r.index, r.code])).toEqual([
      [2, 'UNKNOWN_TARGET_TYPE'],
      [4, 'TOO_OLD'],
    ]);
    expect(await sg.runtime.AttentionEvent.countDocuments({})).toBe(6);

    const replay = await record({
      events: [event('a1'), event('a5', { type: 'CLICK' })],
    });
    expect(replay.data?.recordAttention).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await sg.runtime.AttentionEvent.countDocuments({})).toBe(6);
  });

  it('measures the view: MRC viewable, time in view, engaged time (cut at exit), scroll, dwell', async () => {
    const res = await gql<{ _entities: { attentionStats: Record<string, number> }[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Item { attentionStats {
        events impressions viewableImpressions viewabilityRate averageTimeInViewSeconds averageEngagedSeconds
        clicks clickThroughRate averageDwellSeconds scroll50Rate attentionScore attentionPerMille } } } }`,
      { r: [{ __typename: 'Item', id: 'i1' }] },
      analyst(),
    );
    expect(res.data?._entities[0]?.attentionStats).toEqual({
      events: 6,
      impressions: 1,
      viewableImpressions: 1,
      viewabilityRate: 1,
      averageTimeInViewSeconds: 1.5,
      averageEngagedSeconds: 3, // activity at +1 s credits 5 s, the exit at +4 s takes back 2 s
      clicks: 1,
      clickThroughRate: 1,
      averageDwellSeconds: 4,
      scroll50Rate: 1,
      attentionScore: 60,
      attentionPerMille: 1500,
    });
  });

  it('refuses an oversized batch as a whole, writing nothing', async () => {
    const before = await sg.runtime.AttentionEvent.countDocuments({});
    const res = await gql(
      sg.url,
      RECORD,
      { events: Array.from({ length: 1001 }, (_, i) => event(`big${i}`)) },
      adminHeaders(),
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(await sg.runtime.AttentionEvent.countDocuments({})).toBe(before);
  });

  it('drops the events of users who withdrew analytics consent', async () => {
    await sg.runtime.Consent.create({ _id: 'u-private', analytics: false, updatedAt: Date.now() });
    const res = await record({
      events: [
        event('p1', { userId: 'u-private', impressionId: 'view-p' }),
        event('p2', { userId: 'u2', impressionId: 'view-p2' }),
      ],
    });
    expect(res.data?.recordAttention).toMatchObject({ accepted: 1, dropped: 1 });
    expect(await sg.runtime.AttentionEvent.countDocuments({ userId: 'u-private' })).toBe(0);
  });

  it('builds the user profile and answers with one query per entity type', async () => {
    const counter = commandCounter(sg.connection);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { attention {
        events impressions clicks engagedSeconds sessions categoryShares { category share } attentionSpanSeconds weeklyCurve
      } } } }`;
    const variables = {
      r: [
        { __typename: 'User', id: 'u1' },
        { __typename: 'User', id: 'u2' },
        { __typename: 'User', id: 'nobody' },
      ],
    };
    const res = await gql<{ _entities: { attention: Record<string, unknown> }[] }>(
      sg.url,
      query,
      variables,
      adminHeaders(),
    );
    const [u1, u2, nobody] = res.data!._entities.map((e) => e.attention);
    expect(u1).toMatchObject({
      events: 6,
      impressions: 1,
      clicks: 1,
      engagedSeconds: 3,
      sessions: 1,
      categoryShares: [{ category: 'sports', share: 1 }],
    });
    expect(u1!.attentionSpanSeconds).toBeGreaterThanOrEqual(2);
    expect(u1!.attentionSpanSeconds).toBeLessThan(4);
    expect((u1!.weeklyCurve as number[]).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(u2).toMatchObject({ events: 1, sessions: 1, categoryShares: [] });
    expect(nobody).toMatchObject({ events: 0, sessions: 0, attentionSpanSeconds: null });
    // Totals and profiles are held in memory by the service: no database read at all.
    expect(counter.count('find', 'attention_totals')).toBe(0);
    expect(counter.count('find', 'attention_profiles')).toBe(0);

    // Without them (too many documents, or not the only writer): the same answer, one query per collection.
    sg.runtime.memory.totals.turnOff();
    sg.runtime.memory.profiles.turnOff();
    counter.reset();
    const fromDb = await gql<typeof res.data & object>(sg.url, query, variables, adminHeaders());
    expect(fromDb.data).toEqual(res.data);
    expect(counter.count('find', 'attention_totals')).toBe(1);
    expect(counter.count('find', 'attention_profiles')).toBe(1);
    counter.stop();
    await sg.runtime.memory.totals.load(sg.runtime.AttentionTotal.find({}).lean().cursor());
    await sg.runtime.memory.profiles.load(sg.runtime.AttentionProfile.find({}).lean().cursor());
  });

  it('predicts engagement from the baseline before any model is trained', async () => {
    const hour = Math.floor(base / 3_600_000) * 3_600_000;
    const predict = async (at: number) => {
      const res = await gql<{
        _entities: {
          attention: { predictedEngagement: { at: string; probability: number; source: string } };
        }[];
      }>(
        sg.url,
        `query($r: [_Any!]!, $at: DateTime!) { _entities(representations: $r) { ... on User { attention { predictedEngagement(at: $at) { at probability source } } } } }`,
        { r: [{ __typename: 'User', id: 'u1' }], at: iso(at) },
        adminHeaders(),
      );
      return res.data!._entities[0]!.attention.predictedEngagement;
    };
    const sameHourTomorrow = await predict(hour + 24 * 3_600_000 + 120_000);
    const otherHourTomorrow = await predict(hour + 30 * 3_600_000);
    expect(sameHourTomorrow.source).toBe('BASELINE');
    expect(sameHourTomorrow.at).toBe(iso(hour + 24 * 3_600_000));
    expect(sameHourTomorrow.probability).toBeGreaterThan(otherHourTomorrow.probability);
    expect(otherHourTomorrow.probability).toBeGreaterThan(0);
    expect(sameHourTomorrow.probability).toBeLessThan(1);
  });
});

describe('analyst queries', () => {
  const hour = Math.floor(base / 3_600_000) * 3_600_000;
  const range = { from: iso(hour - 3 * 3_600_000), to: iso(hour + 3_600_000) };
  it('serves a time series, overall, filtered and grouped', async () => {
    const q = `query($metric: AttentionMetric!, $from: DateTime!, $to: DateTime!, $filter: AttentionFilter, $groupBy: AttentionDimension) {
      attentionSeries(metric: $metric, from: $from, to: $to, filter: $filter, groupBy: $groupBy) { key points { at value } } }`;
    type S = { attentionSeries: { key: string; points: { at: string; value: number }[] }[] };
    const all = await gql<S>(sg.url, q, { metric: 'EVENTS', ...range }, analyst());
    expect(all.data!.attentionSeries).toHaveLength(1);
    expect(all.data!.attentionSeries[0]!.points).toHaveLength(4);
    expect(all.data!.attentionSeries[0]!.points.reduce((n, p) => n + p.value, 0)).toBe(7);
    const item = await gql<S>(
      sg.url,
      q,
      { metric: 'IMPRESSIONS', ...range, filter: { dimension: 'ITEM', value: 'i1' } },
      analyst(),
    );
    // Views view-1 and view-p2 (the consent test's) are impressions of i1.
    expect(item.data!.attentionSeries[0]!.points.reduce((n, p) => n + p.value, 0)).toBe(2);
    const byDevice = await gql<S>(sg.url, q, { metric: 'EVENTS', ...range, groupBy: 'DEVICE' }, analyst());
    expect(byDevice.data!.attentionSeries.map((s) => s.key)).toEqual(['mobile']);
    const bad = await gql(sg.url, q, { metric: 'EVENTS', from: range.to, to: range.from }, analyst());
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    const tooLong = await gql(
      sg.url,
      q,
      { metric: 'EVENTS', from: iso(base - 40 * 86_400_000), to: range.to },
      analyst(),
    );
    expect(errorCodes(tooLong)).toEqual(['BAD_USER_INPUT']);
  });

  it('ranks a breakdown', async () => {
    await record({
      events: [1, 2, 3].map((i) =>
        event(`d${i}`, { impressionId: `view-d${i}`, device: 'desktop', country: 'DE' }),
      ),
    });
    const res = await gql<{ attentionBreakdown: { key: string; value: number; impressions: number }[] }>(
      sg.url,
      `query($from: DateTime!, $to: DateTime!) { attentionBreakdown(by: DEVICE, metric: IMPRESSIONS, from: $from, to: $to) { key value impressions } }`,
      range,
      analyst(),
    );
    expect(res.data!.attentionBreakdown.map((r) => [r.key, r.value])).toEqual([
      ['desktop', 3],
      ['mobile', 2],
    ]);
  });
});

describe('recordAttention under concurrency', () => {
  it('loses and double-counts nothing when batches race on the same counters', async () => {
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) =>
        event(`race-${b}-${i}`, {
          userId: 'racer',
          impressionId: `race-view-${i % 5}`,
          target: { type: 'ITEM', id: 'hot' },
        }),
      ),
    );
    const results = await Promise.all(batches.map((events) => record({ events })));
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(results.reduce((n, r) => n + r.data!.recordAttention.accepted, 0)).toBe(200);
    // 200 IMPRESSION events on 5 views: 5 impressions (one per view), 200 events.
    expect(await sg.runtime.AttentionTotal.findById('ITEM|hot').lean()).toMatchObject({
      events: 200,
      impressions: 5,
    });
    expect(await sg.runtime.AttentionTotal.findById('USER|racer').lean()).toMatchObject({
      events: 200,
      impressions: 5,
    });
  });
});

describe('the projection (derived data written behind the events)', () => {
  it('reads no stored view for a view it knows was never stored, and one it may have', async () => {
    await sg.runtime.projection.loadStoredIds();
    const counter = commandCounter(sg.connection);
    await record({ events: [event('fresh-1', { impressionId: 'fresh-view' })] });
    expect(counter.count('find', 'attention_views')).toBe(0);
    // Stored by a process before this one: not in memory, so it is read once.
    await sg.runtime.AttentionView.create({
      _id: 'older-view',
      userId: 'u1',
      targetType: 'ITEM',
      targetId: 'i1',
      state: (await sg.runtime.AttentionView.findById('fresh-view').lean())!.state,
      updatedAt: Date.now(),
    });
    await sg.runtime.projection.loadStoredIds();
    counter.reset();
    await record({ events: [event('older-1', { impressionId: 'older-view', type: 'CLICK' })] });
    expect(counter.count('find', 'attention_views')).toBe(1);
    counter.stop();
  });

  it('answers before the derived data is written, and writes all of it', async () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      event(`behind-${i}`, { impressionId: `behind-view-${i % 8}`, target: { type: 'ITEM', id: 'behind' } }),
    );
    const res = await gql<Recorded>(sg.url, RECORD, { events }, adminHeaders());
    expect(res.data?.recordAttention.accepted).toBe(40);
    // The events are stored when the call answers; the counters follow.
    expect(await sg.runtime.AttentionEvent.countDocuments({ targetId: 'behind' })).toBe(40);
    await sg.runtime.projection.idle();
    expect(await sg.runtime.AttentionTotal.findById('ITEM|behind').lean()).toMatchObject({
      events: 40,
      impressions: 8,
    });
  });

  it('rebuilds the derived data at start when the last process did not drain it', async () => {
    const { markDrained, recoverProjection } = await import('../src/projection/recovery.js');
    const { createLogger } = await import('@attention-mesh/platform');
    const logger = createLogger({ service: 'attention', level: 'silent', pretty: false });
    const before = await sg.runtime.AttentionTotal.findById('ITEM|behind').lean();
    // A crash: counters behind their events, and no drain recorded.
    await sg.runtime.AttentionTotal.deleteOne({ _id: 'ITEM|behind' });
    await markDrained(sg.runtime, false);
    expect(await recoverProjection(sg.runtime, { halfLifeDays: 7, logger })).toBe(true);
    expect(await sg.runtime.AttentionTotal.findById('ITEM|behind').lean()).toEqual(before);
    // A drained stop: nothing to do at the next start.
    await markDrained(sg.runtime, true);
    expect(await recoverProjection(sg.runtime, { halfLifeDays: 7, logger })).toBe(false);
  });
});

describe('the event bus', () => {
  it('learns consent from user.consent.changed and publishes attention.recorded', async () => {
    const { meshEvent } = await import('@attention-mesh/platform');
    const heard: { userId?: string; data: unknown }[] = [];
    const sub = sg.events.subscribe(
      'test.listener',
      ['attention.recorded'],
      async (e) => {
        heard.push(e);
      },
      { startAt: 'latest' },
    );
    await sg.events.publish([
      meshEvent(
        'user.consent.changed',
        { __typename: 'User', id: 'u-bus' },
        { analytics: false, personalization: true, adsPersonalization: false, updatedAt: Date.now() },
        { userId: 'u-bus' },
      ),
    ]);
    await expect
      .poll(async () => (await sg.runtime.Consent.findById('u-bus').lean())?.analytics, { timeout: 10_000 })
      .toBe(false);
    const dropped = await record({
      events: [event('bus1', { userId: 'u-bus', impressionId: 'view-bus' })],
    });
    expect(dropped.data?.recordAttention).toMatchObject({ accepted: 0, dropped: 1 });

    await record({
      events: [event('bus2', { userId: 'u-heard', impressionId: 'view-heard', placementId: 'plc-heard' })],
    });
    await expect.poll(() => heard.find((e) => e.userId === 'u-heard'), { timeout: 10_000 }).toBeTruthy();
    expect(heard.find((e) => e.userId === 'u-heard')?.data).toMatchObject({
      events: 1,
      impressions: 1,
      targets: [{ type: 'ITEM', id: 'i1' }],
      placements: [{ id: 'plc-heard', impressions: 1, viewable: 0, engagedMs: 0 }],
    });
    await sub.stop();
  }, 30_000);
});

import type { RunningSubgraph } from '@attention-mesh/platform';
import { commandCounter, errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AttentionModels, attentionSubgraph } from '../src/server.js';

let sg: RunningSubgraph<AttentionModels>;
const RECORD = `mutation($events: [AttentionEventInput!]!) {
  recordAttention(events: $events) { accepted duplicates rejected { index clientId code message } }
}`;
const iso = (ms: number) => new Date(ms).toISOString();
const event = (clientId: string, patch: Record<string, unknown> = {}) => ({
  clientId,
  userId: 'u1',
  sessionId: 's1',
  target: { type: 'ITEM', id: 'i1' },
  type: 'IMPRESSION',
  occurredAt: iso(Date.now() - 1000),
  ...patch,
});

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('recordAttention', () => {
  it('stores good events, reports bad ones by index and counts duplicates once', async () => {
    const events = [
      event('a1'),
      event('a2', { type: 'CLICK' }),
      event('bad1', { target: { type: 'BANNER', id: 'x' } }),
      event('a3', { type: 'ENGAGED_INTERVAL', durationMs: 5000 }),
      event('bad2', { occurredAt: iso(Date.now() - 8 * 24 * 3600 * 1000) }),
      event('a1'),
    ];
    const res = await gql<{
      recordAttention: { accepted: number; duplicates: number; rejected: { index: number; code: string }[] };
    }>(sg.url, RECORD, { events });
    expect(res.errors).toBeUndefined();
    expect(res.data?.recordAttention.accepted).toBe(3);
    expect(res.data?.recordAttention.duplicates).toBe(1);
    expect(res.data?.recordAttention.rejected.map((r) => [r.index, r.code])).toEqual([
      [2, 'UNKNOWN_TARGET_TYPE'],
      [4, 'TOO_OLD'],
    ]);
    expect(await sg.models.AttentionEvent.countDocuments({})).toBe(3);

    const replay = await gql<typeof res.data & object>(sg.url, RECORD, {
      events: [event('a1'), event('a2', { type: 'CLICK' })],
    });
    expect(replay.data?.recordAttention).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await sg.models.AttentionEvent.countDocuments({})).toBe(3);
    const item = await sg.models.AttentionCounter.findById('ITEM:i1').lean();
    expect(item).toMatchObject({ events: 3, impressions: 1, clicks: 1, engagedMs: 5000 });
  });

  it('refuses an oversized batch as a whole, writing nothing', async () => {
    const before = await sg.models.AttentionEvent.countDocuments({});
    const res = await gql(sg.url, RECORD, {
      events: Array.from({ length: 1001 }, (_, i) => event(`big${i}`)),
    });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(await sg.models.AttentionEvent.countDocuments({})).toBe(before);
  });

  it('serves User.attention and Item.attentionStats with one counter query per batch', async () => {
    const counter = commandCounter(sg.connection);
    const res = await gql<{ _entities: Record<string, Record<string, number>>[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on User { attention { events impressions clicks engagedSeconds } }
        ... on Item { attentionStats { impressions clicks clickThroughRate engagedSeconds } }
      } }`,
      {
        r: [
          { __typename: 'User', id: 'u1' },
          { __typename: 'Item', id: 'i1' },
          { __typename: 'User', id: 'nobody' },
        ],
      },
    );
    counter.stop();
    expect(res.data?._entities).toEqual([
      { attention: { events: 3, impressions: 1, clicks: 1, engagedSeconds: 5 } },
      { attentionStats: { impressions: 1, clicks: 1, clickThroughRate: 1, engagedSeconds: 5 } },
      { attention: { events: 0, impressions: 0, clicks: 0, engagedSeconds: 0 } },
    ]);
    expect(counter.count('find', 'attention_counters')).toBe(1);
  });
});

describe('recordAttention under concurrency', () => {
  it('loses and double-counts nothing when batches race on the same counters', async () => {
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) =>
        event(`race-${b}-${i}`, { userId: 'racer', target: { type: 'ITEM', id: 'hot' } }),
      ),
    );
    const results = await Promise.all(
      batches.map((events) => gql<{ recordAttention: { accepted: number } }>(sg.url, RECORD, { events })),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    expect(results.reduce((n, r) => n + r.data!.recordAttention.accepted, 0)).toBe(200);
    expect(await sg.models.AttentionCounter.findById('ITEM:hot').lean()).toMatchObject({
      events: 200,
      impressions: 200,
    });
    expect(await sg.models.AttentionCounter.findById('USER:racer').lean()).toMatchObject({ events: 200 });
  });
});

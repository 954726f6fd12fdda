import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/** Who may use what in the attention subgraph (rules.md, "attention"), called as the gateway would. */

let sg: RunningSubgraph<AttentionRuntime>;
const RECORD = `mutation($events: [AttentionEventInput!]!) {
  recordAttention(events: $events) { accepted duplicates dropped rejected { index code } }
}`;
const PROFILE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { attention { events impressions } } } }`;
const STATS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Item { attentionStats { events } } } }`;
const SERIES = `query($from: DateTime!, $to: DateTime!, $filter: AttentionFilter, $groupBy: AttentionDimension) {
  attentionSeries(metric: EVENTS, from: $from, to: $to, filter: $filter, groupBy: $groupBy) { key points { value } } }`;
const BREAKDOWN = `query($by: AttentionDimension!, $from: DateTime!, $to: DateTime!) {
  attentionBreakdown(by: $by, metric: EVENTS, from: $from, to: $to) { key value } }`;

const iso = (ms: number) => new Date(ms).toISOString();
const base = Date.now() - 60_000;
const hour = Math.floor(base / 3_600_000) * 3_600_000;
const range = { from: iso(hour - 3_600_000), to: iso(hour + 3_600_000) };
const event = (clientId: string, owner: { userId?: string; anonymousId?: string }) => ({
  clientId,
  impressionId: `view-${clientId}`,
  sessionId: 's1',
  target: { type: 'ITEM', id: 'acl-item' },
  type: 'IMPRESSION',
  occurredAt: iso(base),
  ...owner,
});

const person = (id: string) => callerHeaders(TEST_CALLERS.person(id));
const analyst = () => callerHeaders(TEST_CALLERS.analyst);
const stored = (clientIds: string[]) =>
  sg.runtime.AttentionEvent.countDocuments({ clientId: { $in: clientIds } });

async function record(events: unknown[], headers: Record<string, string>) {
  const res = await gql<{ recordAttention: { accepted: number } }>(sg.url, RECORD, { events }, headers);
  await sg.runtime.projection.idle();
  return res;
}
const profileOf = (userId: string, headers: Record<string, string>) =>
  gql<{ _entities: ({ attention: { events: number } } | null)[] }>(
    sg.url,
    PROFILE,
    { r: [{ __typename: 'User', id: userId }] },
    headers,
  );

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
  // Some attention of alice (a person) and of an anonymous reader.
  const res = await record(
    [event('seed-a1', { userId: 'alice' }), event('seed-x1', { anonymousId: 'anon-1' })],
    adminHeaders(),
  );
  expect(res.data?.recordAttention.accepted).toBe(2);
});
afterAll(() => sg?.stop());

describe('anonymous callers', () => {
  it('get UNAUTHENTICATED for attention profiles, series, breakdowns, stats and recordAttention', async () => {
    expect(errorCodes(await profileOf('alice', {}))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(sg.url, SERIES, range))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(sg.url, BREAKDOWN, { by: 'DEVICE', ...range }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await gql(sg.url, STATS, { r: [{ __typename: 'Item', id: 'acl-item' }] }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    const res = await record([event('anon-call', { anonymousId: 'anon-2' })], {});
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(await stored(['anon-call'])).toBe(0);
  });
});

describe('User.attention', () => {
  it('is read by the person themselves', async () => {
    const res = await profileOf('alice', person('alice'));
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities[0]?.attention).toEqual({ events: 1, impressions: 1 });
  });

  it("is FORBIDDEN to another person and to an analyst, also in a batch with the caller's own", async () => {
    const other = await profileOf('alice', person('bob'));
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(other.data?._entities[0] ?? null).toBeNull();
    expect(errorCodes(await profileOf('alice', analyst()))).toEqual(['FORBIDDEN']);
    const mixed = await gql<{ _entities: ({ attention: { events: number } } | null)[] }>(
      sg.url,
      PROFILE,
      {
        r: [
          { __typename: 'User', id: 'bob' },
          { __typename: 'User', id: 'alice' },
        ],
      },
      person('bob'),
    );
    expect(errorCodes(mixed)).toEqual(['FORBIDDEN']);
    expect(mixed.errors?.[0]?.path).toEqual(['_entities', 1, 'attention']);
    expect(mixed.data?._entities[0]).toEqual({ attention: { events: 0, impressions: 0 } });
  });

  it('is read by an admin for anyone', async () => {
    const res = await profileOf('alice', adminHeaders());
    expect(res.data?._entities[0]?.attention).toEqual({ events: 1, impressions: 1 });
  });
});

describe('the analyst queries', () => {
  it('serve analysts series, breakdowns and item stats, but not to a plain person', async () => {
    const series = await gql<{ attentionSeries: { key: string; points: { value: number }[] }[] }>(
      sg.url,
      SERIES,
      range,
      analyst(),
    );
    expect(series.errors).toBeUndefined();
    expect(series.data!.attentionSeries[0]!.points.reduce((n, p) => n + p.value, 0)).toBe(2);
    const breakdown = await gql<{ attentionBreakdown: { key: string }[] }>(
      sg.url,
      BREAKDOWN,
      { by: 'ITEM', ...range },
      analyst(),
    );
    expect(breakdown.data?.attentionBreakdown.map((r) => r.key)).toEqual(['acl-item']);
    const stats = await gql<{ _entities: { attentionStats: { events: number } }[] }>(
      sg.url,
      STATS,
      { r: [{ __typename: 'Item', id: 'acl-item' }] },
      analyst(),
    );
    expect(stats.data?._entities[0]?.attentionStats.events).toBe(2);
    expect(errorCodes(await gql(sg.url, SERIES, range, person('alice')))).toEqual(['FORBIDDEN']);
    expect(
      errorCodes(await gql(sg.url, STATS, { r: [{ __typename: 'Item', id: 'acl-item' }] }, person('alice'))),
    ).toEqual(['FORBIDDEN']);
  });

  it('refuse analysts the USER dimension (by, groupBy, filter), which admins may use', async () => {
    const byUser = await gql(sg.url, BREAKDOWN, { by: 'USER', ...range }, analyst());
    expect(errorCodes(byUser)).toEqual(['FORBIDDEN']);
    expect(byUser.errors?.[0]?.extensions?.field).toBe('by');
    const grouped = await gql(sg.url, SERIES, { ...range, groupBy: 'USER' }, analyst());
    expect(errorCodes(grouped)).toEqual(['FORBIDDEN']);
    expect(grouped.errors?.[0]?.extensions?.field).toBe('groupBy');
    const filtered = await gql(
      sg.url,
      SERIES,
      { ...range, filter: { dimension: 'USER', value: 'alice' } },
      analyst(),
    );
    expect(errorCodes(filtered)).toEqual(['FORBIDDEN']);
    expect(filtered.errors?.[0]?.extensions?.field).toBe('filter.dimension');

    const admin = await gql<{ attentionBreakdown: { key: string; value: number }[] }>(
      sg.url,
      BREAKDOWN,
      { by: 'USER', ...range },
      adminHeaders(),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data?.attentionBreakdown.find((r) => r.key === 'alice')?.value).toBe(1);
    const adminSeries = await gql<{ attentionSeries: { key: string }[] }>(
      sg.url,
      SERIES,
      { ...range, filter: { dimension: 'USER', value: 'alice' } },
      adminHeaders(),
    );
    expect(adminSeries.data?.attentionSeries.map((s) => s.key)).toEqual(['alice']);
  });
});

describe('recordAttention', () => {
  it("records a person's own events", async () => {
    const res = await record([event('self-1', { userId: 'carol' })], person('carol'));
    expect(res.errors).toBeUndefined();
    expect(res.data?.recordAttention.accepted).toBe(1);
    expect(await stored(['self-1'])).toBe(1);
  });

  it("refuses a person's batch holding another's or an anonymous event, whole, storing nothing", async () => {
    const other = await record(
      [
        event('mix-1', { userId: 'carol' }),
        event('mix-2', { userId: 'dave' }),
        event('mix-3', { userId: 'erin' }),
      ],
      person('carol'),
    );
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(other.errors?.[0]?.extensions?.index).toBe(1);
    expect(other.data ?? null).toBeNull();
    const anonymous = await record(
      [event('mix-4', { userId: 'carol' }), event('mix-5', { anonymousId: 'anon-3' })],
      person('carol'),
    );
    expect(errorCodes(anonymous)).toEqual(['FORBIDDEN']);
    expect(anonymous.errors?.[0]?.extensions?.index).toBe(1);
    expect(await stored(['mix-1', 'mix-2', 'mix-3', 'mix-4', 'mix-5'])).toBe(0);
  });

  it('records anonymous events and those of the person signed in through a publisher key', async () => {
    const key = callerHeaders(TEST_CALLERS.publisher('pub-acl', ['events:write']));
    const anon = await record(
      [event('pub-1', { anonymousId: 'anon-4' }), event('pub-2', { anonymousId: 'anon-5' })],
      key,
    );
    expect(anon.errors).toBeUndefined();
    expect(anon.data?.recordAttention.accepted).toBe(2);
    const signedIn = callerHeaders(TEST_CALLERS.publisher('pub-acl', ['events:write'], 'frank'));
    const own = await record(
      [event('pub-3', { userId: 'frank' }), event('pub-4', { anonymousId: 'anon-6' })],
      signedIn,
    );
    expect(own.errors).toBeUndefined();
    expect(own.data?.recordAttention.accepted).toBe(2);
    expect(await stored(['pub-1', 'pub-2', 'pub-3', 'pub-4'])).toBe(4);
  });

  it('refuses a publisher batch with a user who did not sign in through the key, storing nothing', async () => {
    const key = callerHeaders(TEST_CALLERS.publisher('pub-acl', ['events:write']));
    const res = await record(
      [event('pub-5', { anonymousId: 'anon-7' }), event('pub-6', { userId: 'frank' })],
      key,
    );
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.errors?.[0]?.extensions?.index).toBe(1);
    const signedIn = callerHeaders(TEST_CALLERS.publisher('pub-acl', ['events:write'], 'frank'));
    const other = await record([event('pub-7', { userId: 'grace' })], signedIn);
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(other.errors?.[0]?.extensions?.index).toBe(0);
    // A key without events:write may not record at all.
    const adsOnly = callerHeaders(TEST_CALLERS.publisher('pub-acl', ['ads:request']));
    expect(errorCodes(await record([event('pub-8', { anonymousId: 'anon-8' })], adsOnly))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await stored(['pub-5', 'pub-6', 'pub-7', 'pub-8'])).toBe(0);
  });

  it('records anything for an admin', async () => {
    const res = await record(
      [event('adm-1', { userId: 'heidi' }), event('adm-2', { anonymousId: 'anon-9' })],
      adminHeaders(),
    );
    expect(res.data?.recordAttention.accepted).toBe(2);
  });
});

import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorFields, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/** The attention subgraph's lists and batches are bounded: allowed at the bound, refused above it. */
let sg: RunningSubgraph<AttentionRuntime>;
type Res = Awaited<ReturnType<typeof gql>>;
const call = (query: string, variables: Record<string, unknown> = {}) =>
  gql(sg.url, query, variables, adminHeaders());
const refused = (res: Res, field: string) => expect(errorFields(res)).toEqual([['BAD_USER_INPUT', field]]);
const from = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
const to = new Date().toISOString();

beforeAll(async () => {
  sg = await startTestSubgraph(attentionSubgraph, inject('mongoUri'));
});
afterAll(() => sg?.stop());

describe('attention subgraph: bounds', () => {
  it.each([
    [
      'AttentionProfile.categoryShares',
      (n: number) =>
        `{ _entities(representations: [{ __typename: "User", id: "u-b" }]) { ... on User { attention { categoryShares(first: ${n}) { share } } } } }`,
      'first',
      100,
    ],
    [
      'attentionSeries top',
      (n: number) =>
        `{ attentionSeries(metric: IMPRESSIONS, from: "${from}", to: "${to}", groupBy: DEVICE, top: ${n}) { key } }`,
      'top',
      50,
    ],
    [
      'attentionBreakdown first',
      (n: number) =>
        `{ attentionBreakdown(by: DEVICE, metric: IMPRESSIONS, from: "${from}", to: "${to}", first: ${n}) { key } }`,
      'first',
      100,
    ],
  ])('%s takes its maximum and refuses one more', async (_, query, field, max) => {
    expect((await call(query(max))).errors).toBeUndefined();
    refused(await call(query(max + 1)), field);
    refused(await call(query(0)), field);
  });

  it('refuses a batch of more events than allowed, storing nothing', async () => {
    const event = (i: number) => ({
      clientId: `e-${i}`,
      impressionId: 'imp-b',
      sessionId: 's-b',
      anonymousId: 'anon-b',
      target: { type: 'ITEM', id: 'i-b' },
      type: 'IMPRESSION',
      occurredAt: to,
    });
    const max = 1000; // ATTENTION_MAX_BATCH's default
    const res = await call(
      `mutation($events: [AttentionEventInput!]!) { recordAttention(events: $events) { accepted } }`,
      { events: Array.from({ length: max + 1 }, (_, i) => event(i)) },
    );
    refused(res, 'events');
    expect(await sg.runtime.AttentionEvent.countDocuments()).toBe(0);
  });

  it('attentionSeries takes a filter value of 64 characters and refuses 65', async () => {
    const series = (value: string) =>
      call(
        `query($v: String!) { attentionSeries(metric: IMPRESSIONS, from: "${from}", to: "${to}", filter: { dimension: ITEM, value: $v }) { key } }`,
        { v: value },
      );
    expect((await series('i'.repeat(64))).errors).toBeUndefined();
    refused(await series('i'.repeat(65)), 'filter.value');
    refused(await series('x'.repeat(5 * 1024 * 1024)), 'filter.value');
  });

  it('rejects events with 2 MB strings without storing or echoing them', async () => {
    const huge = 'x'.repeat(2 * 1024 * 1024); // three of them stay under the 8 MB body limit
    const event = (patch: Record<string, unknown>) => ({
      clientId: 'e-ok',
      impressionId: 'imp-b',
      sessionId: 's-b',
      anonymousId: 'anon-b',
      target: { type: 'ITEM', id: 'i-b' },
      type: 'IMPRESSION',
      occurredAt: to,
      ...patch,
    });
    const res = await call(
      `mutation($events: [AttentionEventInput!]!) { recordAttention(events: $events) { accepted rejected { index clientId code } } }`,
      { events: [event({ clientId: huge }), event({ sessionId: huge }), event({ category: huge })] },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.recordAttention).toEqual({
      accepted: 0,
      rejected: [
        { index: 0, clientId: null, code: 'INVALID_CLIENT_ID' },
        { index: 1, clientId: 'e-ok', code: 'INVALID_SESSION_ID' },
        { index: 2, clientId: 'e-ok', code: 'INVALID_CATEGORY' },
      ],
    });
    expect(JSON.stringify(res).length).toBeLessThan(2_000);
    expect(await sg.runtime.AttentionEvent.countDocuments()).toBe(0);
  });
});

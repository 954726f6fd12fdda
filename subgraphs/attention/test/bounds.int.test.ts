import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AttentionRuntime } from '../src/runtime.js';
import { attentionSubgraph } from '../src/server.js';

/** The attention subgraph's lists and batches are bounded: allowed at the bound, refused above it. */
let sg: RunningSubgraph<AttentionRuntime>;
type Res = Awaited<ReturnType<typeof gql>>;
const call = (query: string, variables: Record<string, unknown> = {}) =>
  gql(sg.url, query, variables, adminHeaders());
const refused = (res: Res, field: string) =>
  expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
    ['BAD_USER_INPUT', field],
  ]);
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
});

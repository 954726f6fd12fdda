import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import { attentionSubgraph } from '@attention-mesh/attention-subgraph';
import { feedbackSubgraph } from '@attention-mesh/feedback-subgraph';
import { seedIfEmpty } from '@attention-mesh/mesh';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { recommendationSubgraph } from '@attention-mesh/recommendation-subgraph';
import { errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { usersSubgraph } from '@attention-mesh/users-subgraph';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { adminBearer, hs256, TEST_JWT_SECRET as JWT_SECRET } from './support/jwt.js';

const subgraphs: RunningSubgraph<unknown>[] = [];
let gateway: RunningGateway;

beforeAll(async () => {
  const uri = inject('mongoUri');
  for (const def of [
    usersSubgraph,
    attentionSubgraph,
    recommendationSubgraph,
    adsSubgraph,
    feedbackSubgraph,
  ]) {
    subgraphs.push(
      (await startTestSubgraph(
        def as Parameters<typeof startTestSubgraph>[0],
        uri,
      )) as RunningSubgraph<unknown>,
    );
  }
  const env: Record<string, string> = { NODE_ENV: 'test', PORT: '0', JWT_SECRET };
  for (const s of subgraphs) env[`SUBGRAPH_${s.name.toUpperCase()}_URL`] = s.url;
  gateway = await startGateway(loadGatewayConfig(env));
  // Seeding writes personal data and admin-only records: as an admin.
  expect(await seedIfEmpty(gateway.url, undefined, { headers: await adminBearer() })).toBe(true);
}, 180_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(subgraphs.map((s) => s.stop()));
});

const ACROSS_ALL_FIVE = `query {
  user(id: "usr-demo-01") {
    displayName
    consent { analytics personalization }
    attention { events impressions engagedSeconds }
    feedback(first: 2) { edges { node { kind target { __typename ... on Item { id title attentionStats { impressions } } } } } }
  }
  items(category: "sports", first: 3) { edges { node { id title feedbackSummary { likes ratingCount } attentionStats { impressions } } } }
  campaign(id: "cmp-demo-1") { name dailyBudgetMicros advertiser { name } ads { id width height feedbackSummary { complaints } } }
}`;

describe('the gateway over the five subgraphs', () => {
  it('answers one query with data from all five subgraphs', async () => {
    const res = await gql<{
      user: {
        displayName: string;
        consent: { analytics: boolean };
        attention: { events: number; impressions: number };
        feedback: { edges: { node: { kind: string; target: { __typename: string; title?: string } } }[] };
      };
      items: { edges: { node: { id: string; title: string; attentionStats: { impressions: number } } }[] };
      campaign: { name: string; advertiser: { name: string }; ads: { id: string }[] };
    }>(gateway.url, ACROSS_ALL_FIVE, {}, await adminBearer());
    expect(res.errors).toBeUndefined();
    const { user, items, campaign } = res.data!;
    expect(user.displayName).toBe('Ada 1');
    expect(user.consent.analytics).toBe(true);
    expect(user.attention.events).toBeGreaterThan(10);
    expect(user.attention.impressions).toBeGreaterThan(0);
    expect(user.feedback.edges).toHaveLength(2);
    const itemTarget = user.feedback.edges.map((e) => e.node.target).find((t) => t.__typename === 'Item');
    expect(itemTarget?.title).toMatch(/story/);
    expect(items.edges).toHaveLength(3);
    expect(items.edges[0]!.node.title).toMatch(/^Sports story/);
    expect(campaign.name).toBe('Spring hiking gear');
    expect(campaign.advertiser.name).toBe('Northwind Outdoor');
    expect(campaign.ads.length).toBeGreaterThan(0);
  });

  it('keeps subgraph error codes and writes nothing on bad input', async () => {
    const res = await gql(
      gateway.url,
      'mutation { createUser(input: { displayName: "X", country: "Narnia" }) { id } }',
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe('input.country');
    const users = subgraphs.find((s) => s.name === 'users')!;
    expect(await users.connection.collection('users').countDocuments({ displayName: 'X' })).toBe(0);
  });

  it('authenticates people by bearer token and refuses bad tokens', async () => {
    const ok = await gql(
      gateway.url,
      '{ user(id: "usr-demo-02") { id } }',
      {},
      {
        authorization: `Bearer ${await hs256({ sub: 'usr-demo-02' }, JWT_SECRET)}`,
      },
    );
    expect(ok.errors).toBeUndefined();
    const forged = await gql(
      gateway.url,
      '{ user(id: "usr-demo-02") { id } }',
      {},
      {
        authorization: `Bearer ${await hs256({ sub: 'usr-demo-02' }, 'some-other-secret-of-enough-length!!')}`,
      },
    );
    expect(forged.status).toBe(401);
    expect(errorCodes(forged)).toEqual(['UNAUTHENTICATED']);
    const expired = await gql(
      gateway.url,
      '{ user(id: "usr-demo-02") { id } }',
      {},
      {
        authorization: `Bearer ${await hs256({ sub: 'usr-demo-02', exp: 1 }, JWT_SECRET)}`,
      },
    );
    expect(errorCodes(expired)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves health and readiness', async () => {
    const base = gateway.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('does not seed twice', async () => {
    expect(await seedIfEmpty(gateway.url, undefined, { headers: await adminBearer() })).toBe(false);
  });
});

import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import { attentionSubgraph } from '@attention-mesh/attention-subgraph';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { adminBearer, TEST_JWT_SECRET } from './support/jwt.js';

/** The ads and attention subgraphs' own metrics, after a decision, its impression and an attention event. */
let ads: RunningSubgraph<unknown>;
let attention: RunningSubgraph<unknown>;
let gateway: RunningGateway;

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await gql<T>(gateway.url, query, variables, await adminBearer());
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

async function sample(subgraph: RunningSubgraph<unknown>, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(subgraph.url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

beforeAll(async () => {
  ads = (await startTestSubgraph(
    adsSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  attention = (await startTestSubgraph(
    attentionSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  gateway = await startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      SUBSCRIPTIONS_ENABLED: 'false',
      SUBGRAPH_ADS_URL: ads.url,
      SUBGRAPH_ATTENTION_URL: attention.url,
    }),
  );
  await ok(`mutation {
    createAdvertiser(input: { id: "met-adv", name: "Metrics advertiser", timezone: "Europe/Berlin" }) { id }
    createPlacement(input: { id: "met-plc", name: "Sidebar", width: 300, height: 250, floorMicros: 1000000, auctionType: SECOND_PRICE }) { id }
  }`);
  await ok(`mutation($c: CreateCampaignInput!) { createCampaign(input: $c) { id } }`, {
    c: {
      id: 'met-cmp',
      advertiserId: 'met-adv',
      name: 'Metrics campaign',
      dailyBudgetMicros: 5_000_000,
      startAt: new Date(Date.now() - 3_600_000).toISOString(),
      bidType: 'CPM',
      bidMicros: 3_000_000,
      pacingMode: 'EVEN',
      targeting: { countries: ['DE'], placementIds: ['met-plc'] },
    },
  });
  await ok(`mutation { createAd(input: { id: "met-ad", campaignId: "met-cmp", name: "Banner",
    creativeUrl: "https://cdn.example.com/b.png", landingUrl: "https://example.com/", width: 300, height: 250 }) { id } }`);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await attention?.stop();
  await ads?.stop();
});

describe('domain metrics', () => {
  it('count ad decisions, spend once per recorded impression, and stored attention events', async () => {
    const filled = await sample(ads, 'mesh_ad_decisions_total', '{outcome="filled"}');
    const noFill = await sample(ads, 'mesh_ad_decisions_total', '{outcome="no_fill"}');
    const spend = await sample(ads, 'mesh_ad_spend_micros_total');
    const stored = await sample(attention, 'mesh_attention_events_ingested_total');

    const { requestAds: d } = await ok<{ requestAds: { chargeMicros: number; impressionToken: string } }>(
      `mutation { requestAds(input: { placementId: "met-plc", context: { country: "DE", device: "desktop" } }) {
        chargeMicros impressionToken } }`,
    );
    // No campaign targets FR: a decision without an ad.
    await ok(
      `mutation { requestAds(input: { placementId: "met-plc", context: { country: "FR", device: "desktop" } }) { id } }`,
    );
    const record = 'mutation($t: String!) { recordAdEvent(input: { token: $t }) { duplicate } }';
    await ok(record, { t: d.impressionToken });
    await ok(record, { t: d.impressionToken });
    const event = {
      clientId: `evt-met-${Date.now().toString(36)}`,
      impressionId: 'imp-met-1',
      sessionId: 'sess-met',
      anonymousId: 'anon-met',
      target: { type: 'ITEM', id: 'itm-met' },
      type: 'IMPRESSION',
      occurredAt: new Date().toISOString(),
    };
    const recorded = await ok<{ recordAttention: { accepted: number } }>(
      'mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted } }',
      { e: [event, event] },
    );
    expect(recorded.recordAttention.accepted).toBe(1);

    expect((await sample(ads, 'mesh_ad_decisions_total', '{outcome="filled"}')) - filled).toBe(1);
    expect((await sample(ads, 'mesh_ad_decisions_total', '{outcome="no_fill"}')) - noFill).toBe(1);
    // The duplicate impression is not charged again.
    expect((await sample(ads, 'mesh_ad_spend_micros_total')) - spend).toBe(d.chargeMicros);
    expect((await sample(attention, 'mesh_attention_events_ingested_total')) - stored).toBe(1);
  });
});

import { adsSubgraph } from '@attention-mesh/ads-subgraph';
import type { RunningSubgraph } from '@attention-mesh/platform';
import { gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadGatewayConfig } from '../src/config.js';
import { type RunningGateway, startGateway } from '../src/server.js';
import { adminBearer, TEST_JWT_SECRET } from './support/jwt.js';

/** The ad decision and its ledger through the gateway (only the ads subgraph is needed for these fields). */
let ads: RunningSubgraph<unknown>;
let gateway: RunningGateway;

async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  // Setting up advertisers and placements is an admin's work; the admin also stands in for the publisher.
  const res = await gql<T>(gateway.url, query, variables, await adminBearer());
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

beforeAll(async () => {
  ads = (await startTestSubgraph(
    adsSubgraph as Parameters<typeof startTestSubgraph>[0],
    inject('mongoUri'),
  )) as RunningSubgraph<unknown>;
  gateway = await startGateway(
    loadGatewayConfig({
      NODE_ENV: 'test',
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      SUBGRAPH_ADS_URL: ads.url,
    }),
  );
  await ok(`mutation {
    createAdvertiser(input: { id: "gw-adv", name: "Gateway advertiser", timezone: "Europe/Berlin" }) { id }
    createPlacement(input: { id: "gw-plc", name: "Sidebar", width: 300, height: 250, floorMicros: 1000000, auctionType: SECOND_PRICE }) { id }
  }`);
  await ok(`mutation($c: CreateCampaignInput!) { createCampaign(input: $c) { id } }`, {
    c: {
      id: 'gw-cmp',
      advertiserId: 'gw-adv',
      name: 'Gateway campaign',
      dailyBudgetMicros: 5_000_000,
      startAt: new Date(Date.now() - 3_600_000).toISOString(),
      bidType: 'CPM',
      bidMicros: 3_000_000,
      pacingMode: 'EVEN',
      targeting: { countries: ['DE'], placementIds: ['gw-plc'] },
      frequencyCaps: [{ scope: 'AD', max: 5, windowSeconds: 3600 }],
    },
  });
  await ok(`mutation { createAd(input: { id: "gw-ad", campaignId: "gw-cmp", name: "Banner",
    creativeUrl: "https://cdn.example.com/b.png", landingUrl: "https://example.com/", width: 300, height: 250 }) { id } }`);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await ads?.stop();
});

describe('ads through the gateway', () => {
  it('decides, records the impression once and reports it', async () => {
    const { requestAds: d } = await ok<{
      requestAds: {
        id: string;
        ad: { id: string };
        priceMicros: number;
        chargeMicros: number;
        impressionToken: string;
      };
    }>(`mutation { requestAds(input: { placementId: "gw-plc", userId: "gw-user", context: { country: "DE", device: "desktop" } }) {
      id ad { id } priceMicros chargeMicros impressionToken } }`);
    expect(d.ad.id).toBe('gw-ad');
    // Second price with one bidder: the floor.
    expect(d.priceMicros).toBe(1_000_000);
    expect(d.chargeMicros).toBe(1_000);
    const record = `mutation($t: String!) { recordAdEvent(input: { token: $t }) { chargedMicros duplicate } }`;
    expect((await ok<{ recordAdEvent: unknown }>(record, { t: d.impressionToken })).recordAdEvent).toEqual({
      chargedMicros: 1_000,
      duplicate: false,
    });
    expect((await ok<{ recordAdEvent: unknown }>(record, { t: d.impressionToken })).recordAdEvent).toEqual({
      chargedMicros: 1_000,
      duplicate: true,
    });
    const report = await ok<{
      campaign: { spentMicros: number; pacing: { spentTodayMicros: number }; delivery: { total: unknown } };
    }>(
      `query($from: DateTime!, $to: DateTime!) { campaign(id: "gw-cmp") { spentMicros pacing { spentTodayMicros }
        delivery(from: $from, to: $to, granularity: DAY) { total { wins impressions spendMicros ecpmMicros } } } }`,
      {
        from: new Date(Date.now() - 86_400_000).toISOString(),
        to: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );
    expect(report.campaign).toEqual({
      spentMicros: 1_000,
      pacing: { spentTodayMicros: 1_000 },
      delivery: { total: { wins: 1, impressions: 1, spendMicros: 1_000, ecpmMicros: 1_000_000 } },
    });
  });
});

describe('input a subgraph refuses, through the gateway', () => {
  const update = `mutation($b: Micros!) { updatePlacement(id: "gw-plc", input: { floorMicros: $b }) { floorMicros } }`;

  it.each([
    ['1e309', '{"b":1e309}', /finite/],
    ['1.5', '{"b":1.5}', /Micros must be a whole number/],
    ['2^63', '{"b":9223372036854775808}', /Micros must be a whole number/],
    ['"100"', '{"b":"100"}', /Micros must be a whole number/],
  ])('a Micros variable of %s is BAD_USER_INPUT, not a 500', async (_, variables, message) => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await adminBearer()) },
      body: `{"query":${JSON.stringify(update)},"variables":${variables}}`,
    });
    const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(res.status).toBeLessThan(500);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(message);
    // Nothing changed.
    expect(
      (await ok<{ placement: { floorMicros: number } }>(`{ placement(id: "gw-plc") { floorMicros } }`))
        .placement.floorMicros,
    ).toBe(1_000_000);
  });

  it('a Micros literal of 1e309 is BAD_USER_INPUT, not a 500', async () => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await adminBearer()) },
      body: JSON.stringify({
        query: `mutation { updatePlacement(id: "gw-plc", input: { floorMicros: 1e309 }) { floorMicros } }`,
      }),
    });
    const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(res.status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/floorMicros: 1e309 is not a finite number/);
  });

  it.each(['yesterday', '2026-13-45T99:00:00Z', ''])(
    'a DateTime variable of %j is BAD_USER_INPUT',
    async (at) => {
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await adminBearer()) },
        body: JSON.stringify({
          query: `query($from: DateTime!) { campaign(id: "gw-cmp") { delivery(from: $from, to: $from) { total { impressions } } } }`,
          variables: { from: at },
        }),
      });
      const body = (await res.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      expect(res.status).toBeLessThan(500);
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(body.errors?.[0]?.message).toMatch(/DateTime/);
    },
  );
});

describe('errors the ads subgraph means for the client, through the gateway', () => {
  const post = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await adminBearer()) },
      body: JSON.stringify({ query, variables }),
    });
    expect(res.status).toBeLessThan(500);
    return (await res.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[];
    };
  };

  it.each([
    ['1.5', /Micros must be an integer literal, got 1\.5/],
    ['"100"', /Micros must be an integer literal/],
    ['9223372036854775808', /Micros must be a whole number/],
    // A literal the subgraph's scalar refuses makes the document invalid (GraphQL's "values of correct
    // type"): GRAPHQL_VALIDATION_FAILED, HTTP 400, with the scalar's reason; a variable is BAD_USER_INPUT.
  ])('a Micros literal of %s is refused as invalid, with the reason', async (literal, message) => {
    const body = await post(
      `mutation { updatePlacement(id: "gw-plc", input: { floorMicros: ${literal} }) { id } }`,
    );
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it('a DateTime literal of garbage is refused as invalid, with the reason', async () => {
    const body = await post(
      `{ campaign(id: "gw-cmp") { delivery(from: "garbage", to: "2026-01-01T00:00:00Z") { total { impressions } } } }`,
    );
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(body.errors?.[0]?.message).toMatch(/DateTime must be an ISO-8601 string/);
  });

  it('a 5 MB landing URL is BAD_USER_INPUT naming the field, and nothing is stored', async () => {
    const body = await post(
      `mutation($u: String!) { createAd(input: { id: "gw-ad-5mb", campaignId: "gw-cmp", name: "Huge",
        creativeUrl: "https://cdn.example.com/b.png", landingUrl: $u, width: 300, height: 250 }) { id } }`,
      { u: `https://example.com/${'x'.repeat(5 * 1024 * 1024)}` },
    );
    expect(body.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'input.landingUrl'],
    ]);
    expect(JSON.stringify(body).length).toBeLessThan(2_000);
    expect((await post(`{ ad(id: "gw-ad-5mb") { id } }`)).data?.ad).toBeNull();
  });

  it('a bound of a list field is BAD_USER_INPUT at its path', async () => {
    const body = await post(`{ campaign(id: "gw-cmp") { ads(first: 101) { id } } }`);
    expect(body.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([
      ['BAD_USER_INPUT', ['campaign', 'ads']],
    ]);
  });

  it('an unknown placement is NOT_FOUND at its path, unchanged', async () => {
    const body = await post(`mutation { requestAds(input: { placementId: "gw-nowhere" }) { id } }`);
    expect(body.errors?.map((e) => [e.extensions?.code, e.path, e.extensions?.typename])).toEqual([
      ['NOT_FOUND', ['requestAds'], 'Placement'],
    ]);
  });
});

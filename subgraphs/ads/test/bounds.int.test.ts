import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorFields, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';

/** Every list field, string and URL of the ads subgraph has a bound: allowed at it, refused above it. */
let sg: RunningSubgraph<AdsRuntime>;
const FIVE_MB = 'x'.repeat(5 * 1024 * 1024);
const url = (length: number, base = 'https://cdn.example.com/') => base + 'a'.repeat(length - base.length);

type Res = Awaited<ReturnType<typeof gql>>;
const call = (query: string, variables: Record<string, unknown> = {}) =>
  gql(sg.url, query, variables, adminHeaders());
const refused = (res: Res, field: string) => {
  expect(errorFields(res)).toEqual([['BAD_USER_INPUT', field]]);
};
const fine = (res: Res) => expect(res.errors).toBeUndefined();

const CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id } }`;
const campaign = (id: string, patch: Record<string, unknown> = {}) => ({
  input: {
    id,
    advertiserId: 'adv-b',
    name: 'Bounded',
    dailyBudgetMicros: 1_000_000,
    startAt: new Date().toISOString(),
    bidType: 'CPM',
    bidMicros: 1_000_000,
    ...patch,
  },
});
const AD = `mutation($input: CreateAdInput!) { createAd(input: $input) { id creativeUrl landingUrl } }`;
const ad = (id: string, patch: Record<string, unknown> = {}) => ({
  input: {
    id,
    campaignId: 'cmp-b',
    name: 'Banner',
    creativeUrl: 'https://cdn.example.com/b.png',
    landingUrl: 'https://example.com/',
    width: 300,
    height: 250,
    ...patch,
  },
});

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  fine(await call(`mutation { createAdvertiser(input: { id: "adv-b", name: "Bounds" }) { id } }`));
  fine(await call(CAMPAIGN, campaign('cmp-b')));
  fine(
    await call(
      `mutation { createPlacement(input: { id: "plc-b", name: "Slot", width: 300, height: 250 }) { id } }`,
    ),
  );
}, 60_000);
afterAll(() => sg?.stop());

describe('ads subgraph: URLs', () => {
  it('takes creative and landing URLs of 2,048 characters', async () => {
    const res = await call(
      AD,
      ad('ad-2048', { creativeUrl: url(2048), landingUrl: url(2048, 'http://e.com/') }),
    );
    fine(res);
    expect((res.data as { createAd: { creativeUrl: string } }).createAd.creativeUrl).toHaveLength(2048);
  });

  it.each([
    ['creativeUrl', url(2049)],
    ['landingUrl', url(2049)],
    ['creativeUrl', FIVE_MB],
    ['landingUrl', `https://example.com/${FIVE_MB}`],
    ['creativeUrl', 'ftp://cdn.example.com/b.png'],
    ['landingUrl', 'javascript:alert(1)'],
  ])('refuses a %s over 2,048 characters or not http(s), storing nothing', async (field, value) => {
    const before = await sg.runtime.Ad.countDocuments();
    refused(await call(AD, ad('ad-long', { [field]: value })), `input.${field}`);
    expect(await sg.runtime.Ad.countDocuments()).toBe(before);
  });

  it('refuses an update to a URL over 2,048 characters and keeps the ad', async () => {
    fine(await call(AD, ad('ad-upd')));
    const update = `mutation($u: String) { updateAd(id: "ad-upd", input: { landingUrl: $u }) { landingUrl } }`;
    refused(await call(update, { u: url(2049) }), 'input.landingUrl');
    refused(await call(update, { u: FIVE_MB }), 'input.landingUrl');
    expect((await sg.runtime.Ad.findById('ad-upd').lean())?.landingUrl).toBe('https://example.com/');
    fine(await call(update, { u: url(2048) }));
  });
});

describe('ads subgraph: strings', () => {
  it.each([
    [
      'advertiser name',
      `mutation($s: String!) { createAdvertiser(input: { id: "adv-5mb", name: $s }) { id } }`,
      'input.name',
    ],
    [
      'advertiser time zone',
      `mutation($s: String!) { createAdvertiser(input: { id: "adv-5mb", name: "N", timezone: $s }) { id } }`,
      'input.timezone',
    ],
    [
      'advertiser id',
      `mutation($s: ID!) { createAdvertiser(input: { id: $s, name: "N" }) { id } }`,
      'input.id',
    ],
    [
      'placement name',
      `mutation($s: String!) { createPlacement(input: { id: "plc-5mb", name: $s, width: 1, height: 1 }) { id } }`,
      'input.name',
    ],
  ])('refuses a 5 MB %s, storing nothing', async (_, query, field) => {
    const [advertisers, placements] = [
      await sg.runtime.Advertiser.countDocuments(),
      await sg.runtime.Placement.countDocuments(),
    ];
    refused(await call(query, { s: FIVE_MB }), field);
    expect(await sg.runtime.Advertiser.countDocuments()).toBe(advertisers);
    expect(await sg.runtime.Placement.countDocuments()).toBe(placements);
  });

  it('takes a campaign name of 200 characters and refuses 201 or 5 MB', async () => {
    fine(await call(CAMPAIGN, campaign('cmp-200', { name: 'n'.repeat(200) })));
    const before = await sg.runtime.Campaign.countDocuments();
    refused(await call(CAMPAIGN, campaign('cmp-201', { name: 'n'.repeat(201) })), 'input.name');
    refused(await call(CAMPAIGN, campaign('cmp-5mb', { name: FIVE_MB })), 'input.name');
    expect(await sg.runtime.Campaign.countDocuments()).toBe(before);
  });

  it('refuses a request for a 5 MB placement id or user id', async () => {
    const request = `mutation($p: ID!, $u: ID) { requestAds(input: { placementId: $p, userId: $u }) { id } }`;
    refused(await call(request, { p: FIVE_MB }), 'input.placementId');
    refused(await call(request, { p: 'plc-b', u: 'u'.repeat(65) }), 'input.userId');
  });
});

describe('ads subgraph: targeting lists', () => {
  it.each([
    ['countries', 250, 'FR'],
    ['devices', 4, 'mobile'],
    ['segments', 50, 'sports'],
    ['categories', 50, 'news'],
    ['placementIds', 100, 'plc-b'],
  ])('takes %s of %i entries and refuses one more', async (list, max, value) => {
    fine(await call(CAMPAIGN, campaign(`cmp-${list}-ok`, { targeting: { [list]: Array(max).fill(value) } })));
    const before = await sg.runtime.Campaign.countDocuments();
    refused(
      await call(
        CAMPAIGN,
        campaign(`cmp-${list}-over`, { targeting: { [list]: Array(max + 1).fill(value) } }),
      ),
      `input.targeting.${list}`,
    );
    expect(await sg.runtime.Campaign.countDocuments()).toBe(before);
  });

  it('refuses a placement id over 64 characters in targeting', async () => {
    refused(
      await call(CAMPAIGN, campaign('cmp-pid', { targeting: { placementIds: ['p'.repeat(65)] } })),
      'input.targeting.placementIds',
    );
  });
});

describe('ads subgraph: list fields', () => {
  it.each([
    [
      'Advertiser.campaigns',
      (n: number) => `{ advertiser(id: "adv-b") { campaigns(first: ${n}) { id } } }`,
      100,
    ],
    ['Campaign.ads', (n: number) => `{ campaign(id: "cmp-b") { ads(first: ${n}) { id } } }`, 100],
    ['Query.placements', (n: number) => `{ placements(first: ${n}) { id } }`, 500],
    [
      'Query.campaigns',
      (n: number) => `{ campaigns(advertiserId: "adv-b", first: ${n}) { edges { node { id } } } }`,
      100,
    ],
    [
      'User.adExposure',
      (n: number) =>
        `{ _entities(representations: [{ __typename: "User", id: "u-1" }]) { ... on User { adExposure(first: ${n}) { impressions } } } }`,
      100,
    ],
  ])('%s takes first: 1 to its maximum and refuses 0 and one more', async (_, query, max) => {
    fine(await call(query(max)));
    fine(await call(query(1)));
    refused(await call(query(max + 1)), 'first');
    refused(await call(query(0)), 'first');
  });

  it('returns at most `first` campaigns of an advertiser and ads of a campaign', async () => {
    const res = await call(`{ advertiser(id: "adv-b") { campaigns(first: 2) { id } all: campaigns { id } }
      campaign(id: "cmp-b") { ads(first: 1) { id } } }`);
    fine(res);
    const data = res.data as {
      advertiser: { campaigns: unknown[]; all: unknown[] };
      campaign: { ads: unknown[] };
    };
    expect(data.advertiser.campaigns).toHaveLength(2);
    expect(data.advertiser.all.length).toBeGreaterThan(2);
    expect(data.campaign.ads).toHaveLength(1);
  });
});

describe('ads subgraph: campaign settings lists', () => {
  it.each([
    ['schedule', 50, { days: [1], startHour: 8, endHour: 18 }],
    ['frequencyCaps', 10, { scope: 'AD', max: 3, windowSeconds: 3600 }],
    ['blockedCategories', 100, 'gambling'],
  ])('takes %s of %i entries and refuses one more', async (list, max, value) => {
    expect(
      (await call(CAMPAIGN, campaign(`cmp-${list}-ok`, { [list]: Array(max).fill(value) }))).errors,
    ).toBeUndefined();
    const res = await call(CAMPAIGN, campaign(`cmp-${list}-over`, { [list]: Array(max + 1).fill(value) }));
    expect(errorFields(res)).toEqual([['BAD_USER_INPUT', `input.${list}`]]);
  });

  it('takes a schedule window of 7 days and refuses 8', async () => {
    const window = (days: number[]) => ({ schedule: [{ days, startHour: 0, endHour: 24 }] });
    expect(
      (await call(CAMPAIGN, campaign('cmp-days-ok', window([0, 1, 2, 3, 4, 5, 6])))).errors,
    ).toBeUndefined();
    refused(
      await call(CAMPAIGN, campaign('cmp-days-over', window([0, 1, 2, 3, 4, 5, 6, 0]))),
      'input.schedule.0.days',
    );
  });
});

describe('ads subgraph: lookups', () => {
  it.each(['advertiser', 'campaign', 'ad', 'placement'])(
    '%s(id:) refuses an id over 64 characters',
    async (field) => {
      fine(await call(`{ ${field}(id: "${'i'.repeat(64)}") { id } }`));
      refused(await call(`query($id: ID!) { ${field}(id: $id) { id } }`, { id: FIVE_MB }), 'id');
    },
  );
});

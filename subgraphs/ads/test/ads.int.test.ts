import type { RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, commandCounter, errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';

let sg: RunningSubgraph<AdsRuntime>;
const day = 24 * 3600 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

const CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { id status dailyBudgetMicros targeting { countries placementIds } } }`;
const AD = `mutation($input: CreateAdInput!) { createAd(input: $input) { id landingUrl } }`;
const campaignInput = (patch: Record<string, unknown> = {}) => ({
  advertiserId: 'adv-1',
  name: 'Spring sale',
  dailyBudgetMicros: 50_000_000,
  totalBudgetMicros: 1_000_000_000,
  startAt: iso(Date.now()),
  endAt: iso(Date.now() + 30 * day),
  bidType: 'CPM',
  bidMicros: 2_500_000,
  targeting: { countries: ['FR'], devices: ['mobile'], placementIds: ['plc-top'] },
  ...patch,
});

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await gql(
    sg.url,
    `mutation { createAdvertiser(input: { id: "adv-1", name: "Acme", timezone: "Europe/Paris" }) { id } }`,
    {},
    adminHeaders(),
  );
  await gql(
    sg.url,
    `mutation { createPlacement(input: { id: "plc-top", name: "Top banner", width: 728, height: 90, floorMicros: 500000 }) { id } }`,
    {},
    adminHeaders(),
  );
});
afterAll(() => sg?.stop());

describe('ads subgraph: campaign management', () => {
  it('creates a campaign with budgets in micros beyond 32 bits, and its ads', async () => {
    const res = await gql(
      sg.url,
      CAMPAIGN,
      {
        input: campaignInput({ id: 'cmp-1', totalBudgetMicros: 10_000_000_000_000 }),
      },
      adminHeaders(),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.createCampaign).toEqual({
      id: 'cmp-1',
      status: 'ACTIVE',
      dailyBudgetMicros: 50_000_000,
      targeting: { countries: ['FR'], placementIds: ['plc-top'] },
    });
    const ad = await gql(
      sg.url,
      AD,
      {
        input: {
          id: 'ad-1',
          campaignId: 'cmp-1',
          name: 'Banner',
          creativeUrl: 'https://cdn.example.com/a.png',
          landingUrl: 'https://example.com/sale',
          width: 728,
          height: 90,
        },
      },
      adminHeaders(),
    );
    expect(ad.data?.createAd).toEqual({ id: 'ad-1', landingUrl: 'https://example.com/sale' });
  });

  it.each([
    [{ dailyBudgetMicros: -5 }, 'input.dailyBudgetMicros'],
    [{ totalBudgetMicros: 10 }, 'input.totalBudgetMicros'],
    [{ endAt: iso(Date.now() - day) }, 'input.endAt'],
    [{ bidMicros: 0 }, 'input.bidMicros'],
    [{ advertiserId: 'adv-none' }, 'input.advertiserId'],
    [{ targeting: { placementIds: ['plc-none'] } }, 'input.targeting.placementIds'],
    [{ targeting: { countries: ['france'] } }, 'input.targeting.countries'],
    [{ targeting: { devices: ['fridge'] } }, 'input.targeting.devices'],
    [{ schedule: [{ days: [7], startHour: 0, endHour: 24 }] }, 'input.schedule.0.days'],
    [{ schedule: [{ days: [], startHour: 0, endHour: 24 }] }, 'input.schedule.0.days'],
    [{ schedule: [{ days: [1], startHour: 10, endHour: 10 }] }, 'input.schedule.0.endHour'],
    [{ schedule: [{ days: [1], startHour: 0, endHour: 25 }] }, 'input.schedule.0.endHour'],
    [{ frequencyCaps: [{ scope: 'AD', max: 0, windowSeconds: 60 }] }, 'input.frequencyCaps.0.max'],
    [{ frequencyCaps: [{ scope: 'AD', max: 1, windowSeconds: 0 }] }, 'input.frequencyCaps.0.windowSeconds'],
    [{ blockedCategories: ['Not A Slug'] }, 'input.blockedCategories'],
  ])('rejects campaign %j and writes nothing', async (bad, field) => {
    const before = await sg.runtime.Campaign.countDocuments({});
    const res = await gql(sg.url, CAMPAIGN, { input: campaignInput(bad) }, adminHeaders());
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(await sg.runtime.Campaign.countDocuments({})).toBe(before);
  });

  it('stores schedule, caps and brand-safety blocks, and rejects an unknown time zone', async () => {
    const res = await gql(
      sg.url,
      `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
        schedule { days startHour endHour } frequencyCaps { scope max windowSeconds } blockedCategories pacingMode
      } }`,
      {
        input: campaignInput({
          id: 'cmp-settings',
          schedule: [{ days: [5, 1, 1], startHour: 8, endHour: 20 }],
          frequencyCaps: [{ scope: 'CAMPAIGN', max: 3, windowSeconds: 86_400 }],
          blockedCategories: ['gambling', 'gambling'],
          pacingMode: 'FRONTLOADED',
        }),
      },
      adminHeaders(),
    );
    expect(res.data?.createCampaign).toEqual({
      schedule: [{ days: [1, 5], startHour: 8, endHour: 20 }],
      frequencyCaps: [{ scope: 'CAMPAIGN', max: 3, windowSeconds: 86_400 }],
      blockedCategories: ['gambling'],
      pacingMode: 'FRONTLOADED',
    });
    const tz = await gql(
      sg.url,
      `mutation { createAdvertiser(input: { name: "X", timezone: "Mars/Olympus" }) { id } }`,
      {},
      adminHeaders(),
    );
    expect(tz.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.timezone' });
  });

  it('rejects a malformed landing URL and an unknown campaign for ads', async () => {
    const base = {
      campaignId: 'cmp-1',
      name: 'B',
      creativeUrl: 'https://cdn.example.com/b.png',
      landingUrl: 'https://example.com',
      width: 300,
      height: 250,
    };
    const before = await sg.runtime.Ad.countDocuments({});
    expect(
      errorCodes(
        await gql(sg.url, AD, { input: { ...base, landingUrl: 'javascript:alert(1)' } }, adminHeaders()),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await gql(sg.url, AD, { input: { ...base, campaignId: 'cmp-none' } }, adminHeaders())),
    ).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await gql(sg.url, AD, { input: { ...base, width: 0 } }, adminHeaders()))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(await sg.runtime.Ad.countDocuments({})).toBe(before);
  });

  it('pauses, resumes and archives; an archived campaign stays archived', async () => {
    const set = (status: string) =>
      gql(
        sg.url,
        `mutation { setCampaignStatus(id: "cmp-1", status: ${status}) { status } }`,
        {},
        adminHeaders(),
      );
    expect((await set('PAUSED')).data?.setCampaignStatus).toEqual({ status: 'PAUSED' });
    expect((await set('ACTIVE')).data?.setCampaignStatus).toEqual({ status: 'ACTIVE' });
    expect((await set('ARCHIVED')).data?.setCampaignStatus).toEqual({ status: 'ARCHIVED' });
    expect(errorCodes(await set('ACTIVE'))).toEqual(['BAD_USER_INPUT']);
    expect((await sg.runtime.Campaign.findById('cmp-1').lean())?.status).toBe('ARCHIVED');
  });

  it('validates updates against the stored campaign', async () => {
    const res = await gql(
      sg.url,
      `mutation { updateCampaign(id: "cmp-1", input: { dailyBudgetMicros: 20000000000000 }) { id } }`,
      {},
      adminHeaders(),
    );
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect((await sg.runtime.Campaign.findById('cmp-1').lean())?.dailyBudgetMicros).toBe(50_000_000);
  });

  it('loads the ads of many campaigns with one query', async () => {
    await gql(sg.url, CAMPAIGN, { input: campaignInput({ id: 'cmp-2' }) }, adminHeaders());
    const counter = commandCounter(sg.connection);
    const res = await gql<{ _entities: { id: string; ads: { id: string }[] }[] }>(
      sg.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Campaign { id ads { id } } } }`,
      {
        r: [
          { __typename: 'Campaign', id: 'cmp-1' },
          { __typename: 'Campaign', id: 'cmp-2' },
        ],
      },
      adminHeaders(),
    );
    counter.stop();
    expect(res.data?._entities).toEqual([
      { id: 'cmp-1', ads: [{ id: 'ad-1' }] },
      { id: 'cmp-2', ads: [] },
    ]);
    expect(counter.count('find', 'campaigns')).toBe(1);
    expect(counter.count('find', 'ads')).toBe(1);
  });
});

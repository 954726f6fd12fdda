import {
  DEV_INTERNAL_SECRET,
  INTERNAL_CONTEXT_HEADER,
  type RunningSubgraph,
  signInternalContext,
} from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AdDoc, CampaignDoc, PlacementDoc } from '../src/models/index.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import {
  advertiser,
  campaign,
  iso,
  ok,
  placement,
  RECORD,
  REQUEST,
  recordEvent,
  requestAd,
} from './world.js';

/**
 * The ads rules of issue 12, each with a caller it lets through and one it refuses: advertisers'
 * members own their campaigns and ads, analysts read every campaign's delivery, admins own the
 * catalogue, publisher keys request ads for their own placements only, and an ad event needs its
 * signed token alone.
 */

let sg: RunningSubgraph<AdsRuntime>;

const memberA = () => callerHeaders(TEST_CALLERS.advertiser('adv-a', 'usr-member-a'));
const memberB = () => callerHeaders(TEST_CALLERS.advertiser('adv-b', 'usr-member-b'));
const analyst = () => callerHeaders(TEST_CALLERS.analyst);
const anonymous = {};
const pubA = (userId?: string) => callerHeaders(TEST_CALLERS.publisher('pub-a', ['ads:request'], userId));
const pubB = () => callerHeaders(TEST_CALLERS.publisher('pub-b'));

const codes = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) =>
  errorCodes(await gql(sg.url, query, variables, headers));

/** At least one error, each FORBIDDEN (a non-null field's error stops its siblings). */
const forbiddenOnly = (res: Parameters<typeof errorCodes>[0]) => {
  const all = errorCodes(res);
  return all.length > 0 && all.every((c) => c === 'FORBIDDEN');
};

const campaignDoc = (id: string) => sg.runtime.Campaign.findById(id).lean<CampaignDoc>();
const adDoc = (id: string) => sg.runtime.Ad.findById(id).lean<AdDoc>();

const SET_STATUS =
  'mutation($id: ID!, $s: CampaignStatus!) { setCampaignStatus(id: $id, status: $s) { id status } }';
const RENAME =
  'mutation($id: ID!, $name: String!) { updateCampaign(id: $id, input: { name: $name }) { id name } }';
const UPDATE_AD =
  'mutation($id: ID!, $url: String!) { updateAd(id: $id, input: { landingUrl: $url }) { id landingUrl } }';
const CREATE_CAMPAIGN = 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id status } }';
const CREATE_AD = 'mutation($i: CreateAdInput!) { createAd(input: $i) { id } }';
const DELIVERY = `query($id: ID!, $f: DateTime!, $t: DateTime!) { campaign(id: $id) {
  id delivery(from: $f, to: $t) { total { requests spendMicros } } pacing { spentTodayMicros reservedMicros }
} }`;
const ENTITY_DELIVERY = `query($r: [_Any!]!, $f: DateTime!, $t: DateTime!) { _entities(representations: $r) {
  ... on Campaign { id delivery(from: $f, to: $t) { total { requests } } pacing { reservedMicros } }
} }`;

const campaignInput = (id: string, advertiserId: string) => ({
  id,
  advertiserId,
  name: id,
  dailyBudgetMicros: 100_000_000,
  startAt: iso(Date.now() - 3600_000),
  bidType: 'CPM',
  bidMicros: 2_000_000,
  pacingMode: 'ASAP',
});
const adInput = (id: string, campaignId: string) => ({
  id,
  campaignId,
  name: id,
  creativeUrl: 'https://cdn.example.com/x.png',
  landingUrl: 'https://example.com/x',
  width: 300,
  height: 250,
});
const range = () => ({ f: iso(Date.now() - 3600_000), t: iso(Date.now() + 3600_000) });

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-a');
  await advertiser(sg, 'adv-b');
  await placement(sg, 'plc-a', { publisherId: 'pub-a' });
  await placement(sg, 'plc-b', { publisherId: 'pub-b' });
  await placement(sg, 'plc-unowned');
  await campaign(sg, 'cmp-a', 'adv-a', { targeting: { placementIds: ['plc-a', 'plc-unowned'] } });
  await campaign(sg, 'cmp-b', 'adv-b', { targeting: { placementIds: ['plc-b'] } });
});
afterAll(() => sg?.stop());

describe('campaigns and ads are their advertiser’s', () => {
  it('a member creates campaigns and ads for their own advertiser only', async () => {
    const own = await gql(sg.url, CREATE_CAMPAIGN, { i: campaignInput('cmp-a2', 'adv-a') }, memberA());
    expect(own.errors).toBeUndefined();
    expect(own.data?.createCampaign).toEqual({ id: 'cmp-a2', status: 'ACTIVE' });
    // A leaderboard: it never competes with cmp-a on the 300x250 placements below.
    expect(
      await codes(CREATE_AD, { i: { ...adInput('ad-a2', 'cmp-a2'), width: 728, height: 90 } }, memberA()),
    ).toEqual([]);

    expect(await codes(CREATE_CAMPAIGN, { i: campaignInput('cmp-b2', 'adv-b') }, memberA())).toEqual([
      'FORBIDDEN',
    ]);
    expect(await campaignDoc('cmp-b2')).toBeNull();
    expect(await codes(CREATE_AD, { i: adInput('ad-on-b', 'cmp-b') }, memberA())).toEqual(['FORBIDDEN']);
    expect(await adDoc('ad-on-b')).toBeNull();
  });

  it('a repeated create never answers with another advertiser’s campaign or ad', async () => {
    const res = await gql(sg.url, CREATE_CAMPAIGN, { i: campaignInput('cmp-a', 'adv-b') }, memberB());
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.data?.createCampaign).toBeUndefined();
    expect((await campaignDoc('cmp-a'))?.advertiserId).toBe('adv-a');
    expect(await codes(CREATE_AD, { i: adInput('cmp-a-ad', 'cmp-b') }, memberB())).toEqual(['FORBIDDEN']);
    expect((await adDoc('cmp-a-ad'))?.campaignId).toBe('cmp-a');
  });

  it("another advertiser's member cannot pause or rename a campaign: FORBIDDEN, unchanged", async () => {
    const before = await campaignDoc('cmp-a');
    expect(await codes(SET_STATUS, { id: 'cmp-a', s: 'PAUSED' }, memberB())).toEqual(['FORBIDDEN']);
    expect(await codes(RENAME, { id: 'cmp-a', name: 'Hijacked' }, memberB())).toEqual(['FORBIDDEN']);
    expect(await campaignDoc('cmp-a')).toEqual(before);
    expect(sg.runtime.ads.catalog.index.get('cmp-a')).toBeDefined();
    // Its own member can; a missing campaign is NOT_FOUND, not FORBIDDEN.
    const paused = await gql(sg.url, SET_STATUS, { id: 'cmp-a', s: 'PAUSED' }, memberA());
    expect(paused.data?.setCampaignStatus).toEqual({ id: 'cmp-a', status: 'PAUSED' });
    await ok(sg.url, SET_STATUS, { id: 'cmp-a', s: 'ACTIVE' }, memberA());
    expect((await ok(sg.url, RENAME, { id: 'cmp-a', name: 'Spring' }, memberA())).updateCampaign).toEqual({
      id: 'cmp-a',
      name: 'Spring',
    });
    expect(await codes(SET_STATUS, { id: 'cmp-none', s: 'PAUSED' }, memberB())).toEqual(['NOT_FOUND']);
    expect(await codes(RENAME, { id: 'cmp-none', name: 'X' }, memberB())).toEqual(['NOT_FOUND']);
  });

  it("another advertiser's member cannot point an ad at their URL: FORBIDDEN, unchanged", async () => {
    const before = await adDoc('cmp-a-ad');
    expect(await codes(UPDATE_AD, { id: 'cmp-a-ad', url: 'https://evil.example.com/' }, memberB())).toEqual([
      'FORBIDDEN',
    ]);
    expect(await adDoc('cmp-a-ad')).toEqual(before);
    expect(await codes(UPDATE_AD, { id: 'ad-none', url: 'https://example.com/' }, memberB())).toEqual([
      'NOT_FOUND',
    ]);
    const own = await ok<{ updateAd: { landingUrl: string } }>(
      sg.url,
      UPDATE_AD,
      { id: 'cmp-a-ad', url: 'https://example.com/spring' },
      memberA(),
    );
    expect(own.updateAd.landingUrl).toBe('https://example.com/spring');
  });

  it("a member reads their own campaign's delivery and pacing, not another's", async () => {
    const own = await gql(sg.url, DELIVERY, { id: 'cmp-a', ...range() }, memberA());
    expect(own.errors).toBeUndefined();
    expect(own.data?.campaign).toMatchObject({ id: 'cmp-a', pacing: { reservedMicros: expect.any(Number) } });
    const other = await gql(sg.url, DELIVERY, { id: 'cmp-a', ...range() }, memberB());
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect(other.data?.campaign).toBeNull();
    // Reached as an entity (the gateway's way), each restricted field checks its campaign's owner.
    const entity = await gql<{ _entities: ({ id: string } | null)[] }>(
      sg.url,
      ENTITY_DELIVERY,
      { r: [{ __typename: 'Campaign', id: 'cmp-a' }], ...range() },
      memberB(),
    );
    expect(forbiddenOnly(entity)).toBe(true);
    expect(entity.data?._entities).toEqual([null]);
  });

  it('an analyst reads any campaign’s delivery but cannot create or change campaigns', async () => {
    for (const id of ['cmp-a', 'cmp-b']) {
      const res = await gql(sg.url, DELIVERY, { id, ...range() }, analyst());
      expect(res.errors).toBeUndefined();
      expect(res.data?.campaign).toMatchObject({ id });
    }
    expect(await codes(CREATE_CAMPAIGN, { i: campaignInput('cmp-an', 'adv-a') }, analyst())).toEqual([
      'FORBIDDEN',
    ]);
    expect(await codes(RENAME, { id: 'cmp-a', name: 'Analysed' }, analyst())).toEqual(['FORBIDDEN']);
    expect(await codes(SET_STATUS, { id: 'cmp-a', s: 'PAUSED' }, analyst())).toEqual(['FORBIDDEN']);
    expect(await codes(CREATE_AD, { i: adInput('ad-an', 'cmp-a') }, analyst())).toEqual(['FORBIDDEN']);
    expect(await campaignDoc('cmp-an')).toBeNull();
    expect((await campaignDoc('cmp-a'))?.status).toBe('ACTIVE');
  });

  it('lists a member’s own campaigns by default; another advertiser’s list or record is FORBIDDEN', async () => {
    const LIST = 'query($a: ID) { campaigns(advertiserId: $a) { edges { node { id } } } }';
    const ids = (res: { data?: unknown }) =>
      (res.data as { campaigns: { edges: { node: { id: string } }[] } }).campaigns.edges.map(
        (e) => e.node.id,
      );
    expect(ids(await gql(sg.url, LIST, {}, memberA()))).toEqual(['cmp-a', 'cmp-a2']);
    expect(ids(await gql(sg.url, LIST, { a: 'adv-a' }, memberA()))).toEqual(['cmp-a', 'cmp-a2']);
    expect(await codes(LIST, { a: 'adv-b' }, memberA())).toEqual(['FORBIDDEN']);
    expect(ids(await gql(sg.url, LIST, {}, analyst()))).toEqual(['cmp-a', 'cmp-a2', 'cmp-b']);

    const ADVERTISER = 'query($id: ID!) { advertiser(id: $id) { id name campaigns { id } } }';
    expect((await ok(sg.url, ADVERTISER, { id: 'adv-a' }, memberA())).advertiser).toMatchObject({
      id: 'adv-a',
    });
    expect(await codes(ADVERTISER, { id: 'adv-b' }, memberA())).toEqual(['FORBIDDEN']);
    // The same refusal for an advertiser that does not exist: nothing is learnt from it.
    expect(await codes(ADVERTISER, { id: 'adv-none' }, memberA())).toEqual(['FORBIDDEN']);
    const entity = await gql(
      sg.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Advertiser { id name campaigns { id } } } }',
      { r: [{ __typename: 'Advertiser', id: 'adv-b' }] },
      memberA(),
    );
    expect(errorCodes(entity)).toEqual(['FORBIDDEN']);
  });

  it("an ad's creative is open to any signed-in caller; its campaign and status are the advertiser's", async () => {
    const AD = 'query { ad(id: "cmp-a-ad") { id name creativeUrl landingUrl width height } }';
    for (const headers of [pubB(), memberB(), callerHeaders(TEST_CALLERS.person('usr-p'))])
      expect((await ok(sg.url, AD, {}, headers)).ad).toMatchObject({ id: 'cmp-a-ad', width: 300 });
    const STATUS = 'query { ad(id: "cmp-a-ad") { id status campaign { id } } }';
    const refused = await gql<{ ad: unknown }>(sg.url, STATUS, {}, memberB());
    expect(forbiddenOnly(refused)).toBe(true);
    expect(refused.data?.ad).toBeNull();
    expect((await ok(sg.url, STATUS, {}, memberA())).ad).toEqual({
      id: 'cmp-a-ad',
      status: 'ACTIVE',
      campaign: { id: 'cmp-a' },
    });
  });

  it('an anonymous caller gets UNAUTHENTICATED', async () => {
    expect(await codes(DELIVERY, { id: 'cmp-a', ...range() }, anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await codes(CREATE_CAMPAIGN, { i: campaignInput('cmp-anon', 'adv-a') }, anonymous)).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(await codes('{ placements { id } }', {}, anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await codes('{ ad(id: "cmp-a-ad") { id } }', {}, anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await codes(REQUEST, { i: { placementId: 'plc-a' } }, anonymous)).toEqual(['UNAUTHENTICATED']);
    expect(await campaignDoc('cmp-anon')).toBeNull();
  });
});

describe('the catalogue is the admins’', () => {
  const CREATE_ADVERTISER = 'mutation { createAdvertiser(input: { id: "adv-x", name: "X" }) { id } }';
  const CREATE_PLACEMENT = `mutation($i: CreatePlacementInput!) { createPlacement(input: $i) { id publisherId } }`;
  const FLOOR =
    'mutation($f: Micros!) { updatePlacement(id: "plc-a", input: { floorMicros: $f }) { floorMicros } }';
  const plc = (id: string, publisherId?: string) => ({ id, name: id, width: 300, height: 250, publisherId });

  it('only an admin creates advertisers and placements', async () => {
    for (const headers of [memberA(), analyst(), pubA()])
      expect(await codes(CREATE_ADVERTISER, {}, headers)).toEqual(['FORBIDDEN']);
    expect(await sg.runtime.Advertiser.countDocuments({ _id: 'adv-x' })).toBe(0);
    expect(await codes(CREATE_PLACEMENT, { i: plc('plc-x', 'pub-a') }, pubA())).toEqual(['FORBIDDEN']);
    expect(await sg.runtime.Placement.countDocuments({ _id: 'plc-x' })).toBe(0);

    expect((await ok(sg.url, CREATE_ADVERTISER)).createAdvertiser).toEqual({ id: 'adv-x' });
    expect((await ok(sg.url, CREATE_PLACEMENT, { i: plc('plc-x', 'pub-a') })).createPlacement).toEqual({
      id: 'plc-x',
      publisherId: 'pub-a',
    });
  });

  it('only an admin sets floors', async () => {
    for (const headers of [memberA(), analyst(), pubA()])
      expect(await codes(FLOOR, { f: 1 }, headers)).toEqual(['FORBIDDEN']);
    expect((await sg.runtime.Placement.findById('plc-a').lean<PlacementDoc>())?.floorMicros).toBe(0);
    expect((await ok(sg.url, FLOOR, { f: 1_000 })).updatePlacement).toEqual({ floorMicros: 1_000 });
    await ok(sg.url, FLOOR, { f: 0 });
  });

  it("publishers read placements, not who owns them; the owner's id is bounded", async () => {
    const res = await ok<{ placements: { id: string }[] }>(
      sg.url,
      '{ placements { id name width height floorMicros auctionType createdAt } }',
      {},
      pubB(),
    );
    expect(res.placements.map((p) => p.id)).toContain('plc-a');
    expect(await codes('{ placement(id: "plc-a") { id publisherId } }', {}, pubA())).toEqual(['FORBIDDEN']);
    expect((await ok(sg.url, '{ placement(id: "plc-a") { publisherId } }')).placement).toEqual({
      publisherId: 'pub-a',
    });
    const tooLong = await gql(
      sg.url,
      CREATE_PLACEMENT,
      { i: plc('plc-long', 'p'.repeat(65)) },
      adminHeaders(),
    );
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.publisherId',
    });
    const bad = await gql(
      sg.url,
      'mutation { updatePlacement(id: "plc-a", input: { publisherId: "no spaces" }) { id } }',
      {},
      adminHeaders(),
    );
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.publisherId' });
    expect(await sg.runtime.Placement.countDocuments({ _id: 'plc-long' })).toBe(0);
  });
});

describe('requestAds is for the placement’s publisher', () => {
  const decisions = () => sg.runtime.Decision.countDocuments({});
  const reserved = (campaignId: string) => {
    const rt = sg.runtime.ads;
    return rt.book.snapshot(campaignId, rt.days.dayOf('UTC', Date.now()).key).reservedToday;
  };

  it('a publisher key requests ads for its own placements', async () => {
    const d = await requestAd(sg, { placementId: 'plc-a' }, pubA());
    expect(d.ad).toEqual({ id: 'cmp-a-ad' });
    expect(await sg.runtime.Decision.countDocuments({ _id: d.id })).toBe(1);
  });

  it("another publisher's placement, or one without a publisher, is FORBIDDEN: nothing recorded or reserved", async () => {
    const before = { decisions: await decisions(), a: reserved('cmp-a'), b: reserved('cmp-b') };
    expect(await codes(REQUEST, { i: { placementId: 'plc-b' } }, pubA())).toEqual(['FORBIDDEN']);
    expect(await codes(REQUEST, { i: { placementId: 'plc-unowned' } }, pubA())).toEqual(['FORBIDDEN']);
    expect({ decisions: await decisions(), a: reserved('cmp-a'), b: reserved('cmp-b') }).toEqual(before);
    // An admin may use any placement, owned or not.
    expect((await requestAd(sg, { placementId: 'plc-unowned' })).ad).toEqual({ id: 'cmp-a-ad' });
    expect((await requestAd(sg, { placementId: 'plc-b' }, pubB())).ad).toEqual({ id: 'cmp-b-ad' });
  });

  it('names only the person signed in through the publisher as the user', async () => {
    const mine = await requestAd(sg, { placementId: 'plc-a', userId: 'usr-reader' }, pubA('usr-reader'));
    expect(mine.ad).toEqual({ id: 'cmp-a-ad' });
    const before = { decisions: await decisions(), a: reserved('cmp-a') };
    expect(
      await codes(REQUEST, { i: { placementId: 'plc-a', userId: 'usr-other' } }, pubA('usr-reader')),
    ).toEqual(['FORBIDDEN']);
    expect(await codes(REQUEST, { i: { placementId: 'plc-a', userId: 'usr-reader' } }, pubA())).toEqual([
      'FORBIDDEN',
    ]);
    expect({ decisions: await decisions(), a: reserved('cmp-a') }).toEqual(before);
  });

  it('a person, or a key without ads:request, cannot call requestAds', async () => {
    const before = await decisions();
    const person = callerHeaders(TEST_CALLERS.person('usr-reader'));
    expect(await codes(REQUEST, { i: { placementId: 'plc-a', userId: 'usr-reader' } }, person)).toEqual([
      'FORBIDDEN',
    ]);
    const eventsOnly = callerHeaders(TEST_CALLERS.publisher('pub-a', ['events:write']));
    expect(await codes(REQUEST, { i: { placementId: 'plc-a' } }, eventsOnly)).toEqual(['FORBIDDEN']);
    expect(await codes(REQUEST, { i: { placementId: 'plc-a' } }, memberA())).toEqual(['FORBIDDEN']);
    expect(await decisions()).toBe(before);
  });
});

describe('recordAdEvent: the signed token is the authority', () => {
  it('records an impression with the token alone, and still refuses a forged one', async () => {
    const d = await requestAd(sg, { placementId: 'plc-a' }, pubA());
    const shown = await recordEvent(sg, { token: d.impressionToken }, anonymous);
    expect(shown).toMatchObject({ decisionId: d.id, type: 'IMPRESSION', duplicate: false });
    const [body] = d.clickToken!.split('.');
    const forged = await gql(sg.url, RECORD, { i: { token: `${body}.${'A'.repeat(43)}` } }, anonymous);
    expect(errorCodes(forged)).toEqual(['BAD_USER_INPUT']);
    expect(await sg.runtime.AdEvent.countDocuments({ decisionId: d.id })).toBe(1);
  });

  it('refuses a forged caller context outright (401)', async () => {
    const d = await requestAd(sg, { placementId: 'plc-a' }, pubA());
    const forged = {
      [INTERNAL_CONTEXT_HEADER]: signInternalContext(TEST_CALLERS.admin, `not-${DEV_INTERNAL_SECRET}`),
    };
    const res = await gql(sg.url, RECORD, { i: { token: d.impressionToken } }, forged);
    expect(res.status).toBe(401);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(await sg.runtime.AdEvent.countDocuments({ decisionId: d.id })).toBe(0);
  });
});

describe('User.adExposure is the user’s own', () => {
  const EXPOSURE =
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { adExposure { campaign { id } impressions } } } }';
  const of = (id: string) => ({ r: [{ __typename: 'User', id }] });

  it('the person reads their own exposure; another person or anonymous is refused', async () => {
    const d = await requestAd(sg, { placementId: 'plc-a', userId: 'usr-seen' }, pubA('usr-seen'));
    await recordEvent(sg, { token: d.impressionToken });
    const own = await ok<{ _entities: { adExposure: unknown[] }[] }>(
      sg.url,
      EXPOSURE,
      of('usr-seen'),
      callerHeaders(TEST_CALLERS.person('usr-seen')),
    );
    expect(own._entities[0]?.adExposure).toEqual([{ campaign: { id: 'cmp-a' }, impressions: 1 }]);
    expect(await codes(EXPOSURE, of('usr-seen'), callerHeaders(TEST_CALLERS.person('usr-else')))).toEqual([
      'FORBIDDEN',
    ]);
    expect(await codes(EXPOSURE, of('usr-seen'), anonymous)).toEqual(['UNAUTHENTICATED']);
  });
});

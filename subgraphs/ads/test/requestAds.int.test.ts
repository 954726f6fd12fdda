import { localDayOf, type RunningSubgraph } from '@attention-mesh/platform';
import { adminHeaders, errorCodes, gql, startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DecisionDoc } from '../src/models/index.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, DAY_MS, iso, placement, REQUEST, recordEvent, requestAd } from './world.js';

let sg: RunningSubgraph<AdsRuntime>;
const HOUR = 3600 * 1000;

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-utc');
  await advertiser(sg, 'adv-ny', 'America/New_York');
  for (const p of ['plc-main', 'plc-cap', 'plc-sched', 'plc-safe', 'plc-seg'])
    await placement(sg, p, p === 'plc-main' ? { floorMicros: 500_000 } : {});
  await campaign(sg, 'cmp-main', 'adv-utc', {
    targeting: { countries: ['FR'], devices: ['mobile'], placementIds: ['plc-main'] },
  });
  await campaign(sg, 'cmp-cap', 'adv-utc', {
    targeting: { placementIds: ['plc-cap'] },
    frequencyCaps: [{ scope: 'CAMPAIGN', max: 2, windowSeconds: 3600 }],
  });
  await campaign(sg, 'cmp-sched', 'adv-ny', {
    targeting: { placementIds: ['plc-sched'] },
    schedule: [{ days: [0, 1, 2, 3, 4, 5, 6], startHour: 9, endHour: 17 }],
  });
  await campaign(sg, 'cmp-seg', 'adv-utc', {
    targeting: { placementIds: ['plc-seg'], segments: ['gamers'] },
  });
  await campaign(sg, 'cmp-safe', 'adv-utc', {
    targeting: { placementIds: ['plc-safe'] },
    blockedCategories: ['gambling'],
  });
});
afterAll(() => sg?.stop());

describe('requestAds through the subgraph', () => {
  it('fills with the targeted ad, signed tokens and a logged decision with its propensity', async () => {
    const d = await requestAd(sg, {
      placementId: 'plc-main',
      userId: 'usr-1',
      context: { country: 'FR', device: 'mobile', category: 'news' },
    });
    expect(d.ad).toEqual({ id: 'cmp-main-ad' });
    expect(d.campaign).toEqual({ id: 'cmp-main' });
    expect(d.noFillReason).toBeNull();
    // First price, a lone CPM bid of 2,000,000 per mille: 2,000 micros per impression.
    expect(d.priceMicros).toBe(2_000_000);
    expect(d.chargeMicros).toBe(2_000);
    expect(d.propensity).toBeGreaterThan(0);
    expect(d.impressionToken).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(d.clickToken).not.toBe(d.impressionToken);
    const stored = await sg.runtime.Decision.findById(d.id).lean<DecisionDoc>();
    expect(stored).toMatchObject({
      placementId: 'plc-main',
      userId: 'usr-1',
      country: 'FR',
      device: 'mobile',
      category: 'news',
      adId: 'cmp-main-ad',
      candidates: 1,
      chargeMicros: 2_000,
      reservedMicros: 2_000,
      noFillReason: null,
    });
    expect(stored?.propensity).toBe(d.propensity);
  });

  it('answers no fill with its reason, and logs that too', async () => {
    const d = await requestAd(sg, { placementId: 'plc-main', context: { country: 'DE', device: 'mobile' } });
    expect(d).toMatchObject({
      ad: null,
      noFillReason: 'NO_ELIGIBLE_ADS',
      impressionToken: null,
      candidates: 0,
    });
    expect((await sg.runtime.Decision.findById(d.id).lean<DecisionDoc>())?.noFillReason).toBe(
      'NO_ELIGIBLE_ADS',
    );
  });

  it('serves up to a frequency cap exactly, then stops for that user only', async () => {
    for (let i = 0; i < 2; i++) {
      const d = await requestAd(sg, { placementId: 'plc-cap', userId: 'usr-cap' });
      expect(d.ad?.id).toBe('cmp-cap-ad');
      await recordEvent(sg, { token: d.impressionToken });
    }
    const capped = await requestAd(sg, { placementId: 'plc-cap', userId: 'usr-cap' });
    expect(capped.noFillReason).toBe('FREQUENCY_CAPPED');
    expect((await requestAd(sg, { placementId: 'plc-cap', userId: 'usr-other' })).ad?.id).toBe('cmp-cap-ad');
    const exposure = await gql<{
      _entities: { adExposure: { campaign: { id: string }; impressions: number }[] }[];
    }>(
      sg.url,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { adExposure { campaign { id } impressions } } } }',
      { r: [{ __typename: 'User', id: 'usr-cap' }] },
      adminHeaders(),
    );
    expect(exposure.data?._entities[0]?.adExposure).toEqual([
      { campaign: { id: 'cmp-cap' }, impressions: 2 },
    ]);
  });

  it("reads the schedule in the advertiser's time zone, to the hour's edge", async () => {
    // Two days ago in New York (no DST change in between at the test's dates is assumed by the day length).
    const day = localDayOf('America/New_York', Date.now() - 2 * DAY_MS);
    const at = (ms: number) => requestAd(sg, { placementId: 'plc-sched', context: { time: iso(ms) } });
    expect((await at(day.start + 9 * HOUR - 1)).noFillReason).toBe('NO_ELIGIBLE_ADS');
    expect((await at(day.start + 9 * HOUR)).ad?.id).toBe('cmp-sched-ad');
    expect((await at(day.start + 17 * HOUR - 1)).ad?.id).toBe('cmp-sched-ad');
    expect((await at(day.start + 17 * HOUR)).noFillReason).toBe('NO_ELIGIBLE_ADS');
  });

  it('never shows a campaign next to a category it blocks', async () => {
    const blocked = await requestAd(sg, { placementId: 'plc-safe', context: { category: 'gambling' } });
    expect(blocked.noFillReason).toBe('NO_ELIGIBLE_ADS');
    expect((await requestAd(sg, { placementId: 'plc-safe', context: { category: 'sports' } })).ad?.id).toBe(
      'cmp-safe-ad',
    );
  });

  it('targets segments only for users who consented to ads personalisation', async () => {
    const ask = (userId: string) => requestAd(sg, { placementId: 'plc-seg', userId, segments: ['gamers'] });
    expect((await ask('usr-no-consent')).noFillReason).toBe('NO_ELIGIBLE_ADS');
    await sg.runtime.ads.consents.apply('usr-consent', { adsPersonalization: true }, Date.now());
    expect((await ask('usr-consent')).ad?.id).toBe('cmp-seg-ad');
  });

  it('a withdrawal of ads personalisation drops segments and the attention curve, not frequency caps', async () => {
    const user = 'usr-withdraws';
    const ask = (placementId: string) => requestAd(sg, { placementId, userId: user, segments: ['gamers'] });
    // All of the user's attention in this hour of the week: the multiplier is above 1 while it may be used.
    await sg.runtime.ads.userAttention.apply(user, 'evt-att-1', 600_000, Date.now());
    await sg.runtime.ads.consents.apply(user, { adsPersonalization: true }, Date.now() - 1_000);
    const granted = await ask('plc-seg');
    expect(granted).toMatchObject({ ad: { id: 'cmp-seg-ad' }, personalised: true });
    expect(granted.attentionMultiplier).toBeGreaterThan(1);

    await sg.runtime.ads.consents.apply(user, { adsPersonalization: false }, Date.now());
    expect(await ask('plc-seg')).toMatchObject({ noFillReason: 'NO_ELIGIBLE_ADS', personalised: false });
    const plain = await ask('plc-main');
    expect(plain).toMatchObject({ personalised: false, attentionMultiplier: null });
    const capped = await requestAd(sg, { placementId: 'plc-cap', userId: user });
    expect(capped).toMatchObject({ ad: { id: 'cmp-cap-ad' }, personalised: false, attentionMultiplier: 1 });
    expect((await sg.runtime.Decision.findById(capped.id).lean<DecisionDoc>())?.personalised).toBe(false);
    // Caps still count this user's exposures without consent (they protect the user).
    for (let i = 0; i < 2; i++)
      await recordEvent(sg, {
        token: (await requestAd(sg, { placementId: 'plc-cap', userId: user })).impressionToken,
      });
    expect((await requestAd(sg, { placementId: 'plc-cap', userId: user })).noFillReason).toBe(
      'FREQUENCY_CAPPED',
    );
  });

  it('sees campaign changes at once: a paused campaign is not served, a resumed one is', async () => {
    const status = (s: string) =>
      gql(sg.url, `mutation { setCampaignStatus(id: "cmp-safe", status: ${s}) { id } }`, {}, adminHeaders());
    await status('PAUSED');
    expect((await requestAd(sg, { placementId: 'plc-safe' })).noFillReason).toBe('NO_ELIGIBLE_ADS');
    await status('ACTIVE');
    expect((await requestAd(sg, { placementId: 'plc-safe' })).ad?.id).toBe('cmp-safe-ad');
  });

  it('picks up a campaign another replica changed at the next refresh, not before the version moves', async () => {
    const rt = sg.runtime.ads;
    // What another replica writes: the campaign (paused there) and the catalog version.
    await sg.runtime.Campaign.updateOne(
      { _id: 'cmp-safe' },
      { $set: { status: 'PAUSED', updatedAt: Date.now() } },
    );
    await rt.refresh();
    expect(rt.catalog.index.get('cmp-safe')).toBeDefined();
    await sg.runtime.CatalogVersion.updateOne({ _id: 'catalog' }, { $inc: { version: 1 } });
    await rt.refresh();
    expect(rt.catalog.index.get('cmp-safe')).toBeUndefined();
    await gql(
      sg.url,
      'mutation { setCampaignStatus(id: "cmp-safe", status: ACTIVE) { id } }',
      {},
      adminHeaders(),
    );
    expect(rt.catalog.index.get('cmp-safe')).toBeDefined();
  });

  it.each([
    [{ placementId: 'plc-none' }, 'NOT_FOUND', undefined],
    [{ placementId: 'plc-main', context: { country: 'france' } }, 'BAD_USER_INPUT', 'input.context.country'],
    [{ placementId: 'plc-main', context: { device: 'fridge' } }, 'BAD_USER_INPUT', 'input.context.device'],
    [
      { placementId: 'plc-main', context: { category: 'Bad Category' } },
      'BAD_USER_INPUT',
      'input.context.category',
    ],
    [
      { placementId: 'plc-main', context: { time: iso(Date.now() - 8 * DAY_MS) } },
      'BAD_USER_INPUT',
      'input.context.time',
    ],
  ])('rejects %j without logging a decision', async (input, code, field) => {
    const before = await sg.runtime.Decision.countDocuments({});
    const res = await gql(sg.url, REQUEST, { i: input }, adminHeaders());
    expect(errorCodes(res)).toEqual([code]);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(await sg.runtime.Decision.countDocuments({})).toBe(before);
  });
});

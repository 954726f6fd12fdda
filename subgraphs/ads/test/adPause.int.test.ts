import { meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import { callerHeaders, errorCodes, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyAdFlagged } from '../src/campaigns/adPause.js';
import type { AdDoc } from '../src/models/index.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, placement, requestAd } from './world.js';

/** An ad.flagged pauses the ad (not served) until a member of its advertiser or an admin resumes it. */

let sg: RunningSubgraph<AdsRuntime>;
const AD = `query($id: ID!) { ad(id: $id) { id status pausedReason pausedAt } }`;
const RESUME = `mutation($id: ID!) { resumeAd(id: $id) { id status pausedReason } }`;
const member = (advertiserId: string) => callerHeaders(TEST_CALLERS.advertiser(advertiserId));

function flagged(adId: string, flaggedAt = Date.now()) {
  return meshEvent(
    'ad.flagged',
    { __typename: 'Ad', id: adId },
    { adId, complaints: 9, impressions: 300, complaintRate: 0.03, threshold: 0.02, flaggedAt },
  );
}
async function adDoc(id: string) {
  return sg.runtime.Ad.findById(id).lean<AdDoc>();
}
/**
 * Waits (bounded) for the ads.flags consumer to bring the ad to `status`, and its decision state
 * (refreshed right after the write) to follow.
 */
async function until(id: string, status: string, placementId: string) {
  const deadline = Date.now() + 15_000;
  const servedNow = async () => (await served(placementId)) === id;
  while ((await adDoc(id))?.status !== status || (await servedNow()) !== (status === 'ACTIVE')) {
    if (Date.now() > deadline) throw new Error(`${id} is ${(await adDoc(id))?.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const served = async (placementId: string) =>
  (await requestAd(sg, { placementId, userId: 'usr-p' })).ad?.id ?? null;

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-p');
  await advertiser(sg, 'adv-other');
  await placement(sg, 'plc-p');
  await placement(sg, 'plc-q');
  await campaign(sg, 'cmp-p', 'adv-p', { targeting: { placementIds: ['plc-p'] } });
  await campaign(sg, 'cmp-q', 'adv-p', { targeting: { placementIds: ['plc-q'] } });
});
afterAll(() => sg?.stop());

describe('pausing on ad.flagged', () => {
  it('pauses a flagged ad with reason COMPLAINTS so requestAds stops serving it; a member resumes it', async () => {
    expect(await served('plc-p')).toBe('cmp-p-ad');
    const flaggedAt = Date.now();
    const event = flagged('cmp-p-ad', flaggedAt);
    await sg.events.publish([event]);
    await until('cmp-p-ad', 'PAUSED', 'plc-p');
    const res = await gql<{ ad: Record<string, unknown> }>(sg.url, AD, { id: 'cmp-p-ad' }, member('adv-p'));
    expect(res.data?.ad).toEqual({
      id: 'cmp-p-ad',
      status: 'PAUSED',
      pausedReason: 'COMPLAINTS',
      pausedAt: new Date(flaggedAt).toISOString(),
    });
    expect(await served('plc-p')).toBeNull();

    // A member of another advertiser may not resume it; a member of its own advertiser may.
    const other = await gql(sg.url, RESUME, { id: 'cmp-p-ad' }, member('adv-other'));
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    expect((await adDoc('cmp-p-ad'))?.status).toBe('PAUSED');
    const person = await gql(sg.url, RESUME, { id: 'cmp-p-ad' }, callerHeaders(TEST_CALLERS.person('usr-p')));
    expect(errorCodes(person)).toEqual(['FORBIDDEN']);
    const resumed = await gql<{ resumeAd: Record<string, unknown> }>(
      sg.url,
      RESUME,
      { id: 'cmp-p-ad' },
      member('adv-p'),
    );
    expect(resumed.data?.resumeAd).toEqual({ id: 'cmp-p-ad', status: 'ACTIVE', pausedReason: null });
    expect(await served('plc-p')).toBe('cmp-p-ad');

    // The old crossing, delivered again (same event, or another event of the same flaggedAt), pauses nothing.
    await applyAdFlagged(sg.runtime, event);
    await sg.events.publish([flagged('cmp-p-ad', flaggedAt)]);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await adDoc('cmp-p-ad'))?.status).toBe('ACTIVE');

    // A new crossing after the resume pauses it again.
    await sg.events.publish([flagged('cmp-p-ad', Date.now() + 1)]);
    await until('cmp-p-ad', 'PAUSED', 'plc-p');
    const admin = await gql<{ resumeAd: { status: string } }>(
      sg.url,
      RESUME,
      { id: 'cmp-p-ad' },
      callerHeaders(TEST_CALLERS.admin),
    );
    expect(admin.data?.resumeAd.status).toBe('ACTIVE');
  });

  it('leaves an ad its advertiser paused as it is (reason ADVERTISER), and updateAd ACTIVE resumes like resumeAd', async () => {
    const pause = await gql(
      sg.url,
      `mutation { updateAd(id: "cmp-q-ad", input: { status: PAUSED }) { status pausedReason } }`,
      {},
      member('adv-p'),
    );
    expect(pause.data).toEqual({ updateAd: { status: 'PAUSED', pausedReason: 'ADVERTISER' } });
    await sg.events.publish([flagged('cmp-q-ad')]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await adDoc('cmp-q-ad')).toMatchObject({ status: 'PAUSED', pausedReason: 'ADVERTISER' });
    expect(await served('plc-q')).toBeNull();
    const active = await gql(
      sg.url,
      `mutation { updateAd(id: "cmp-q-ad", input: { status: ACTIVE }) { status pausedReason } }`,
      {},
      member('adv-p'),
    );
    expect(active.data).toEqual({ updateAd: { status: 'ACTIVE', pausedReason: null } });
    expect((await adDoc('cmp-q-ad'))?.resumedAt).toBeGreaterThan(0);
    expect(await served('plc-q')).toBe('cmp-q-ad');
  });
});

import type { RunningSubgraph } from '@attention-mesh/platform';
import {
  adminHeaders,
  callerHeaders,
  errorCodes,
  gql,
  startTestSubgraph,
  TEST_CALLERS,
} from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HOUR_MS } from '../src/reports/delivery.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, iso, placement, recordEvent, requestAd } from './world.js';

let sg: RunningSubgraph<AdsRuntime>;

const REPORT = `query($from: DateTime!, $to: DateTime!, $d: UserGroupDimension!, $first: Int! = 20) {
  adDeliveryByUserGroup(from: $from, to: $to, dimension: $d, first: $first) {
    dimension groupCount highestSelectionRate flagged
    groups { group requests impressions clicks selectionRate fourFifthsRatio adverseImpact }
  }
}`;

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-g');
  await placement(sg, 'plc-g');
  // Only German traffic is targeted: French requests find no eligible ad.
  await campaign(sg, 'cmp-g', 'adv-g', { targeting: { placementIds: ['plc-g'], countries: ['DE'] } });
});
afterAll(() => sg?.stop());

function report(dimension: string, headers = adminHeaders(), vars: Record<string, unknown> = {}) {
  const now = Date.now();
  return gql<{ adDeliveryByUserGroup: { groups: Record<string, unknown>[] } & Record<string, unknown> }>(
    sg.url,
    REPORT,
    { from: iso(now - HOUR_MS), to: iso(now + HOUR_MS), d: dimension, ...vars },
    headers,
  );
}

describe('ads delivery by user group', () => {
  it('counts requests, impressions and clicks per group from rollups, flagging the four-fifths rule', async () => {
    await sg.runtime.ads.consents.apply('usr-g-consent', { adsPersonalization: true }, Date.now());
    for (let i = 0; i < 4; i++) {
      const d = await requestAd(sg, {
        placementId: 'plc-g',
        userId: i === 0 ? 'usr-g-consent' : `usr-g-${i}`,
        segments: ['sports'],
        context: { country: 'DE', device: 'mobile' },
      });
      await recordEvent(sg, { token: d.impressionToken });
      if (i < 3) await recordEvent(sg, { token: d.clickToken });
    }
    for (let i = 0; i < 6; i++) {
      const d = await requestAd(sg, { placementId: 'plc-g', context: { country: 'FR', device: 'desktop' } });
      expect(d.noFillReason).toBe('NO_ELIGIBLE_ADS');
    }
    const byCountry = (await report('COUNTRY')).data?.adDeliveryByUserGroup;
    expect(byCountry).toMatchObject({
      dimension: 'COUNTRY',
      groupCount: 2,
      highestSelectionRate: 1,
      flagged: 1,
    });
    expect(byCountry?.groups).toEqual([
      {
        group: 'FR',
        requests: 6,
        impressions: 0,
        clicks: 0,
        selectionRate: 0,
        fourFifthsRatio: 0,
        adverseImpact: true,
      },
      {
        group: 'DE',
        requests: 4,
        impressions: 4,
        clicks: 3,
        selectionRate: 1,
        fourFifthsRatio: 1,
        adverseImpact: false,
      },
    ]);
    // Segments only of the user who consented to ads personalisation.
    const bySegment = (await report('SEGMENT')).data?.adDeliveryByUserGroup.groups;
    expect(bySegment?.map((g) => [g.group, g.requests, g.impressions])).toEqual([
      ['(none)', 9, 3],
      ['sports', 1, 1],
    ]);
    const byDevice = (await report('DEVICE', adminHeaders(), { first: 1 })).data?.adDeliveryByUserGroup;
    expect(byDevice).toMatchObject({ groupCount: 2, flagged: 1 });
    expect(byDevice?.groups.map((g) => g.group)).toEqual(['desktop']);
    // Requests are counted in memory until the flush writes them, and counted once either way.
    await sg.runtime.ads.counts.flush();
    expect((await report('COUNTRY')).data?.adDeliveryByUserGroup.groups).toEqual(byCountry?.groups);
    // The rollups hold counts, never a user id.
    const docs = await sg.runtime.UserGroupRollup.find({}).lean();
    expect(docs.length).toBe(6);
    expect(JSON.stringify(docs)).not.toMatch(/usr-g/);
  });

  it('is for analysts and admins only', async () => {
    expect((await report('COUNTRY', callerHeaders(TEST_CALLERS.analyst))).errors).toBeUndefined();
    expect(errorCodes(await report('COUNTRY', callerHeaders(TEST_CALLERS.person('usr-g-1'))))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await report('COUNTRY', {}))).toEqual(['UNAUTHENTICATED']);
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ from: iso(Date.now()), to: iso(Date.now() - HOUR_MS) }, 'to'],
    [{ from: iso(Date.now() - 40 * 24 * HOUR_MS), to: iso(Date.now()) }, 'to'],
  ])('rejects %j as BAD_USER_INPUT', async (vars, field) => {
    const res = await report('COUNTRY', adminHeaders(), vars);
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
  });
});

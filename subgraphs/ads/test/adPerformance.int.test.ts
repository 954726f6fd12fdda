import { meshEvent, type RunningSubgraph } from '@attention-mesh/platform';
import { callerHeaders, errorCodes, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, ok, placement, recordEvent, requestAd } from './world.js';

/** The online CTR estimate and complaint penalty, from recorded events and feedback, on the real database. */

let sg: RunningSubgraph<AdsRuntime>;
beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'perf-adv');
  await placement(sg, 'perf-plc');
  for (const id of ['perf-a', 'perf-b'])
    await campaign(sg, id, 'perf-adv', {
      targeting: { placementIds: ['perf-plc'] },
      bidType: 'CPC',
      bidMicros: 400_000,
    });
});
afterAll(() => sg?.stop());

interface Perf {
  impressions: number;
  clicks: number;
  complaints: number;
  observedCtr: number | null;
  priorCtr: number;
  estimatedCtr: number;
  complaintRate: number | null;
  complaintPenalty: number;
  rankingEcpmMicros: number;
}
const PERF = `query($id: ID!) { ad(id: $id) { performance {
  impressions clicks complaints observedCtr priorCtr estimatedCtr complaintRate complaintPenalty rankingEcpmMicros } } }`;
const perf = async (adId: string) =>
  (await ok<{ ad: { performance: Perf } }>(sg.url, PERF, { id: adId })).ad.performance;
const complaint = (adId: string, feedbackId: string) =>
  meshEvent(
    'feedback.received',
    { __typename: 'Ad', id: adId },
    {
      feedbackId,
      kind: 'COMPLAINT',
      targetType: 'AD',
      targetId: adId,
      rating: null,
      dwellMs: null,
      reason: 'misleading',
      occurredAt: Date.now(),
    },
  );

describe('ads: observed CTR and complaint penalty, online', () => {
  it('moves the CTR estimate with each recorded impression and click, and penalises complaints', async () => {
    const start = await perf('perf-a-ad');
    expect(start).toMatchObject({ impressions: 0, clicks: 0, observedCtr: null, complaintPenalty: 1 });
    expect(start.estimatedCtr).toBeCloseTo(start.priorCtr);

    let impressionsA = 0;
    let clicksA = 0;
    for (let i = 0; i < 40; i++) {
      const d = await requestAd(sg, { placementId: 'perf-plc', userId: `perf-u${i}` });
      if (d.ad?.id !== 'perf-a-ad') continue;
      await recordEvent(sg, { token: d.impressionToken });
      impressionsA++;
      if (impressionsA % 2 === 1) {
        await recordEvent(sg, { token: d.clickToken });
        clicksA++;
      }
    }
    expect(impressionsA).toBeGreaterThan(0);
    const seen = await perf('perf-a-ad');
    expect(seen).toMatchObject({
      impressions: impressionsA,
      clicks: clicksA,
      observedCtr: clicksA / impressionsA,
    });
    // Clicked half the time: the estimate left the 1 % prior for the observed rate.
    expect(seen.estimatedCtr).toBeGreaterThan(start.estimatedCtr);
    expect(seen.estimatedCtr).toBeLessThan(seen.observedCtr!);
    expect(seen.rankingEcpmMicros).toBeGreaterThan(start.rankingEcpmMicros);

    // Complaints (one redelivered) lower the eCPM.
    const n = impressionsA;
    await sg.events.publish([
      ...Array.from({ length: n }, (_, i) => complaint('perf-a-ad', `perf-fb-${i}`)),
      complaint('perf-a-ad', 'perf-fb-0'),
    ]);
    await expect.poll(async () => (await perf('perf-a-ad')).complaints, { timeout: 10_000 }).toBe(n);
    const penalised = await perf('perf-a-ad');
    expect(penalised.complaintRate).toBe(1);
    expect(penalised.complaintPenalty).toBe(0.05);
    expect(penalised.rankingEcpmMicros).toBe(Math.round(seen.rankingEcpmMicros * 0.05));
  });

  it('ranks the penalised ad behind a clean one in the auction', async () => {
    // Unpenalised, A's estimate (clicked half the time) would beat B's 1 % prior nearly every time; at
    // 5 % of its eCPM it wins only the Thompson draws where B's uncertain CTR comes out very low.
    const wins = { a: 0, b: 0 };
    for (let i = 0; i < 30; i++) {
      const d = await requestAd(sg, { placementId: 'perf-plc', userId: `perf-v${i}` });
      if (d.ad?.id === 'perf-a-ad') wins.a++;
      if (d.ad?.id === 'perf-b-ad') wins.b++;
    }
    expect(wins.b).toBeGreaterThan(wins.a);
    expect(wins.b).toBeGreaterThanOrEqual(15);
  });

  it("is for the advertiser's members, analysts and admins", async () => {
    const res = await gql(sg.url, PERF, { id: 'perf-a-ad' }, callerHeaders(TEST_CALLERS.person('perf-p')));
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    const member = await gql(
      sg.url,
      PERF,
      { id: 'perf-a-ad' },
      callerHeaders(TEST_CALLERS.advertiser('perf-adv')),
    );
    expect(member.errors).toBeUndefined();
    const other = await gql(
      sg.url,
      PERF,
      { id: 'perf-a-ad' },
      callerHeaders(TEST_CALLERS.advertiser('perf-other')),
    );
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
  });
});

import type { RunningSubgraph } from '@attention-mesh/platform';
import { startTestSubgraph } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type CtrExample, exportCtrData } from '../src/ctr/ctrExport.js';
import type { CtrModel } from '../src/ctr/ctrSource.js';
import type { AdsRuntime } from '../src/runtime.js';
import { adsSubgraph } from '../src/server.js';
import { advertiser, campaign, placement, recordEvent, requestAd } from './world.js';

let sg: RunningSubgraph<AdsRuntime>;

beforeAll(async () => {
  sg = await startTestSubgraph(adsSubgraph, inject('mongoUri'));
  await advertiser(sg, 'adv-1');
  await placement(sg, 'plc-1');
  await campaign(sg, 'cmp-cpc', 'adv-1', {
    targeting: { placementIds: ['plc-1'] },
    bidType: 'CPC',
    bidMicros: 300_000,
  });
});
afterAll(() => sg?.stop());

describe('pCTR from a model, and the training data export', () => {
  it('scores all candidates in one model call and falls back to the prior when the model fails', async () => {
    const calls: number[] = [];
    const model: CtrModel = {
      kind: 'test',
      predict: async (rows) => {
        calls.push(rows.length);
        expect(rows[0]).toMatchObject({
          placementId: 'plc-1',
          adId: 'cmp-cpc-ad',
          country: 'FR',
          device: 'mobile',
        });
        return new Float32Array(rows.length).fill(0.2);
      },
    };
    sg.runtime.ads.ctr.swap(model);
    const d = await requestAd(sg, { placementId: 'plc-1', context: { country: 'FR', device: 'mobile' } });
    expect(calls).toEqual([1]);
    // The Beta-Binomial blend of a 0.2 prior with an ad that has no history stays at the prior.
    expect(d).toMatchObject({ ad: { id: 'cmp-cpc-ad' } });
    expect((await sg.runtime.Decision.findById(d.id).lean())?.pctr).toBeGreaterThan(0.05);
    sg.runtime.ads.ctr.swap({ kind: 'broken', predict: () => Promise.reject(new Error('model gone')) });
    const fallback = await requestAd(sg, { placementId: 'plc-1' });
    expect(fallback.ad?.id).toBe('cmp-cpc-ad');
    sg.runtime.ads.ctr.swap(null);
  });

  it('writes shown decisions as labelled JSONL, clicked ones with label 1', async () => {
    const shown = await requestAd(sg, { placementId: 'plc-1', context: { category: 'news', country: 'DE' } });
    await recordEvent(sg, { token: shown.impressionToken });
    const clicked = await requestAd(sg, { placementId: 'plc-1', context: { device: 'tablet' } });
    await recordEvent(sg, { token: clicked.impressionToken });
    await recordEvent(sg, { token: clicked.clickToken });
    const lines: string[] = [];
    const counts = await exportCtrData(sg.runtime, (l) => {
      lines.push(l);
    });
    // Decisions never shown (the ones above this test) are not examples.
    expect(counts).toEqual({ examples: 2, clicks: 1 });
    const examples = lines.map((l) => JSON.parse(l) as CtrExample);
    expect(examples.map((e) => e.label).sort()).toEqual([0, 1]);
    const news = examples.find((e) => e.fields.category === 'news')!;
    expect(news).toEqual({
      label: 0,
      fields: {
        placementId: 'plc-1',
        adId: 'cmp-cpc-ad',
        campaignId: 'cmp-cpc',
        advertiserId: 'adv-1',
        bidType: 'CPC',
        category: 'news',
        device: null,
        country: 'DE',
        hourOfDay: expect.any(Number),
        dayOfWeek: expect.any(Number),
      },
    });
  });
});

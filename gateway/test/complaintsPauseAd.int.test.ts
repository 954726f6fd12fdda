import { gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer } from './support/jwt.js';

/**
 * The closed loop of complaints, end to end through the gateway with the five real subgraphs on one
 * bus: an ad served and shown 210 times (ad.impression, counted by feedback), then a burst of
 * complaints from different people passes the default threshold (rate > 0.02 after 200 impressions):
 * feedback publishes ad.flagged, ads pauses the ad and stops serving it, a member of its advertiser
 * resumes it. The consumers are asynchronous: every wait is a bounded poll.
 */

let mesh: DemoMesh;
let url: string;
const IMPRESSIONS = 210;
const COMPLAINTS = 6; // 6 / 210 ≈ 0.029

async function ok<T>(
  query: string,
  variables: Record<string, unknown> = {},
  headers?: Record<string, string>,
) {
  const res = await gql<T>(url, query, variables, headers ?? (await adminBearer()));
  expect(res.errors).toBeUndefined();
  return res.data as T;
}
const member = (advertiserId: string) =>
  bearer({ sub: `usr-${advertiserId}-m`, advertiser_id: advertiserId, scope: 'ads:write' });
async function poll<T>(
  what: string,
  read: () => Promise<T>,
  done: (v: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const REQUEST = `mutation { requestAds(input: { placementId: "e2e-plc", context: { device: "desktop" } }) { ad { id } impressionToken } }`;
const requestAd = () =>
  ok<{ requestAds: { ad: { id: string } | null; impressionToken: string | null } }>(REQUEST);

beforeAll(async () => {
  mesh = await startDemoMesh(inject('mongoUri'), { RATE_LIMIT_ENABLED: 'false' });
  url = mesh.gateway.url;
  await ok(`mutation {
    createAdvertiser(input: { id: "e2e-adv", name: "Loud ads", timezone: "UTC" }) { id }
    createPlacement(input: { id: "e2e-plc", name: "Banner", width: 320, height: 50, floorMicros: 0, auctionType: FIRST_PRICE }) { id }
  }`);
  await ok(`mutation($c: CreateCampaignInput!) { createCampaign(input: $c) { id } }`, {
    c: {
      id: 'e2e-cmp',
      advertiserId: 'e2e-adv',
      name: 'Loud campaign',
      dailyBudgetMicros: 1_000_000_000,
      startAt: new Date(Date.now() - 3_600_000).toISOString(),
      bidType: 'CPM',
      bidMicros: 1_000_000,
      pacingMode: 'ASAP',
      targeting: { placementIds: ['e2e-plc'] },
    },
  });
  await ok(`mutation { createAd(input: { id: "e2e-ad", campaignId: "e2e-cmp", name: "Loud",
    creativeUrl: "https://cdn.example.com/loud.png", landingUrl: "https://example.com/", width: 320, height: 50 }) { id } }`);
}, 180_000);
afterAll(() => mesh?.stop());

describe('a burst of complaints pauses an ad', () => {
  it('pauses the ad once its complaint rate passes the threshold, and a member resumes it', async () => {
    for (let done = 0; done < IMPRESSIONS; done += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const d = (await requestAd()).requestAds;
          expect(d.ad?.id).toBe('e2e-ad');
          await ok(
            `mutation($t: String!) { recordAdEvent(input: { token: $t }) { duplicate } }`,
            { t: d.impressionToken },
            {},
          );
        }),
      );
    }
    const SUMMARY = `{ ad(id: "e2e-ad") { status pausedReason feedbackSummary { impressions complaints complaintRate complaintsByReason { reason complaints } } } }`;
    type AdOut = {
      ad: {
        status: string;
        pausedReason: string | null;
        feedbackSummary: {
          impressions: number;
          complaints: number;
          complaintRate: number | null;
          complaintsByReason: { reason: string; complaints: number }[];
        };
      };
    };
    const readAd = () => ok<AdOut>(SUMMARY);
    await poll(
      'impressions counted by feedback',
      readAd,
      (a) => a.ad.feedbackSummary.impressions === IMPRESSIONS,
    );

    // The burst: each person complains about the ad they were shown, at once.
    const reasons = ['SPAM', 'OFFENSIVE', 'SPAM', 'MISLEADING', 'SPAM', 'REPETITIVE'];
    await Promise.all(
      reasons.slice(0, COMPLAINTS).map(async (reason, i) => {
        const userId = `usr-e2e-${i}`;
        const res = await gql<{ submitFeedback: { duplicate: boolean } }>(
          url,
          `mutation($i: SubmitFeedbackInput!) { submitFeedback(input: $i) { duplicate } }`,
          {
            i: {
              clientId: `cpl-${i}`,
              userId,
              target: { type: 'AD', id: 'e2e-ad' },
              kind: 'COMPLAINT',
              reason,
            },
          },
          await bearer({ sub: userId }),
        );
        expect(res.errors).toBeUndefined();
      }),
    );
    const paused = await poll('the ad paused', readAd, (a) => a.ad.status === 'PAUSED');
    expect(paused.ad.pausedReason).toBe('COMPLAINTS');
    expect(paused.ad.feedbackSummary).toMatchObject({
      impressions: IMPRESSIONS,
      complaints: COMPLAINTS,
      complaintRate: COMPLAINTS / IMPRESSIONS,
    });
    expect(paused.ad.feedbackSummary.complaintsByReason.find((r) => r.reason === 'SPAM')?.complaints).toBe(3);
    // The ads subgraph's decision state follows its write a moment later.
    await poll(
      'the paused ad no longer served',
      async () => (await requestAd()).requestAds.ad,
      (ad) => ad === null,
    );

    // Another advertiser's member may not resume it; its own may, and it is served again.
    const RESUME = `mutation { resumeAd(id: "e2e-ad") { status pausedReason } }`;
    const other = await gql(url, RESUME, {}, await member('adv-demo-1'));
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const resumed = await ok<{ resumeAd: unknown }>(RESUME, {}, await member('e2e-adv'));
    expect(resumed.resumeAd).toEqual({ status: 'ACTIVE', pausedReason: null });
    expect((await requestAd()).requestAds.ad?.id).toBe('e2e-ad');
  }, 180_000);
});

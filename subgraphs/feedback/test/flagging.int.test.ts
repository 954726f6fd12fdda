import {
  type MeshEvent,
  type MongoEventBus,
  meshEvent,
  type RunningSubgraph,
} from '@attention-mesh/platform';
import { adminHeaders, callerHeaders, gql, startTestSubgraph, TEST_CALLERS } from '@attention-mesh/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { FeedbackRuntime } from '../src/runtime.js';
import { feedbackSubgraph } from '../src/server.js';

/**
 * Impressions from ad.impression (once per decision), complaint rates by reason in Ad.feedbackSummary,
 * and ad.flagged once per crossing of the threshold (here: rate > 0.1 after 20 impressions).
 */

let sg: RunningSubgraph<FeedbackRuntime>;
const BATCH = `mutation($inputs: [SubmitFeedbackInput!]!) { submitFeedbackBatch(inputs: $inputs) { accepted } }`;
const SUMMARY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ad { feedbackSummary {
  complaints impressions complaintRate complaintsByReason { reason complaints rate } } } } }`;
const bus = () => sg.events as MongoEventBus;
let n = 0;

function impression(adId: string, decisionId: string): MeshEvent {
  return meshEvent(
    'ad.impression',
    { __typename: 'Ad', id: adId },
    { decisionId, adId, campaignId: 'cmp1', placementId: 'pl1', chargedMicros: 1000, viewable: true },
  );
}
/** `count` impressions of the ad (decisions d<first>..), published as the ads subgraph does. */
async function impressions(adId: string, count: number, first = 0) {
  await bus().publish(Array.from({ length: count }, (_, i) => impression(adId, `${adId}-d${first + i}`)));
}
async function complaints(adId: string, reasons: string[]) {
  const inputs = reasons.map((reason) => ({
    clientId: `cpl-${++n}`,
    userId: `u${n}`,
    target: { type: 'AD', id: adId },
    kind: 'COMPLAINT',
    reason,
  }));
  const res = await gql(sg.url, BATCH, { inputs }, adminHeaders());
  expect(res.errors).toBeUndefined();
}
const summaryOf = async (adId: string) =>
  (
    await gql<{ _entities: { feedbackSummary: Record<string, unknown> }[] }>(
      sg.url,
      SUMMARY,
      { r: [{ __typename: 'Ad', id: adId }] },
      callerHeaders(TEST_CALLERS.analyst),
    )
  ).data?._entities[0]?.feedbackSummary;
const flags = async (adId: string) =>
  (await bus().connection.collection('events').find({ type: 'ad.flagged', 'key.id': adId }).toArray()).map(
    (e) => e.data as { complaints: number; impressions: number; complaintRate: number; threshold: number },
  );
/** Waits (bounded) until the impressions consumer has counted `count` for the ad. */
async function counted(adId: string, count: number) {
  const until = Date.now() + 15_000;
  for (;;) {
    const s = await sg.runtime.FeedbackSummary.findById(`AD:${adId}`).lean();
    if ((s?.impressions ?? 0) >= count) return;
    if (Date.now() > until) throw new Error(`impressions of ${adId}: ${s?.impressions ?? 0} of ${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  sg = await startTestSubgraph(feedbackSubgraph, inject('mongoUri'), {
    env: { FEEDBACK_COMPLAINT_RATE_THRESHOLD: '0.1', FEEDBACK_COMPLAINT_MIN_IMPRESSIONS: '20' },
  });
});
afterAll(() => sg?.stop());
beforeEach(async () => {
  await sg.runtime.Feedback.deleteMany({});
  await sg.runtime.FeedbackSummary.deleteMany({});
  await sg.runtime.AdFlag.deleteMany({});
});

describe('complaint rates and flags', () => {
  it('counts impressions once per decision and gives complaint rates by reason', async () => {
    await impressions('ad-r', 40);
    await impressions('ad-r', 10); // the same decisions again: counted nothing
    await counted('ad-r', 40);
    await complaints('ad-r', ['SPAM', 'SPAM', 'MISLEADING']);
    await impressions('ad-r', 10, 40);
    await counted('ad-r', 50);
    await new Promise((r) => setTimeout(r, 300));
    const s = await summaryOf('ad-r');
    expect(s).toMatchObject({ complaints: 3, impressions: 50, complaintRate: 3 / 50 });
    expect(s?.complaintsByReason).toEqual([
      { reason: 'SPAM', complaints: 2, rate: 2 / 50 },
      { reason: 'OFFENSIVE', complaints: 0, rate: 0 },
      { reason: 'MISLEADING', complaints: 1, rate: 1 / 50 },
      { reason: 'IRRELEVANT', complaints: 0, rate: 0 },
      { reason: 'REPETITIVE', complaints: 0, rate: 0 },
      { reason: 'OTHER', complaints: 0, rate: 0 },
    ]);
    expect(await flags('ad-r')).toEqual([]);
  });

  it('has no rate for an ad without impressions, and none flagged before the minimum', async () => {
    await complaints('ad-few', ['SPAM', 'SPAM']);
    expect(await summaryOf('ad-few')).toMatchObject({ complaints: 2, impressions: 0, complaintRate: null });
    await impressions('ad-few', 19);
    await counted('ad-few', 19);
    expect(await flags('ad-few')).toEqual([]);
  });

  it('flags an ad once per crossing: a burst over the line, then again only after the rate fell back', async () => {
    await impressions('ad-x', 30);
    await counted('ad-x', 30);
    await complaints('ad-x', ['OFFENSIVE', 'OFFENSIVE', 'SPAM']); // 3/30 = 0.1: not past it
    expect(await flags('ad-x')).toEqual([]);
    await complaints('ad-x', ['OFFENSIVE']); // 4/30
    await complaints('ad-x', ['OTHER', 'OTHER']); // still over: no second event
    expect(await flags('ad-x')).toEqual([
      {
        adId: 'ad-x',
        complaints: 4,
        impressions: 30,
        complaintRate: 4 / 30,
        threshold: 0.1,
        flaggedAt: expect.any(Number),
      },
    ]);
    await impressions('ad-x', 40, 30); // 6/70: back under, the flag re-arms
    await counted('ad-x', 70);
    await new Promise((r) => setTimeout(r, 200));
    expect((await sg.runtime.AdFlag.findById('ad-x').lean())?.flagged).toBe(false);
    await complaints('ad-x', ['SPAM', 'SPAM']); // 8/70 > 0.1: a new crossing
    const all = await flags('ad-x');
    expect(all.map((f) => f.complaints)).toEqual([4, 8]);
  });
});

import { randomBytes } from 'node:crypto';
import { gql } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer } from './support/jwt.js';

/**
 * Consent that takes effect at once, end to end: through the gateway over the five real subgraphs and
 * the demo world, a person who granted a consent (and has data) withdraws it with `updateConsent`; the
 * test then asks, again through the gateway, until the effect is seen, and logs the time from the change
 * to the effect. The effect travels as `user.consent.changed` on the bus (polled every 100 ms by
 * default), so these figures are the bus's latency plus one request. Demo users 01, 03 and 05 granted
 * all three consents in the demo world.
 */

let mesh: DemoMesh;
let admin: Record<string, string>;
const EFFECT_TIMEOUT_MS = 30_000;

/** A placement only a segment-targeted campaign serves: it fills exactly when segments are used. */
const SEGMENT_PLACEMENT = 'plc-consent-seg';
const SEGMENT = 'likes-tech';

beforeAll(async () => {
  mesh = await startDemoMesh(inject('mongoUri'));
  admin = await adminBearer();
  const day = 24 * 3600_000;
  const create = async (mutation: string, input: Record<string, unknown>) =>
    ok(
      `mutation($i: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $i) { id } }`,
      { i: input },
      admin,
    );
  await create('createPlacement', { id: SEGMENT_PLACEMENT, name: 'segment test', width: 300, height: 250 });
  await create('createCampaign', {
    id: 'cmp-consent-seg',
    advertiserId: 'adv-demo-1',
    name: 'segment test',
    dailyBudgetMicros: 100_000_000,
    startAt: new Date(Date.now() - day).toISOString(),
    bidType: 'CPM',
    bidMicros: 2_000_000,
    pacingMode: 'ASAP',
    targeting: { placementIds: [SEGMENT_PLACEMENT], segments: [SEGMENT] },
  });
  await create('createAd', {
    id: 'cmp-consent-seg-ad',
    campaignId: 'cmp-consent-seg',
    name: 'creative',
    creativeUrl: 'https://cdn.example.com/a.png',
    landingUrl: 'https://example.com/landing',
    width: 300,
    height: 250,
  });
}, 240_000);
afterAll(() => mesh?.stop());

async function ok<T>(query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const res = await gql<T>(mesh.gateway.url, query, variables, headers);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const UPDATE = `mutation($id: ID!, $c: ConsentInput!) {
  updateConsent(userId: $id, consent: $c) { consent { personalization adsPersonalization analytics } }
}`;

/** Sends the consent change as the person; returns when it was sent and when the gateway answered. */
async function change(userId: string, consent: Record<string, boolean>) {
  const sentAt = performance.now();
  const data = await ok<{ updateConsent: { consent: Record<string, boolean> } }>(
    UPDATE,
    { id: userId, c: consent },
    await bearer({ sub: userId }),
  );
  expect(data.updateConsent.consent).toMatchObject(consent);
  return { sentAt, answeredAt: performance.now() };
}

/**
 * Probes until `effect` holds (a probe is one request through the gateway, a few ms apart); returns the
 * ms from the change being sent and from its answer, and the probes it took.
 */
async function timeToEffect<T>(
  label: string,
  at: { sentAt: number; answeredAt: number },
  probe: () => Promise<T>,
  effect: (v: T) => boolean,
) {
  let probes = 0;
  let last: T;
  for (;;) {
    last = await probe();
    probes++;
    if (effect(last)) break;
    if (performance.now() - at.sentAt > EFFECT_TIMEOUT_MS)
      throw new Error(`${label}: no effect in ${EFFECT_TIMEOUT_MS} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const now = performance.now();
  const figures = {
    fromSentMs: Math.round(now - at.sentAt),
    fromAnswerMs: Math.round(now - at.answeredAt),
    probes,
  };
  console.log(`consent effect: ${label}: ${JSON.stringify(figures)}`);
  return { figures, last };
}

describe('consent takes effect at once, through the gateway', () => {
  it('withdrawn personalisation: the next recommendations are NON_PERSONALISED; granted back, personalised again', async () => {
    const user = 'usr-demo-01';
    const headers = await bearer({ sub: user });
    const recs = async () =>
      (
        await ok<{
          user: {
            recommendations: {
              source: string;
              edges: { node: { id: string }; explanation: { item: { id: string } }[] }[];
            };
          };
        }>(
          `query($id: ID!) { user(id: $id) { recommendations(first: 10) {
            source edges { node { id } explanation { item { id } } } } } }`,
          { id: user },
          headers,
        )
      ).user.recommendations;
    const before = await recs();
    expect(before.source).not.toBe('NON_PERSONALISED');
    expect(before.edges.length).toBeGreaterThan(0);

    const withdrawn = await timeToEffect(
      'personalization withdrawn → NON_PERSONALISED recommendations',
      await change(user, { personalization: false }),
      recs,
      (r) => r.source === 'NON_PERSONALISED',
    );
    expect(withdrawn.last.edges.length).toBeGreaterThan(0);
    expect(withdrawn.last.edges.every((e) => e.explanation.length === 0)).toBe(true);

    await timeToEffect(
      'personalization granted back → personalised recommendations',
      await change(user, { personalization: true }),
      recs,
      (r) => r.source === before.source,
    );
  });

  it('withdrawn ads personalisation: decisions use neither segments nor the attention curve', async () => {
    const user = 'usr-demo-03';
    const decide = async (placementId: string) =>
      (
        await ok<{
          requestAds: {
            ad: { id: string } | null;
            personalised: boolean;
            attentionMultiplier: number | null;
            noFillReason: string | null;
          };
        }>(
          `mutation($i: RequestAdsInput!) {
            requestAds(input: $i) { ad { id } personalised attentionMultiplier noFillReason }
          }`,
          {
            i: {
              placementId,
              userId: user,
              segments: [SEGMENT, 'early-adopter'],
              context: { country: 'FR', device: 'desktop', category: 'travel' },
            },
          },
          admin,
        )
      ).requestAds;
    const before = await decide(SEGMENT_PLACEMENT);
    expect(before).toMatchObject({ ad: { id: 'cmp-consent-seg-ad' }, personalised: true });

    const withdrawn = await timeToEffect(
      'adsPersonalization withdrawn → ad decision without segments or attention curve',
      await change(user, { adsPersonalization: false }),
      () => decide(SEGMENT_PLACEMENT),
      (d) => !d.personalised,
    );
    // The segment-targeted campaign is no longer eligible for this user.
    expect(withdrawn.last).toMatchObject({ ad: null, noFillReason: 'NO_ELIGIBLE_ADS' });
    // A filled decision elsewhere: no attention curve weighs the bid.
    const elsewhere = await decide('plc-demo-top');
    expect(elsewhere.personalised).toBe(false);
    if (elsewhere.noFillReason === null) expect(elsewhere.attentionMultiplier).toBe(1);
  });

  it('withdrawn analytics: the next attention events of the person are dropped, not stored', async () => {
    const user = 'usr-demo-05';
    const headers = await bearer({ sub: user });
    const record = async () => {
      const clientId = `evt-consent-${randomBytes(6).toString('hex')}`;
      const res = await ok<{ recordAttention: { accepted: number; dropped: number } }>(
        'mutation($e: [AttentionEventInput!]!) { recordAttention(events: $e) { accepted dropped } }',
        {
          e: [
            {
              clientId,
              userId: user,
              impressionId: `imp-${clientId}`,
              sessionId: 'sess-consent',
              target: { type: 'ITEM', id: 'itm-demo-news-01' },
              type: 'IMPRESSION',
              occurredAt: new Date().toISOString(),
            },
          ],
        },
        headers,
      );
      return res.recordAttention;
    };
    expect(await record()).toEqual({ accepted: 1, dropped: 0 });
    const events = async () =>
      (
        await ok<{ user: { attention: { events: number } } }>(
          'query($id: ID!) { user(id: $id) { attention { events } } }',
          { id: user },
          admin,
        )
      ).user.attention.events;

    await timeToEffect(
      'analytics withdrawn → attention events dropped',
      await change(user, { analytics: false }),
      record,
      (r) => r.dropped === 1,
    );
    // Once dropped, every later event is: the stored count stops moving.
    const stored = await events();
    for (let i = 0; i < 3; i++) expect(await record()).toEqual({ accepted: 0, dropped: 1 });
    expect(await events()).toBe(stored);
  });
});

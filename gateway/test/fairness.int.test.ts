import { demoWorld } from '@attention-mesh/mesh';
import { errorCodes, gql, waitFor } from '@attention-mesh/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type DemoMesh, startDemoMesh } from './support/demoMesh.js';
import { adminBearer, bearer } from './support/jwt.js';

/**
 * The exposure fairness audit through the gateway on the demo world: recommendations and ad requests are
 * served to users of different groups, then `recommendationExposure` and `adDeliveryByUserGroup` must
 * answer the figures the test computes from what it was served.
 */
let mesh: DemoMesh;
const analyst = () => bearer({ sub: 'usr-analyst', scope: 'analytics:read' });
const HOUR = 3600_000;

beforeAll(async () => {
  mesh = await startDemoMesh(inject('mongoUri'));
}, 240_000);
afterAll(() => mesh?.stop());

interface Edge {
  position: number;
  score: number;
  node: { id: string; category: string; provider: string | null };
}
type Recs = { source: 'MODEL' | 'POPULARITY'; edges: Edge[] } | null;

const RECS = `query($id: ID!) { user(id: $id) { recommendations(first: 8) {
  source edges { position score node { id category provider } } } } }`;

async function recommend(userId: string): Promise<Recs> {
  const res = await gql<{ user: { recommendations: NonNullable<Recs> } }>(
    mesh.gateway.url,
    RECS,
    { id: userId },
    await adminBearer(),
  );
  return res.errors ? null : res.data!.user.recommendations;
}

/** The mean absolute difference over all ordered pairs / (2 n² mean): Gini from its definition. */
function giniByDefinition(values: number[]): number {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  let sum = 0;
  for (const a of values) for (const b of values) sum += Math.abs(a - b);
  return sum / (2 * n * n * mean);
}

describe('exposure fairness audit through the gateway', () => {
  it('reports the Gini and the exposure against relevance of what was recommended', async () => {
    const served: {
      itemId: string;
      category: string;
      provider: string;
      weight: number;
      relevance: number;
    }[] = [];
    for (const userId of ['usr-demo-01', 'usr-demo-02', 'usr-demo-03', 'usr-demo-06']) {
      // The recommendation subgraph learns the seeded users from their events.
      const recs = (await waitFor(
        () => recommend(userId),
        (r) => r !== null && r.edges.length > 0,
        { timeoutMs: 60_000, intervalMs: 100 },
      ))!;
      const top = Math.max(...recs.edges.map((e) => e.score));
      for (const e of recs.edges) {
        expect(e.node.provider).not.toBeNull();
        served.push({
          itemId: e.node.id,
          category: e.node.category,
          provider: e.node.provider!,
          weight: 1 / Math.log2(1 + e.position),
          // The first page holds the ranking's top score (popularity is served in score order).
          relevance: recs.source === 'MODEL' ? 1 / (1 + Math.exp(-e.score)) : top > 0 ? e.score / top : 0,
        });
      }
    }
    const res = await gql<{ recommendationExposure: Record<string, unknown> & Record<string, never> }>(
      mesh.gateway.url,
      `{ recommendationExposure {
        gini itemsExposed totalExposures catalogueSize lorenzCurve(points: 4)
        category: byGroup(dimension: CATEGORY, first: 100) { groupCount disparateExposure
          groups { group exposures exposure relevance exposureShare relevanceShare ratio } }
        provider: byGroup(dimension: PROVIDER, first: 2) { groupCount disparateExposure groups { group } }
      } }`,
      {},
      await analyst(),
    );
    expect(res.errors).toBeUndefined();
    const e = res.data!.recommendationExposure as unknown as {
      gini: number;
      itemsExposed: number;
      totalExposures: number;
      catalogueSize: number;
      lorenzCurve: number[];
      category: {
        groupCount: number;
        disparateExposure: number | null;
        groups: Record<string, number | string>[];
      };
      provider: { groupCount: number; disparateExposure: number | null; groups: { group: string }[] };
    };
    const counts = new Map<string, number>();
    for (const s of served) counts.set(s.itemId, (counts.get(s.itemId) ?? 0) + 1);
    const catalogue = demoWorld().items.length;
    expect(e.catalogueSize).toBe(catalogue);
    expect(e.totalExposures).toBe(served.length);
    expect(e.itemsExposed).toBe(counts.size);
    const all = [...counts.values(), ...new Array<number>(catalogue - counts.size).fill(0)];
    expect(e.gini).toBeCloseTo(giniByDefinition(all), 9);
    expect(e.lorenzCurve).toHaveLength(4);
    expect(e.lorenzCurve[3]).toBeCloseTo(1, 9);

    const sums = (key: 'category' | 'provider') => {
      const by = new Map<string, { exposures: number; exposure: number; relevance: number }>();
      for (const s of served) {
        const g = by.get(s[key]) ?? { exposures: 0, exposure: 0, relevance: 0 };
        g.exposures += 1;
        g.exposure += s.weight;
        g.relevance += s.relevance;
        by.set(s[key], g);
      }
      return by;
    };
    const byCategory = sums('category');
    const totalExposure = served.reduce((a, s) => a + s.weight, 0);
    const totalRelevance = served.reduce((a, s) => a + s.relevance, 0);
    expect(e.category.groupCount).toBe(byCategory.size);
    expect(e.category.groups.map((g) => g.group).sort()).toEqual([...byCategory.keys()].sort());
    const ratios: number[] = [];
    for (const g of e.category.groups) {
      const want = byCategory.get(g.group as string)!;
      expect(g.exposures).toBe(want.exposures);
      expect(g.exposure).toBeCloseTo(want.exposure, 9);
      expect(g.relevance).toBeCloseTo(want.relevance, 6);
      expect(g.exposureShare).toBeCloseTo(want.exposure / totalExposure, 9);
      expect(g.relevanceShare).toBeCloseTo(want.relevance / totalRelevance, 6);
      const ratio = want.exposure / totalExposure / (want.relevance / totalRelevance);
      expect(g.ratio).toBeCloseTo(ratio, 6);
      ratios.push(ratio);
    }
    if (ratios.length > 1)
      expect(e.category.disparateExposure).toBeCloseTo(Math.max(...ratios) / Math.min(...ratios), 6);
    // Providers: the `first` bound lists two, the disparity still spans every provider served.
    expect(e.provider.groupCount).toBe(sums('provider').size);
    expect(e.provider.groups.length).toBe(Math.min(2, sums('provider').size));
  });

  it('reports ads delivery by country, device and consented segment with four-fifths flags', async () => {
    // usr-demo-01 consented to ads personalisation, usr-demo-02 did not: wait until the ads subgraph knows.
    const ads = mesh.subgraphs.find((s) => s.name === 'ads')!.runtime as {
      ads: { consents: { allows(id: string, flag: 'adsPersonalization'): Promise<boolean> } };
    };
    await waitFor(
      () => ads.ads.consents.allows('usr-demo-01', 'adsPersonalization'),
      (ok) => ok,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const request = `mutation($i: RequestAdsInput!) { requestAds(input: $i) { ad { id } noFillReason impressionToken clickToken } }`;
    const record = `mutation($t: String!) { recordAdEvent(input: { token: $t }) { duplicate } }`;
    const filled = { DE: 0, FR: 0 };
    const clicks = { DE: 0, FR: 0 };
    // Sports on the sidebar is targeted by two demo campaigns; news on the sidebar by none.
    for (const [country, device, category, userId, n] of [
      ['DE', 'mobile', 'sports', 'usr-demo-01', 5],
      ['FR', 'desktop', 'news', 'usr-demo-02', 5],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const res = await gql<{
          requestAds: {
            ad: { id: string } | null;
            impressionToken: string | null;
            clickToken: string | null;
          };
        }>(
          mesh.gateway.url,
          request,
          {
            i: {
              placementId: 'plc-demo-side',
              userId,
              segments: ['likes-sports', 'mainstream'],
              context: { country, device, category },
            },
          },
          await adminBearer(),
        );
        expect(res.errors).toBeUndefined();
        const d = res.data!.requestAds;
        if (!d.ad) continue;
        filled[country] += 1;
        expect((await gql(mesh.gateway.url, record, { t: d.impressionToken }, {})).errors).toBeUndefined();
        if (i % 2 === 0) {
          clicks[country] += 1;
          expect((await gql(mesh.gateway.url, record, { t: d.clickToken }, {})).errors).toBeUndefined();
        }
      }
    }
    expect(filled.DE).toBeGreaterThan(0);
    expect(filled.FR).toBe(0);

    const now = Date.now();
    const res = await gql<
      Record<string, { groupCount: number; flagged: number; groups: Record<string, unknown>[] }>
    >(
      mesh.gateway.url,
      `query($from: DateTime!, $to: DateTime!) {
        country: adDeliveryByUserGroup(from: $from, to: $to, dimension: COUNTRY) { ...d }
        device: adDeliveryByUserGroup(from: $from, to: $to, dimension: DEVICE) { ...d }
        segment: adDeliveryByUserGroup(from: $from, to: $to, dimension: SEGMENT) { ...d }
      }
      fragment d on UserGroupDelivery { groupCount flagged
        groups { group requests impressions clicks selectionRate fourFifthsRatio adverseImpact } }`,
      { from: new Date(now - 2 * HOUR).toISOString(), to: new Date(now + HOUR).toISOString() },
      await analyst(),
    );
    expect(res.errors).toBeUndefined();
    const { country, device, segment } = res.data!;
    expect(country!.groups).toEqual([
      {
        group: 'DE',
        requests: 5,
        impressions: filled.DE,
        clicks: clicks.DE,
        selectionRate: filled.DE / 5,
        fourFifthsRatio: 1,
        adverseImpact: false,
      },
      {
        group: 'FR',
        requests: 5,
        impressions: 0,
        clicks: 0,
        selectionRate: 0,
        fourFifthsRatio: 0,
        adverseImpact: true,
      },
    ]);
    expect(country!.flagged).toBe(1);
    expect(device!.groups.map((g) => [g.group, g.requests, g.impressions, g.adverseImpact])).toEqual([
      ['desktop', 5, 0, true],
      ['mobile', 5, filled.DE, false],
    ]);
    // Only the consenting user's segments count; the other's requests have none.
    expect(segment!.groups.map((g) => [g.group, g.requests, g.impressions, g.adverseImpact])).toEqual([
      ['(none)', 5, 0, true],
      ['likes-sports', 5, filled.DE, false],
      ['mainstream', 5, filled.DE, false],
    ]);
  });

  it('is refused to a person without the analytics scope', async () => {
    const person = await bearer({ sub: 'usr-demo-01' });
    const now = Date.now();
    for (const query of [
      '{ recommendationExposure { gini byGroup(dimension: PROVIDER) { groupCount } } }',
      `{ adDeliveryByUserGroup(from: "${new Date(now - HOUR).toISOString()}", to: "${new Date(now).toISOString()}", dimension: COUNTRY) { groupCount } }`,
    ])
      expect(errorCodes(await gql(mesh.gateway.url, query, {}, person))).toEqual(['FORBIDDEN']);
  });
});

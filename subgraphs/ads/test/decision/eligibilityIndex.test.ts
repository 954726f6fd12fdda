import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { type DecisionCampaign, EligibilityIndex } from '../../src/decision/index.js';
import { campaign } from './fixtures.js';

const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'IT'];
const DEVICES = ['desktop', 'mobile', 'tablet', 'tv'];
const PLACEMENTS = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];

const SIZES = [
  { width: 300, height: 250 },
  { width: 728, height: 90 },
  { width: 320, height: 50 },
];

function bruteForce(
  all: DecisionCampaign[],
  placement: string,
  country?: string,
  device?: string,
  size?: { width: number; height: number },
) {
  const ok = (list: string[], v: string | undefined) =>
    list.length === 0 || (v !== undefined && list.includes(v));
  return all
    .filter(
      (c) =>
        c.status === 'ACTIVE' &&
        c.ads.some(
          (a) => a.status === 'ACTIVE' && (!size || (a.width === size.width && a.height === size.height)),
        ) &&
        ok(c.targeting.placementIds, placement) &&
        ok(c.targeting.countries, country) &&
        ok(c.targeting.devices, device),
    )
    .map((c) => c.id)
    .sort();
}

describe('EligibilityIndex', () => {
  it('treats an empty target list as a wildcard and an unknown context value as matching only wildcards', () => {
    const index = new EligibilityIndex([
      campaign({ id: 'any' }),
      campaign({
        id: 'de',
        targeting: { countries: ['DE'], devices: [], segments: [], categories: [], placementIds: [] },
      }),
      campaign({
        id: 'p2-mobile',
        targeting: { countries: [], devices: ['mobile'], segments: [], categories: [], placementIds: ['p2'] },
      }),
    ]);
    const ids = (p: string, c?: string, d?: string) =>
      index
        .lookup(p, c, d)
        .map((x) => x.id)
        .sort();
    expect(ids('p1', 'DE', 'mobile')).toEqual(['any', 'de']);
    expect(ids('p2', 'FR', 'mobile')).toEqual(['any', 'p2-mobile']);
    expect(ids('p2', 'DE', 'desktop')).toEqual(['any', 'de']);
    expect(ids('p2', undefined, undefined)).toEqual(['any']);
  });

  it('follows upserts and removals, and drops campaigns that stop being active', () => {
    const index = new EligibilityIndex([campaign({ id: 'a' }), campaign({ id: 'b' })]);
    index.upsert(
      campaign({
        id: 'a',
        targeting: { countries: ['FR'], devices: [], segments: [], categories: [], placementIds: [] },
      }),
    );
    expect(index.lookup('p1', 'DE', 'mobile').map((c) => c.id)).toEqual(['b']);
    expect(
      index
        .lookup('p1', 'FR', 'mobile')
        .map((c) => c.id)
        .sort(),
    ).toEqual(['a', 'b']);
    index.upsert(campaign({ id: 'b', status: 'PAUSED' }));
    expect(index.lookup('p1', 'FR', 'mobile').map((c) => c.id)).toEqual(['a']);
    index.remove('a');
    expect(index.lookup('p1', 'FR', 'mobile')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('files only campaigns with an active ad and finds them by ad size', () => {
    const index = new EligibilityIndex([
      campaign({ id: 'small', ads: [{ id: 's', status: 'ACTIVE', width: 320, height: 50 }] }),
      campaign({ id: 'paused-ad', ads: [{ id: 'p', status: 'PAUSED', width: 300, height: 250 }] }),
      campaign({ id: 'both' }),
    ]);
    expect(index.size).toBe(2);
    expect(index.lookup('p1', 'DE', 'mobile', { width: 320, height: 50 }).map((c) => c.id)).toEqual([
      'small',
    ]);
    expect(index.lookup('p1', 'DE', 'mobile', { width: 300, height: 250 }).map((c) => c.id)).toEqual([
      'both',
    ]);
  });

  it.each([512, 4])(
    'returns the same campaigns as a brute-force filter on random campaigns and edits (maxKeys %i)',
    (maxKeys) => {
      const rng = seededRandom(7 + maxKeys);
      const subset = (list: string[], pAny: number) =>
        rng.chance(pAny) ? [] : list.filter(() => rng.chance(0.35)).concat(rng.pick(list));
      const make = (i: number) =>
        campaign({
          id: `c${i}`,
          status: rng.chance(0.1) ? 'PAUSED' : 'ACTIVE',
          ads: Array.from({ length: rng.int(1, 2) }, (_, j) => ({
            id: `a${i}-${j}`,
            status: rng.chance(0.1) ? ('PAUSED' as const) : ('ACTIVE' as const),
            ...rng.pick(SIZES),
          })),
          targeting: {
            placementIds: [...new Set(subset(PLACEMENTS, 0.3))],
            countries: [...new Set(subset(COUNTRIES, 0.4))],
            devices: [...new Set(subset(DEVICES, 0.5))],
            segments: [],
            categories: [],
          },
        });
      const all = new Map<string, DecisionCampaign>();
      for (let i = 0; i < 400; i++) all.set(`c${i}`, make(i));
      const index = new EligibilityIndex(all.values(), { maxKeys });
      for (let round = 0; round < 300; round++) {
        if (round % 3 === 0) {
          const i = rng.int(0, 449);
          if (rng.chance(0.2)) {
            all.delete(`c${i}`);
            index.remove(`c${i}`);
          } else {
            const c = make(i);
            all.set(c.id, c);
            index.upsert(c);
          }
        }
        const placement = rng.pick(PLACEMENTS);
        const country = rng.chance(0.1) ? undefined : rng.pick(COUNTRIES);
        const device = rng.chance(0.1) ? undefined : rng.pick(DEVICES);
        const size = rng.chance(0.2) ? undefined : rng.pick(SIZES);
        const got = index.lookup(placement, country, device, size).map((c) => c.id);
        expect(new Set(got).size).toBe(got.length);
        expect(got.sort()).toEqual(bruteForce([...all.values()], placement, country, device, size));
      }
    },
  );
});

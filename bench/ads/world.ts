/**
 * A deterministic world for the ad-decision benchmarks: campaigns with a realistic mix of targeting,
 * placements, per-campaign state and requests. Exported so other benchmarks (the decision through the
 * subgraph) generate the same worlds. Only the built decision modules are used (no database).
 */
import { seededRandom } from '@attention-mesh/platform';
import type {
  AdStats,
  CampaignSpend,
  DecisionCampaign,
  DecisionPlacement,
  DecisionRequest,
  DecisionState,
  PacingState,
} from '../../subgraphs/ads/dist/decision/index.js';

export type Rng = ReturnType<typeof seededRandom>;
export { seededRandom };

export const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'IT', 'ES', 'NL', 'PL', 'SE', 'JP', 'BR', 'IN'];
/** Request shares of the countries above (the long tail is summed into the last ones). */
export const COUNTRY_WEIGHTS = [30, 14, 10, 10, 6, 6, 4, 4, 3, 5, 4, 4];
export const DEVICES = ['mobile', 'desktop', 'tablet', 'tv'];
export const DEVICE_WEIGHTS = [60, 30, 8, 2];
export const CATEGORIES = [
  'news',
  'sports',
  'travel',
  'finance',
  'tech',
  'food',
  'music',
  'games',
  'health',
  'auto',
];
export const SEGMENTS = [
  'sports-fans',
  'travellers',
  'gamers',
  'parents',
  'students',
  'foodies',
  'investors',
];
export const SIZES: [number, number][] = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
];
export const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/London'];

export function weighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i]!;
    if (r < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

function someOf<T>(rng: Rng, items: readonly T[], min: number, max: number): T[] {
  const n = rng.int(min, max);
  const pool = [...items];
  const out: T[] = [];
  while (out.length < n && pool.length > 0)
    out.push(pool.splice(Math.floor(rng.next() * pool.length), 1)[0]!);
  return out;
}

export interface WorldOptions {
  campaigns: number;
  placements?: number;
  seed?: number;
  /** Day the campaigns run around (epoch ms). */
  at?: number;
}

export interface World {
  campaigns: DecisionCampaign[];
  placements: DecisionPlacement[];
  state: DecisionState;
  spends: Map<string, CampaignSpend>;
  stats: Map<string, AdStats>;
  pacings: Map<string, PacingState>;
}

/**
 * Campaigns with the targeting mix of a real ad server: about a third on any placement, most on a few
 * countries, half on any device, some on segments or categories, some scheduled, some frequency caps;
 * 1-3 ads each in the standard sizes; 60 % CPM, 40 % CPC.
 */
export function generateWorld(opts: WorldOptions): World {
  const rng = seededRandom(opts.seed ?? 1);
  const at = opts.at ?? Date.UTC(2026, 2, 4, 12);
  const placements: DecisionPlacement[] = Array.from({ length: opts.placements ?? 200 }, (_, i) => {
    const [width, height] = weighted(rng, SIZES, [50, 25, 15, 10]);
    return {
      id: `pl-${i}`,
      width,
      height,
      floorMicros: rng.chance(0.5) ? 0 : rng.int(2, 12) * 100_000,
      auctionType: rng.chance(0.7) ? 'SECOND_PRICE' : 'FIRST_PRICE',
      attentionScore: rng.chance(0.6) ? rng.next() : undefined,
    };
  });
  const campaigns: DecisionCampaign[] = [];
  const spends = new Map<string, CampaignSpend>();
  const stats = new Map<string, AdStats>();
  const pacings = new Map<string, PacingState>();
  for (let i = 0; i < opts.campaigns; i++) {
    const cpc = rng.chance(0.4);
    const id = `cmp-${i}`;
    const nAds = rng.int(1, 3);
    const ads = Array.from({ length: nAds }, (_, j) => {
      const [width, height] = weighted(rng, SIZES, [50, 25, 15, 10]);
      return {
        id: `${id}-ad-${j}`,
        status: 'ACTIVE' as const,
        width,
        height,
        priorCtr: 0.002 + rng.next() * 0.02,
      };
    });
    const daily = rng.int(20, 2000) * 1_000_000;
    campaigns.push({
      id,
      advertiserId: `adv-${i % Math.max(1, Math.floor(opts.campaigns / 4))}`,
      timezone: rng.pick(ZONES),
      status: 'ACTIVE',
      startAt: at - rng.int(1, 30) * 86_400_000,
      endAt: rng.chance(0.5) ? null : at + rng.int(1, 60) * 86_400_000,
      schedule: rng.chance(0.2)
        ? [{ days: [1, 2, 3, 4, 5], startHour: rng.int(0, 10), endHour: rng.int(14, 24) }]
        : [],
      bidType: cpc ? 'CPC' : 'CPM',
      bidMicros: cpc ? rng.int(50, 800) * 1_000 : rng.int(500, 8000) * 1_000,
      pacing: weighted(rng, ['EVEN', 'ASAP', 'FRONTLOADED'] as const, [60, 30, 10]),
      dailyBudgetMicros: daily,
      totalBudgetMicros: rng.chance(0.5) ? null : daily * rng.int(5, 60),
      targeting: {
        placementIds: rng.chance(0.35) ? [] : someOf(rng, placements, 1, 12).map((p) => p.id),
        countries: rng.chance(0.25) ? [] : someOf(rng, COUNTRIES, 1, 3),
        devices: rng.chance(0.5) ? [] : someOf(rng, DEVICES, 1, 2),
        segments: rng.chance(0.2) ? someOf(rng, SEGMENTS, 1, 2) : [],
        categories: rng.chance(0.3) ? someOf(rng, CATEGORIES, 1, 4) : [],
      },
      blockedCategories: rng.chance(0.2) ? someOf(rng, CATEGORIES, 1, 2) : [],
      frequencyCaps: rng.chance(0.3)
        ? [{ scope: 'CAMPAIGN', max: rng.int(3, 10), windowMs: 86_400_000 }]
        : [],
      ads,
    });
    const spent = Math.floor(daily * rng.next() * 0.8);
    spends.set(id, {
      spentTodayMicros: spent,
      spentTotalMicros: spent * 3,
      reservedMicros: rng.int(0, 5) * 1000,
    });
    for (const ad of ads) {
      const impressions = rng.chance(0.2) ? 0 : rng.int(100, 200_000);
      stats.set(ad.id, {
        impressions,
        clicks: Math.floor(impressions * ad.priorCtr * (0.5 + rng.next())),
        complaintRate: rng.chance(0.1) ? rng.next() * 0.01 : 0,
      });
    }
    pacings.set(
      id,
      rng.chance(0.6)
        ? { passRate: 1, bidMultiplier: 1 }
        : { passRate: 0.1 + 0.9 * rng.next(), bidMultiplier: 0.6 + 0.4 * rng.next() },
    );
  }
  return {
    campaigns,
    placements,
    spends,
    stats,
    pacings,
    state: { spend: (id) => spends.get(id), adStats: (id) => stats.get(id), pacing: (id) => pacings.get(id) },
  };
}

/** A request on a random placement in business hours of the world's day, sometimes with a known user. */
export function generateRequest(rng: Rng, world: World, at: number): DecisionRequest {
  const user = rng.chance(0.6)
    ? {
        id: `u-${rng.int(1, 100_000)}`,
        segments: someOf(rng, SEGMENTS, 0, 2),
        engagementByHour: rng.chance(0.5) ? Array.from({ length: 168 }, () => rng.next()) : undefined,
      }
    : undefined;
  return {
    placement: rng.pick(world.placements),
    user,
    context: {
      at,
      country: weighted(rng, COUNTRIES, COUNTRY_WEIGHTS),
      device: weighted(rng, DEVICES, DEVICE_WEIGHTS),
      category: rng.chance(0.9) ? rng.pick(CATEGORIES) : undefined,
    },
  };
}

/**
 * The market of the pacing simulator: a day of diurnal traffic on a few placements and campaigns that
 * compete for it, each with a true CTR the simulator draws clicks from and a model pCTR off by a random
 * factor (what a CTR model would give). Deterministic from the seed.
 */
import type { DecisionCampaign, DecisionRequest } from '../../subgraphs/ads/dist/decision/index.js';
import { seededRandom, weighted } from './world.js';

export const DAY_START = Date.UTC(2026, 2, 4);
const HOUR = 3600_000;

/** Relative traffic by UTC hour: lowest around 08:00 UTC, highest around 20:00 (a 9:1 swing). */
export const TRAFFIC = Array.from(
  { length: 24 },
  (_, h) => 1 + 0.8 * Math.cos((2 * Math.PI * (h - 20)) / 24),
);

export interface PacingMarket {
  campaigns: DecisionCampaign[];
  trueCtr: Map<string, number>;
  requests: DecisionRequest[];
}

export interface PacingMarketOptions {
  requests: number;
  campaigns: number;
  seed: number;
  /** Median true CTR (log-normal across campaigns, clamped to 0.2-5 times it). Default 0.01. */
  ctrMedian?: number;
  /** Every n-th campaign bids CPC, the others CPM. Default 2 (half). */
  cpcEvery?: number;
  /**
   * CPC campaigns target every country, device and placement (performance campaigns buying clicks
   * wherever they come from, valuing an impression at 2-10 $ eCPM), so their clicks an hour are not a
   * handful. Default false.
   */
  broadCpc?: boolean;
  /**
   * Targeting is drawn as usual but device restrictions are dropped, so no campaign reaches only a few
   * per cent of the traffic (a campaign with a dozen impressions an hour is not a display campaign).
   * Default false.
   */
  anyDevice?: boolean;
  /** Lowest true CTR as a share of the median. Default 0.2. */
  minCtrFactor?: number;
}

const COUNTRIES = ['US', 'DE', 'FR'];
const DEVICES = ['mobile', 'desktop'];
const CATEGORIES = ['news', 'sports', 'travel', 'tech', 'food'];

function gaussian(rng: ReturnType<typeof seededRandom>): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

export function generatePacingMarket(opts: PacingMarketOptions): PacingMarket {
  const rng = seededRandom(opts.seed);
  const placements = [0, 400_000, 800_000, 1_200_000].map((floorMicros, i) => ({
    id: `pl-${i}`,
    width: 300,
    height: 250,
    floorMicros,
    auctionType: 'SECOND_PRICE' as const,
    attentionScore: 0.3 + 0.1 * i,
  }));
  const trueCtr = new Map<string, number>();
  const campaigns: DecisionCampaign[] = Array.from({ length: opts.campaigns }, (_, i): DecisionCampaign => {
    const id = `c${String(i).padStart(2, '0')}`;
    const cpcEvery = opts.cpcEvery ?? 2;
    const cpc = i % cpcEvery === cpcEvery - 1;
    const median = opts.ctrMedian ?? 0.01;
    const ctr = Math.min(
      5 * median,
      Math.max((opts.minCtrFactor ?? 0.2) * median, median * Math.exp(0.6 * gaussian(rng))),
    );
    // Broad CPC campaigns are performance buyers who value an impression at up to twice as much.
    const ecpm = rng.int(1000, 5000) * 1000 * (cpc && opts.broadCpc ? 2 : 1);
    trueCtr.set(`${id}-ad`, ctr);
    const campaign: DecisionCampaign = {
      id,
      advertiserId: `adv-${i}`,
      timezone: 'UTC',
      status: 'ACTIVE',
      startAt: DAY_START - 86_400_000,
      endAt: null,
      schedule: [],
      bidType: cpc ? 'CPC' : 'CPM',
      // Advertisers bid for what an impression is worth to them (eCPM 1-5 $); CPC bidders divide it by
      // the click rate they see, so both kinds compete on the same scale.
      bidMicros: cpc ? Math.round(ecpm / (ctr * 1000)) : ecpm,
      pacing: 'EVEN',
      dailyBudgetMicros: 0,
      totalBudgetMicros: null,
      targeting: {
        countries: rng.chance(0.5) ? [] : [rng.pick(COUNTRIES)],
        devices: rng.chance(0.7) ? [] : [rng.pick(DEVICES)],
        segments: [],
        categories: [],
        placementIds: rng.chance(0.6) ? [] : [placements[rng.int(0, 1)]!.id, placements[rng.int(2, 3)]!.id],
      },
      blockedCategories: rng.chance(0.2) ? [rng.pick(CATEGORIES)] : [],
      frequencyCaps: [],
      ads: [
        {
          id: `${id}-ad`,
          status: 'ACTIVE',
          width: 300,
          height: 250,
          priorCtr: ctr * Math.exp(0.3 * gaussian(rng)),
        },
      ],
    };
    // The targeting is drawn either way, so the other draws (and the rest of the world) stay the same.
    if (cpc && opts.broadCpc)
      campaign.targeting = { ...campaign.targeting, countries: [], devices: [], placementIds: [] };
    if (opts.anyDevice) campaign.targeting = { ...campaign.targeting, devices: [] };
    return campaign;
  });
  const sum = TRAFFIC.reduce((a, b) => a + b, 0);
  const requests: DecisionRequest[] = [];
  for (let h = 0; h < 24; h++) {
    const n = Math.round((opts.requests * TRAFFIC[h]!) / sum);
    const times = Array.from({ length: n }, () => DAY_START + h * HOUR + Math.floor(rng.next() * HOUR)).sort(
      (a, b) => a - b,
    );
    for (const at of times) {
      requests.push({
        placement: rng.pick(placements),
        context: {
          at,
          country: weighted(rng, COUNTRIES, [50, 30, 20]),
          device: weighted(rng, DEVICES, [65, 35]),
          category: rng.pick(CATEGORIES),
        },
      });
    }
  }
  return { campaigns, trueCtr, requests };
}

/**
 * One simulated day of the pacing market: every request decided in time order, clicks drawn from each
 * ad's true CTR, charges applied (CPM on the impression, CPC on the click), ad statistics learned as the
 * day goes, and each paced campaign's controller stepped every minute.
 */
import type {
  AdStats,
  CampaignSpend,
  DecisionCampaign,
  PacingControllerState,
  PacingOptions,
} from '../../subgraphs/ads/dist/decision/index.js';
import { decision } from './common.js';
import { DAY_START, type PacingMarket } from './pacingWorld.js';
import { seededRandom } from './world.js';

const HOUR = 3600_000;
const MINUTE = 60_000;

export interface SimulationSetup {
  market: PacingMarket;
  curve: readonly number[];
  seed: number;
  pacing: PacingOptions;
  /**
   * Days replayed before the measured one (same traffic): controllers and ad statistics carry over, as
   * they do in a running ad server, where a campaign is rarely on its very first day.
   */
  warmupDays: number;
}

export interface CampaignResult {
  id: string;
  bidType: string;
  budget: number;
  spent: number;
  hourly: number[];
  ranOutAt: number | null;
  impressions: number;
  clicks: number;
}

/**
 * The measured day of the market (after `warmupDays`). `fixedPassRate`: every campaign takes part in
 * auctions with this probability and has no budget limit (the calibration run).
 */
export function simulate(
  { market, curve, seed, pacing: pacingOptions, warmupDays }: SimulationSetup,
  mode: 'EVEN' | 'ASAP',
  fixedPassRate?: number,
): { results: CampaignResult[]; noFill: Record<string, number>; ms: number } {
  const t0 = performance.now();
  const campaigns: DecisionCampaign[] = market.campaigns.map((c) => ({
    ...c,
    pacing: mode,
    dailyBudgetMicros: fixedPassRate === undefined ? c.dailyBudgetMicros : Number.MAX_SAFE_INTEGER,
  }));
  const index = new decision.EligibilityIndex(campaigns);
  const spends = new Map<string, CampaignSpend>();
  const stats = new Map<string, AdStats>();
  const pacing = new Map<string, PacingControllerState>();
  const results = new Map<string, CampaignResult>();
  for (const c of campaigns) {
    spends.set(c.id, { spentTodayMicros: 0, spentTotalMicros: 0, reservedMicros: 0 });
    pacing.set(
      c.id,
      fixedPassRate === undefined
        ? decision.initialPacingState(DAY_START, DAY_START)
        : { ...decision.initialPacingState(DAY_START, DAY_START, fixedPassRate) },
    );
  }
  const newDay = () => {
    for (const c of campaigns) {
      spends.get(c.id)!.spentTodayMicros = 0;
      results.set(c.id, {
        id: c.id,
        bidType: c.bidType,
        budget: c.dailyBudgetMicros,
        spent: 0,
        hourly: new Array(24).fill(0),
        ranOutAt: null,
        impressions: 0,
        clicks: 0,
      });
    }
  };
  const state = {
    spend: (id: string) => spends.get(id),
    adStats: (id: string) => stats.get(id),
    pacing: (id: string) => pacing.get(id),
  };
  const byId = new Map(campaigns.map((c) => [c.id, c]));
  const decideRng = seededRandom(seed + 11);
  const clickRng = seededRandom(seed + 12);
  let noFill: Record<string, number> = {};
  let dayStart = DAY_START;
  let minute = 0;
  const stepTo = (until: number) => {
    while (dayStart + (minute + 1) * MINUTE <= until) {
      minute++;
      if (mode === 'ASAP' || fixedPassRate !== undefined) continue;
      for (const c of campaigns) {
        pacing.set(
          c.id,
          decision.stepPacing(
            pacing.get(c.id)!,
            {
              at: dayStart + minute * MINUTE,
              dayStart,
              spentTodayMicros: spends.get(c.id)!.spentTodayMicros,
              dailyBudgetMicros: c.dailyBudgetMicros,
              mode,
              curve,
            },
            pacingOptions,
          ),
        );
      }
    }
  };
  const charge = (c: DecisionCampaign, amount: number, at: number) => {
    const s = spends.get(c.id)!;
    s.spentTodayMicros += amount;
    s.spentTotalMicros += amount;
    const r = results.get(c.id)!;
    r.spent += amount;
    r.hourly[Math.floor((at - dayStart) / HOUR)]! += amount;
    const maxCharge = c.bidType === 'CPM' ? Math.max(1, Math.floor(c.bidMicros / 1000)) : c.bidMicros;
    if (r.ranOutAt === null && c.dailyBudgetMicros - s.spentTodayMicros < maxCharge) r.ranOutAt = at;
  };
  const days = fixedPassRate === undefined ? 1 + warmupDays : 1;
  for (let day = 0; day < days; day++) {
    dayStart = DAY_START + day * 86_400_000;
    minute = 0;
    noFill = {};
    newDay();
    const shift = dayStart - DAY_START;
    for (const original of market.requests) {
      const req =
        shift === 0
          ? original
          : { ...original, context: { ...original.context, at: original.context.at + shift } };
      stepTo(req.context.at);
      const d = decision.decide(req, { index, state }, decideRng, { propensityDraws: 0 });
      if (!d.filled) {
        noFill[d.reason] = (noFill[d.reason] ?? 0) + 1;
        continue;
      }
      const c = byId.get(d.campaignId)!;
      const r = results.get(c.id)!;
      r.impressions++;
      const st = stats.get(d.adId) ?? { impressions: 0, clicks: 0 };
      st.impressions++;
      const clicked = clickRng.next() < market.trueCtr.get(d.adId)!;
      if (clicked) {
        st.clicks++;
        r.clicks++;
      }
      stats.set(d.adId, st);
      if (d.chargeEvent === 'IMPRESSION') charge(c, d.chargeMicros, req.context.at);
      else if (clicked) charge(c, d.chargeMicros, req.context.at);
    }
    // The rest of the day's minutes, so the controller sees the day end before the next one starts.
    stepTo(dayStart + 86_400_000 - 1);
  }
  return { results: [...results.values()], noFill, ms: performance.now() - t0 };
}

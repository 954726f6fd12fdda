import { seededRandom } from '@attention-mesh/platform';
import { describe, expect, it } from 'vitest';
import { attentionMultiplier, type Decision, decide, recordExposure } from '../../src/decision/index.js';
import { campaign, DAY, HOUR, inputs, NOON, request, state } from './fixtures.js';

const filled = (d: Decision) => {
  if (!d.filled) throw new Error(`no fill: ${d.reason}`);
  return d;
};
const noFill = (d: Decision) => (d.filled ? `filled by ${d.campaignId}` : d.reason);
const t = (patch: Record<string, string[]>) => ({
  countries: [],
  devices: [],
  segments: [],
  categories: [],
  placementIds: [],
  ...patch,
});

describe('decide: eligibility', () => {
  it('shows only ads whose size equals the placement and that are active', () => {
    const c = campaign({
      id: 'c',
      ads: [
        { id: 'big', status: 'ACTIVE', width: 728, height: 90 },
        { id: 'off', status: 'PAUSED', width: 300, height: 250 },
        { id: 'fit', status: 'ACTIVE', width: 300, height: 250 },
      ],
    });
    expect(filled(decide(request(), inputs([c]), seededRandom(1))).adId).toBe('fit');
    const onlyBig = { ...c, ads: [c.ads[0]!] };
    expect(noFill(decide(request(), inputs([onlyBig]), seededRandom(1)))).toBe('NO_ELIGIBLE_ADS');
  });

  it('applies segments, categories, brand-safety blocks and dates', () => {
    const seg = campaign({ id: 'seg', targeting: t({ segments: ['sports'] }) });
    const cat = campaign({ id: 'cat', targeting: t({ categories: ['travel'] }) });
    const safe = campaign({ id: 'safe', blockedCategories: ['news'] });
    const ended = campaign({ id: 'ended', endAt: NOON });
    const world = inputs([seg, cat, safe, ended]);
    const rng = seededRandom(1);
    expect(noFill(decide(request(), world, rng))).toBe('NO_ELIGIBLE_ADS');
    const withSeg = request({ user: { id: 'u', segments: ['music', 'sports'] } });
    expect(filled(decide(withSeg, world, rng)).campaignId).toBe('seg');
    const travel = request();
    travel.context.category = 'travel';
    expect(filled(decide(travel, world, rng)).campaignId).toMatch(/^(cat|safe)$/);
    const unknown = request();
    delete unknown.context.category;
    expect(filled(decide(unknown, world, rng)).campaignId).toBe('safe');
  });

  it('reads the schedule in the advertiser zone', () => {
    // 12:00 UTC on a Wednesday is 21:00 in Tokyo.
    const evening = campaign({
      id: 'ev',
      timezone: 'Asia/Tokyo',
      schedule: [{ days: [3], startHour: 21, endHour: 22 }],
    });
    const morning = campaign({
      id: 'mo',
      timezone: 'Asia/Tokyo',
      schedule: [{ days: [3], startHour: 9, endHour: 12 }],
    });
    expect(filled(decide(request(), inputs([evening, morning]), seededRandom(1))).campaignId).toBe('ev');
    expect(noFill(decide(request({}, NOON + HOUR), inputs([evening, morning]), seededRandom(1)))).toBe(
      'NO_ELIGIBLE_ADS',
    );
  });

  it('honours frequency caps at exactly max and again after the window', () => {
    const c = campaign({ id: 'c', frequencyCaps: [{ scope: 'CAMPAIGN', max: 2, windowMs: DAY }] });
    let exposures = recordExposure(undefined, 'ad-c', 'c', NOON - 2 * HOUR, DAY);
    exposures = recordExposure(exposures, 'ad-c', 'c', NOON - HOUR, DAY);
    const req = (at: number) => request({ user: { id: 'u', exposures } }, at);
    expect(noFill(decide(req(NOON), inputs([c]), seededRandom(1)))).toBe('FREQUENCY_CAPPED');
    expect(filled(decide(req(NOON - 2 * HOUR + DAY), inputs([c]), seededRandom(1))).campaignId).toBe('c');
    const perAd = campaign({ id: 'c', frequencyCaps: [{ scope: 'AD', max: 3, windowMs: DAY }] });
    expect(filled(decide(req(NOON), inputs([perAd]), seededRandom(1))).adId).toBe('ad-c');
  });

  it('skips a campaign whose remaining budget (daily or total, minus reservations) is below its charge', () => {
    const s = state();
    // CPM bid 2,000,000: at most 2,000 micros per impression.
    const c = campaign({ id: 'c', dailyBudgetMicros: 10_000, totalBudgetMicros: 50_000 });
    s.spends.set('c', { spentTodayMicros: 7_000, spentTotalMicros: 7_000, reservedMicros: 1_000 });
    expect(filled(decide(request(), inputs([c], s), seededRandom(1))).chargeMicros).toBeLessThanOrEqual(
      2_000,
    );
    s.spends.set('c', { spentTodayMicros: 7_000, spentTotalMicros: 7_000, reservedMicros: 1_001 });
    expect(noFill(decide(request(), inputs([c], s), seededRandom(1)))).toBe('BUDGET_EXHAUSTED');
    s.spends.set('c', { spentTodayMicros: 0, spentTotalMicros: 48_001, reservedMicros: 0 });
    expect(noFill(decide(request(), inputs([c], s), seededRandom(1)))).toBe('BUDGET_EXHAUSTED');
    const cpc = campaign({ id: 'c', bidType: 'CPC', bidMicros: 5_000, dailyBudgetMicros: 10_000 });
    s.spends.set('c', { spentTodayMicros: 5_001, spentTotalMicros: 5_001, reservedMicros: 0 });
    expect(noFill(decide(request(), inputs([cpc], s), seededRandom(1)))).toBe('BUDGET_EXHAUSTED');
  });
});

describe('decide: auction', () => {
  it('uses the floor as reserve and reports BELOW_FLOOR when no bid reaches it', () => {
    const a = campaign({ id: 'a', bidMicros: 3_000_000 });
    const b = campaign({ id: 'b', bidMicros: 2_000_000 });
    const req = request();
    req.placement.floorMicros = 2_500_000;
    const d = filled(decide(req, inputs([a, b]), seededRandom(1)));
    expect(d.campaignId).toBe('a');
    expect(d.clearingCpmMicros).toBe(2_500_000);
    expect(d.chargeMicros).toBe(2_500);
    req.placement.floorMicros = 3_000_001;
    expect(noFill(decide(req, inputs([a, b]), seededRandom(1)))).toBe('BELOW_FLOOR');
  });

  it('prices second and first price across CPM and CPC bidders', () => {
    const s = state();
    // CPC 400,000 × pCTR 0.02 (well measured) × 1000 = 8,000,000 eCPM against CPM 6,000,000 and 3,000,000.
    const cpc = campaign({ id: 'cpc', bidType: 'CPC', bidMicros: 400_000 });
    s.stats.set('ad-cpc', { impressions: 10_000_000, clicks: 200_000 });
    const hi = campaign({ id: 'hi', bidMicros: 6_000_000 });
    const lo = campaign({ id: 'lo', bidMicros: 3_000_000 });
    const world = inputs([cpc, hi, lo], s);
    const second = filled(decide(request(), world, seededRandom(5)));
    expect(second.campaignId).toBe('cpc');
    expect(second.chargeEvent).toBe('CLICK');
    expect(second.runnerUpEcpmMicros).toBe(6_000_000);
    // 6,000,001 / (pCTR × 1000) ≈ 300,000 micros per click.
    expect(second.chargeMicros).toBeGreaterThan(295_000);
    expect(second.chargeMicros).toBeLessThan(305_000);
    expect(second.chargeMicros).toBe(Math.ceil(6_000_001 / (second.pCtr * 1000)));
    const firstReq = request();
    firstReq.placement.auctionType = 'FIRST_PRICE';
    const first = filled(decide(firstReq, world, seededRandom(5)));
    expect(first.chargeMicros).toBe(400_000);
    // Without the CPC bidder, CPM wins and pays the CPM runner-up.
    const cpm = filled(decide(request(), inputs([hi, lo], s), seededRandom(5)));
    expect([cpm.campaignId, cpm.chargeMicros, cpm.chargeEvent]).toEqual(['hi', 3_000, 'IMPRESSION']);
  });

  it('lets complaints lower an ad in the ranking', () => {
    const s = state();
    const a = campaign({ id: 'a', bidMicros: 3_000_000 });
    const b = campaign({ id: 'b', bidMicros: 2_500_000 });
    expect(filled(decide(request(), inputs([a, b], s), seededRandom(1))).campaignId).toBe('a');
    s.stats.set('ad-a', { impressions: 1000, clicks: 0, complaintRate: 0.01 });
    const d = filled(decide(request(), inputs([a, b], s), seededRandom(1)));
    expect(d.campaignId).toBe('b');
    expect(d.quality).toBe(1);
  });

  it('is reproducible with the same seed', () => {
    const cs = Array.from({ length: 20 }, (_, i) =>
      campaign({
        id: `c${i}`,
        bidType: i % 2 ? 'CPC' : 'CPM',
        bidMicros: i % 2 ? 150_000 : 1_000_000 + i * 50_000,
      }),
    );
    const a = decide(request(), inputs(cs), seededRandom(9));
    const b = decide(request(), inputs(cs), seededRandom(9));
    expect(a).toEqual(b);
  });
});

describe('decide: pacing, attention and propensity', () => {
  it('throttles by the pass rate and reports THROTTLED when every campaign sits out', () => {
    const s = state();
    const c = campaign({ id: 'c', pacing: 'EVEN' });
    s.pacings.set('c', { passRate: 0, bidMultiplier: 1 });
    expect(noFill(decide(request(), inputs([c], s), seededRandom(1)))).toBe('THROTTLED');
    s.pacings.set('c', { passRate: 0.3, bidMultiplier: 1 });
    const rng = seededRandom(2);
    let fills = 0;
    for (let i = 0; i < 4000; i++) if (decide(request(), inputs([c], s), rng).filled) fills++;
    expect(fills / 4000).toBeGreaterThan(0.27);
    expect(fills / 4000).toBeLessThan(0.33);
    // ASAP campaigns ignore pacing state.
    const asap = { ...c, pacing: 'ASAP' as const };
    s.pacings.set('c', { passRate: 0, bidMultiplier: 0.5 });
    expect(filled(decide(request(), inputs([asap], s), seededRandom(1))).bidMultiplier).toBe(1);
  });

  it("sits a paced campaign out while its spend this hour is half a charge ahead of the hour's plan", () => {
    const s = state();
    // CPM bid 2,000,000: at most 2,000 micros per impression, so half a charge is 1,000.
    const c = campaign({ id: 'c', pacing: 'EVEN', dailyBudgetMicros: 1_000_000 });
    // 12,000 micros planned from 11:30 to 12:30 on top of 10,000 spent: 6,000 due at noon.
    const hourPlan = {
      fromMs: NOON - HOUR / 2,
      toMs: NOON + HOUR / 2,
      startSpentMicros: 10_000,
      micros: 12_000,
    };
    s.pacings.set('c', { passRate: 1, bidMultiplier: 1, hourPlan });
    const spent = (micros: number) =>
      s.spends.set('c', { spentTodayMicros: micros, spentTotalMicros: micros, reservedMicros: 0 });
    spent(15_000);
    expect(filled(decide(request(), inputs([c], s), seededRandom(1))).campaignId).toBe('c');
    spent(15_001);
    expect(noFill(decide(request(), inputs([c], s), seededRandom(1)))).toBe('THROTTLED');
    // Later in the hour the plan has caught up.
    const later = request();
    later.context.at = NOON + HOUR / 4;
    expect(filled(decide(later, inputs([c], s), seededRandom(1))).campaignId).toBe('c');
    // ASAP campaigns are not paced.
    expect(filled(decide(request(), inputs([{ ...c, pacing: 'ASAP' }], s), seededRandom(1))).campaignId).toBe(
      'c',
    );
  });

  it("counts a CPM campaign's open reservations in the hour's plan, not a CPC campaign's", () => {
    const s = state();
    const hourPlan = {
      fromMs: NOON - HOUR / 2,
      toMs: NOON + HOUR / 2,
      startSpentMicros: 10_000,
      micros: 12_000,
    };
    const cpm = campaign({ id: 'c', pacing: 'EVEN', dailyBudgetMicros: 1_000_000 });
    s.pacings.set('c', { passRate: 1, bidMultiplier: 1, hourPlan });
    const book = (spentTodayMicros: number, reservedMicros: number) =>
      s.spends.set('c', { spentTodayMicros, spentTotalMicros: spentTodayMicros, reservedMicros });
    // 14,000 spent and 1,000 promised to impressions not yet recorded: 15,000, still on plan.
    book(14_000, 1_000);
    expect(filled(decide(request(), inputs([cpm], s), seededRandom(1))).campaignId).toBe('c');
    // 14,000 spent and 2,000 promised: ahead of the plan, as 16,000 spent would be.
    book(14_000, 2_000);
    expect(noFill(decide(request(), inputs([cpm], s), seededRandom(1)))).toBe('THROTTLED');
    // A CPC campaign's reservations are whole clicks that mostly never happen: only its spend counts.
    const cpc = { ...cpm, bidType: 'CPC' as const, bidMicros: 1_000 };
    book(10_000, 50_000);
    expect(filled(decide(request(), inputs([cpc], s), seededRandom(1))).campaignId).toBe('c');
  });

  it('shades the bid and raises it for attentive hours, within the bounds and the bid cap', () => {
    const hours = new Array(168).fill(1);
    const req = request({ user: { id: 'u', engagementByHour: hours } });
    // NOON is Wednesday 12:00 UTC: week hour 2 × 24 + 12.
    hours[60] = 3;
    expect(attentionMultiplier(hours, NOON)).toBeCloseTo(1.3);
    expect(attentionMultiplier(hours, NOON + HOUR)).toBeCloseTo(168 / 170, 5);
    expect(attentionMultiplier(undefined, NOON)).toBe(1);
    expect(attentionMultiplier(new Array(168).fill(0), NOON)).toBe(1);
    expect(
      attentionMultiplier(
        hours.map((v, i) => (i === 60 ? 0 : v)),
        NOON,
        { min: 0.5, max: 2 },
      ),
    ).toBe(0.5);
    const s = state();
    const c = campaign({ id: 'c', pacing: 'EVEN', bidMicros: 2_000_000 });
    s.pacings.set('c', { passRate: 1, bidMultiplier: 0.5 });
    const d = filled(decide(req, inputs([c], s), seededRandom(1)));
    expect(d.attentionMultiplier).toBeCloseTo(1.3);
    expect(d.bidMultiplier).toBeCloseTo(0.65);
    expect(d.ecpmMicros).toBe(1_300_000);
    s.pacings.set('c', { passRate: 1, bidMultiplier: 1 });
    expect(filled(decide(req, inputs([c], s), seededRandom(1))).ecpmMicros).toBe(2_000_000);
  });

  it('gives a propensity in (0, 1] close to the empirical win frequency', () => {
    const s = state();
    const a = campaign({ id: 'a', bidType: 'CPC', bidMicros: 100_000 });
    const b = campaign({ id: 'b', bidType: 'CPC', bidMicros: 120_000 });
    const c = campaign({ id: 'c', bidMicros: 1_000_000, pacing: 'EVEN' });
    s.stats.set('ad-a', { impressions: 2_000, clicks: 24 });
    s.stats.set('ad-b', { impressions: 500, clicks: 4 });
    s.pacings.set('c', { passRate: 0.5, bidMultiplier: 1 });
    const world = inputs([a, b, c], s);
    const rng = seededRandom(21);
    const n = 3000;
    const wins = new Map<string, number>();
    const propensity = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const d = filled(decide(request(), world, rng, { propensityDraws: 64 }));
      expect(d.propensity).toBeGreaterThan(0);
      expect(d.propensity).toBeLessThanOrEqual(1);
      wins.set(d.campaignId, (wins.get(d.campaignId) ?? 0) + 1);
      propensity.set(d.campaignId, (propensity.get(d.campaignId) ?? 0) + d.propensity);
    }
    expect(wins.size).toBe(3);
    for (const [id, w] of wins) {
      // The win probability is the same for every request here, so the mean propensity reported with
      // `id`'s wins estimates it: it must match how often `id` won.
      expect(Math.abs(propensity.get(id)! / w - w / n)).toBeLessThan(0.03);
    }
    // Nothing random: exactly 1.
    const sure = decide(request(), inputs([campaign({ id: 'x' })]), rng);
    expect(filled(sure).propensity).toBe(1);
  });
});

import { utcHourOfWeek } from '@attention-mesh/platform';
import { aheadOfPlan } from './aheadOfPlan.js';
import { type AttentionBounds, attentionMultiplier } from './attentionMultiplier.js';
import { sampleBeta } from './betaSampling.js';
import { clearingPrice, ecpmOf } from './clearingPrice.js';
import { type CtrPosterior, ctrPosterior } from './ctrPosterior.js';
import type { EligibilityIndex } from './eligibilityIndex.js';
import { capsAllow } from './frequencyCaps.js';
import { complaintFactor, placementAttentionFactor, type QualityOptions } from './qualityFactor.js';
import { isRunning } from './schedule.js';
import type {
  AdStats,
  CtrFeatures,
  Decision,
  DecisionAd,
  DecisionCampaign,
  DecisionRequest,
  DecisionState,
  LoggedCandidate,
  NoFillReason,
  PacingState,
  Rng,
} from './types.js';

/** Options of `decide`; every one has a default. */
export interface DecisionOptions {
  /** The pCTR model for one candidate; without it, each ad's `priorCtr` or `defaultCtr`. */
  predictCtr?: (features: CtrFeatures) => number;
  /** pCTR when there is neither a model nor an ad prior. Default 0.01. */
  defaultCtr?: number;
  /** Weight of the model's pCTR in the Beta-Binomial blend, in pseudo-impressions. Default 200. */
  priorStrength?: number;
  /** Re-draws used to estimate the propensity of the choice. Default 16. */
  propensityDraws?: number;
  /** Most candidates re-drawn for the propensity (the best by upper bound). Default 64. */
  maxPropensityCandidates?: number;
  /** Width of the pCTR interval, in posterior standard deviations, that prunes hopeless draws. Default 4. */
  pruneZ?: number;
  attention?: AttentionBounds;
  quality?: QualityOptions;
  /**
   * Exploration of the logging policy in [0, 1): with this probability the ad is drawn uniformly from the
   * exploration set (candidates of campaigns that passed the throttle whose mean eCPM clears the floor)
   * instead of by the auction's Thompson draws. Default 0 (none).
   */
  explorationEpsilon?: number;
  /**
   * Most candidates logged with a filled decision (the best by mean score, the chosen one always), each
   * with its posterior pCTR (a model call for a CPM candidate). Default 0: none.
   */
  maxLoggedCandidates?: number;
}

/** What a decision reads besides the request: the eligibility index and the caller's state. */
export interface DecisionInputs {
  index: EligibilityIndex;
  state: DecisionState;
}

interface Candidate {
  campaign: DecisionCampaign;
  ad: DecisionAd;
  /** Index of the campaign among this request's campaigns (one throttle draw per campaign). */
  slot: number;
  bidMicros: number;
  passRate: number;
  bidMultiplier: number;
  /** The pCTR posterior; computed lazily for CPM candidates, whose eCPM does not depend on it. */
  post: CtrPosterior | null;
  stats: AdStats | undefined;
  quality: number;
  lowEcpm: number;
  highEcpm: number;
}

const NO_STATE: PacingState = { passRate: 1, bidMultiplier: 1 };

function intersects(a: readonly string[], b: readonly string[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

/** A candidate's eCPM at its posterior mean pCTR (CPM: the bid). */
function meanEcpm(c: Candidate): number {
  return c.campaign.bidType === 'CPC' && c.post ? ecpmOf('CPC', c.bidMicros, c.post.mean) : c.bidMicros;
}

/** A draw of one candidate's eCPM: CPC ads by Thompson sampling from their pCTR posterior. */
function drawCtr(c: Candidate, rng: Rng): number {
  return c.post ? sampleBeta(rng, c.post.alpha, c.post.beta) : 0;
}

/**
 * One ad decision for a placement: eligibility (index lookup, then status, dates, schedule in the
 * advertiser's zone, segments, categories, blocked categories, size, frequency caps and budget), ranking
 * by eCPM × quality with CPC pCTRs drawn by Thompson sampling from the Beta-Binomial blend of the model
 * and the ad's clicks, pacing (throttling by the campaign's pass rate, bid shading by its multiplier),
 * the user's attention multiplier for this hour, and the auction price with the floor as reserve.
 *
 * Attention: the user's multiplier for this hour (`attentionMultiplier`, 0.7..1.3 by default) scales both
 * the pacing bid multiplier and the pass rate of a paced campaign, each capped at 1, so a campaign never
 * bids above its bid cap: attentive hours win back what pacing held back, inattentive ones bid lower.
 * The placement's attention score enters the quality factor with the complaint penalty. Being common to
 * all candidates of one request, it changes neither their order nor the second price (which divides the
 * runner-up's score by the winner's quality); it is reported in `quality` so logged scores compare
 * across placements. The per-ad complaint penalty is what reorders candidates.
 *
 * Propensity: the choice is random (throttling and Thompson draws), so the same draw is re-run
 * `propensityDraws` times with the rng over the candidates that can still win (those whose eCPM upper
 * bound reaches the best sure lower bound, at most `maxPropensityCandidates`) and the propensity is
 * `(1 + re-draws won by the chosen ad) / (1 + propensityDraws)`: in (0, 1], 1 when nothing is random.
 * Exploration (`explorationEpsilon`): with that probability the ad is drawn uniformly from the
 * exploration set instead (see `DecisionOptions`); the propensity mixes both (see `propensity`), so every
 * ad of the set has at least `ε / |set|` and importance weights stay bounded for off-policy evaluation.
 * An explored winner is priced by the same rule, against the campaigns it outranks at mean scores, and
 * only budgets that passed the gate are explored: exploration moves no charge above a bid or below the
 * floor, and spends no budget a normal win could not.
 * Pure: time comes from the request, randomness from `rng`; the caller records the decision, reserves
 * the charge and signs the tokens.
 */
export function decide(
  request: DecisionRequest,
  inputs: DecisionInputs,
  rng: Rng,
  options: DecisionOptions = {},
): Decision {
  const { placement, context, user } = request;
  const at = context.at;
  const exposures = user?.exposures;
  const segments = user?.segments ?? [];
  const strength = options.priorStrength ?? 200;
  const defaultCtr = options.defaultCtr ?? 0.01;
  const z = options.pruneZ ?? 4;
  const attention = attentionMultiplier(user?.engagementByHour, at, options.attention);
  const placementFactor = placementAttentionFactor(placement.attentionScore, options.quality);
  const hourOfWeek = options.predictCtr ? utcHourOfWeek(at) : 0;

  const priorCtr = (campaign: DecisionCampaign, ad: DecisionAd): number =>
    options.predictCtr
      ? options.predictCtr({
          campaignId: campaign.id,
          adId: ad.id,
          advertiserId: campaign.advertiserId,
          placementId: placement.id,
          bidType: campaign.bidType,
          category: context.category,
          device: context.device,
          country: context.country,
          segments,
          hourOfWeek,
        })
      : (ad.priorCtr ?? defaultCtr);
  const posteriorOf = (c: Candidate): CtrPosterior => {
    c.post ??= ctrPosterior(priorCtr(c.campaign, c.ad), c.stats, strength);
    return c.post;
  };
  let capped = 0;
  let broke = 0;
  let throttled = 0;
  const candidates: Candidate[] = [];
  const campaigns = inputs.index.lookup(placement.id, context.country, context.device, placement);
  let slots = 0;
  for (const campaign of campaigns) {
    if (!isRunning(campaign, at)) continue;
    const t = campaign.targeting;
    if (t.segments.length > 0 && !intersects(t.segments, segments)) continue;
    if (
      t.categories.length > 0 &&
      (context.category === undefined || !t.categories.includes(context.category))
    )
      continue;
    if (context.category !== undefined && campaign.blockedCategories.includes(context.category)) continue;
    const campaignCapOk = capsAllow(campaign.frequencyCaps, 'CAMPAIGN', exposures, campaign.id, at);
    let sized = false;
    const ads: DecisionAd[] = [];
    for (const a of campaign.ads) {
      if (a.status !== 'ACTIVE' || a.width !== placement.width || a.height !== placement.height) continue;
      sized = true;
      if (campaignCapOk && capsAllow(campaign.frequencyCaps, 'AD', exposures, a.id, at)) ads.push(a);
    }
    if (!sized) continue;
    if (ads.length === 0) {
      capped++;
      continue;
    }
    const paced = campaign.pacing !== 'ASAP';
    const pacing = (paced && inputs.state.pacing(campaign.id)) || NO_STATE;
    const bidMultiplier = Math.min(1, pacing.bidMultiplier * attention);
    const bidMicros = Math.max(1, Math.floor(campaign.bidMicros * bidMultiplier));
    const passRate = pacing.passRate >= 1 ? 1 : Math.min(1, Math.max(0, pacing.passRate * attention));
    const spend = inputs.state.spend(campaign.id);
    const reserved = spend?.reservedMicros ?? 0;
    let remaining = campaign.dailyBudgetMicros - (spend?.spentTodayMicros ?? 0) - reserved;
    if (campaign.totalBudgetMicros !== null) {
      remaining = Math.min(remaining, campaign.totalBudgetMicros - (spend?.spentTotalMicros ?? 0) - reserved);
    }
    const maxCharge = campaign.bidType === 'CPM' ? Math.max(1, Math.floor(bidMicros / 1000)) : bidMicros;
    if (remaining < maxCharge) {
      broke++;
      continue;
    }
    // A CPM reservation is an impression the client records seconds later: counted as spent here, so a
    // burst of decisions inside that lag cannot all pass the gate. A CPC reservation (a whole click held
    // until the token expires, most never clicked) is not.
    const committed = (spend?.spentTodayMicros ?? 0) + (campaign.bidType === 'CPM' ? reserved : 0);
    if (pacing.hourPlan && aheadOfPlan(pacing.hourPlan, committed, maxCharge, at)) {
      throttled++;
      continue;
    }
    const slot = slots++;
    const cpc = campaign.bidType === 'CPC';
    for (const ad of ads) {
      const stats = inputs.state.adStats(ad.id);
      const quality = complaintFactor(stats?.complaintRate, options.quality) * placementFactor;
      if (!cpc) {
        // A CPM bid's eCPM does not depend on the pCTR: no model call unless it wins (see `posteriorOf`).
        const ecpm = bidMicros;
        candidates.push({
          campaign,
          ad,
          slot,
          bidMicros,
          passRate,
          bidMultiplier,
          post: null,
          stats,
          quality,
          lowEcpm: ecpm,
          highEcpm: ecpm,
        });
        continue;
      }
      const post = ctrPosterior(priorCtr(campaign, ad), stats, strength);
      candidates.push({
        campaign,
        ad,
        slot,
        bidMicros,
        passRate,
        bidMultiplier,
        post,
        stats,
        quality,
        lowEcpm: ecpmOf('CPC', bidMicros, Math.max(0, post.mean - z * post.sd)),
        highEcpm: ecpmOf('CPC', bidMicros, Math.min(1, post.mean + z * post.sd)),
      });
    }
  }
  const n = candidates.length;
  if (n === 0) {
    const reason: NoFillReason =
      capped === 0 && broke === 0 && throttled === 0
        ? 'NO_ELIGIBLE_ADS'
        : capped >= broke && capped >= throttled
          ? 'FREQUENCY_CAPPED'
          : broke >= throttled
            ? 'BUDGET_EXHAUSTED'
            : 'THROTTLED';
    return { filled: false, reason, candidates: 0 };
  }

  const floor = placement.floorMicros;
  // The actual draw: one throttle coin per campaign, then Thompson draws among the survivors that can win.
  const pass: boolean[] = new Array(slots);
  for (let s = 0; s < slots; s++) pass[s] = true;
  let lastSlot = -1;
  for (const c of candidates) {
    // A campaign's ads are consecutive: one coin for the first.
    if (c.slot === lastSlot) continue;
    lastSlot = c.slot;
    if (c.passRate < 1) pass[c.slot] = rng.next() < c.passRate;
  }
  let sureLow = 0;
  let anyPass = false;
  for (const c of candidates) {
    if (!pass[c.slot]) continue;
    anyPass = true;
    if (c.lowEcpm >= floor) sureLow = Math.max(sureLow, c.lowEcpm * c.quality);
  }
  if (!anyPass) return { filled: false, reason: 'THROTTLED', candidates: n };

  let winner: Candidate | null = null;
  let winnerCtr = 0;
  let winnerScore = -1;
  // Exploration: one coin, then a uniform pick from the exploration set (only with epsilon > 0, so the
  // rng sequence of a decision without exploration is what it always was).
  const epsilon = options.explorationEpsilon ?? 0;
  const explorable = candidates.filter((c) => pass[c.slot] && meanEcpm(c) >= floor);
  let explored = false;
  if (epsilon > 0 && explorable.length > 0 && rng.next() < epsilon) {
    winner = explorable[Math.min(explorable.length - 1, Math.floor(rng.next() * explorable.length))]!;
    winnerCtr = winner.campaign.bidType === 'CPC' && winner.post ? winner.post.mean : 0;
    winnerScore = meanEcpm(winner) * winner.quality;
    explored = true;
  }
  const drawn: { c: Candidate; score: number }[] = [];
  for (const c of explored ? [] : candidates) {
    if (!pass[c.slot] || c.highEcpm < floor || c.highEcpm * c.quality < sureLow) continue;
    const ctr = drawCtr(c, rng);
    const ecpm = ecpmOf(c.campaign.bidType, c.bidMicros, ctr);
    const score = ecpm * c.quality;
    drawn.push({ c, score });
    if (ecpm >= floor && score > winnerScore) {
      winner = c;
      winnerCtr = ctr;
      winnerScore = score;
    }
  }
  if (!winner) return { filled: false, reason: 'BELOW_FLOOR', candidates: n };
  // A CPM winner was ranked without a pCTR; report its posterior mean.
  if (!winner.post) winnerCtr = posteriorOf(winner).mean;

  // The runner-up of another campaign: drawn scores, or the mean score of those not drawn. An explored
  // winner pays the second price among the campaigns it outranks at mean scores (the floor when it
  // outranks none): never above its own bid, never below the floor, as for an auction winner.
  let runnerUp: number | null = null;
  if (explored) {
    for (const c of explorable) {
      if (c.campaign.id === winner.campaign.id) continue;
      const score = meanEcpm(c) * c.quality;
      if (score <= winnerScore && (runnerUp === null || score > runnerUp)) runnerUp = score;
    }
  }
  for (const d of drawn) {
    if (d.c.campaign.id !== winner.campaign.id && (runnerUp === null || d.score > runnerUp))
      runnerUp = d.score;
  }
  for (const c of explored ? [] : candidates) {
    if (!pass[c.slot] || c.campaign.id === winner.campaign.id) continue;
    if (c.highEcpm >= floor && c.highEcpm * c.quality >= sureLow) continue;
    const score = (c.post ? ecpmOf('CPC', c.bidMicros, c.post.mean) : c.bidMicros) * c.quality;
    if (runnerUp === null || score > runnerUp) runnerUp = score;
  }
  const price = clearingPrice(
    {
      bidType: winner.campaign.bidType,
      bidMicros: winner.bidMicros,
      pCtr: winnerCtr,
      quality: winner.quality,
    },
    runnerUp,
    floor,
    placement.auctionType,
  );

  return {
    filled: true,
    campaignId: winner.campaign.id,
    advertiserId: winner.campaign.advertiserId,
    adId: winner.ad.id,
    bidType: winner.campaign.bidType,
    ecpmMicros: Math.floor(ecpmOf(winner.campaign.bidType, winner.bidMicros, winnerCtr)),
    clearingCpmMicros: price.clearingCpmMicros,
    chargeMicros: price.chargeMicros,
    chargeEvent: winner.campaign.bidType === 'CPM' ? 'IMPRESSION' : 'CLICK',
    pCtr: winnerCtr,
    pCtrMean: posteriorOf(winner).mean,
    propensity: propensity(candidates, winner, floor, rng, options, explored, pass),
    explored,
    explorationSet: explorable.length,
    logged: loggedCandidates(candidates, pass, winner, floor, options.maxLoggedCandidates ?? 0, posteriorOf),
    candidates: n,
    quality: winner.quality,
    attentionMultiplier: attention,
    bidMultiplier: winner.bidMultiplier,
    runnerUpEcpmMicros:
      placement.auctionType === 'SECOND_PRICE' && runnerUp !== null
        ? Math.floor(runnerUp / winner.quality)
        : 0,
  };
}

/**
 * The candidates of the auction (campaigns that passed the throttle) with the best mean scores, the
 * chosen one always among them, with what a reward model and a candidate policy need.
 */
function loggedCandidates(
  candidates: readonly Candidate[],
  pass: readonly boolean[],
  chosen: Candidate,
  floor: number,
  max: number,
  posteriorOf: (c: Candidate) => CtrPosterior,
): LoggedCandidate[] {
  if (max <= 0) return [];
  // Bounded insertion: one pass over the candidates, at most `max` kept in order.
  const top: { c: Candidate; score: number }[] = [];
  for (const c of candidates) {
    if (!pass[c.slot]) continue;
    const score = meanEcpm(c) * c.quality;
    if (top.length === max && score <= top[max - 1]!.score) continue;
    let i = top.length;
    while (i > 0 && top[i - 1]!.score < score) i--;
    top.splice(i, 0, { c, score });
    if (top.length > max) top.pop();
  }
  if (!top.some((t) => t.c === chosen)) {
    if (top.length === max) top.pop();
    top.push({ c: chosen, score: meanEcpm(chosen) * chosen.quality });
  }
  return top.map(({ c }) => {
    const pctr = posteriorOf(c).mean;
    const ecpm = ecpmOf(c.campaign.bidType, c.bidMicros, pctr);
    return {
      adId: c.ad.id,
      campaignId: c.campaign.id,
      bidType: c.campaign.bidType,
      bidMicros: c.bidMicros,
      pctr,
      ecpmMicros: Math.floor(c.campaign.bidType === 'CPM' ? c.bidMicros : ecpm),
      quality: c.quality,
      eligible: meanEcpm(c) >= floor,
    };
  });
}

/**
 * The propensity of the chosen ad under the logging policy: `(1 − ε) · P(auction picks it) + ε ·
 * P(exploration picks it)`. The auction's part is the re-draw estimate below (without the actual draw
 * when the actual choice was an exploration); the exploration part is exact, `1 / |set|` when it is in
 * the exploration set, or, when some campaign is throttled (the set then depends on the throttle
 * coins), its average over re-drawn coins. Draws where the set is empty explore nothing (the auction's
 * part stands in for them).
 */
function propensity(
  candidates: readonly Candidate[],
  chosen: Candidate,
  floor: number,
  rng: Rng,
  options: DecisionOptions,
  explored: boolean,
  pass: readonly boolean[],
): number {
  const epsilon = options.explorationEpsilon ?? 0;
  if (epsilon <= 0) return auctionPropensity(candidates, chosen, floor, rng, options, true);
  const ts = auctionPropensity(candidates, chosen, floor, rng, options, !explored);
  // Members of the exploration set by campaign slot: the set's size for given throttle coins is the sum
  // over the slots that passed, so a re-draw costs one coin per throttled campaign.
  const members = new Map<number, { count: number; passRate: number }>();
  for (const c of candidates) {
    if (meanEcpm(c) < floor) continue;
    const m = members.get(c.slot);
    if (m) m.count++;
    else members.set(c.slot, { count: 1, passRate: c.passRate });
  }
  const chosenIn = meanEcpm(chosen) >= floor;
  const share = (size: number, chosenPassed: boolean) =>
    size === 0 ? ts : chosenIn && chosenPassed ? 1 / size : 0;
  let sure = 0;
  let actual = 0;
  const throttled: { slot: number; count: number; passRate: number }[] = [];
  for (const [slot, m] of members) {
    if (pass[slot]) actual += m.count;
    if (m.passRate >= 1) sure += m.count;
    else throttled.push({ slot, ...m });
  }
  let exploration = share(actual, pass[chosen.slot]!);
  if (throttled.length > 0) {
    const draws = Math.max(0, options.propensityDraws ?? 16);
    let sum = exploration;
    for (let d = 0; d < draws; d++) {
      let size = sure;
      let chosenPassed = chosen.passRate >= 1;
      for (const t of throttled) {
        if (rng.next() < t.passRate) {
          size += t.count;
          if (t.slot === chosen.slot) chosenPassed = true;
        }
      }
      sum += share(size, chosenPassed);
    }
    exploration = sum / (1 + draws);
  }
  return Math.min(1, (1 - epsilon) * ts + epsilon * exploration);
}

/**
 * See `decide`: the share of re-draws (plus the actual one, when `actualWon`) that the chosen ad wins in
 * the auction; exact (0 or 1) when nothing is random.
 */
function auctionPropensity(
  candidates: readonly Candidate[],
  chosen: Candidate,
  floor: number,
  rng: Rng,
  options: DecisionOptions,
  actualWon: boolean,
): number {
  const draws = options.propensityDraws ?? 16;
  let sureLow = 0;
  for (const c of candidates) {
    if (c.passRate >= 1 && c.lowEcpm >= floor) sureLow = Math.max(sureLow, c.lowEcpm * c.quality);
  }
  let pool = candidates.filter((c) => c.highEcpm >= floor && c.highEcpm * c.quality >= sureLow);
  const random = pool.some((c) => c.passRate < 1 || c.campaign.bidType === 'CPC');
  if (!random || draws <= 0) {
    if (actualWon) return 1;
    // Nothing random: the auction's winner is the best score at or above the floor, first on ties.
    let best: Candidate | null = null;
    let bestScore = -1;
    for (const c of pool) {
      const ecpm = meanEcpm(c);
      if (ecpm >= floor && ecpm * c.quality > bestScore) {
        best = c;
        bestScore = ecpm * c.quality;
      }
    }
    return best === chosen ? 1 : 0;
  }
  const max = options.maxPropensityCandidates ?? 64;
  if (pool.length > max) {
    pool = [...pool].sort((a, b) => b.highEcpm * b.quality - a.highEcpm * a.quality).slice(0, max);
    if (!pool.includes(chosen)) return actualWon ? 1 / (1 + draws) : 0;
  }
  const coin = new Map<number, boolean>();
  let wins = 0;
  for (let d = 0; d < draws; d++) {
    coin.clear();
    let best: Candidate | null = null;
    let bestScore = -1;
    for (const c of pool) {
      let passed = coin.get(c.slot);
      if (passed === undefined) {
        passed = c.passRate >= 1 || rng.next() < c.passRate;
        coin.set(c.slot, passed);
      }
      if (!passed) continue;
      const ecpm = ecpmOf(c.campaign.bidType, c.bidMicros, drawCtr(c, rng));
      const score = ecpm * c.quality;
      if (ecpm >= floor && score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    if (best === chosen) wins++;
  }
  return actualWon ? (1 + wins) / (1 + draws) : wins / draws;
}

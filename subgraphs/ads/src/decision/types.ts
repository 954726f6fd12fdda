/**
 * The plain inputs and outputs of the ad decision. Money is integer micros (a CPM bid is micros per
 * 1,000 impressions, a CPC bid micros per click); time is epoch ms. Nothing here knows GraphQL or the
 * database: the subgraph maps its documents onto these shapes and keeps the state between decisions.
 */

/** A source of uniform numbers in [0, 1): `seededRandom(seed)` from the platform fits. */
export interface Rng {
  next(): number;
}

export type BidType = 'CPM' | 'CPC';
export type PacingMode = 'EVEN' | 'ASAP' | 'FRONTLOADED';
export type AuctionType = 'FIRST_PRICE' | 'SECOND_PRICE';
export type DecisionStatus = 'ACTIVE' | 'PAUSED' | 'ARCHIVED';

/** Hours in the advertiser's time zone: `startHour` 0..23 inclusive to `endHour` 1..24 exclusive. */
export interface ScheduleWindow {
  /** 0 = Sunday .. 6 = Saturday. */
  days: number[];
  startHour: number;
  endHour: number;
}

/** An empty list means any. */
export interface DecisionTargeting {
  countries: string[];
  devices: string[];
  segments: string[];
  categories: string[];
  placementIds: string[];
}

export interface FrequencyCap {
  scope: 'AD' | 'CAMPAIGN';
  max: number;
  windowMs: number;
}

export interface DecisionAd {
  id: string;
  status: DecisionStatus;
  width: number;
  height: number;
  /** The model's pCTR for this ad when no `predictCtr` is given (default `DecisionOptions.defaultCtr`). */
  priorCtr?: number;
}

export interface DecisionCampaign {
  id: string;
  advertiserId: string;
  /** IANA zone of the advertiser: schedules are read in it. */
  timezone: string;
  status: DecisionStatus;
  startAt: number;
  endAt: number | null;
  /** Empty: always. */
  schedule: ScheduleWindow[];
  bidType: BidType;
  /** The bid cap: the campaign never pays more than this per unit (impression ×1000 or click). */
  bidMicros: number;
  pacing: PacingMode;
  dailyBudgetMicros: number;
  totalBudgetMicros: number | null;
  targeting: DecisionTargeting;
  /** Content categories this campaign must never appear next to (brand safety). */
  blockedCategories: string[];
  frequencyCaps: FrequencyCap[];
  ads: DecisionAd[];
}

export interface DecisionPlacement {
  id: string;
  width: number;
  height: number;
  floorMicros: number;
  auctionType: AuctionType;
  /** The placement's measured attention score in [0, 1], when known. */
  attentionScore?: number;
}

/**
 * Recent exposures of one user, ascending epoch ms per ad and per campaign. Plain JSON: the caller
 * persists it and passes it back (see `recordExposure`).
 */
export interface ExposureHistory {
  ads: Record<string, number[]>;
  campaigns: Record<string, number[]>;
}

export interface DecisionUser {
  id: string;
  segments?: string[];
  exposures?: ExposureHistory;
  /**
   * Predicted engagement by UTC hour of the week from Monday 00:00 (168 values >= 0, shares or
   * probabilities: only their ratio to the user's own mean matters). Absent: no attention multiplier.
   */
  engagementByHour?: readonly number[];
}

export interface DecisionContext {
  category?: string;
  device?: string;
  country?: string;
  /** The decision time, epoch ms. */
  at: number;
}

export interface DecisionRequest {
  placement: DecisionPlacement;
  user?: DecisionUser;
  context: DecisionContext;
}

/** Money a campaign has used; `reservedMicros` are charges promised to decisions not yet settled. */
export interface CampaignSpend {
  spentTodayMicros: number;
  spentTotalMicros: number;
  reservedMicros: number;
}

/** Observed delivery of one ad, for the Beta-Binomial blend with the model's pCTR. */
export interface AdStats {
  impressions: number;
  clicks: number;
  /** Complaints per impression in [0, 1]; penalises the ad's rank. */
  complaintRate?: number;
}

/** What the pacing controller sets each minute (see `stepPacing`). */
export interface PacingState {
  /** Probability in [0, 1] that the campaign takes part in an auction. */
  passRate: number;
  /** Bid shading in (0, 1]: the bid is multiplied by it. */
  bidMultiplier: number;
  /** The current clock hour's spend plan, when the controller has made one (see `HourPlan`). */
  hourPlan?: HourPlan;
}

/**
 * What a paced campaign may spend in the current clock hour: `micros` spread evenly from `fromMs` to
 * `toMs` on top of `startSpentMicros` (its spend today when the plan was made). The decision skips a
 * campaign whose spend (with a CPM campaign's open reservations) is already ahead of the plan so far by
 * half a charge, so an hour ends at most half a charge above its plan: counting noise on the throttle
 * cannot pile charges into one hour.
 */
export interface HourPlan {
  fromMs: number;
  toMs: number;
  startSpentMicros: number;
  micros: number;
}

/** Lookups of the state kept by the caller between decisions. Missing entries mean zero / neutral. */
export interface DecisionState {
  spend(campaignId: string): CampaignSpend | undefined;
  adStats(adId: string): AdStats | undefined;
  pacing(campaignId: string): PacingState | undefined;
}

/** The features offered to a pCTR model for one candidate. */
export interface CtrFeatures {
  campaignId: string;
  adId: string;
  advertiserId: string;
  placementId: string;
  bidType: BidType;
  category?: string;
  device?: string;
  country?: string;
  segments: readonly string[];
  /** UTC hour of the week from Monday 00:00. */
  hourOfWeek: number;
}

export type NoFillReason =
  | 'NO_ELIGIBLE_ADS'
  | 'FREQUENCY_CAPPED'
  | 'BUDGET_EXHAUSTED'
  | 'THROTTLED'
  | 'BELOW_FLOOR';

export interface DecisionFill {
  filled: true;
  campaignId: string;
  advertiserId: string;
  adId: string;
  bidType: BidType;
  /** The winner's eCPM bid after shading and the attention multiplier, micros per 1,000 impressions. */
  ecpmMicros: number;
  /** The eCPM the auction cleared at (what the winner pays, per 1,000 impressions). */
  clearingCpmMicros: number;
  /** Charged per impression (CPM) or per click (CPC), integer micros >= 1. */
  chargeMicros: number;
  chargeEvent: 'IMPRESSION' | 'CLICK';
  /** The pCTR used for ranking (a Thompson draw for CPC ads), and the blended posterior mean. */
  pCtr: number;
  pCtrMean: number;
  /**
   * Estimated probability that the logging policy (the auction mixed with exploration) chooses this ad
   * given the same request and state, in (0, 1].
   */
  propensity: number;
  /** Chosen by exploration rather than by the auction's draws. */
  explored: boolean;
  /** Size of the exploration set (candidates that passed the throttle with a mean eCPM at the floor). */
  explorationSet: number;
  /** The best candidates by mean score (bounded), the chosen one always among them. */
  logged: LoggedCandidate[];
  /** Eligible ads (after targeting, schedule, caps, budget and size). */
  candidates: number;
  /** The quality factor (complaint penalty × placement attention) and the multipliers applied. */
  quality: number;
  attentionMultiplier: number;
  bidMultiplier: number;
  /** The eCPM that set a second price (0 when none: first price or a lone bidder at the floor). */
  runnerUpEcpmMicros: number;
}

/** A candidate of a filled decision as logged for off-policy evaluation. */
export interface LoggedCandidate {
  adId: string;
  campaignId: string;
  bidType: BidType;
  /** The bid after shading and the attention multiplier, integer micros. */
  bidMicros: number;
  /** The posterior mean pCTR. */
  pctr: number;
  /** eCPM at that pCTR (CPM: the bid), integer micros. */
  ecpmMicros: number;
  quality: number;
  /** In the exploration set (mean eCPM at or above the floor). */
  eligible: boolean;
}

export interface DecisionNoFill {
  filled: false;
  reason: NoFillReason;
  candidates: number;
}

export type Decision = DecisionFill | DecisionNoFill;

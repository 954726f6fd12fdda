import { type Connection, Schema } from 'mongoose';

/** The decision log and the spend ledger. Money in integer micros; times in epoch ms. */

export type AdEventType = 'IMPRESSION' | 'CLICK' | 'CONVERSION';

/** One `requestAds`, filled or not, with what off-policy evaluation needs. */
export interface DecisionDoc {
  _id: string;
  at: number;
  placementId: string;
  userId: string | null;
  category: string | null;
  device: string | null;
  country: string | null;
  candidates: number;
  adId: string | null;
  campaignId: string | null;
  advertiserId: string | null;
  bidType: 'CPM' | 'CPC' | null;
  ecpmMicros: number | null;
  priceMicros: number | null;
  chargeMicros: number | null;
  pctr: number | null;
  /** The winner's quality factor (complaint penalty × the placement's measured attention). */
  quality: number | null;
  propensity: number | null;
  /** Chosen by exploration (see `ADS_EXPLORATION_EPSILON`); null for no fill. */
  explored?: boolean | null;
  /** The exploration rate the decision was made with, and the size of its exploration set. */
  explorationEpsilon?: number | null;
  explorationSet?: number | null;
  /** The best candidates by mean score with their pCTR, bid and eCPM (bounded), for off-policy evaluation. */
  considered?: ConsideredAd[];
  noFillReason: string | null;
  /**
   * Whether the user's segments and attention curve entered the decision (their ads-personalisation
   * consent); absent on decisions logged before it was recorded.
   */
  personalised?: boolean;
  /** The user's hour-of-week attention multiplier on the winner's bid (1 without consent); null for no fill. */
  attentionMultiplier?: number | null;
  /** What the decision holds against the campaign's budget until its tokens expire. */
  reservedMicros: number;
  expiresAt: number | null;
}

/** A candidate of a decision as logged (see the decision's `LoggedCandidate`). */
export interface ConsideredAd {
  adId: string;
  campaignId: string;
  bidType: 'CPM' | 'CPC';
  bidMicros: number;
  pctr: number;
  ecpmMicros: number;
  quality: number;
  eligible: boolean;
}

/** A recorded ad event: `_id` = `<decisionId>|<type>`, so an event is stored (and charged) once. */
export interface AdEventDoc {
  _id: string;
  decisionId: string;
  type: AdEventType;
  adId: string;
  campaignId: string;
  placementId: string;
  userId: string | null;
  chargedMicros: number;
  viewable: boolean;
  occurredAt: number;
  recordedAt: number;
}

/** A spend counter: `<campaignId>|total` or `<campaignId>|<local day YYYY-MM-DD>`. */
export interface SpendDoc {
  _id: string;
  campaignId: string;
  spentMicros: number;
}

/** Hourly delivery of a campaign: `<campaignId>|<hourStart>`; every field written by every update. */
export interface DeliveryRollupDoc {
  _id: string;
  campaignId: string;
  hourStart: number;
  requests: number;
  wins: number;
  impressions: number;
  viewableImpressions: number;
  clicks: number;
  conversions: number;
  spendMicros: number;
}

/**
 * Hourly ad delivery to one group of users (fairness audit): `<dimension>|<group>|<hourStart>`. Counts
 * only: no user id is ever stored in it; every field written by every update.
 */
export interface UserGroupRollupDoc {
  _id: string;
  /** COUNTRY, DEVICE or SEGMENT. */
  dimension: string;
  group: string;
  hourStart: number;
  requests: number;
  impressions: number;
  clicks: number;
}

/** What the ads subgraph has observed of one ad (its own ledger, feedback and attention events). */
export interface AdStatsDoc {
  _id: string;
  impressions: number;
  clicks: number;
  complaints: number;
  /** Engaged time users gave the ad, from `attention.recorded`. */
  engagedMs: number;
}

/** A signal already counted: `fbk:<feedbackId>` or `evt:<eventId>`. */
export interface SeenDoc {
  _id: string;
}

/** A user's attention by hour of the week (UTC, 0 = Monday 00:00), decayed engaged ms. */
export interface UserAttentionDoc {
  _id: string;
  hours: number[];
  /** When `hours` was last decayed. */
  decayedAt: number;
  /** The newest event applied: older or equal ones are replays. */
  lastEventId: string;
}

/** A user's ads-personalisation consent, from `user.consent.changed` (the newest `updatedAt` wins). */
export interface AdsConsentDoc {
  _id: string;
  adsPersonalization: boolean;
  updatedAt: number;
}

/** A user's recent impressions (for frequency caps and `User.adExposure`). */
export interface ExposureDoc {
  _id: string;
  entries: { adId: string; campaignId: string; at: number }[];
}

const opts = { versionKey: false } as const;
const str = { type: String, required: true };
const num = { type: Number, required: true };
const optStr = { type: String, default: null };
const optNum = { type: Number, default: null };

const decisionSchema = new Schema<DecisionDoc>(
  {
    _id: str,
    at: num,
    placementId: str,
    userId: optStr,
    category: optStr,
    device: optStr,
    country: optStr,
    candidates: num,
    adId: optStr,
    campaignId: optStr,
    advertiserId: optStr,
    bidType: optStr,
    ecpmMicros: optNum,
    priceMicros: optNum,
    chargeMicros: optNum,
    pctr: optNum,
    quality: optNum,
    propensity: optNum,
    explored: { type: Boolean, default: null },
    explorationEpsilon: optNum,
    explorationSet: optNum,
    considered: {
      type: [
        {
          _id: false,
          adId: str,
          campaignId: str,
          bidType: str,
          bidMicros: num,
          pctr: num,
          ecpmMicros: num,
          quality: num,
          eligible: { type: Boolean, required: true },
        },
      ],
      default: undefined,
    },
    noFillReason: optStr,
    personalised: { type: Boolean, default: false },
    attentionMultiplier: optNum,
    reservedMicros: num,
    expiresAt: optNum,
  },
  opts,
);

const adEventSchema = new Schema<AdEventDoc>(
  {
    _id: str,
    decisionId: str,
    type: str,
    adId: str,
    campaignId: str,
    placementId: str,
    userId: optStr,
    chargedMicros: num,
    viewable: { type: Boolean, required: true },
    occurredAt: num,
    recordedAt: num,
  },
  opts,
);

const spendSchema = new Schema<SpendDoc>({ _id: str, campaignId: str, spentMicros: num }, opts);

const rollupSchema = new Schema<DeliveryRollupDoc>(
  {
    _id: str,
    campaignId: str,
    hourStart: num,
    requests: num,
    wins: num,
    impressions: num,
    viewableImpressions: num,
    clicks: num,
    conversions: num,
    spendMicros: num,
  },
  opts,
);

const userGroupRollupSchema = new Schema<UserGroupRollupDoc>(
  { _id: str, dimension: str, group: str, hourStart: num, requests: num, impressions: num, clicks: num },
  opts,
);
// The group report reads a dimension's hours over a range (used on MongoDB; a scan on the embedded one).
userGroupRollupSchema.index({ dimension: 1, hourStart: 1 });

const adStatsSchema = new Schema<AdStatsDoc>(
  { _id: str, impressions: num, clicks: num, complaints: num, engagedMs: num },
  opts,
);

/** Attention the attention subgraph measured on a placement (from `attention.recorded`). */
export interface PlacementAttentionDoc {
  _id: string;
  impressions: number;
  viewable: number;
  engagedMs: number;
}
const placementAttentionSchema = new Schema<PlacementAttentionDoc>(
  { _id: str, impressions: num, viewable: num, engagedMs: num },
  opts,
);

const seenSchema = new Schema<SeenDoc>({ _id: str }, opts);

const userAttentionSchema = new Schema<UserAttentionDoc>(
  { _id: str, hours: [Number], decayedAt: num, lastEventId: str },
  opts,
);

const consentSchema = new Schema<AdsConsentDoc>(
  { _id: str, adsPersonalization: { type: Boolean, required: true }, updatedAt: num },
  opts,
);

const exposureSchema = new Schema<ExposureDoc>(
  { _id: str, entries: [{ _id: false, adId: str, campaignId: str, at: num }] },
  opts,
);

export function ledgerModels(conn: Connection) {
  return {
    Decision: conn.model<DecisionDoc>('Decision', decisionSchema, 'decisions'),
    AdEvent: conn.model<AdEventDoc>('AdEvent', adEventSchema, 'ad_events'),
    Spend: conn.model<SpendDoc>('Spend', spendSchema, 'spend'),
    DeliveryRollup: conn.model<DeliveryRollupDoc>('DeliveryRollup', rollupSchema, 'delivery_rollups'),
    AdStats: conn.model<AdStatsDoc>('AdStats', adStatsSchema, 'ad_stats'),
    UserGroupRollup: conn.model<UserGroupRollupDoc>(
      'UserGroupRollup',
      userGroupRollupSchema,
      'user_group_rollups',
    ),
    Seen: conn.model<SeenDoc>('Seen', seenSchema, 'seen_signals'),
    PlacementAttention: conn.model<PlacementAttentionDoc>(
      'PlacementAttention',
      placementAttentionSchema,
      'placement_attention',
    ),
    UserAttention: conn.model<UserAttentionDoc>('UserAttention', userAttentionSchema, 'user_attention'),
    Exposure: conn.model<ExposureDoc>('Exposure', exposureSchema, 'exposures'),
    AdsConsent: conn.model<AdsConsentDoc>('AdsConsent', consentSchema, 'consents'),
  };
}
export type LedgerModels = ReturnType<typeof ledgerModels>;

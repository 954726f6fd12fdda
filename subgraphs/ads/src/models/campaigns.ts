import { type Connection, Schema } from 'mongoose';

/** Money fields are integer micros; times are epoch ms. */

export interface AdvertiserDoc {
  _id: string;
  name: string;
  timezone: string;
  createdAt: number;
}

export interface TargetingDoc {
  countries: string[];
  devices: string[];
  segments: string[];
  categories: string[];
  placementIds: string[];
}

export type CampaignStatus = 'ACTIVE' | 'PAUSED' | 'ARCHIVED';

/** Runs on `days` (0 = Sunday) from `startHour` to `endHour` (exclusive) in the advertiser's time zone. */
export interface ScheduleWindowDoc {
  days: number[];
  startHour: number;
  endHour: number;
}

export interface FrequencyCapDoc {
  scope: 'AD' | 'CAMPAIGN';
  max: number;
  windowSeconds: number;
}

export interface CampaignDoc {
  _id: string;
  advertiserId: string;
  name: string;
  status: CampaignStatus;
  dailyBudgetMicros: number;
  totalBudgetMicros: number | null;
  startAt: number;
  endAt: number | null;
  bidType: 'CPM' | 'CPC';
  bidMicros: number;
  pacing: 'EVEN' | 'ASAP' | 'FRONTLOADED';
  targeting: TargetingDoc;
  schedule: ScheduleWindowDoc[];
  frequencyCaps: FrequencyCapDoc[];
  blockedCategories: string[];
  createdAt: number;
  updatedAt: number;
}

export interface AdDoc {
  _id: string;
  campaignId: string;
  name: string;
  status: CampaignStatus;
  creativeUrl: string;
  landingUrl: string;
  width: number;
  height: number;
  createdAt: number;
  /** Why a PAUSED ad is paused: its advertiser, or complaints (`ad.flagged`); null otherwise. */
  pausedReason?: AdPauseReason | null;
  /** Epoch ms: when it was paused (for COMPLAINTS, the flag's `flaggedAt`). */
  pausedAt?: number | null;
  /** Epoch ms of the last resume: a flag from before it pauses nothing (only a new crossing does). */
  resumedAt?: number | null;
}

export type AdPauseReason = 'COMPLAINTS' | 'ADVERTISER';

export interface PlacementDoc {
  _id: string;
  name: string;
  width: number;
  height: number;
  floorMicros: number;
  auctionType: 'FIRST_PRICE' | 'SECOND_PRICE';
  /** The partner that owns it (its API keys request ads for it); none: admins only. Absent on older documents. */
  publisherId?: string | null;
  createdAt: number;
}

/** One document (`_id: 'catalog'`) whose version every change to campaigns, ads or placements bumps. */
export interface CatalogVersionDoc {
  _id: string;
  version: number;
}

const opts = { versionKey: false } as const;
const str = { type: String, required: true };
const num = { type: Number, required: true };

const advertiserSchema = new Schema<AdvertiserDoc>(
  { _id: str, name: str, timezone: str, createdAt: num },
  opts,
);

const targetingSchema = new Schema<TargetingDoc>(
  {
    countries: [String],
    devices: [String],
    segments: [String],
    categories: [String],
    placementIds: [String],
  },
  { _id: false },
);

const scheduleSchema = new Schema<ScheduleWindowDoc>(
  { days: [Number], startHour: num, endHour: num },
  { _id: false },
);
const capSchema = new Schema<FrequencyCapDoc>({ scope: str, max: num, windowSeconds: num }, { _id: false });

const campaignSchema = new Schema<CampaignDoc>(
  {
    _id: str,
    advertiserId: str,
    name: str,
    status: str,
    dailyBudgetMicros: num,
    totalBudgetMicros: { type: Number, default: null },
    startAt: num,
    endAt: { type: Number, default: null },
    bidType: str,
    bidMicros: num,
    pacing: str,
    targeting: { type: targetingSchema, required: true },
    schedule: { type: [scheduleSchema], default: [] },
    frequencyCaps: { type: [capSchema], default: [] },
    blockedCategories: { type: [String], default: [] },
    createdAt: num,
    updatedAt: num,
  },
  opts,
);
campaignSchema.index({ advertiserId: 1, _id: 1 });

const adSchema = new Schema<AdDoc>(
  {
    _id: str,
    campaignId: str,
    name: str,
    status: str,
    creativeUrl: str,
    landingUrl: str,
    width: num,
    height: num,
    createdAt: num,
    pausedReason: { type: String, default: null },
    pausedAt: { type: Number, default: null },
    resumedAt: { type: Number, default: null },
  },
  opts,
);
adSchema.index({ campaignId: 1 });

const placementSchema = new Schema<PlacementDoc>(
  {
    _id: str,
    name: str,
    width: num,
    height: num,
    floorMicros: num,
    auctionType: str,
    publisherId: { type: String, default: null },
    createdAt: num,
  },
  opts,
);

const catalogVersionSchema = new Schema<CatalogVersionDoc>({ _id: str, version: num }, opts);

export function campaignModels(conn: Connection) {
  return {
    CatalogVersion: conn.model<CatalogVersionDoc>('CatalogVersion', catalogVersionSchema, 'catalog_version'),
    Advertiser: conn.model<AdvertiserDoc>('Advertiser', advertiserSchema, 'advertisers'),
    Campaign: conn.model<CampaignDoc>('Campaign', campaignSchema, 'campaigns'),
    Ad: conn.model<AdDoc>('Ad', adSchema, 'ads'),
    Placement: conn.model<PlacementDoc>('Placement', placementSchema, 'placements'),
  };
}
export type CampaignModels = ReturnType<typeof campaignModels>;

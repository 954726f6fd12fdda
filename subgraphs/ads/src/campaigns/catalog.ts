import type { DecisionCampaign, DecisionPlacement } from '../decision/index.js';
import { EligibilityIndex } from '../decision/index.js';
import type {
  AdDoc,
  AdvertiserDoc,
  CampaignDoc,
  CampaignModels,
  CatalogVersionDoc,
  PlacementDoc,
} from '../models/campaigns.js';

const VERSION_ID = 'catalog';
/** Above this many changed campaigns one scan of the ads beats an `$in` (which the embedded database scans anyway). */
const MAX_IN = 100;

/** A campaign as the decision sees it (pure). */
export function toDecisionCampaign(
  c: CampaignDoc,
  ads: readonly AdDoc[],
  timezone: string,
): DecisionCampaign {
  return {
    id: c._id,
    advertiserId: c.advertiserId,
    timezone,
    status: c.status,
    startAt: c.startAt,
    endAt: c.endAt,
    schedule: (c.schedule ?? []).map((w) => ({
      days: [...w.days],
      startHour: w.startHour,
      endHour: w.endHour,
    })),
    bidType: c.bidType,
    bidMicros: c.bidMicros,
    pacing: c.pacing,
    dailyBudgetMicros: c.dailyBudgetMicros,
    totalBudgetMicros: c.totalBudgetMicros,
    targeting: {
      countries: c.targeting.countries ?? [],
      devices: c.targeting.devices ?? [],
      segments: c.targeting.segments ?? [],
      categories: c.targeting.categories ?? [],
      placementIds: c.targeting.placementIds ?? [],
    },
    blockedCategories: c.blockedCategories ?? [],
    frequencyCaps: (c.frequencyCaps ?? []).map((f) => ({
      scope: f.scope,
      max: f.max,
      windowMs: f.windowSeconds * 1000,
    })),
    ads: ads.map((a) => ({ id: a._id, status: a.status, width: a.width, height: a.height })),
  };
}

export function toDecisionPlacement(p: PlacementDoc): DecisionPlacement {
  return {
    id: p._id,
    width: p.width,
    height: p.height,
    floorMicros: p.floorMicros,
    auctionType: p.auctionType,
  };
}

/**
 * The in-memory copy of what decisions read: active campaigns in the eligibility index (with their ads
 * and their advertiser's time zone), and every placement. Loaded once at start, kept current by the
 * mutations of this process (`refreshCampaign`, `setPlacement`) and by a periodic `refreshChanged` for
 * changes made by other replicas. Decisions never read the database for it.
 */
export class Catalog {
  readonly index = new EligibilityIndex();
  readonly placements = new Map<string, DecisionPlacement>();
  /** The partner owning each placement (null: none, admins only), checked before a decision. */
  private readonly publishers = new Map<string, string | null>();
  private readonly timezones = new Map<string, string>();
  /** `updatedAt` of each campaign as last put into the index. */
  private readonly versions = new Map<string, number>();
  /** Newest `updatedAt` seen, for the periodic refresh. */
  private seenUpTo = 0;
  /** The catalog version the loaded state reflects (null before the first load). */
  private versionSeen: number | null = null;

  constructor(private readonly models: CampaignModels) {}

  private async version(): Promise<number> {
    return (await this.models.CatalogVersion.findById(VERSION_ID).lean<CatalogVersionDoc>())?.version ?? 0;
  }

  /**
   * Tells every replica that the catalog changed (each refresh reads the version by exact `_id`, so an
   * unchanged catalog costs one indexed read, not a scan of the campaigns). This process applies its own
   * changes at once, so when the new version is the next one after what it has seen, nobody else changed
   * anything in between and it needs no scan. (On the embedded database two racing bumps may count once;
   * `refreshChanged(true)`, run every few minutes, covers that case.)
   */
  async bump(): Promise<void> {
    const inc = () =>
      this.models.CatalogVersion.findOneAndUpdate(
        { _id: VERSION_ID },
        { $inc: { version: 1 } },
        { upsert: true, new: true },
      ).lean<CatalogVersionDoc>();
    const doc = await inc().catch((err: { code?: number }) => {
      if (err.code !== 11000) throw err;
      return inc();
    });
    if (doc && this.versionSeen !== null && doc.version === this.versionSeen + 1)
      this.versionSeen = doc.version;
  }

  async loadAll(): Promise<void> {
    this.versionSeen = await this.version();
    const [advertisers, placements, campaigns] = await Promise.all([
      this.models.Advertiser.find().lean<AdvertiserDoc[]>(),
      this.models.Placement.find().lean<PlacementDoc[]>(),
      this.models.Campaign.find({ status: 'ACTIVE' }).lean<CampaignDoc[]>(),
    ]);
    for (const a of advertisers) this.timezones.set(a._id, a.timezone);
    for (const p of placements) this.setPlacement(p);
    const ads = campaigns.length > 0 ? await this.models.Ad.find().lean<AdDoc[]>() : [];
    this.putAll(campaigns, ads);
  }

  private putAll(campaigns: readonly CampaignDoc[], ads: readonly AdDoc[]): void {
    const byCampaign = new Map<string, AdDoc[]>();
    for (const ad of ads) {
      const list = byCampaign.get(ad.campaignId);
      if (list) list.push(ad);
      else byCampaign.set(ad.campaignId, [ad]);
    }
    for (const c of campaigns) this.put(c, byCampaign.get(c._id) ?? []);
  }

  private put(c: CampaignDoc, ads: readonly AdDoc[]): void {
    this.seenUpTo = Math.max(this.seenUpTo, c.updatedAt);
    this.versions.set(c._id, c.updatedAt);
    this.index.upsert(toDecisionCampaign(c, ads, this.timezones.get(c.advertiserId) ?? 'UTC'));
  }

  setPlacement(p: PlacementDoc): void {
    this.placements.set(p._id, toDecisionPlacement(p));
    this.publishers.set(p._id, p.publisherId ?? null);
  }

  /** The partner that owns a placement set here (null when none does). */
  publisherOf(placementId: string): string | null {
    return this.publishers.get(placementId) ?? null;
  }

  setAdvertiser(a: AdvertiserDoc): void {
    this.timezones.set(a._id, a.timezone);
  }

  timezoneOf(advertiserId: string): string {
    return this.timezones.get(advertiserId) ?? 'UTC';
  }

  /** Re-reads one campaign and its ads (after a change to either); archived or paused ones leave the index. */
  async refreshCampaign(campaignId: string): Promise<void> {
    const [c, ads] = await Promise.all([
      this.models.Campaign.findById(campaignId).lean<CampaignDoc>(),
      this.models.Ad.find({ campaignId }).lean<AdDoc[]>(),
    ]);
    if (!c) {
      this.index.remove(campaignId);
      return;
    }
    if (!this.timezones.has(c.advertiserId)) {
      const a = await this.models.Advertiser.findById(c.advertiserId).lean<AdvertiserDoc>();
      if (a) this.setAdvertiser(a);
    }
    this.put(c, ads);
  }

  /**
   * Picks up campaigns changed elsewhere since the last refresh (with their ads, in one query), new
   * advertisers and every placement, when the catalog version moved (or `force`). Returns the campaigns
   * that changed.
   */
  async refreshChanged(force = false): Promise<string[]> {
    const version = await this.version();
    if (version === this.versionSeen && !force) return [];
    // Read before the scan: a change made during it moves the version again and is picked up next time.
    this.versionSeen = version;
    const since = this.seenUpTo;
    const [found, placements, advertisers] = await Promise.all([
      this.models.Campaign.find({ updatedAt: { $gte: since } }).lean<CampaignDoc[]>(),
      this.models.Placement.find().lean<PlacementDoc[]>(),
      this.models.Advertiser.find().lean<AdvertiserDoc[]>(),
    ]);
    for (const p of placements) this.setPlacement(p);
    for (const a of advertisers) this.setAdvertiser(a);
    // `$gte`: a change in the same millisecond as the last one seen is not missed; unchanged ones are skipped.
    const changed = found.filter((c) => this.versions.get(c._id) !== c.updatedAt);
    if (changed.length === 0) return [];
    const ids = new Set(changed.map((c) => c._id));
    const ads =
      ids.size > MAX_IN
        ? (await this.models.Ad.find().lean<AdDoc[]>()).filter((a) => ids.has(a.campaignId))
        : await this.models.Ad.find({ campaignId: { $in: [...ids] } }).lean<AdDoc[]>();
    this.putAll(changed, ads);
    return changed.map((c) => c._id);
  }
}

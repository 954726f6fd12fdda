import { ConsentStore, CounterWriter, LocalDayClock, timeZoneOffsetMs } from '@attention-mesh/platform';
import { Catalog } from './campaigns/catalog.js';
import type { AdsConfig } from './config.js';
import { CtrSource } from './ctr/ctrSource.js';
import { DecisionLog } from './decision/decisionLog.js';
import { DecisionTimings } from './decision/decisionTimings.js';
import {
  initialPacingState,
  type PacingControllerState,
  type PacingMode,
  pacingCurve,
  stepPacing,
  targetSpendBy,
} from './decision/index.js';
import { BudgetBook } from './ledger/budgetBook.js';
import { spendDayId, spendTotalId } from './ledger/spendIds.js';
import type { CampaignModels } from './models/campaigns.js';
import type { DecisionDoc, LedgerModels, SpendDoc } from './models/ledger.js';
import { DecisionCounts } from './reports/decisionCounts.js';
import { ExposureStore } from './reports/exposures.js';
import { PlacementAttentionBook } from './reports/placementAttention.js';
import { AdStatsBook, UserAttentionStore } from './reports/snapshots.js';
import { TrafficForecast } from './reports/trafficForecast.js';

/** Tunables of the decision that are not deployment config. */
export interface DecisionSettings {
  /** pCTR of an ad before any model or click (default 0.01). */
  defaultCtr: number;
  /** Decision times kept for `timings()` (default 100,000). */
  keepTimings: number;
}

const DEFAULTS: DecisionSettings = { defaultCtr: 0.01, keepTimings: 100_000 };

/**
 * The per-process state of the ads subgraph: the catalog and its eligibility index, the budget book
 * (the authority on spend and reservations), pacing controllers, exposures, attention and ad
 * statistics snapshots, and the writers of the ledger's counters.
 */
export class AdsState {
  readonly settings: DecisionSettings;
  readonly catalog: Catalog;
  readonly book = new BudgetBook();
  readonly days = new LocalDayClock();
  readonly exposures: ExposureStore;
  readonly userAttention: UserAttentionStore;
  readonly adStats: AdStatsBook;
  readonly placementAttention: PlacementAttentionBook;
  /** Ads-personalisation consent; a user never announced has not consented (the users subgraph's default). */
  readonly consents: ConsentStore<'adsPersonalization'>;
  readonly ctr = new CtrSource();
  readonly spend: CounterWriter;
  readonly rollups: CounterWriter;
  /** Requests, impressions and clicks per user group and hour (the fairness audit; no user ids). */
  readonly userGroups: CounterWriter;
  /** What logged decisions add to the campaign and user-group rollups, written in batches. */
  readonly counts: DecisionCounts;
  /** The decision log's group-commit writer. */
  readonly log: DecisionLog;
  readonly timings: DecisionTimings;
  readonly pacing = new Map<string, PacingControllerState>();
  /** Requests by hour of day: the traffic forecast behind every campaign's pacing curve. */
  readonly traffic = new TrafficForecast();
  private loaded: Promise<void> | null = null;

  constructor(
    readonly models: CampaignModels & LedgerModels,
    readonly config: AdsConfig,
    settings: Partial<DecisionSettings> = {},
  ) {
    this.settings = { ...DEFAULTS, ...settings };
    this.catalog = new Catalog(models);
    this.exposures = new ExposureStore(models.Exposure);
    this.userAttention = new UserAttentionStore(models.UserAttention);
    this.adStats = new AdStatsBook(models.AdStats);
    this.placementAttention = new PlacementAttentionBook(models.PlacementAttention);
    this.consents = new ConsentStore(models.AdsConsent, {
      flags: ['adsPersonalization'],
      whenUnknown: { adsPersonalization: false },
    });
    this.spend = new CounterWriter(models.Spend);
    this.rollups = new CounterWriter(models.DeliveryRollup);
    this.userGroups = new CounterWriter(models.UserGroupRollup);
    this.counts = new DecisionCounts(this.rollups, this.userGroups);
    this.log = new DecisionLog(models.Decision, config.ads.decisionBatchMax);
    this.timings = new DecisionTimings(this.settings.keepTimings);
  }

  /** Loads the catalog, ad statistics and today's spend once; every decision awaits it. */
  ready(): Promise<void> {
    this.loaded ??= this.load().catch((err) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }

  /** Loads again (after data was written behind the service's back, e.g. a bulk import). */
  reload(): Promise<void> {
    this.loaded = this.load();
    return this.loaded;
  }

  get isLoaded(): boolean {
    return this.loaded !== null;
  }

  private async load(): Promise<void> {
    await this.catalog.loadAll();
    await this.adStats.load();
    await this.placementAttention.load();
    await this.recoverSpend(this.catalog.index.campaigns().map((c) => c.id));
    await this.recoverReservations();
  }

  /**
   * Holds again the budget of decisions made before this process started whose tokens are still valid
   * and whose paid event (CPM: the impression, CPC: the click) has not come: that charge may still
   * arrive, so a restart cannot let a budget overshoot by what was reserved when it happened.
   * Scans the decision log for open reservations (the embedded database indexes only exact ids); the
   * paid events are looked up by their exact ids. Returns how many were restored.
   */
  async recoverReservations(now = Date.now()): Promise<number> {
    const open = await this.models.Decision.find(
      { expiresAt: { $gt: now }, reservedMicros: { $gt: 0 } },
      { campaignId: 1, bidType: 1, reservedMicros: 1, expiresAt: 1 },
    ).lean<Pick<DecisionDoc, '_id' | 'campaignId' | 'bidType' | 'reservedMicros' | 'expiresAt'>[]>();
    open.sort((a, b) => a.expiresAt! - b.expiresAt!);
    const paid = new Set<string>();
    for (let i = 0; i < open.length; i += 100) {
      await Promise.all(
        open.slice(i, i + 100).map(async (d) => {
          const type = d.bidType === 'CPC' ? 'CLICK' : 'IMPRESSION';
          if (await this.models.AdEvent.exists({ _id: `${d._id}|${type}` })) paid.add(d._id);
        }),
      );
    }
    let restored = 0;
    for (const d of open) {
      if (paid.has(d._id) || !d.campaignId || this.book.holds(d.campaignId, d._id)) continue;
      const zone = this.catalog.index.get(d.campaignId)?.timezone ?? 'UTC';
      // The day the reservation was made in: the decision was taken one token lifetime before expiry.
      const day = this.days.dayOf(zone, d.expiresAt! - this.config.ads.tokenTtlMs).key;
      this.book.restore(d.campaignId, d._id, d.reservedMicros, day, d.expiresAt!);
      restored++;
    }
    return restored;
  }

  /** Reads spend counters of campaigns (today in their zone and in total) into the budget book. */
  async recoverSpend(campaignIds: readonly string[], now = Date.now()): Promise<void> {
    const wanted = new Map<string, string>();
    for (const id of campaignIds) {
      const c = this.catalog.index.get(id);
      if (!c) continue;
      wanted.set(id, this.days.dayOf(c.timezone, now).key);
    }
    const ids = [...wanted].flatMap(([id, day]) => [spendTotalId(id), spendDayId(id, day)]);
    const found = new Map<string, number>();
    for (let i = 0; i < ids.length; i += 1000) {
      const docs = await this.models.Spend.find({ _id: { $in: ids.slice(i, i + 1000) } }).lean<SpendDoc[]>();
      for (const d of docs) found.set(d._id, d.spentMicros);
    }
    for (const [id, day] of wanted) {
      this.book.load(id, day, found.get(spendDayId(id, day)) ?? 0, found.get(spendTotalId(id)) ?? 0);
    }
  }

  /** The periodic refresh: campaigns changed by other replicas, with their spend when newly indexed. */
  async refresh(force = false): Promise<void> {
    if (!this.isLoaded) return;
    await this.ready();
    const changed = await this.catalog.refreshChanged(force);
    if (changed.length > 0) await this.recoverSpend(changed.filter((id) => !this.book.knows(id)));
  }

  /** After a mutation: the decision state follows at once (when it is loaded; else the load sees it). */
  async campaignChanged(campaignId: string): Promise<void> {
    await this.catalog.bump();
    if (!this.isLoaded) return;
    await this.ready();
    await this.catalog.refreshCampaign(campaignId);
    if (!this.book.knows(campaignId)) await this.recoverSpend([campaignId]);
  }

  /** One pacing step for every indexed campaign (once a minute, from the background). */
  stepPacing(now = Date.now()): void {
    for (const c of this.catalog.index.campaigns()) {
      const day = this.days.dayOf(c.timezone, now);
      const prev = this.pacing.get(c.id) ?? initialPacingState(now, day.start);
      this.pacing.set(
        c.id,
        stepPacing(prev, {
          at: now,
          dayStart: day.start,
          spentTodayMicros: this.book.snapshot(c.id, day.key).spentToday,
          dailyBudgetMicros: c.dailyBudgetMicros,
          mode: c.pacing,
          curve: this.curve(c.pacing, c.timezone, now),
        }),
      );
    }
  }

  /** A campaign's share of its daily budget by local hour, from the traffic forecast in its zone. */
  curve(mode: PacingMode, timezone: string, now: number): number[] {
    const traffic = this.traffic.byLocalHour(timeZoneOffsetMs(timezone, now));
    return pacingCurve(traffic, mode === 'ASAP' ? 'EVEN' : mode);
  }

  /** What the pacing curve says should be spent by now today. */
  targetSoFar(
    mode: PacingMode,
    dailyBudgetMicros: number,
    dayStart: number,
    now: number,
    timezone: string,
  ): number {
    if (mode === 'ASAP') return dailyBudgetMicros;
    return Math.round(targetSpendBy(this.curve(mode, timezone, now), dailyBudgetMicros, now - dayStart));
  }
}

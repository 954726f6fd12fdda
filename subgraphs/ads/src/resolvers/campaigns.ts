import {
  badUserInput,
  checkClientId,
  checkText,
  type GraphQLResolverMap,
  insertOnce,
  newId,
  notFound,
  paginateById,
} from '@attention-mesh/platform';
import {
  checkAdUrls,
  checkBlockedCategories,
  checkCampaignSettings,
  checkFrequencyCaps,
  checkSchedule,
  checkSize,
  checkStatusChange,
  checkTargeting,
  checkTimeZone,
  type TargetingInput,
} from '../campaigns/campaignRules.js';
import type {
  AdDoc,
  AdvertiserDoc,
  CampaignDoc,
  CampaignStatus,
  FrequencyCapDoc,
  PlacementDoc,
  ScheduleWindowDoc,
} from '../models/index.js';
import type { Context } from './context.js';

type Nullable<T> = { [K in keyof T]?: T[K] | null };

interface CreateCampaignInput {
  id?: string | null;
  advertiserId: string;
  name: string;
  dailyBudgetMicros: number;
  totalBudgetMicros?: number | null;
  startAt: number;
  endAt?: number | null;
  bidType: CampaignDoc['bidType'];
  bidMicros: number;
  pacingMode: CampaignDoc['pacing'];
  targeting?: TargetingInput | null;
  schedule?: ScheduleWindowDoc[] | null;
  frequencyCaps?: FrequencyCapDoc[] | null;
  blockedCategories?: string[] | null;
}
type UpdateCampaignInput = Nullable<Omit<CreateCampaignInput, 'id' | 'advertiserId' | 'bidType'>>;

interface CreateAdInput {
  id?: string | null;
  campaignId: string;
  name: string;
  creativeUrl: string;
  landingUrl: string;
  width: number;
  height: number;
}

interface CreatePlacementInput {
  id?: string | null;
  name: string;
  width: number;
  height: number;
  floorMicros: number;
  auctionType: PlacementDoc['auctionType'];
}

const idOr = (id: string | null | undefined, prefix: string, now: number) =>
  id ? checkClientId(id, 'input.id') : newId(prefix, now);

async function must<T>(
  loader: { load(id: string): Promise<T | null> },
  typename: string,
  id: string,
): Promise<T> {
  const doc = await loader.load(id);
  if (!doc) throw notFound(typename, id);
  return doc;
}

/** Unknown placements in targeting are bad input: a campaign must not target a slot that does not exist. */
async function checkPlacementsExist(ctx: Context, ids: string[], field: string): Promise<void> {
  const found = await ctx.loaders.placement.loadMany(ids);
  const missing = ids.filter((_, i) => !found[i] || found[i] instanceof Error);
  if (missing.length) throw badUserInput(`unknown placement ${missing.join(', ')}`, field);
}

/** A change to a campaign's ads is a change to the campaign: other replicas refresh by `updatedAt`. */
async function touchCampaign(ctx: Context, campaignId: string): Promise<void> {
  await ctx.runtime.Campaign.updateOne({ _id: campaignId }, { $set: { updatedAt: Date.now() } });
  await ctx.runtime.ads.campaignChanged(campaignId);
}

export const campaignResolvers: GraphQLResolverMap<Context> = {
  Query: {
    advertiser: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.loaders.advertiser.load(id),
    campaign: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.loaders.campaign.load(id),
    campaigns: (
      _: unknown,
      args: { advertiserId?: string | null; first: number; after?: string | null },
      ctx: Context,
    ) =>
      paginateById<CampaignDoc>(
        ctx.runtime.Campaign,
        args.advertiserId ? { advertiserId: args.advertiserId } : {},
        args,
      ),
    ad: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.loaders.ad.load(id),
    placement: (_: unknown, { id }: { id: string }, ctx: Context) => ctx.loaders.placement.load(id),
    placements: (_: unknown, __: unknown, ctx: Context) =>
      ctx.runtime.Placement.find().sort({ _id: 1 }).lean<PlacementDoc[]>(),
  },
  Mutation: {
    async createAdvertiser(
      _: unknown,
      { input }: { input: { id?: string | null; name: string; timezone: string } },
      ctx: Context,
    ) {
      const now = Date.now();
      const doc: AdvertiserDoc = {
        _id: idOr(input.id, 'adv', now),
        name: checkText(input.name, 'input.name', 200),
        timezone: checkTimeZone(input.timezone, 'input.timezone'),
        createdAt: now,
      };
      const stored = await insertOnce<AdvertiserDoc>(ctx.runtime.Advertiser, doc);
      ctx.runtime.ads.catalog.setAdvertiser(stored);
      await ctx.runtime.ads.catalog.bump();
      return stored;
    },
    async createCampaign(_: unknown, { input }: { input: CreateCampaignInput }, ctx: Context) {
      const now = Date.now();
      const doc: CampaignDoc = {
        _id: idOr(input.id, 'cmp', now),
        advertiserId: input.advertiserId,
        name: checkText(input.name, 'input.name', 200),
        status: 'ACTIVE',
        dailyBudgetMicros: input.dailyBudgetMicros,
        totalBudgetMicros: input.totalBudgetMicros ?? null,
        startAt: input.startAt,
        endAt: input.endAt ?? null,
        bidType: input.bidType,
        bidMicros: input.bidMicros,
        pacing: input.pacingMode,
        targeting: checkTargeting(input.targeting, 'input.targeting'),
        schedule: checkSchedule(input.schedule, 'input.schedule'),
        frequencyCaps: checkFrequencyCaps(input.frequencyCaps, 'input.frequencyCaps'),
        blockedCategories: checkBlockedCategories(input.blockedCategories, 'input.blockedCategories'),
        createdAt: now,
        updatedAt: now,
      };
      checkCampaignSettings(doc, 'input');
      if (!(await ctx.loaders.advertiser.load(doc.advertiserId))) {
        throw badUserInput(`unknown advertiser ${doc.advertiserId}`, 'input.advertiserId');
      }
      await checkPlacementsExist(ctx, doc.targeting.placementIds, 'input.targeting.placementIds');
      const stored = await insertOnce<CampaignDoc>(ctx.runtime.Campaign, doc);
      await ctx.runtime.ads.campaignChanged(stored._id);
      return stored;
    },
    async updateCampaign(
      _: unknown,
      { id, input }: { id: string; input: UpdateCampaignInput },
      ctx: Context,
    ) {
      const current = await must(ctx.loaders.campaign, 'Campaign', id);
      const next: CampaignDoc = { ...current, updatedAt: Date.now() };
      if (input.name != null) next.name = checkText(input.name, 'input.name', 200);
      if (input.dailyBudgetMicros != null) next.dailyBudgetMicros = input.dailyBudgetMicros;
      if (input.totalBudgetMicros !== undefined) next.totalBudgetMicros = input.totalBudgetMicros;
      if (input.startAt != null) next.startAt = input.startAt;
      if (input.endAt !== undefined) next.endAt = input.endAt;
      if (input.bidMicros != null) next.bidMicros = input.bidMicros;
      if (input.pacingMode != null) next.pacing = input.pacingMode;
      if (input.targeting != null) {
        next.targeting = checkTargeting(input.targeting, 'input.targeting');
        await checkPlacementsExist(ctx, next.targeting.placementIds, 'input.targeting.placementIds');
      }
      if (input.schedule != null) next.schedule = checkSchedule(input.schedule, 'input.schedule');
      if (input.frequencyCaps != null)
        next.frequencyCaps = checkFrequencyCaps(input.frequencyCaps, 'input.frequencyCaps');
      if (input.blockedCategories != null)
        next.blockedCategories = checkBlockedCategories(input.blockedCategories, 'input.blockedCategories');
      checkCampaignSettings(next, 'input');
      const { _id, ...set } = next;
      await ctx.runtime.Campaign.updateOne({ _id }, { $set: set });
      await ctx.runtime.ads.campaignChanged(id);
      return next;
    },
    async setCampaignStatus(
      _: unknown,
      { id, status }: { id: string; status: CampaignStatus },
      ctx: Context,
    ) {
      const current = await must(ctx.loaders.campaign, 'Campaign', id);
      checkStatusChange(current.status, status);
      const updatedAt = Date.now();
      await ctx.runtime.Campaign.updateOne({ _id: id }, { $set: { status, updatedAt } });
      await ctx.runtime.ads.campaignChanged(id);
      return { ...current, status, updatedAt };
    },
    async createAd(_: unknown, { input }: { input: CreateAdInput }, ctx: Context) {
      const now = Date.now();
      checkSize(input.width, input.height, 'input');
      const urls = checkAdUrls(input, 'input');
      const doc: AdDoc = {
        _id: idOr(input.id, 'ad', now),
        campaignId: input.campaignId,
        name: checkText(input.name, 'input.name', 200),
        status: 'ACTIVE',
        creativeUrl: urls.creativeUrl!,
        landingUrl: urls.landingUrl!,
        width: input.width,
        height: input.height,
        createdAt: now,
      };
      if (!(await ctx.loaders.campaign.load(doc.campaignId))) {
        throw badUserInput(`unknown campaign ${doc.campaignId}`, 'input.campaignId');
      }
      const stored = await insertOnce<AdDoc>(ctx.runtime.Ad, doc);
      await touchCampaign(ctx, stored.campaignId);
      return stored;
    },
    async updateAd(
      _: unknown,
      { id, input }: { id: string; input: Nullable<Omit<AdDoc, '_id'>> },
      ctx: Context,
    ) {
      const current = await must(ctx.loaders.ad, 'Ad', id);
      const urls = checkAdUrls(input, 'input');
      const next: AdDoc = {
        ...current,
        name: input.name != null ? checkText(input.name, 'input.name', 200) : current.name,
        creativeUrl: urls.creativeUrl ?? current.creativeUrl,
        landingUrl: urls.landingUrl ?? current.landingUrl,
        status: input.status ?? current.status,
      };
      if (current.status === 'ARCHIVED' && next.status !== 'ARCHIVED')
        checkStatusChange(current.status, next.status);
      const { _id, ...set } = next;
      await ctx.runtime.Ad.updateOne({ _id }, { $set: set });
      await touchCampaign(ctx, next.campaignId);
      return next;
    },
    async createPlacement(_: unknown, { input }: { input: CreatePlacementInput }, ctx: Context) {
      const now = Date.now();
      checkSize(input.width, input.height, 'input');
      if (input.floorMicros < 0) throw badUserInput('floorMicros must not be negative', 'input.floorMicros');
      const doc: PlacementDoc = {
        _id: idOr(input.id, 'plc', now),
        name: checkText(input.name, 'input.name', 200),
        width: input.width,
        height: input.height,
        floorMicros: input.floorMicros,
        auctionType: input.auctionType,
        createdAt: now,
      };
      const stored = await insertOnce<PlacementDoc>(ctx.runtime.Placement, doc);
      ctx.runtime.ads.catalog.setPlacement(stored);
      await ctx.runtime.ads.catalog.bump();
      return stored;
    },
    async updatePlacement(
      _: unknown,
      { id, input }: { id: string; input: Nullable<CreatePlacementInput> },
      ctx: Context,
    ) {
      const current = await must(ctx.loaders.placement, 'Placement', id);
      if (input.floorMicros != null && input.floorMicros < 0) {
        throw badUserInput('floorMicros must not be negative', 'input.floorMicros');
      }
      const next: PlacementDoc = {
        ...current,
        name: input.name != null ? checkText(input.name, 'input.name', 200) : current.name,
        floorMicros: input.floorMicros ?? current.floorMicros,
        auctionType: input.auctionType ?? current.auctionType,
      };
      const { _id, ...set } = next;
      await ctx.runtime.Placement.updateOne({ _id }, { $set: set });
      ctx.runtime.ads.catalog.setPlacement(next);
      await ctx.runtime.ads.catalog.bump();
      return next;
    },
  },
  Advertiser: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.advertiser.load(ref.id),
    id: (a: AdvertiserDoc) => a._id,
    campaigns: (a: AdvertiserDoc, _: unknown, ctx: Context) => ctx.loaders.campaignsByAdvertiser.load(a._id),
  },
  Campaign: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.campaign.load(ref.id),
    id: (c: CampaignDoc) => c._id,
    advertiser: (c: CampaignDoc, _: unknown, ctx: Context) =>
      must(ctx.loaders.advertiser, 'Advertiser', c.advertiserId),
    ads: (c: CampaignDoc, _: unknown, ctx: Context) => ctx.loaders.adsByCampaign.load(c._id),
    pacingMode: (c: CampaignDoc) => c.pacing,
    // Campaigns stored before these settings existed have none.
    schedule: (c: CampaignDoc) => c.schedule ?? [],
    frequencyCaps: (c: CampaignDoc) => c.frequencyCaps ?? [],
    blockedCategories: (c: CampaignDoc) => c.blockedCategories ?? [],
  },
  Ad: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.ad.load(ref.id),
    id: (a: AdDoc) => a._id,
    campaign: (a: AdDoc, _: unknown, ctx: Context) => must(ctx.loaders.campaign, 'Campaign', a.campaignId),
  },
  Placement: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.placement.load(ref.id),
    id: (p: PlacementDoc) => p._id,
  },
};

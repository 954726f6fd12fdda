import type { ResolverMap } from '@attention-mesh/platform';
import { resumeAd } from '../campaigns/adPause.js';
import { createAd, updateAd } from '../campaigns/adWrites.js';
import {
  type CreateCampaignInput,
  createCampaign,
  setCampaignStatus,
  type UpdateCampaignInput,
  updateCampaign,
} from '../campaigns/campaignWrites.js';
import {
  type CreateAdvertiserInput,
  type CreatePlacementInput,
  createAdvertiser,
  createPlacement,
  updatePlacement,
} from '../campaigns/catalogWrites.js';
import { must } from '../campaigns/deps.js';
import {
  advertiserCampaigns,
  campaignAds,
  findAd,
  findAdvertiser,
  findCampaign,
  findPlacement,
  listCampaigns,
  listPlacements,
} from '../campaigns/queries.js';
import type {
  MutationCreateAdArgs,
  MutationSetCampaignStatusArgs,
  MutationUpdateAdArgs,
  MutationUpdatePlacementArgs,
} from '../generated/resolvers.js';
import type { AdDoc, AdvertiserDoc, CampaignDoc, PlacementDoc } from '../models/index.js';
import type { Context } from './context.js';

/** Ownership of the advertiser-only fields of Advertiser, Campaign and Ad: see advertiserFields.ts. */
export const campaignResolvers: ResolverMap = {
  Query: {
    advertiser: (_: unknown, { id }: { id: string }, ctx: Context) => findAdvertiser(ctx, id),
    campaign: (_: unknown, { id }: { id: string }, ctx: Context) => findCampaign(ctx, id),
    campaigns: (
      _: unknown,
      args: { advertiserId?: string | null; first: number; after?: string | null },
      ctx: Context,
    ) => listCampaigns(ctx, args),
    ad: (_: unknown, { id }: { id: string }, ctx: Context) => findAd(ctx, id),
    placement: (_: unknown, { id }: { id: string }, ctx: Context) => findPlacement(ctx, id),
    placements: (_: unknown, { first }: { first: number }, ctx: Context) =>
      listPlacements(ctx.runtime, first),
  },
  Mutation: {
    createAdvertiser: (_: unknown, { input }: { input: CreateAdvertiserInput }, ctx: Context) =>
      createAdvertiser(ctx, input),
    createCampaign: (_: unknown, { input }: { input: CreateCampaignInput }, ctx: Context) =>
      createCampaign(ctx, input),
    updateCampaign: (_: unknown, { id, input }: { id: string; input: UpdateCampaignInput }, ctx: Context) =>
      updateCampaign(ctx, id, input),
    setCampaignStatus: (_: unknown, { id, status }: MutationSetCampaignStatusArgs, ctx: Context) =>
      setCampaignStatus(ctx, id, status),
    createAd: (_: unknown, { input }: MutationCreateAdArgs, ctx: Context) => createAd(ctx, input),
    updateAd: (_: unknown, { id, input }: MutationUpdateAdArgs, ctx: Context) => updateAd(ctx, id, input),
    resumeAd: (_: unknown, { id }: { id: string }, ctx: Context) => resumeAd(ctx, id),
    createPlacement: (_: unknown, { input }: { input: CreatePlacementInput }, ctx: Context) =>
      createPlacement(ctx, input),
    updatePlacement: (_: unknown, { id, input }: MutationUpdatePlacementArgs, ctx: Context) =>
      updatePlacement(ctx, id, input),
  },
  Advertiser: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.advertiser.load(ref.id),
    id: (a: AdvertiserDoc) => a._id,
    campaigns: (a: AdvertiserDoc, { first }: { first: number }, ctx: Context) =>
      advertiserCampaigns(ctx, a._id, first),
  },
  Campaign: {
    __resolveReference: (ref: { id: string }, ctx: Context) => ctx.loaders.campaign.load(ref.id),
    id: (c: CampaignDoc) => c._id,
    advertiser: (c: CampaignDoc, _: unknown, ctx: Context) =>
      must(ctx.loaders.advertiser, 'Advertiser', c.advertiserId),
    ads: (c: CampaignDoc, { first }: { first: number }, ctx: Context) => campaignAds(ctx, c._id, first),
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
    publisherId: (p: PlacementDoc) => p.publisherId ?? null,
  },
};

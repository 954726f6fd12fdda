import {
  checkClientId,
  checkFirst,
  hasScope,
  isAdmin,
  paginateById,
  requireAdvertiserOrAnalyst,
  Scope,
} from '@attention-mesh/platform';
import type { AdDoc, CampaignDoc, PlacementDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';
import type { CampaignDeps } from './deps.js';

/** An advertiser, for its members, analysts and admins (checked on the id: a refusal says nothing of existence). */
export function findAdvertiser(deps: CampaignDeps, id: string) {
  checkClientId(id, 'id');
  requireAdvertiserOrAnalyst(deps.caller, id);
  return deps.loaders.advertiser.load(id);
}

/** A campaign, for its advertiser's members, analysts and admins; null when there is none. */
export async function findCampaign(deps: CampaignDeps, id: string) {
  checkClientId(id, 'id');
  const campaign = await deps.loaders.campaign.load(id);
  if (campaign) requireAdvertiserOrAnalyst(deps.caller, campaign.advertiserId);
  return campaign;
}

/**
 * A page of campaigns, of one advertiser or all. A member sees their own advertiser's (without
 * `advertiserId` too), another advertiser's is FORBIDDEN; analysts and admins see any, or all.
 */
export function listCampaigns(
  deps: CampaignDeps,
  args: { advertiserId?: string | null; first: number; after?: string | null },
) {
  const { caller } = deps;
  const seesAll = isAdmin(caller) || hasScope(caller, Scope.ANALYTICS_READ);
  const advertiserId = args.advertiserId ?? (seesAll ? undefined : caller.advertiserId);
  // Without an advertiser the helper passes for analysts and admins only.
  requireAdvertiserOrAnalyst(caller, advertiserId);
  return paginateById<CampaignDoc>(deps.runtime.Campaign, advertiserId ? { advertiserId } : {}, args);
}

/** An ad or a placement by id (1-64 characters); null when there is none. */
export function findAd(deps: Pick<CampaignDeps, 'loaders'>, id: string) {
  return deps.loaders.ad.load(checkClientId(id, 'id'));
}

export function findPlacement(deps: Pick<CampaignDeps, 'loaders'>, id: string) {
  return deps.loaders.placement.load(checkClientId(id, 'id'));
}

/** The most campaigns of `Advertiser.campaigns` and ads of `Campaign.ads` one field returns. */
export const MAX_CHILDREN = 100;
/** The most placements of `Query.placements`. */
export const MAX_PLACEMENTS = 500;

/** The first `first` (1-100) campaigns of an advertiser, in creation order. */
export async function advertiserCampaigns(
  deps: Pick<CampaignDeps, 'loaders'>,
  advertiserId: string,
  first: number,
): Promise<CampaignDoc[]> {
  checkFirst(first, MAX_CHILDREN);
  return (await deps.loaders.campaignsByAdvertiser.load(advertiserId)).slice(0, first);
}

/** The first `first` (1-100) ads of a campaign, in creation order. */
export async function campaignAds(
  deps: Pick<CampaignDeps, 'loaders'>,
  campaignId: string,
  first: number,
): Promise<AdDoc[]> {
  checkFirst(first, MAX_CHILDREN);
  return (await deps.loaders.adsByCampaign.load(campaignId)).slice(0, first);
}

/** The first `first` (1-500) placements, by id. */
export function listPlacements(runtime: AdsRuntime, first: number) {
  checkFirst(first, MAX_PLACEMENTS);
  return runtime.Placement.find().sort({ _id: 1 }).limit(first).lean<PlacementDoc[]>();
}

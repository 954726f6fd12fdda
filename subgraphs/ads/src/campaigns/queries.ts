import { hasScope, isAdmin, paginateById, requireAdvertiserOrAnalyst, Scope } from '@attention-mesh/platform';
import type { CampaignDoc, PlacementDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';
import type { CampaignDeps } from './deps.js';

/** An advertiser, for its members, analysts and admins (checked on the id: a refusal says nothing of existence). */
export function findAdvertiser(deps: CampaignDeps, id: string) {
  requireAdvertiserOrAnalyst(deps.caller, id);
  return deps.loaders.advertiser.load(id);
}

/** A campaign, for its advertiser's members, analysts and admins; null when there is none. */
export async function findCampaign(deps: CampaignDeps, id: string) {
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

/** Every placement, by id. */
export function listPlacements(runtime: AdsRuntime) {
  return runtime.Placement.find().sort({ _id: 1 }).lean<PlacementDoc[]>();
}

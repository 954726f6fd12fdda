import { paginateById } from '@attention-mesh/platform';
import type { CampaignDoc, PlacementDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';

/** A page of campaigns, of one advertiser or all. */
export function listCampaigns(
  runtime: AdsRuntime,
  args: { advertiserId?: string | null; first: number; after?: string | null },
) {
  return paginateById<CampaignDoc>(
    runtime.Campaign,
    args.advertiserId ? { advertiserId: args.advertiserId } : {},
    args,
  );
}

/** Every placement, by id. */
export function listPlacements(runtime: AdsRuntime) {
  return runtime.Placement.find().sort({ _id: 1 }).lean<PlacementDoc[]>();
}

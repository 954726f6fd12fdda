import { requireAdvertiser } from '@attention-mesh/platform';
import type { CampaignDoc } from '../models/index.js';
import { type CampaignDeps, must } from './deps.js';

/**
 * The campaign a change is about: NOT_FOUND when there is none, FORBIDDEN when it belongs to another
 * advertiser than the caller's (admins change any). Checked before anything is validated or written.
 */
export async function ownedCampaign(deps: CampaignDeps, id: string): Promise<CampaignDoc> {
  const campaign = await must(deps.loaders.campaign, 'Campaign', id);
  requireAdvertiser(deps.caller, campaign.advertiserId);
  return campaign;
}

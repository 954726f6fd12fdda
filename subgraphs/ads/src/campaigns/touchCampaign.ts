import type { CampaignDeps } from './deps.js';

/** A change to a campaign's ads is a change to the campaign: other replicas refresh by `updatedAt`. */
export async function touchCampaign(deps: Pick<CampaignDeps, 'runtime'>, campaignId: string): Promise<void> {
  await deps.runtime.Campaign.updateOne({ _id: campaignId }, { $set: { updatedAt: Date.now() } });
  await deps.runtime.ads.campaignChanged(campaignId);
}

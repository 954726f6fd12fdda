import { badUserInput, checkText, insertOnce } from '@attention-mesh/platform';
import type { CreateAdInput, UpdateAdInput } from '../generated/resolvers.js';
import type { AdDoc } from '../models/index.js';
import { checkAdUrls, checkSize, checkStatusChange } from './campaignRules.js';
import { type CampaignDeps, idOr, must } from './deps.js';

/** A change to a campaign's ads is a change to the campaign: other replicas refresh by `updatedAt`. */
async function touchCampaign(deps: CampaignDeps, campaignId: string): Promise<void> {
  await deps.runtime.Campaign.updateOne({ _id: campaignId }, { $set: { updatedAt: Date.now() } });
  await deps.runtime.ads.campaignChanged(campaignId);
}

export async function createAd(deps: CampaignDeps, input: CreateAdInput) {
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
  if (!(await deps.loaders.campaign.load(doc.campaignId))) {
    throw badUserInput(`unknown campaign ${doc.campaignId}`, 'input.campaignId');
  }
  const stored = await insertOnce<AdDoc>(deps.runtime.Ad, doc);
  await touchCampaign(deps, stored.campaignId);
  return stored;
}

export async function updateAd(deps: CampaignDeps, id: string, input: UpdateAdInput) {
  const current = await must(deps.loaders.ad, 'Ad', id);
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
  await deps.runtime.Ad.updateOne({ _id }, { $set: set });
  await touchCampaign(deps, next.campaignId);
  return next;
}

import { badUserInput, checkText, insertOnce, requireAdvertiser } from '@attention-mesh/platform';
import type { CreateAdInput, UpdateAdInput } from '../generated/resolvers.js';
import type { AdDoc } from '../models/index.js';
import { pauseFields } from './adPause.js';
import { checkAdUrls, checkSize, checkStatusChange } from './campaignRules.js';
import { type CampaignDeps, idOr, must } from './deps.js';
import { touchCampaign } from './touchCampaign.js';

/** An ad of a campaign of the caller's advertiser; an unknown campaign is bad input. */
export async function createAd(deps: CampaignDeps, input: CreateAdInput) {
  const campaign = await deps.loaders.campaign.load(input.campaignId);
  if (!campaign) throw badUserInput(`unknown campaign ${input.campaignId}`, 'input.campaignId');
  requireAdvertiser(deps.caller, campaign.advertiserId);
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
  const stored = await insertOnce<AdDoc>(deps.runtime.Ad, doc);
  // A repeated create answers with the ad stored under that id: never one of another advertiser's.
  if (stored.campaignId !== campaign._id)
    requireAdvertiser(deps.caller, (await deps.loaders.campaign.load(stored.campaignId))?.advertiserId);
  await touchCampaign(deps, stored.campaignId);
  return stored;
}

/** NOT_FOUND for an unknown ad, FORBIDDEN for an ad of another advertiser's campaign. */
export async function updateAd(deps: CampaignDeps, id: string, input: UpdateAdInput) {
  const current = await must(deps.loaders.ad, 'Ad', id);
  const campaign = await deps.loaders.campaign.load(current.campaignId);
  requireAdvertiser(deps.caller, campaign?.advertiserId);
  const urls = checkAdUrls(input, 'input');
  const next: AdDoc = {
    ...current,
    name: input.name != null ? checkText(input.name, 'input.name', 200) : current.name,
    creativeUrl: urls.creativeUrl ?? current.creativeUrl,
    landingUrl: urls.landingUrl ?? current.landingUrl,
    status: input.status ?? current.status,
    ...pauseFields(current, input.status),
  };
  if (current.status === 'ARCHIVED' && next.status !== 'ARCHIVED')
    checkStatusChange(current.status, next.status);
  const { _id, ...set } = next;
  await deps.runtime.Ad.updateOne({ _id }, { $set: set });
  await touchCampaign(deps, next.campaignId);
  return next;
}

import { byIdLoader, groupedLoader } from '@attention-mesh/platform';
import type { AdDoc, AdsModels, AdvertiserDoc, CampaignDoc, PlacementDoc } from './models/index.js';
import type { SpendDoc } from './models/ledger.js';

export function createLoaders(models: AdsModels) {
  return {
    advertiser: byIdLoader<AdvertiserDoc>(models.Advertiser),
    campaign: byIdLoader<CampaignDoc>(models.Campaign),
    ad: byIdLoader<AdDoc>(models.Ad),
    placement: byIdLoader<PlacementDoc>(models.Placement),
    spend: byIdLoader<SpendDoc>(models.Spend),
    adsByCampaign: groupedLoader<string, AdDoc>(
      async (ids) =>
        models.Ad.find({ campaignId: { $in: ids } })
          .sort({ _id: 1 })
          .lean<AdDoc[]>(),
      (ad) => ad.campaignId,
    ),
    campaignsByAdvertiser: groupedLoader<string, CampaignDoc>(
      async (ids) =>
        models.Campaign.find({ advertiserId: { $in: ids } })
          .sort({ _id: 1 })
          .lean<CampaignDoc[]>(),
      (c) => c.advertiserId,
    ),
  };
}
export type AdsLoaders = ReturnType<typeof createLoaders>;

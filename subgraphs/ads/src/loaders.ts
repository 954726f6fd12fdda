import { byIdLoader, groupedLoader } from '@attention-mesh/platform';
import type { AdDoc, AdvertiserDoc, CampaignDoc, PlacementDoc } from './models/index.js';
import type { SpendDoc } from './models/ledger.js';
import type { AdsRuntime } from './runtime.js';

export function createLoaders(models: AdsRuntime) {
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

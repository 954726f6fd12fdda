import { notFound, type ResolverMap } from '@attention-mesh/platform';
import { adPerformance } from '../ctr/adPerformance.js';
import { spendTotalId } from '../ledger/spendIds.js';
import type { AdDoc, CampaignDoc } from '../models/index.js';
import { campaignDelivery } from '../reports/campaignDelivery.js';
import { campaignPacing } from '../reports/campaignPacing.js';
import { userGroupDelivery } from '../reports/userGroupDelivery.js';
import type { UserGroupDimension } from '../reports/userGroups.js';
import type { Context } from './context.js';

export const reportResolvers: ResolverMap = {
  Query: {
    adDeliveryByUserGroup: (
      _: unknown,
      args: { from: number; to: number; dimension: UserGroupDimension; first: number },
      ctx: Context,
    ) => userGroupDelivery(ctx.runtime, args),
  },
  Campaign: {
    delivery: (
      c: CampaignDoc,
      args: { from: number; to: number; granularity: 'HOUR' | 'DAY' },
      ctx: Context,
    ) => campaignDelivery(ctx.runtime, c, args),
    pacing: (c: CampaignDoc, _: unknown, ctx: Context) => campaignPacing(ctx.runtime, ctx.loaders, c),
    spentMicros: async (c: CampaignDoc, _: unknown, ctx: Context) =>
      (await ctx.loaders.spend.load(spendTotalId(c._id)))?.spentMicros ?? 0,
  },
  Ad: {
    performance: async (a: AdDoc, _: unknown, ctx: Context) => {
      const rt = ctx.runtime.ads;
      await rt.ready();
      const campaign = await ctx.loaders.campaign.load(a.campaignId);
      if (!campaign) throw notFound('Campaign', a.campaignId);
      return adPerformance(rt.adStats.get(a._id), campaign, rt.settings.defaultCtr);
    },
  },
};

import type { ResolverMap } from '@attention-mesh/platform';
import { spendTotalId } from '../ledger/spendIds.js';
import type { CampaignDoc } from '../models/index.js';
import { campaignDelivery } from '../reports/campaignDelivery.js';
import { campaignPacing } from '../reports/campaignPacing.js';
import type { Context } from './context.js';

export const reportResolvers: ResolverMap = {
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
};

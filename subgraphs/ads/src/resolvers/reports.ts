import type { GraphQLResolverMap } from '@attention-mesh/platform';
import { spendDayId, spendTotalId } from '../ledger/spendIds.js';
import type { CampaignDoc, DeliveryRollupDoc } from '../models/index.js';
import { deliveryHours, deliveryReport, rollupId, ZERO_COUNTS } from '../reports/delivery.js';
import type { Context } from './context.js';

export const reportResolvers: GraphQLResolverMap<Context> = {
  Campaign: {
    async delivery(
      c: CampaignDoc,
      args: { from: number; to: number; granularity: 'HOUR' | 'DAY' },
      ctx: Context,
    ) {
      const hours = deliveryHours(args.from, args.to);
      const stored = await ctx.runtime.DeliveryRollup.find({
        _id: { $in: hours.map((h) => rollupId(c._id, h)) },
      }).lean<DeliveryRollupDoc[]>();
      // Requests counted in this process but not written yet.
      const byHour = new Map(stored.map((r) => [r.hourStart, r]));
      const rollups = hours.flatMap((h) => {
        const pending = ctx.runtime.ads.pendingRequests(c._id, h);
        const r = byHour.get(h);
        if (pending === 0) return r ? [r] : [];
        return [{ ...ZERO_COUNTS, ...r, hourStart: h, requests: (r?.requests ?? 0) + pending }];
      });
      return deliveryReport(rollups, args, args.granularity, c);
    },
    async pacing(c: CampaignDoc, _: unknown, ctx: Context) {
      const rt = ctx.runtime.ads;
      await rt.ready();
      const now = Date.now();
      const timezone = rt.catalog.timezoneOf(c.advertiserId);
      const day = rt.days.dayOf(timezone, now);
      // The budget book knows the campaigns this process decides for; the others are read from the ledger.
      const indexed = rt.catalog.index.get(c._id) !== undefined;
      const book = indexed ? rt.book.snapshot(c._id, day.key) : null;
      const spentToday =
        book?.spentToday ?? (await ctx.loaders.spend.load(spendDayId(c._id, day.key)))?.spentMicros ?? 0;
      const state = c.pacing === 'ASAP' ? undefined : rt.pacing.get(c._id);
      return {
        day: day.key,
        spentTodayMicros: spentToday,
        reservedMicros: book?.reservedToday ?? 0,
        targetSoFarMicros: rt.targetSoFar(c.pacing, c.dailyBudgetMicros, day.start, now, timezone),
        multiplier: state?.bidMultiplier ?? 1,
        throttle: state ? 1 - state.passRate : 0,
      };
    },
    spentMicros: async (c: CampaignDoc, _: unknown, ctx: Context) =>
      (await ctx.loaders.spend.load(spendTotalId(c._id)))?.spentMicros ?? 0,
  },
};

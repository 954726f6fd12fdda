import type { CampaignDoc, DeliveryRollupDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';
import { deliveryHours, deliveryReport, rollupId, ZERO_COUNTS } from './delivery.js';

/** A campaign's delivery between two instants, by hour or day: the stored rollups and the counts not written yet. */
export async function campaignDelivery(
  runtime: AdsRuntime,
  c: CampaignDoc,
  args: { from: number; to: number; granularity: 'HOUR' | 'DAY' },
) {
  const hours = deliveryHours(args.from, args.to);
  const stored = await runtime.DeliveryRollup.find({
    _id: { $in: hours.map((h) => rollupId(c._id, h)) },
  }).lean<DeliveryRollupDoc[]>();
  // Requests and wins counted in this process but not written yet.
  const byHour = new Map(stored.map((r) => [r.hourStart, r]));
  const rollups = hours.flatMap((h) => {
    const pending = runtime.ads.counts.pending(c._id, h);
    const r = byHour.get(h);
    if (pending.requests === 0 && pending.wins === 0) return r ? [r] : [];
    return [
      {
        ...ZERO_COUNTS,
        ...r,
        hourStart: h,
        requests: (r?.requests ?? 0) + pending.requests,
        wins: (r?.wins ?? 0) + pending.wins,
      },
    ];
  });
  return deliveryReport(rollups, args, args.granularity, c);
}

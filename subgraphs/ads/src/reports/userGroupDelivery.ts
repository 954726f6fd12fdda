import { checkFirst } from '@attention-mesh/platform';
import type { UserGroupRollupDoc } from '../models/index.js';
import type { AdsRuntime } from '../runtime.js';
import { deliveryHours, HOUR_MS } from './delivery.js';
import { fourFifths, type GroupCounts } from './fourFifths.js';
import type { UserGroupDimension } from './userGroups.js';

/**
 * `adDeliveryByUserGroup`: the hourly group rollups of one dimension over [from, to) (at most 31 days),
 * summed per group, with selection rates and four-fifths flags over all groups; the `first` (1-100)
 * groups with most requests listed.
 */
export async function userGroupDelivery(
  runtime: AdsRuntime,
  args: { from: number; to: number; dimension: UserGroupDimension; first: number },
) {
  const first = checkFirst(args.first);
  const hours = deliveryHours(args.from, args.to);
  const rows = await runtime.UserGroupRollup.find({
    dimension: args.dimension,
    hourStart: { $gte: hours[0]!, $lt: hours.at(-1)! + HOUR_MS },
  }).lean<UserGroupRollupDoc[]>();
  const sums = new Map<string, GroupCounts>();
  const sum = (group: string) => {
    let g = sums.get(group);
    if (!g) {
      g = { group, requests: 0, impressions: 0, clicks: 0 };
      sums.set(group, g);
    }
    return g;
  };
  for (const r of rows) {
    const g = sum(r.group);
    g.requests += r.requests;
    g.impressions += r.impressions;
    g.clicks += r.clicks;
  }
  // Requests counted in this process but not written yet.
  const pending = runtime.ads.counts.pendingGroups(args.dimension, hours[0]!, hours.at(-1)! + HOUR_MS);
  for (const [group, requests] of pending) sum(group).requests += requests;
  const report = fourFifths([...sums.values()]);
  return {
    dimension: args.dimension,
    from: args.from,
    to: args.to,
    groupCount: report.groups.length,
    highestSelectionRate: report.highestSelectionRate,
    flagged: report.groups.filter((g) => g.adverseImpact).length,
    groups: report.groups.slice(0, first),
  };
}

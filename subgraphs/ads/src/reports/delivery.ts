import { badUserInput } from '@attention-mesh/platform';
import type { DeliveryRollupDoc } from '../models/ledger.js';

export const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
export const MAX_DELIVERY_RANGE_MS = 31 * DAY_MS;

export type Counts = Pick<
  DeliveryRollupDoc,
  'requests' | 'wins' | 'impressions' | 'viewableImpressions' | 'clicks' | 'conversions' | 'spendMicros'
>;

export const ZERO_COUNTS: Counts = {
  requests: 0,
  wins: 0,
  impressions: 0,
  viewableImpressions: 0,
  clicks: 0,
  conversions: 0,
  spendMicros: 0,
};

export interface DeliveryBucket extends Counts {
  start: number;
  ctr: number | null;
  ecpmMicros: number | null;
  ecpcMicros: number | null;
  pacingIndex: number | null;
}

export const hourStartOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const rollupId = (campaignId: string, hourStart: number) => `${campaignId}|${hourStart}`;

/** The hours a range [from, to) touches, checked: at most 31 days, `to` after `from`. */
export function deliveryHours(from: number, to: number): number[] {
  if (to <= from) throw badUserInput('to must be after from', 'to');
  if (to - from > MAX_DELIVERY_RANGE_MS) throw badUserInput('at most 31 days per delivery report', 'to');
  const hours: number[] = [];
  for (let h = hourStartOf(from); h < to; h += HOUR_MS) hours.push(h);
  return hours;
}

/** Ratios of a bucket, from its sums (pure). `targetMicros` is what even pacing would have spent. */
export function bucketOf(start: number, c: Counts, targetMicros: number): DeliveryBucket {
  return {
    start,
    ...c,
    ctr: c.impressions > 0 ? c.clicks / c.impressions : null,
    ecpmMicros: c.impressions > 0 ? Math.round((c.spendMicros * 1000) / c.impressions) : null,
    ecpcMicros: c.clicks > 0 ? Math.round(c.spendMicros / c.clicks) : null,
    pacingIndex: targetMicros > 0 ? c.spendMicros / targetMicros : null,
  };
}

function add(into: Counts, c: Counts): void {
  for (const k of Object.keys(ZERO_COUNTS) as (keyof Counts)[]) into[k] += c[k];
}

/**
 * Buckets of UTC hours or days from hourly rollups (pure). The target of a bucket spreads the daily
 * budget evenly over the hours of the bucket in which the campaign was running.
 */
export function deliveryReport(
  rollups: readonly (Counts & { hourStart: number })[],
  range: { from: number; to: number },
  granularity: 'HOUR' | 'DAY',
  campaign: { dailyBudgetMicros: number; startAt: number; endAt: number | null },
) {
  const byHour = new Map(rollups.map((r) => [r.hourStart, r]));
  const size = granularity === 'HOUR' ? HOUR_MS : DAY_MS;
  const buckets = new Map<number, { counts: Counts; target: number }>();
  const total = { counts: { ...ZERO_COUNTS }, target: 0 };
  for (const h of deliveryHours(range.from, range.to)) {
    const start = Math.floor(h / size) * size;
    let b = buckets.get(start);
    if (!b) {
      b = { counts: { ...ZERO_COUNTS }, target: 0 };
      buckets.set(start, b);
    }
    const running = h + HOUR_MS > campaign.startAt && (campaign.endAt === null || h < campaign.endAt);
    const target = running ? campaign.dailyBudgetMicros / 24 : 0;
    b.target += target;
    total.target += target;
    const r = byHour.get(h);
    if (r) {
      add(b.counts, r);
      add(total.counts, r);
    }
  }
  return {
    granularity,
    buckets: [...buckets].map(([start, b]) => bucketOf(start, b.counts, b.target)),
    total: bucketOf(range.from, total.counts, total.target),
  };
}

/** A rollup update with every field written, so a bucket document always has all of them. */
export function rollupUpdate(campaignId: string, hourStart: number, inc: Partial<Counts>) {
  return {
    $inc: { ...ZERO_COUNTS, ...inc },
    $setOnInsert: { campaignId, hourStart },
  };
}

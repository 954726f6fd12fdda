import { badUserInput, type Caller, checkInt, release } from '@attention-mesh/platform';
import type { Measure, Measures } from '../metrics/measures.js';
import { type AttentionMetric, addSums, metricOf, sums } from '../metrics/metricsOf.js';
import type { AttentionRollupDoc } from '../models/index.js';
import type { DpMeasure } from '../privacy/dpMeasures.js';
import type { AttentionRuntime } from '../runtime.js';
import { requireDimensionAccess } from './dimensionAccess.js';
import { firstBy } from './firstBy.js';
import { chargedEpsilon, groupClipped, isPartner, partnerNoise, releasedMetric } from './partnerRelease.js';
import { dailyRollupsIn, rollupsIn, totalsByValue } from './rollupsIn.js';

/** Analyst queries over the hourly rollups. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LIMITS = { HOUR: 31 * DAY, DAY: 366 * DAY } as const;
export type Granularity = keyof typeof LIMITS;

export interface SeriesArgs {
  metric: AttentionMetric;
  granularity: Granularity;
  from: number;
  to: number;
  filter?: { dimension: string; value: string } | null;
  groupBy?: string | null;
  top: number;
}

function checkRange(
  from: number,
  to: number,
  granularity: Granularity,
): { start: number; end: number; step: number } {
  if (to <= from) throw badUserInput('"to" must be after "from"', 'to');
  if (to - from > LIMITS[granularity]) {
    throw badUserInput(`at most ${LIMITS[granularity] / DAY} days by ${granularity}`, 'to');
  }
  const step = granularity === 'HOUR' ? HOUR : DAY;
  return { start: Math.floor(from / step) * step, end: to, step };
}

/** The measures each metric is computed from. */
const NEEDS: Record<AttentionMetric, Measure[]> = {
  EVENTS: ['events'],
  IMPRESSIONS: ['impressions'],
  VIEWABLE_IMPRESSIONS: ['viewable'],
  VIEWABILITY_RATE: ['viewable', 'impressions'],
  TIME_IN_VIEW_SECONDS: ['timeInViewMs'],
  ENGAGED_SECONDS: ['engagedMs'],
  AVERAGE_ENGAGED_SECONDS: ['engagedMs', 'impressions'],
  CLICKS: ['clicks'],
  CLICK_THROUGH_RATE: ['clicks', 'impressions'],
  AVERAGE_DWELL_SECONDS: ['dwellMs', 'dwells'],
  SCROLL_50_RATE: ['scroll50', 'impressions'],
  ATTENTION_PER_MILLE: ['timeInViewMs', 'impressions'],
};

/** What an exact breakdown (or a ranking) by `metric` sums. */
const totalsOf = (metric: AttentionMetric) => [
  ...new Set<Measure>(['impressions', 'events', ...NEEDS[metric]]),
];

export async function attentionSeries(
  models: AttentionRuntime,
  caller: Caller,
  args: SeriesArgs,
  requestId = '',
) {
  requireDimensionAccess(caller, { 'filter.dimension': args.filter?.dimension, groupBy: args.groupBy });
  const { start, end, step } = checkRange(args.from, args.to, args.granularity);
  checkInt(args.top, 'top', 1, 50);
  if (args.filter && args.groupBy)
    throw badUserInput('filter and groupBy cannot be combined (yet)', 'groupBy');
  let dim = 'ALL';
  let values: string[] | null = ['*'];
  if (args.filter) {
    // Filter values are ids (1-64 characters), slugs, device names or country codes.
    if (args.filter.value.length < 1 || args.filter.value.length > 64)
      throw badUserInput('filter.value must be 1-64 characters', 'filter.value');
    dim = args.filter.dimension;
    values = [args.filter.value];
  } else if (args.groupBy && isPartner(caller)) {
    // Ranked after release, from the noised figures: a ranking by exact ones would leak them.
    dim = args.groupBy;
    values = null;
  } else if (args.groupBy) {
    dim = args.groupBy;
    const ranked = firstBy(
      await totalsByValue(models, dim, start, end, totalsOf('IMPRESSIONS')),
      args.top,
      (a, b) =>
        b.sums.impressions - a.sums.impressions ||
        b.sums.events - a.sums.events ||
        a.key.localeCompare(b.key),
    );
    values = ranked.map((r) => r.key);
    if (values.length === 0) return [];
  }
  const docs = await rollupsIn(models, dim, values, start, end);
  if (isPartner(caller)) {
    const noise = partnerNoise(models.config.internalSecret, caller, requestId, 'attentionSeries', args);
    const range = { start, end, step };
    return partnerSeries(models, caller, args.metric, docs, values, { ...range, top: args.top }, noise);
  }
  const buckets = new Map<string, Map<number, Measures>>();
  for (const key of values ?? []) buckets.set(key, new Map());
  for (const d of docs) {
    const series = buckets.get(d.value);
    if (!series) continue;
    const at = Math.floor(d.hour / step) * step;
    series.set(at, addSums(series.get(at) ?? sums(null), d));
  }
  return [...buckets].map(([key, series]) => {
    const points = [];
    for (let at = start; at < end; at += step)
      points.push({ at, value: metricOf(args.metric, series.get(at) ?? sums(null)) });
    return { key, noised: false, suppressed: false, points };
  });
}

/**
 * A series for a partner: the clipped sums of each bucket noised at the request's ε (split across the
 * metric's measures), the metric computed from them; groups under `minUsers` users suppressed. Without
 * `keys` (groupBy) every value is released and the `top` are chosen by their noised sums (the
 * bound holds for all groups of a dimension together, so ranking them is post-processing).
 */
function partnerSeries(
  models: AttentionRuntime,
  caller: Caller,
  metric: AttentionMetric,
  docs: AttentionRollupDoc[],
  keys: string[] | null,
  { start, end, step, top }: { start: number; end: number; step: number; top: number },
  noise: (epsilon: number, sensitivity: number) => number,
) {
  const measures = NEEDS[metric] as DpMeasure[];
  const buckets: number[] = [];
  for (let at = start; at < end; at += step) buckets.push(at);
  const groups = groupClipped(docs, keys, measures, buckets, (hour) => Math.floor(hour / step) * step);
  const { bounds } = models.config.dp;
  const policy = { epsilon: chargedEpsilon(caller), ...models.config.dp };
  let released = release(groups, measures, policy, noise);
  if (!keys) {
    const first = measures[0]!;
    const total = (g: (typeof released)[number]) => (g.points ?? []).reduce((n, p) => n + (p[first] ?? 0), 0);
    released = released
      .map((g) => ({ g, total: total(g) }))
      .sort(
        (a, b) =>
          Number(a.g.suppressed) - Number(b.g.suppressed) ||
          b.total - a.total ||
          a.g.key.localeCompare(b.g.key),
      )
      .slice(0, top)
      .map(({ g }) => g);
  }
  return released.map((g) => ({
    key: g.key,
    noised: true,
    suppressed: g.suppressed,
    points: buckets.map((at, i) => {
      const noised = g.points?.[i];
      return { at, value: noised ? releasedMetric(metric, noised, bounds) : null };
    }),
  }));
}

export async function attentionBreakdown(
  models: AttentionRuntime,
  caller: Caller,
  args: { by: string; metric: AttentionMetric; from: number; to: number; first: number },
  requestId = '',
) {
  requireDimensionAccess(caller, { by: args.by });
  const { start, end } = checkRange(args.from, args.to, 'DAY');
  checkInt(args.first, 'first', 1, 100);
  if (isPartner(caller)) {
    const noise = partnerNoise(models.config.internalSecret, caller, requestId, 'attentionBreakdown', args);
    return partnerBreakdown(models, caller, args, { start, end }, noise);
  }
  const rows = await totalsByValue(models, args.by, start, end, totalsOf(args.metric));
  return firstBy(
    rows.map((r) => ({
      key: r.key,
      value: metricOf(args.metric, r.sums),
      impressions: r.sums.impressions,
      events: r.sums.events,
      noised: false,
      suppressed: false,
    })),
    args.first,
    (a, b) => b.value - a.value || b.impressions - a.impressions || a.key.localeCompare(b.key),
  );
}

/**
 * A breakdown for a partner: every value's clipped sums over the range (from the day sums held in
 * memory, else a batch-sized read of the dimension's rollups), noised at the request's ε; ranked by
 * the noised metric (post-processing), suppressed rows last.
 */
async function partnerBreakdown(
  models: AttentionRuntime,
  caller: Caller,
  args: { by: string; metric: AttentionMetric; first: number },
  { start, end }: { start: number; end: number },
  noise: (epsilon: number, sensitivity: number) => number,
) {
  const epsilon = chargedEpsilon(caller);
  const measures = [...new Set<Measure>([...NEEDS[args.metric], 'impressions', 'events'])] as DpMeasure[];
  const docs = await dailyRollupsIn(models, args.by, start, end);
  // In key order: the noise drawn for each group then does not depend on the order documents come in.
  const groups = groupClipped(docs, null, measures, [0], () => 0).sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
  const { bounds } = models.config.dp;
  const rows = release(groups, measures, { epsilon, ...models.config.dp }, noise).map((g) => {
    const noised = g.points?.[0];
    return {
      key: g.key,
      value: noised ? releasedMetric(args.metric, noised, bounds) : null,
      impressions: noised ? (noised.impressions ?? 0) : null,
      events: noised ? (noised.events ?? 0) : null,
      noised: true,
      suppressed: g.suppressed,
    };
  });
  return rows
    .sort(
      (a, b) =>
        Number(a.suppressed) - Number(b.suppressed) ||
        (b.value ?? 0) - (a.value ?? 0) ||
        a.key.localeCompare(b.key),
    )
    .slice(0, args.first);
}

import { createHmac } from 'node:crypto';
import {
  type Caller,
  clamp,
  ErrorCode,
  type GroupSums,
  isAdmin,
  meshError,
  seededNoise,
} from '@attention-mesh/platform';
import type { Measures } from '../metrics/measures.js';
import { type AttentionMetric, metricOf, sums } from '../metrics/metricsOf.js';
import type { AttentionRollupDoc } from '../models/index.js';
import { DP_USERS, type DpBounds, type DpMeasure, dpField, utcDayOf } from '../privacy/dpMeasures.js';

/**
 * Partners (API keys) are answered with differentially private figures; analysts with a JWT and admins
 * with exact ones.
 */
export function isPartner(caller: Caller): boolean {
  return Boolean(caller.apiKeyId) && !isAdmin(caller);
}

/** The ε this request was charged for each differentially private field (signed by the gateway). */
export function chargedEpsilon(caller: Caller): number {
  if (!caller.dpEpsilon)
    throw meshError(
      ErrorCode.FORBIDDEN,
      'no privacy budget was charged for this request: ask through the gateway',
    );
  return caller.dpEpsilon;
}

/**
 * The noise of one private field of one request: keyed by a key derived from the mesh's internal
 * secret (partners cannot predict it) and seeded by the partner, the request id and the field with its
 * arguments. A retried request id (charged once) gets the same answer, so retries cannot be averaged;
 * two fields of one request with other arguments get independent noise.
 */
export function partnerNoise(
  internalSecret: string,
  caller: Caller,
  requestId: string,
  field: string,
  args: unknown,
): (epsilon: number, sensitivity: number) => number {
  const key = createHmac('sha256', internalSecret).update('attention-dp-noise').digest('hex');
  return seededNoise(key, `${caller.partnerId}|${requestId}|${field}|${JSON.stringify(args)}`);
}

const RATES = new Set<AttentionMetric>(['VIEWABILITY_RATE', 'CLICK_THROUGH_RATE', 'SCROLL_50_RATE']);

/**
 * A metric from noised sums, clamped to what it can be: a rate to [0, 1]; an average to what one
 * user-day may contribute (a small noised denominator would otherwise give absurd values). Pure.
 */
export function releasedMetric(metric: AttentionMetric, noised: Partial<Measures>, bounds: DpBounds): number {
  const value = metricOf(metric, sums(noised));
  if (RATES.has(metric)) return clamp(value, 0, 1);
  if (metric === 'AVERAGE_ENGAGED_SECONDS' || metric === 'AVERAGE_DWELL_SECONDS')
    return clamp(value, 0, bounds.engagedMs / 1000);
  if (metric === 'ATTENTION_PER_MILLE') return clamp(value, 0, bounds.timeInViewMs);
  return Math.max(0, value);
}

/** A rollup's clipped sums of `measures`, and its new contributing users. */
function clippedOf(doc: AttentionRollupDoc, measures: readonly DpMeasure[]) {
  const d = doc as unknown as Record<string, number | undefined>;
  const out: Record<string, number> = {};
  for (const m of measures) out[m] = Number(d[dpField(m)] ?? 0) || 0;
  return { sums: out, users: Number(d[DP_USERS] ?? 0) || 0 };
}

/**
 * Groups rollups by dimension value and bucket (`bucketOf` the hour's bucket; a constant for one total),
 * with the number of contributing users of each group: the largest daily count over the range, a
 * conservative (never larger) stand-in for the distinct users of the whole range. Pure.
 */
export function groupClipped(
  docs: readonly AttentionRollupDoc[],
  keys: readonly string[] | null,
  measures: readonly DpMeasure[],
  buckets: readonly number[],
  bucketOf: (hour: number) => number,
): GroupSums[] {
  const groups = new Map<
    string,
    { points: Map<number, Record<string, number>>; daily: Map<number, number> }
  >();
  const groupOf = (key: string) => {
    let g = groups.get(key);
    if (!g) {
      g = { points: new Map(), daily: new Map() };
      groups.set(key, g);
    }
    return g;
  };
  for (const key of keys ?? []) groupOf(key);
  for (const doc of docs) {
    if (keys && !groups.has(doc.value)) continue;
    const g = groupOf(doc.value);
    const { sums: s, users } = clippedOf(doc, measures);
    const at = bucketOf(doc.hour);
    const point = g.points.get(at) ?? {};
    for (const m of measures) point[m] = (point[m] ?? 0) + (s[m] ?? 0);
    g.points.set(at, point);
    const day = utcDayOf(doc.hour);
    g.daily.set(day, (g.daily.get(day) ?? 0) + users);
  }
  return [...groups].map(([key, g]) => ({
    key,
    users: Math.max(0, ...g.daily.values()),
    points: buckets.map((at) => g.points.get(at) ?? {}),
  }));
}

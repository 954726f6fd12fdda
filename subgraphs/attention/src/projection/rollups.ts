import { utcHourOfWeek } from '@attention-mesh/platform';
import type { ViewDelta } from '../metrics/attentionMetrics.js';
import type { Measures } from '../metrics/measures.js';
import { decayWeight, spanMove } from '../metrics/profileMath.js';
import type { AttentionEventDoc } from '../models/index.js';
import { DP_MEASURES, DP_USERS, type DpContribution, dpField } from '../privacy/dpMeasures.js';

/** Pure: what a batch of measured events adds to the hourly rollups, the totals and the profiles. */

const HOUR = 3_600_000;
export const hourOf = (at: number) => Math.floor(at / HOUR) * HOUR;

/** The dimensions an event is rolled up by (dimension, value), `ALL` first. */
export function dimensionsOf(e: AttentionEventDoc): [string, string][] {
  const dims: [string, string][] = [
    ['ALL', '*'],
    [e.targetType, e.targetId],
  ];
  if (e.placementId && e.targetType !== 'PLACEMENT') dims.push(['PLACEMENT', e.placementId]);
  if (e.userId) dims.push(['USER', e.userId]);
  if (e.category) dims.push(['CATEGORY', e.category]);
  if (e.device) dims.push(['DEVICE', e.device]);
  if (e.country) dims.push(['COUNTRY', e.country]);
  return dims;
}

/** Dimensions that also keep all-time totals (for the per-entity stats). */
export const WITH_TOTALS: ReadonlySet<string> = new Set(['ITEM', 'AD', 'PLACEMENT', 'USER']);

/**
 * Every measure, zeros included: FerretDB's `$sum` yields 0 for a whole group when a field is missing
 * from any of its documents, so rollup documents always carry every field.
 */
export function measuresOf(d: ViewDelta): Measures {
  return {
    events: 1,
    impressions: d.impressions,
    viewable: d.viewable,
    timeInViewMs: d.timeInViewMs,
    engagedMs: d.engagedMs,
    clicks: d.clicks,
    scroll25: d.scrollMilestones.includes(25) ? 1 : 0,
    scroll50: d.scrollMilestones.includes(50) ? 1 : 0,
    scroll75: d.scrollMilestones.includes(75) ? 1 : 0,
    scroll100: d.scrollMilestones.includes(100) ? 1 : 0,
    dwellMs: d.dwellMs,
    dwells: d.dwells,
  };
}

type Inc = Record<string, number>;
interface Update {
  $inc: Inc;
  $max?: Inc;
  $setOnInsert?: Record<string, unknown>;
}

function add(
  map: Map<string, Update>,
  id: string,
  inc: Inc,
  extra?: { max?: Inc; onInsert?: Record<string, unknown> },
) {
  // Hot: called for every event and dimension, hence plain loops.
  const u = map.get(id);
  if (!u) {
    const created: Update = { $inc: { ...inc } };
    if (extra?.max) created.$max = { ...extra.max };
    if (extra?.onInsert) created.$setOnInsert = extra.onInsert;
    map.set(id, created);
    return;
  }
  const into = u.$inc;
  for (const k in inc) into[k] = (into[k] ?? 0) + inc[k]!;
  if (extra?.max) {
    u.$max ??= {};
    for (const k in extra.max) u.$max[k] = Math.max(u.$max[k] ?? Number.NEGATIVE_INFINITY, extra.max[k]!);
  }
  if (extra?.onInsert) u.$setOnInsert = extra.onInsert;
}

export interface MeasuredEvent {
  event: AttentionEventDoc;
  delta: ViewDelta;
  /** The view's engaged ms before and after this event (for the attention span histogram). */
  engagedBefore: number;
  engagedAfter: number;
  /** Its share clipped to its user-day's bounds (see clipContributions); none for anonymous events. */
  dp?: DpContribution | null;
}

/**
 * The clipped fields of one rollup: every one, zeros included (FerretDB's `$sum` over a missing field
 * yields 0 for the whole group).
 */
function dpIncOf(dp: DpContribution | null | undefined, key: string): Inc {
  const inc: Inc = {};
  for (const m of DP_MEASURES) inc[dpField(m)] = dp ? dp.measures[m] : 0;
  inc[DP_USERS] = dp?.firstIn.includes(key) ? 1 : 0;
  return inc;
}

/** Rollup ids are `${dim}|${value}|${hour}`; the hourly documents carry dim/value/hour for queries. */
export function batchUpdates(measured: readonly MeasuredEvent[], halfLifeDays: number) {
  const rollups = new Map<string, Update>();
  const totals = new Map<string, Update>();
  const profiles = new Map<string, Update>();
  for (const { event: e, delta, engagedBefore, engagedAfter, dp } of measured) {
    const m: Inc = measuresOf(delta);
    const hour = hourOf(e.occurredAt);
    for (const [dim, value] of dimensionsOf(e)) {
      const id = `${dim}|${value}|${hour}`;
      add(rollups, id, { ...m, ...dpIncOf(dp, `${dim}|${value}`) }, { onInsert: { dim, value, hour } });
      if (WITH_TOTALS.has(dim)) add(totals, `${dim}|${value}`, m, { max: { lastEventAt: e.occurredAt } });
    }
    if (e.userId) {
      // Events per hour: the user's recent activity, the input of the engagement predictions.
      const inc: Inc = { [`hours.${hour}`]: 1 };
      if (delta.engagedMs) {
        inc[`weekHours.${utcHourOfWeek(e.occurredAt)}`] = delta.engagedMs;
        if (e.category)
          inc[`categories.${e.category}`] = delta.engagedMs * decayWeight(e.occurredAt, halfLifeDays);
        if (e.targetType === 'ITEM') {
          for (const [k, v] of Object.entries(spanMove(engagedBefore, engagedAfter))) inc[`span.${k}`] = v;
        }
      }
      if (Object.keys(inc).length) add(profiles, e.userId, inc);
    }
  }
  return { rollups, totals, profiles };
}

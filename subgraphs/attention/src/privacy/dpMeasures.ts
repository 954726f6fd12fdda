import type { Measure } from '../metrics/measures.js';

/**
 * The measures released to partners, each clipped per privacy unit (one user's activity in one UTC
 * day) and kept beside the exact ones in every hourly rollup as `dp<Measure>`; `dpUsers` counts the
 * users whose first contribution of their day to that dimension value fell in the hour.
 */
export const DP_MEASURES = [
  'events',
  'impressions',
  'viewable',
  'timeInViewMs',
  'engagedMs',
  'clicks',
  'scroll50',
  'dwellMs',
  'dwells',
] as const satisfies readonly Measure[];
export type DpMeasure = (typeof DP_MEASURES)[number];

/** The field of a rollup holding a measure's clipped sum. */
export function dpField(m: DpMeasure): string {
  return `dp${m[0]!.toUpperCase()}${m.slice(1)}`;
}
export const DP_USERS = 'dpUsers';
export const DP_FIELDS = [...DP_MEASURES.map(dpField), DP_USERS];

/** Per privacy unit (user-day), the most of each measure that is counted. */
export type DpBounds = Record<DpMeasure, number>;

const DAY = 86_400_000;
export const utcDayOf = (at: number) => Math.floor(at / DAY) * DAY;

/** What one privacy unit (a user's UTC day) has contributed so far: `_id` is `${userId}|${day}`. */
export interface DpDayState {
  _id: string;
  userId: string;
  day: number;
  /** The clipped amount counted so far, per measure. */
  used: Partial<Record<DpMeasure, number>>;
  /** The `${dim}|${value}` the unit already counts as a contributing user of. */
  seen: string[];
}

/** An event's counted share: its clipped measures and the dimension values it is the unit's first in. */
export interface DpContribution {
  measures: Record<DpMeasure, number>;
  firstIn: string[];
}

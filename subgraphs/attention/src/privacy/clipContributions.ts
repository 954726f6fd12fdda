import { clipContribution } from '@attention-mesh/platform';
import type { ViewDelta } from '../metrics/attentionMetrics.js';
import type { AttentionEventDoc } from '../models/index.js';
import { measuresOf } from '../projection/rollups.js';
import { DP_MEASURES, type DpBounds, type DpMeasure, utcDayOf } from './dpMeasures.js';

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

export const dpDayId = (userId: string, at: number) => `${userId}|${utcDayOf(at)}`;

/**
 * Clips the contributions of measured events (in time order) to their user-day's bounds, moving
 * `states` (which must hold every user-day of the events; missing ones start empty) and returning one
 * contribution per event (null for anonymous events, which are not released to partners: without a
 * user they have no unit to bound). `dims` are the event's rollup dimensions. Pure.
 */
export function clipContributions(
  events: ReadonlyArray<{ event: AttentionEventDoc; delta: ViewDelta; dims: readonly [string, string][] }>,
  states: Map<string, DpDayState>,
  bounds: DpBounds,
): (DpContribution | null)[] {
  const seenSets = new Map<string, Set<string>>();
  const out = events.map(({ event, delta, dims }) => {
    if (!event.userId) return null;
    const id = dpDayId(event.userId, event.occurredAt);
    let state = states.get(id);
    if (!state) {
      state = { _id: id, userId: event.userId, day: utcDayOf(event.occurredAt), used: {}, seen: [] };
      states.set(id, state);
    }
    let seen = seenSets.get(id);
    if (!seen) {
      seen = new Set(state.seen);
      seenSets.set(id, seen);
    }
    const raw = measuresOf(delta);
    const measures = {} as Record<DpMeasure, number>;
    for (const m of DP_MEASURES) {
      const c = clipContribution(state.used[m] ?? 0, raw[m], bounds[m]);
      measures[m] = c;
      if (c) state.used[m] = (state.used[m] ?? 0) + c;
    }
    const firstIn: string[] = [];
    for (const [dim, value] of dims) {
      const key = `${dim}|${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      state.seen.push(key);
      firstIn.push(key);
    }
    return { measures, firstIn };
  });
  return out;
}

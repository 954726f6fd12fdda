import { clipContribution } from '@attention-mesh/platform';
import type { Measures } from '../metrics/measures.js';
import type { AttentionEventDoc } from '../models/index.js';
import {
  DP_MEASURES,
  type DpBounds,
  type DpContribution,
  type DpDayState,
  type DpMeasure,
  utcDayOf,
} from './dpMeasures.js';

export const dpDayId = (userId: string, at: number) => `${userId}|${utcDayOf(at)}`;

/**
 * Clips the contributions of measured events (in time order) to their user-day's bounds, moving
 * `states` (which must hold every user-day of the events; missing ones start empty) and returning one
 * contribution per event (null for anonymous events, which are not released to partners: without a
 * user they have no unit to bound). `measures` are the event's exact measures, `dims` its rollup dimensions. Pure.
 */
export function clipContributions(
  events: ReadonlyArray<{ event: AttentionEventDoc; measures: Measures; dims: readonly [string, string][] }>,
  states: Map<string, DpDayState>,
  bounds: DpBounds,
): (DpContribution | null)[] {
  const seenSets = new Map<string, Set<string>>();
  const out = events.map(({ event, measures: raw, dims }) => {
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

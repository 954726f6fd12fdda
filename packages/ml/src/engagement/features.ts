import { DAY_MS, HOUR_MS, type UserHistory } from './types.js';

/** Per-event features (see `encodeBatch`). */
export const EVENT_FEATURES = 10;
/** Per-query (target slot) features. */
export const QUERY_FEATURES = 9;

const TWO_PI = 2 * Math.PI;
/** Scale of log1p(hours) features, so they stay near [0, 2] for a few weeks of history. */
const LOG_SCALE = 4;
/** Stands in for the gap to the last event when there is none (four weeks). */
const NO_EVENT_GAP_HOURS = 24 * 28;

export interface EncodeOptions {
  maxEvents: number;
  dayOfWeek: boolean;
  eventClock: boolean;
}

/** A batch laid out for the model: `L` positions per row, position 0 a learned "no event" slot. */
export interface EncodedBatch {
  size: number;
  length: number;
  /** [size * length, EVENT_FEATURES] */
  events: Float32Array;
  /** [size, length]: 1 where a position holds an event (or the null slot), 0 for padding. */
  mask: Float32Array;
  /** [size, QUERY_FEATURES] */
  query: Float32Array;
}

/** Index of the first event at or after `limit` (events sorted by time). */
export function visibleCount(history: UserHistory, limit: number): number {
  const ev = history.events;
  let lo = 0;
  let hi = ev.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ev[mid]!.at < limit) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The instant before which events may be used to predict `slot`: min(asOf, slot). */
export function horizonStart(history: UserHistory, slot: number): number {
  return history.asOf === undefined ? slot : Math.min(history.asOf, slot);
}

/** Number of history positions (null slot included) the pair needs, capped by `maxEvents`. */
export function encodedLength(history: UserHistory, slot: number, maxEvents: number): number {
  return Math.min(visibleCount(history, horizonStart(history, slot)), maxEvents) + 1;
}

function hourPhase(ms: number): number {
  return (((ms % DAY_MS) + DAY_MS) % DAY_MS) / DAY_MS;
}

function weekPhase(ms: number): number {
  // 1970-01-01 was a Thursday; phase 0 is Sunday 00:00.
  const days = ms / DAY_MS + 4;
  return (((days % 7) + 7) % 7) / 7;
}

const lg = (hours: number) => Math.log1p(Math.max(0, hours)) / LOG_SCALE;

/**
 * Encodes (history, slot) pairs. Event features: hour-of-day sin/cos, day-of-week sin/cos (both zero
 * unless `eventClock`), log-recency
 * before the slot, log weight, sin/cos of the hour-of-day difference to the slot, a null-slot flag, and
 * log-recency before `asOf`. Query features: the slot's hour-of-day and day-of-week sin/cos, log hours
 * from the last event, log event count, log hours from `asOf` to the slot, log history span, log number
 * of distinct active hours. Only events strictly before min(asOf, slot) are read; the most recent
 * `maxEvents` of them are encoded.
 */
export function encodeBatch(
  histories: readonly UserHistory[],
  slots: ArrayLike<number>,
  indices: ArrayLike<number>,
  options: EncodeOptions,
): EncodedBatch {
  const size = indices.length;
  let length = 1;
  for (let r = 0; r < size; r++) {
    const i = indices[r]!;
    length = Math.max(length, encodedLength(histories[i]!, slots[i]!, options.maxEvents));
  }
  const events = new Float32Array(size * length * EVENT_FEATURES);
  const mask = new Float32Array(size * length);
  const query = new Float32Array(size * QUERY_FEATURES);
  const dow = options.dayOfWeek ? 1 : 0;
  const clock = options.eventClock ? 1 : 0;
  for (let r = 0; r < size; r++) {
    const i = indices[r]!;
    const history = histories[i]!;
    const slot = slots[i]!;
    const offset = (history.utcOffsetMinutes ?? 0) * 60_000;
    const asOf = horizonStart(history, slot);
    const visible = visibleCount(history, asOf);
    const first = Math.max(0, visible - options.maxEvents);
    const slotHour = hourPhase(slot + offset);
    const slotWeek = weekPhase(slot + offset);

    const rowBase = r * length;
    mask[rowBase] = 1;
    events[rowBase * EVENT_FEATURES + 8] = 1;
    for (let j = first; j < visible; j++) {
      const e = history.events[j]!;
      const pos = rowBase + 1 + (j - first);
      mask[pos] = 1;
      const o = pos * EVENT_FEATURES;
      const h = hourPhase(e.at + offset);
      const w = weekPhase(e.at + offset);
      events[o] = clock * Math.sin(TWO_PI * h);
      events[o + 1] = clock * Math.cos(TWO_PI * h);
      events[o + 2] = clock * dow * Math.sin(TWO_PI * w);
      events[o + 3] = clock * dow * Math.cos(TWO_PI * w);
      events[o + 4] = lg((slot - e.at) / HOUR_MS);
      events[o + 5] = Math.log1p(Math.max(0, e.weight ?? 1)) / LOG_SCALE;
      events[o + 6] = Math.cos(TWO_PI * (h - slotHour));
      events[o + 7] = Math.sin(TWO_PI * (h - slotHour));
      events[o + 9] = lg((asOf - e.at) / HOUR_MS);
    }

    let activeHours = 0;
    let lastHour = Number.NaN;
    for (let j = 0; j < visible; j++) {
      const hour = Math.floor(history.events[j]!.at / HOUR_MS);
      if (hour !== lastHour) activeHours++;
      lastHour = hour;
    }
    const q = r * QUERY_FEATURES;
    query[q] = Math.sin(TWO_PI * slotHour);
    query[q + 1] = Math.cos(TWO_PI * slotHour);
    query[q + 2] = dow * Math.sin(TWO_PI * slotWeek);
    query[q + 3] = dow * Math.cos(TWO_PI * slotWeek);
    query[q + 4] = lg(visible > 0 ? (slot - history.events[visible - 1]!.at) / HOUR_MS : NO_EVENT_GAP_HOURS);
    query[q + 5] = Math.log1p(visible) / LOG_SCALE;
    query[q + 6] = lg((slot - asOf) / HOUR_MS);
    query[q + 7] = visible > 0 ? lg((asOf - history.events[0]!.at) / HOUR_MS) : 0;
    query[q + 8] = Math.log1p(activeHours) / LOG_SCALE;
  }
  return { size, length, events, mask, query };
}

/**
 * Orders pair indices by encoded length and cuts them into batches, so each batch is trimmed to its
 * longest history instead of padded to `maxEvents`.
 */
export function batchesByLength(
  histories: readonly UserHistory[],
  slots: ArrayLike<number>,
  indices: ArrayLike<number>,
  maxEvents: number,
  batchSize: number,
): Int32Array[] {
  const n = indices.length;
  const lengths = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const i = indices[r]!;
    lengths[r] = encodedLength(histories[i]!, slots[i]!, maxEvents);
  }
  const order = Array.from({ length: n }, (_, r) => r).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const end = Math.min(n, s + batchSize);
    const batch = new Int32Array(end - s);
    for (let k = s; k < end; k++) batch[k - s] = indices[order[k]!]!;
    batches.push(batch);
  }
  return batches;
}

import { HOUR_MS, type UserHistory } from './types.js';

/** Start of the hour of the earliest event: hour 0 of a log's hour grid. */
export function firstHourOf(histories: readonly UserHistory[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const h of histories) if (h.events.length) first = Math.min(first, h.events[0]!.at);
  if (!Number.isFinite(first)) throw new Error('the event log is empty');
  return Math.floor(first / HOUR_MS) * HOUR_MS;
}

/**
 * A forecasting task: every user with at least one event in [start, cutoff) gets one pair per hour in
 * [cutoff, cutoff + hours); the history of each pair holds only the user's events before the cutoff
 * (`asOf` = cutoff), and the label says whether the user has an event in that hour.
 */
export interface ForecastTask {
  /** Index into the input histories of each eligible user. */
  users: Int32Array;
  /** Per pair. */
  histories: UserHistory[];
  slots: Float64Array;
  labels: Float32Array;
  /** Per pair: index into `users`. */
  pairUser: Int32Array;
  start: number;
  cutoff: number;
  hours: number;
}

export function forecastTask(
  histories: readonly UserHistory[],
  start: number,
  cutoff: number,
  hours: number,
): ForecastTask {
  if (start % HOUR_MS !== 0 || cutoff % HOUR_MS !== 0 || cutoff <= start) {
    throw new Error('forecastTask: start and cutoff must be hour-aligned epoch ms with start < cutoff');
  }
  const users: number[] = [];
  const pairHistories: UserHistory[] = [];
  const slots: number[] = [];
  const labels: number[] = [];
  const pairUser: number[] = [];
  const end = cutoff + hours * HOUR_MS;
  for (let u = 0; u < histories.length; u++) {
    const all = histories[u]!;
    const before = all.events.filter((e) => e.at < cutoff);
    if (!before.some((e) => e.at >= start)) continue;
    const flags = new Uint8Array(hours);
    for (const e of all.events) {
      if (e.at >= cutoff && e.at < end) flags[Math.floor((e.at - cutoff) / HOUR_MS)] = 1;
    }
    const history: UserHistory =
      all.utcOffsetMinutes === undefined
        ? { events: before, asOf: cutoff }
        : { events: before, asOf: cutoff, utcOffsetMinutes: all.utcOffsetMinutes };
    const index = users.length;
    users.push(u);
    for (let k = 0; k < hours; k++) {
      pairHistories.push(history);
      slots.push(cutoff + k * HOUR_MS);
      labels.push(flags[k]!);
      pairUser.push(index);
    }
  }
  return {
    users: Int32Array.from(users),
    histories: pairHistories,
    slots: Float64Array.from(slots),
    labels: Float32Array.from(labels),
    pairUser: Int32Array.from(pairUser),
    start,
    cutoff,
    hours,
  };
}

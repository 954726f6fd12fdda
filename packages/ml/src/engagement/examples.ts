import { createRng } from '../core/random.js';
import { HOUR_MS, type UserHistory } from './types.js';

/** The part of a log a model may learn from: events in [start, end) only. */
export interface TrainingWindow {
  histories: readonly UserHistory[];
  /** Start of hour 0 of the cutoff grid, epoch ms (hour-aligned). */
  start: number;
  /** End of the window, exclusive (hour-aligned): nothing at or after it is read. */
  end: number;
}

export interface ExampleOptions {
  /** Targets lie up to this many hours after their cutoff (default 12, the evaluation's horizon). */
  horizonHours?: number;
  /** Earliest cutoff, in hours after `start` (default 6), so histories are not all empty. */
  firstCutoffHours?: number;
  /** Most examples kept; candidates are subsampled beyond it (default 300,000). */
  maxExamples?: number;
  /** Share of positives among the kept examples when subsampling (default 0.25, or all positives if fewer). */
  positiveShare?: number;
  seed?: number;
}

/**
 * Self-supervised examples from a training window: for a cutoff hour c and a target hour t in
 * [c, c + horizon) inside the window, the history is the user's events strictly before c (so strictly
 * before t too), and the label is whether the user has an event in hour t. Users count from their first
 * event before c. Positives and negatives are subsampled at their own rates to fit `maxExamples`; each
 * example carries the inverse of its rate as its loss weight, so the weighted loss stays that of the
 * full candidate set and the model stays calibrated.
 */
export interface ExampleSet {
  /** One history per example, cut at the cutoff (`asOf` = cutoff). */
  histories: UserHistory[];
  slots: Float64Array;
  labels: Float32Array;
  weights: Float32Array;
  candidates: number;
  candidatePositives: number;
  positiveRate: number;
  negativeRate: number;
}

/** Events in [from, to) of a history, keeping its time zone. */
export function clipHistory(history: UserHistory, from: number, to: number): UserHistory {
  const events = history.events.filter((e) => e.at >= from && e.at < to);
  return history.utcOffsetMinutes === undefined
    ? { events }
    : { events, utcOffsetMinutes: history.utcOffsetMinutes };
}

export function buildExamples(window: TrainingWindow, options: ExampleOptions = {}): ExampleSet {
  const horizon = options.horizonHours ?? 12;
  const firstCutoff = options.firstCutoffHours ?? 6;
  const maxExamples = options.maxExamples ?? 300_000;
  const share = options.positiveShare ?? 0.25;
  const { start, end } = window;
  if (start % HOUR_MS !== 0 || end % HOUR_MS !== 0 || end <= start) {
    throw new Error('buildExamples: start and end must be hour-aligned epoch ms with start < end');
  }
  const hours = (end - start) / HOUR_MS;
  const users = window.histories.map((h) => clipHistory(h, Number.NEGATIVE_INFINITY, end));
  // Per user: first event hour (relative to start) and active-hour flags.
  const firstHour = new Float64Array(users.length);
  const active = users.map((h, u) => {
    const flags = new Uint8Array(hours);
    firstHour[u] = h.events.length
      ? Math.floor((h.events[0]!.at - start) / HOUR_MS)
      : Number.POSITIVE_INFINITY;
    for (const e of h.events) {
      const hr = Math.floor((e.at - start) / HOUR_MS);
      if (hr >= 0 && hr < hours) flags[hr] = 1;
    }
    return flags;
  });

  const forEachCandidate = (visit: (u: number, c: number, t: number, label: number) => void) => {
    for (let u = 0; u < users.length; u++) {
      const flags = active[u]!;
      for (let c = Math.max(firstCutoff, firstHour[u]! + 1); c < hours; c++) {
        for (let t = c; t < Math.min(hours, c + horizon); t++) visit(u, c, t, flags[t]!);
      }
    }
  };

  let candidates = 0;
  let positives = 0;
  forEachCandidate((_u, _c, _t, label) => {
    candidates++;
    positives += label;
  });
  const negatives = candidates - positives;
  let positiveRate = 1;
  let negativeRate = 1;
  if (candidates > maxExamples) {
    const keepPositives = Math.min(positives, Math.round(share * maxExamples));
    positiveRate = positives > 0 ? keepPositives / positives : 1;
    negativeRate = negatives > 0 ? Math.min(1, (maxExamples - keepPositives) / negatives) : 1;
  }

  const rng = createRng(options.seed ?? 1);
  const histories: UserHistory[] = [];
  const slots: number[] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  forEachCandidate((u, c, t, label) => {
    const rate = label ? positiveRate : negativeRate;
    if (rate < 1 && rng.next() >= rate) return;
    const h = users[u]!;
    const asOf = start + c * HOUR_MS;
    histories.push(
      h.utcOffsetMinutes === undefined
        ? { events: h.events, asOf }
        : { events: h.events, asOf, utcOffsetMinutes: h.utcOffsetMinutes },
    );
    slots.push(start + t * HOUR_MS);
    labels.push(label);
    weights.push(1 / rate);
  });
  return {
    histories,
    slots: Float64Array.from(slots),
    labels: Float32Array.from(labels),
    weights: Float32Array.from(weights),
    candidates,
    candidatePositives: positives,
    positiveRate,
    negativeRate,
  };
}

import type { TrainProgress } from '../core/training/progress.js';
import { type ScoredPredictor, type Scores, score, scored } from '../core/training/scores.js';
import { FrequencyBaseline, HourOfDayBaseline } from './baseline.js';
import type { EngagementModelConfig } from './config.js';
import { buildExamples, clipHistory } from './examples.js';
import type { EngagementModel } from './model.js';
import { type ForecastTask, firstHourOf, forecastTask } from './split.js';
import { type EpochStats, type TrainResult, trainEngagementModel } from './train.js';
import { HOUR_MS, type UserHistory } from './types.js';

/** A hyper-parameter setting tried on the validation folds. */
export interface Candidate {
  name: string;
  lr: number;
  model: Partial<EngagementModelConfig>;
}

/** A validation fold inside the training window: learn from hours before `cutoffHours`, predict the next `hours`. */
export interface Fold {
  cutoffHours: number;
  hours: number;
}

export interface EvaluationOptions {
  /** Hours of the training window from the first event's hour (default 36). */
  trainHours?: number;
  /** Hours predicted after it (default 12). */
  testHours?: number;
  /** Default: 24 -> 24..35 (the test's 12-hour horizon) and 30 -> 30..35. */
  folds?: Fold[];
  /** Settings tried on the folds; one setting skips nothing (its epochs are still chosen). */
  candidates?: Candidate[];
  /** Most epochs tried per setting (default 4); the best epoch count on the folds is used for the final model. */
  maxEpochs?: number;
  /** Fixes the final epoch count instead of choosing it on the folds. */
  epochs?: number;
  batchSize?: number;
  maxExamples?: number;
  firstCutoffHours?: number;
  seed?: number;
  /** Shrinkage strengths tried for the per-user x hour-of-day baseline (chosen on the folds). */
  hourBaselineStrengths?: number[];
  onProgress?: (stage: string, progress: TrainProgress) => void;
  log?: (line: string) => void;
}

export interface CandidateResult {
  candidate: Candidate;
  /** [fold][epoch - 1] */
  folds: { fold: Fold; epochs: (Scores & { trainLoss: number; seconds: number })[] }[];
  /** Mean validation log-loss over the folds, per epoch. */
  meanLogLoss: number[];
  meanAuc: number[];
  bestEpoch: number;
}

export interface EvaluationResult {
  data: {
    users: number;
    events: number;
    eventsOutsideWindow: number;
    start: string;
    trainEnd: string;
    testEnd: string;
  };
  validation: {
    candidates: CandidateResult[];
    chosen: Candidate;
    epochs: number;
    hourBaselineStrength: number;
    baselines: { fold: Fold; frequency: Scores; hourOfDay: Scores }[];
  };
  training: Omit<TrainResult, 'model'> & {
    /** Mean loss of the batches between points, and the epoch's running mean. */
    curve: { step: number; loss: number; epochMean: number }[];
  };
  test: {
    users: number;
    pairs: number;
    positives: number;
    positiveRate: number;
    predictSeconds: number;
    model: ScoredPredictor;
    baseline: ScoredPredictor;
    hourBaseline: ScoredPredictor;
    prior: { alpha: number; beta: number };
  };
  model: EngagementModel;
}

export const DEFAULT_CANDIDATES: Candidate[] = [
  { name: 'lr=0.003', lr: 0.003, model: {} },
  { name: 'lr=0.01', lr: 0.01, model: {} },
  { name: 'lr=0.003 +self-attention', lr: 0.003, model: { selfAttention: true } },
];

function baselinesOn(task: ForecastTask, train: readonly UserHistory[], start: number, end: number) {
  const eligible = Array.from(task.users, (u) => train[u]!);
  return FrequencyBaseline.fit(eligible, start, end);
}

/**
 * The engagement protocol on one event log: hour 0 is the first event's hour; the model learns from
 * hours [0, trainHours) and predicts, for every user with an event there, each of the next `testHours`
 * hours from that history alone. Settings and epochs are chosen on folds inside the training window
 * (never on the test hours); the per-user historical-frequency baseline and its hour-of-day variant are
 * scored on the same pairs.
 */
export async function evaluateEngagement(
  histories: readonly UserHistory[],
  options: EvaluationOptions = {},
): Promise<EvaluationResult> {
  const trainHours = options.trainHours ?? 36;
  const testHours = options.testHours ?? 12;
  const folds = options.folds ?? [
    { cutoffHours: 24, hours: 12 },
    { cutoffHours: 30, hours: 6 },
  ];
  const candidates = options.candidates ?? DEFAULT_CANDIDATES;
  const maxEpochs = options.maxEpochs ?? 4;
  const seed = options.seed ?? 42;
  const strengths = options.hourBaselineStrengths ?? [1, 2, 4, 8, 16, 32, 64, 128, 256];
  const log = options.log ?? (() => {});
  const common = {
    batchSize: options.batchSize ?? 256,
    maxExamples: options.maxExamples ?? 400_000,
    firstCutoffHours: options.firstCutoffHours ?? 2,
    horizonHours: testHours,
    seed,
  };
  for (const f of folds) {
    if (f.cutoffHours + f.hours > trainHours) {
      throw new Error(`fold ${f.cutoffHours}+${f.hours}h reaches past the training window (${trainHours}h)`);
    }
  }

  const start = firstHourOf(histories);
  const trainEnd = start + trainHours * HOUR_MS;
  const testEnd = trainEnd + testHours * HOUR_MS;
  let total = 0;
  let outside = 0;
  const all = histories.map((h) => {
    total += h.events.length;
    const c = clipHistory(h, start, testEnd);
    outside += h.events.length - c.events.length;
    return c;
  });
  log(
    `${histories.length} users, ${total} events; ${outside} outside the ${trainHours + testHours}h window are dropped`,
  );

  // Validation folds.
  const foldData = folds.map((fold) => {
    const end = start + fold.cutoffHours * HOUR_MS;
    const train = all.map((h) => clipHistory(h, start, end));
    const task = forecastTask(all, start, end, fold.hours);
    const examples = buildExamples({ histories: train, start, end }, common);
    return { fold, end, train, task, examples };
  });
  const baselines = foldData.map(({ fold, end, train, task }) => {
    const freq = baselinesOn(task, train, start, end);
    const probs = freq.predict(task.histories, task.slots);
    const byStrength = strengths.map((m) =>
      score(task.labels, new HourOfDayBaseline(freq, m).predict(task.histories, task.slots)),
    );
    return { fold, frequency: score(task.labels, probs), byStrength };
  });
  let bestStrength = strengths[0]!;
  let bestStrengthLoss = Number.POSITIVE_INFINITY;
  strengths.forEach((m, i) => {
    const loss = baselines.reduce((s, b) => s + b.byStrength[i]!.logLoss, 0) / baselines.length;
    if (loss < bestStrengthLoss) {
      bestStrengthLoss = loss;
      bestStrength = m;
    }
  });

  const results: CandidateResult[] = [];
  for (const candidate of candidates) {
    const foldResults: CandidateResult['folds'] = [];
    for (let f = 0; f < foldData.length; f++) {
      const { fold, end, train, task, examples } = foldData[f]!;
      const epochs: CandidateResult['folds'][number]['epochs'] = [];
      const stage = `tune ${candidate.name} fold ${f + 1}/${foldData.length}`;
      const result = await trainEngagementModel(
        { histories: train, start, end },
        {
          ...common,
          examples,
          epochs: options.epochs ?? maxEpochs,
          lr: candidate.lr,
          model: candidate.model,
          onProgress: (p) => options.onProgress?.(stage, p),
          onEpochEnd: async (stats: EpochStats, model) => {
            const probs = await model.predict(task.histories, task.slots);
            epochs.push({ ...score(task.labels, probs), trainLoss: stats.loss, seconds: stats.seconds });
            return undefined;
          },
        },
      );
      result.model.dispose();
      foldResults.push({ fold, epochs });
      const last = epochs[epochs.length - 1]!;
      log(
        `${stage}: AUC ${last.auc.toFixed(4)}, log-loss ${last.logLoss.toFixed(4)} after ${epochs.length} epochs`,
      );
    }
    const n = Math.min(...foldResults.map((r) => r.epochs.length));
    const meanLogLoss = Array.from(
      { length: n },
      (_, e) => foldResults.reduce((s, r) => s + r.epochs[e]!.logLoss, 0) / foldResults.length,
    );
    const meanAuc = Array.from(
      { length: n },
      (_, e) => foldResults.reduce((s, r) => s + r.epochs[e]!.auc, 0) / foldResults.length,
    );
    const bestEpoch = options.epochs ?? meanLogLoss.indexOf(Math.min(...meanLogLoss)) + 1;
    results.push({ candidate, folds: foldResults, meanLogLoss, meanAuc, bestEpoch });
  }
  const chosen = results.reduce((best, r) =>
    r.meanLogLoss[r.bestEpoch - 1]! < best.meanLogLoss[best.bestEpoch - 1]! ? r : best,
  );
  log(
    `chosen on validation: ${chosen.candidate.name}, ${chosen.bestEpoch} epochs; hour-of-day baseline m=${bestStrength}`,
  );

  // Final model on the whole training window.
  const train = all.map((h) => clipHistory(h, start, trainEnd));
  const curve: { step: number; loss: number; epochMean: number }[] = [];
  let step = 0;
  let windowSum = 0;
  let windowSize = 0;
  const trained = await trainEngagementModel(
    { histories: train, start, end: trainEnd },
    {
      ...common,
      epochs: chosen.bestEpoch,
      lr: chosen.candidate.lr,
      model: chosen.candidate.model,
      onProgress: (p) => {
        step++;
        windowSum += p.batchLoss;
        windowSize++;
        // About 25 points per epoch, each the mean loss of the batches since the previous one.
        if (windowSize >= Math.max(1, Math.floor(p.batches / 25)) || p.batch === p.batches) {
          curve.push({ step, loss: windowSum / windowSize, epochMean: p.loss });
          windowSum = 0;
          windowSize = 0;
        }
        options.onProgress?.('final', p);
      },
    },
  );

  // Test.
  const task = forecastTask(all, start, trainEnd, testHours);
  const predictStart = performance.now();
  const modelProbs = await trained.model.predict(task.histories, task.slots);
  const predictSeconds = (performance.now() - predictStart) / 1000;
  const freq = baselinesOn(task, train, start, trainEnd);
  const baseProbs = freq.predict(task.histories, task.slots);
  const hourProbs = new HourOfDayBaseline(freq, bestStrength).predict(task.histories, task.slots);
  let positives = 0;
  for (const y of task.labels) positives += y;
  const { model, ...training } = trained;
  return {
    data: {
      users: histories.length,
      events: total,
      eventsOutsideWindow: outside,
      start: new Date(start).toISOString(),
      trainEnd: new Date(trainEnd).toISOString(),
      testEnd: new Date(testEnd).toISOString(),
    },
    validation: {
      candidates: results,
      chosen: chosen.candidate,
      epochs: chosen.bestEpoch,
      hourBaselineStrength: bestStrength,
      baselines: baselines.map((b) => ({
        fold: b.fold,
        frequency: b.frequency,
        hourOfDay: b.byStrength[strengths.indexOf(bestStrength)]!,
      })),
    },
    training: { ...training, curve },
    test: {
      users: task.users.length,
      pairs: task.labels.length,
      positives,
      positiveRate: positives / task.labels.length,
      predictSeconds,
      model: scored('attention model', task.labels, modelProbs),
      baseline: scored('per-user frequency (Beta prior)', task.labels, baseProbs),
      hourBaseline: scored(`per-user x hour-of-day (m=${bestStrength})`, task.labels, hourProbs),
      prior: freq.prior,
    },
    model,
  };
}

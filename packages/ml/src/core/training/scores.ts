import {
  auc,
  brierScore,
  type CalibrationBin,
  calibrationBins,
  logLoss,
  type RocPoint,
  rocCurve,
} from './metrics.js';

/** The figures every binary classifier (engagement, CTR) is compared on. */
export interface Scores {
  auc: number;
  logLoss: number;
  brier: number;
  meanPrediction: number;
}

/** Scores of one named predictor with the curves its report draws. */
export interface ScoredPredictor extends Scores {
  name: string;
  roc: RocPoint[];
  calibration: CalibrationBin[];
}

export function score(labels: ArrayLike<number>, probs: ArrayLike<number>): Scores {
  let mean = 0;
  for (let i = 0; i < probs.length; i++) mean += probs[i]!;
  return {
    auc: auc(labels, probs),
    logLoss: logLoss(labels, probs),
    brier: brierScore(labels, probs),
    meanPrediction: mean / Math.max(1, probs.length),
  };
}

export function scored(name: string, labels: ArrayLike<number>, probs: ArrayLike<number>): ScoredPredictor {
  return {
    name,
    ...score(labels, probs),
    roc: rocCurve(labels, probs),
    calibration: calibrationBins(labels, probs),
  };
}
